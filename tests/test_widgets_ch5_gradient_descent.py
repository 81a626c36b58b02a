"""Chapter 5's interactive figure: its numbers, its static twin and its live redraws."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets
import numpy as np
import pytest
from numpy.testing import assert_allclose

from mathcore import optim, widgets
from mathcore.widgets import ch5_gradient_descent as ch5
from widget_helpers import alt_of, assert_frames_small, slider_values, static_alts, timed_moves


def test_builder_is_exported():
    assert {"descent_on_quadratic", "quadratic_descent", "DescentPlot"} <= set(ch5.__all__)
    assert widgets.descent_on_quadratic is ch5.descent_on_quadratic


# --- quadratic_descent: the numbers the figure draws ------------------------------------------


@pytest.mark.parametrize("lr", [0.05, 0.1, 0.19, 0.21])
def test_path_without_momentum_is_the_closed_form(lr):
    path, rate = ch5.quadratic_descent(lr)
    lam, w0 = np.array(ch5.QUADRATIC_CURVATURES), np.array(ch5.QUADRATIC_START)
    t = np.arange(path.points.shape[0])[:, None]  # (k, 1)
    # w_t = (1 - eta lambda)^t w_0 in each coordinate: at most 40 multiplications, each rounding by 1e-16
    assert_allclose(path.points, (1 - lr * lam) ** t * w0, rtol=1e-12, atol=1e-300)
    assert rate == pytest.approx(np.abs(1 - lr * lam).max(), rel=1e-15)
    assert (rate < 1) == (lr < 2 / lam.max())


def test_momentum_path_follows_the_update_rule():
    path, _ = ch5.quadratic_descent(0.1, 0.5, steps=5)
    lam = np.array(ch5.QUADRATIC_CURVATURES)
    w, v = np.array(ch5.QUADRATIC_START), np.zeros(2)
    for k in range(1, 6):
        v = 0.5 * v + lam * w
        w = w - 0.1 * v
        assert_allclose(path.points[k], w, rtol=1e-14)


@pytest.mark.parametrize("lr, optimizer, diverges", [(0.19, "SGD", False), (0.21, "SGD", True),
                                                     (0.3, "momentum 0.8", False), (0.4, "momentum 0.8", True),
                                                     (0.37, "momentum 0.9", False), (0.4, "momentum 0.9", True)])
def test_threshold_with_momentum_is_2_1_plus_beta_over_lambda(lr, optimizer, diverges):
    momentum = ch5.OPTIMIZER_CHOICES[optimizer][1]
    plot = ch5.DescentPlot()
    shown = plot.update(lr, optimizer)
    assert shown["diverges"] == diverges == (lr * 10.0 > 2 * (1 + momentum))
    assert ("DIVERGES" in shown["message"]) == diverges
    assert plot.message.get_text() == shown["message"]
    # a diverging loss curve climbs: its last value is far above its first
    values = np.asarray(plot.loss_line.get_ydata())
    assert (values[-1] > 100 * values[0]) == diverges


def test_path_and_loss_drawn_are_the_iterates():
    plot = ch5.DescentPlot()
    shown = plot.update(0.15, "momentum 0.5")
    assert_allclose(np.asarray(plot.path_line.get_xdata()), shown["path"].points[:, 0])
    # values are clipped just outside the log axis (1e-8 to 1e8), so Agg never sees 0 or a huge number
    assert_allclose(np.asarray(plot.loss_line.get_ydata()), np.clip(shown["path"].values, 1e-9, 1e9))
    assert shown["rate"] == optim.quadratic_rate(0.15, ch5.QUADRATIC_CURVATURES, 0.5)


@pytest.mark.parametrize("name, cls", [("rmsprop", optim.RMSProp), ("adam", optim.Adam)])
def test_adaptive_paths_are_the_optimizers_steps_and_have_no_rate(name, cls):
    path, rate = ch5.quadratic_descent(0.1, optimizer=name, steps=5)
    assert np.isnan(rate)
    lam, w = np.array(ch5.QUADRATIC_CURVATURES), [np.array(ch5.QUADRATIC_START)]
    opt = cls(0.1)
    for k in range(1, 6):
        opt.step(w, [lam * w[0]])
        assert_allclose(path.points[k], w[0], rtol=0, atol=0)
    first = path.points[1] - path.points[0]
    assert_allclose(np.abs(first), np.abs(first[0]))  # a diagonal first step, whatever the two slopes


def test_adaptive_message_quotes_the_loss_not_a_rate():
    plot = ch5.DescentPlot()
    shown = plot.update(0.1, "Adam")
    assert shown["message"] == f"no fixed rate: loss {shown['path'].values[-1]:.2g} at step 40"
    assert not shown["diverges"] and np.isnan(shown["rate"])


# --- the static twin ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def static_box():
    return widgets.descent_on_quadratic(mode="static")


def test_static_grid(static_box):
    box = static_box
    lr, opt = box.controls["lr"], box.controls["optimizer"]
    assert isinstance(lr, ipywidgets.SelectionSlider) and isinstance(opt, ipywidgets.SelectionSlider)
    assert slider_values(lr) == list(ch5.LR_VALUES) and slider_values(opt) == list(ch5.OPTIMIZER_CHOICES)
    assert (lr.value, opt.value) == (0.1, "SGD")
    n = len(ch5.LR_VALUES) * len(ch5.OPTIMIZER_CHOICES)
    assert len(box.frames) == n == 48 and len({f.png for f in box.frames}) == n
    assert len(box.stack.children) == len(ch5.LR_VALUES)
    assert len(box.links) == 1 + len(ch5.LR_VALUES)


def test_static_frames_are_described_and_small(static_box):
    alts = static_alts(static_box)
    assert len(set(alts)) == 48
    names = list(ch5.OPTIMIZER_CHOICES)
    row = ch5.LR_VALUES.index(0.21) * len(names)  # the frames of lr 0.21, one per optimiser
    bad, good = alts[row + names.index("SGD")], alts[row + names.index("momentum 0.5")]
    assert "learning rate 0.21" in bad and "diverges" in bad and "leaves the plot" in bad
    assert "momentum 0.50" in good and "towards the minimum" in good
    for name in ("RMSProp", "Adam"):
        adaptive = alts[row + names.index(name)]
        assert adaptive.startswith(f"Two panels for {name} with learning rate 0.21")
        assert "first step is diagonal" in adaptive and "no rate per step" in adaptive
    # 48 frames of ~18 kB measured (888 kB): the bound leaves room and still catches unpaletted frames
    assert_frames_small(static_box, 1_300_000)


# --- live -----------------------------------------------------------------------------------


def test_live_redraws_on_value_change_fast():
    box = widgets.descent_on_quadratic(mode="live")
    lr, opt = box.controls["lr"], box.controls["optimizer"]
    assert isinstance(lr, ipywidgets.FloatSlider) and (lr.min, lr.max, lr.step) == (0.01, 0.4, 0.01)
    assert isinstance(opt, ipywidgets.SelectionSlider) and list(opt.options) == [(k, k) for k in ch5.OPTIMIZER_CHOICES]
    times = timed_moves(box, [(lr, round(0.02 + 0.025 * k, 3)) for k in range(15)])
    assert "learning rate 0.37" in alt_of(box.image.value) and "diverges" in alt_of(box.image.value)
    times += timed_moves(box, [(opt, "momentum 0.9")])
    assert "momentum 0.90" in alt_of(box.image.value) and "towards the minimum" in alt_of(box.image.value)
    times += timed_moves(box, [(opt, "Adam"), (opt, "RMSProp")])
    assert alt_of(box.image.value).startswith("Two panels for RMSProp with learning rate 0.37")
    # Measured median ~20 ms (idle) to ~35 ms (load 6) on the 2 shared cores; the bound catches full redraws.
    assert np.median(times) < 0.1, times


def test_argument_errors():
    with pytest.raises(ValueError, match="lr must be <= 0.4"):
        widgets.descent_on_quadratic(lr=0.5)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        widgets.descent_on_quadratic(optimizer="adam")  # the control's names, not minimize's
    with pytest.raises(ValueError, match="in static mode lr must be one of"):
        widgets.descent_on_quadratic(lr=0.12, mode="static")


def test_divergence_draws_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot = ch5.DescentPlot()
        for lr, name in [(0.4, "SGD"), (0.4, "momentum 0.9"), (0.01, "SGD"), (0.4, "RMSProp"), (0.4, "Adam")]:
            plot.png(lr, name)
        path, rate = ch5.quadratic_descent(0.4, 0.0, steps=400)  # runs into minimize's divergence check
        assert path.diverged and "diverged at step" in path.message and rate == pytest.approx(3.0)
        assert plot.update(0.4, "SGD")["diverges"]


def test_on_the_edge_is_neither_convergence_nor_divergence():
    plot = ch5.DescentPlot()
    shown = plot.update(0.2, "SGD")  # |1 - 0.2 * 10| = 1: the steep direction flips sign forever
    assert shown["rate"] == pytest.approx(1.0) and not shown["diverges"]
    assert shown["message"].startswith("on the edge")
    assert "neither grow nor shrink" in ch5._alt(0.2, "SGD")


@pytest.mark.parametrize("name, value, error", [
    ("curvatures", None, TypeError), ("curvatures", "ab", TypeError), ("curvatures", (1.0, 2j), TypeError),
    ("curvatures", (1.0, float("nan")), ValueError), ("curvatures", (1.0,), ValueError),
    ("curvatures", [[1.0, 10.0]], ValueError), ("curvatures", [1.0, [2.0, 3.0]], TypeError),
    ("start", None, TypeError), ("start", (0.0, float("inf")), ValueError), ("start", (), ValueError),
    ("start", (1.0, 2.0, 3.0), ValueError), ("steps", 0, ValueError), ("steps", 2.0, TypeError),
    ("steps", 10**400, ValueError), ("optimizer", "sgd", ValueError), ("optimizer", None, ValueError)])
def test_quadratic_descent_refuses_bad_input_by_name(name, value, error):
    with pytest.raises(error, match=rf"\b{name}\b"):
        ch5.quadratic_descent(0.1, **{name: value})


def test_a_loss_beyond_float64_at_the_start_is_refused_by_name_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="curvatures and start give a loss beyond float64"):
            ch5.quadratic_descent(0.1, curvatures=(1e300, 1.0), start=(1e300, 1.0))
