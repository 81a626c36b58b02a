"""Chapter 6's interactive figure and graph drawing: their numbers, their static twin and their live redraws."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets
import numpy as np
import pytest
from matplotlib.figure import Figure

from mathcore import MLP, widgets
from mathcore.autodiff import Value
from mathcore.exercises.ch6_backprop import HAND_PARAMS, HAND_X
from mathcore.gradcheck import numerical_gradient
from mathcore.widgets import ch6_backprop as ch6
from widget_helpers import alt_of, assert_frames_small, slider_values, static_alts, timed_moves

X, Y = HAND_X[None, :], np.array([[1.0]])  # (1, 2), (1, 1): the chapter's worked example


def test_builders_are_exported():
    assert {"weight_slice", "WeightSlice", "parameter_names", "draw_graph"} <= set(ch6.__all__)
    assert widgets.weight_slice is ch6.weight_slice and widgets.draw_graph is ch6.draw_graph


def test_parameter_names_follow_mlp_params():
    names = ch6.parameter_names([2, 2, 1])
    assert [n for n, _, _ in names] == ["w⁽¹⁾₁₁", "w⁽¹⁾₁₂", "w⁽¹⁾₂₁", "w⁽¹⁾₂₂", "b⁽¹⁾₁", "b⁽¹⁾₂",
                                        "w⁽²⁾₁₁", "w⁽²⁾₁₂", "b⁽²⁾₁"]
    assert names[2][1:] == (0, (1, 0)) and names[-1][1:] == (3, (0,))
    assert len(names) == MLP([2, 2, 1]).n_params


@pytest.fixture(scope="module")
def plot():
    return ch6.WeightSlice(list(HAND_PARAMS), X, Y)


def test_curve_is_the_cost_along_one_parameter_and_the_tangent_is_its_slope(plot):
    net = MLP([2, 2, 1], activation="sigmoid", output="sigmoid")
    for name, k, idx in ch6.parameter_names([2, 2, 1]):
        for i in (0, 20, 40):
            for p, q in zip(net.params, HAND_PARAMS):
                p[...] = q
            net.params[k][idx] += plot.shifts[i]
            assert plot.curves[name][i] == pytest.approx(net.loss(X, Y, "mse"), rel=1e-13)
        v = plot.evaluate(name, 0.5)
        for p, q in zip(net.params, HAND_PARAMS):
            p[...] = q
        net.params[k][idx] += 0.5
        value, grads = net.loss_and_gradients(X, Y, "mse")
        assert v["cost"] == pytest.approx(value, rel=1e-13) and v["gradient"] == grads[k][idx]
        # backprop against the library's central differences: a right gradient agrees to ~1e-9
        numeric = numerical_gradient(lambda: net.loss(X, Y, "mse"), net.params)[k][idx]
        assert v["numeric"] == pytest.approx(numeric, rel=1e-6, abs=1e-10)
        assert v["gradient"] == pytest.approx(numeric, rel=1e-6, abs=1e-10)
    # the parameters the figure reads are never left moved
    for p, q in zip(plot.net.params, HAND_PARAMS):
        assert np.array_equal(p, q)


def test_update_draws_the_tangent_and_highlights_the_unit(plot):
    v = plot.update("w⁽¹⁾₂₁", -1.0)
    tx, ty = (np.asarray(a) for a in plot.tangent.get_data())
    assert (ty[1] - ty[0]) / (tx[1] - tx[0]) == pytest.approx(v["gradient"])
    assert list(plot.marker.get_xdata()) == [-1.0] and plot.marker.get_ydata()[0] == pytest.approx(v["cost"])
    heights = [b.get_height() for b in plot.bars.patches]
    assert heights == pytest.approx(list(np.concatenate(v["deltas"])))
    lit = [matplotlib.colors.to_hex(b.get_facecolor()) == ch6._VERMILLION.lower() for b in plot.bars.patches]
    assert lit == [False, True, False]  # w21 of layer 1 feeds hidden unit 2
    assert plot.readout[0].get_text() == "−0.80"  # the value of w⁽¹⁾₂₁ after the shift


@pytest.fixture(scope="module")
def static_box():
    return widgets.weight_slice(list(HAND_PARAMS), X, Y, weight="w⁽²⁾₁₁", mode="static")


def test_static_twin_has_a_frame_per_position(static_box):
    box = static_box
    name, shift = box.controls["name"], box.controls["shift"]
    assert isinstance(name, ipywidgets.SelectionSlider) and isinstance(shift, ipywidgets.SelectionSlider)
    assert slider_values(name) == [n for n, _, _ in ch6.parameter_names([2, 2, 1])]
    assert slider_values(shift) == list(ch6.SHIFT_VALUES)
    assert (name.value, shift.value) == ("w⁽²⁾₁₁", 0.0)
    assert len(box.frames) == 9 * 7 and len({f.png for f in box.frames}) == 63
    assert len(box.stack.children) == 9 and all(len(inner.children) == 7 for inner in box.stack.children)


def test_static_frames_are_described_and_small(static_box):
    alts = static_alts(static_box)
    assert len(set(alts)) == 63
    assert all("tangent" in a and "delta" in a for a in alts)
    assert "w⁽²⁾₁₁ = 0.70" in alts[6 * 7 + 3]
    assert_frames_small(static_box, 1_500_000)


def test_live_redraws_fast_on_both_sliders():
    box = widgets.weight_slice(list(HAND_PARAMS), X, Y, weight="w⁽²⁾₁₁", mode="live")
    name, shift = box.controls["name"], box.controls["shift"]
    assert isinstance(shift, ipywidgets.FloatSlider) and (shift.min, shift.max, shift.step) == (-3.0, 3.0, 0.05)
    times = timed_moves(box, [(shift, round(-2.5 + 0.35 * k, 2)) for k in range(15)])
    times += timed_moves(box, [(name, n) for n in ("b⁽¹⁾₂", "w⁽¹⁾₁₁", "b⁽²⁾₁")],
                         check=lambda alt: f"parameter {name.value} alone" in alt)
    # Measured median ~30 ms on the 2 shared cores; the bound catches a return to full redraws (150+ ms).
    assert np.median(times) < 0.1, times


def test_argument_errors():
    params = list(HAND_PARAMS)
    with pytest.raises(ValueError, match="unknown parameter 'w9'"):
        widgets.weight_slice(params, X, Y, weight="w9", weights=["w9"])
    with pytest.raises(ValueError, match="shift must be <= 3"):
        widgets.weight_slice(params, X, Y, shift=4.0)
    with pytest.raises(ValueError, match="in static mode shift must be one of"):
        widgets.weight_slice(params, X, Y, shift=0.5, mode="static")
    with pytest.raises(ValueError, match="not among the offered"):
        widgets.weight_slice(params, X, Y, weight="b⁽²⁾₁", weights=["w⁽¹⁾₁₁"])
    with pytest.raises(TypeError, match="params must be a list"):
        ch6.WeightSlice(np.zeros((2, 2)), X, Y)
    with pytest.raises(ValueError, match="params\\[2\\] has shape"):
        ch6.WeightSlice([params[0], params[1], np.zeros((1, 3)), params[3]], X, Y)
    with pytest.raises(ValueError, match="X must have 2 features"):
        ch6.WeightSlice(params, np.zeros((1, 3)), Y)


def test_draw_graph_places_parents_left_and_shows_gradients():
    w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(-1.0, "b")
    z = w * x + b
    c = (z.sigmoid() - 1.0) ** 2
    c.backward()
    fig = Figure()
    ax = fig.add_subplot()
    pos = ch6.draw_graph(ax, c)
    assert set(pos) == {id(n) for n in c.graph()}
    assert all(pos[id(p)][0] < pos[id(n)][0] for n in c.graph() for p in n.parents)
    texts = [t.get_text() for t in ax.texts]
    assert f"grad {w.grad:.3f}".replace("-", "\u2212") in texts and "w = 0.500" in texts
    with pytest.raises(TypeError, match="root must be"):
        ch6.draw_graph(ax, 1.0)


def test_figures_draw_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ch6.WeightSlice(list(HAND_PARAMS), X, Y).png("b⁽²⁾₁", 3.0)


@pytest.mark.parametrize("kwargs, error, name", [
    ({"weights": "w⁽¹⁾₁₁"}, TypeError, "weights"), ({"weights": True}, TypeError, "weights"),
    ({"weights": []}, ValueError, "weights"), ({"weights": [1.0]}, TypeError, r"weights\[0\]"),
    ({"weights": ["w⁽¹⁾₁₁", "a"]}, ValueError, r"weights\[1\]"), ({"weight": 3}, TypeError, "weight"),
    ({"loss": None}, TypeError, "loss")])
def test_weight_slice_refuses_bad_choices_by_name(kwargs, error, name):
    with pytest.raises(error, match=rf"\b{name}"):
        widgets.weight_slice(list(HAND_PARAMS), X, Y, **kwargs)


@pytest.mark.parametrize("gap, error", [(None, TypeError), ("1", TypeError), (True, TypeError),
                                        (0.0, ValueError), (-1.0, ValueError), (float("inf"), ValueError),
                                        (10**400, ValueError)])
@pytest.mark.parametrize("name", ["x_gap", "y_gap"])
def test_draw_graph_gaps_are_positive_numbers(name, gap, error):
    with pytest.raises(error, match=name):
        ch6.draw_graph(Figure().add_subplot(), Value(1.0, "a") * 2.0, **{name: gap})


def test_weight_slice_refuses_a_repeated_parameter():
    with pytest.raises(ValueError, match=r"weights\[1\] repeats"):
        widgets.weight_slice(list(HAND_PARAMS), X, Y, weights=["w⁽¹⁾₁₁", "w⁽¹⁾₁₁"])


@pytest.mark.parametrize("scale_params, scale_x", [(1e200, 1e200), (1.0, 1e300)])
def test_a_cost_beyond_float64_is_refused_by_name_without_warnings(scale_params, scale_x):
    params = [p * scale_params for p in HAND_PARAMS]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="params, X and Y give a cost"):
            ch6.WeightSlice(params, X * scale_x, Y, activation="relu", output="identity")
