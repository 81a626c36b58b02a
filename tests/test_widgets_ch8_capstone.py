"""Chapter 8's interactive figure: recorded learning curves, its static twin and its live redraws."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets
import numpy as np
import pytest

from mathcore import metrics, optim, widgets
from mathcore.network import MLP
from mathcore.widgets import ch8_capstone as ch8
from mathcore.widgets.ch8_capstone import TrainingCurves
from widget_helpers import alt_of, assert_frames_small, slider_values, static_alts, timed_moves

LRS, L2S, EPOCHS = (0.01, 0.05, 0.25), (0.0, 1e-3, 1e-2), 10


def _curves(lr, l2, epochs=EPOCHS, blow_up=False):
    """Synthetic curves shaped like the chapter's: falling losses, rising accuracies, one distinct per cell."""
    e = np.arange(1, epochs + 1)  # (epochs,)
    train = 0.6 * np.exp(-lr * 40 * e) + 0.005 + l2  # (epochs,)
    val = train + 0.08  # (epochs,)
    if blow_up:
        train, val = 2.0 ** e, 2.0 ** e  # leaves the loss axis
    acc = np.clip(1 - train / 2, 0, 1)  # (epochs,)
    return TrainingCurves(train, val, acc, np.clip(acc - 0.015, 0, 1))


def _runs():
    return {(lr, l2): _curves(lr, l2, blow_up=(lr == 0.25 and l2 == 0.0)) for lr in LRS for l2 in L2S}


def test_builder_is_exported():
    assert {"learning_curves", "LearningCurves", "TrainingCurves"} <= set(ch8.__all__)
    assert widgets.learning_curves is ch8.learning_curves and widgets.TrainingCurves is TrainingCurves


def test_update_draws_the_recorded_run_and_says_where_it_ended():
    runs = _runs()
    fig = ch8.LearningCurves(runs)
    c = fig.update(0.05, 1e-3)
    x, y = (np.asarray(v) for v in fig.lines["val_acc"].get_data())
    np.testing.assert_array_equal(x, np.arange(1, EPOCHS + 1))
    np.testing.assert_array_equal(y, runs[0.05, 1e-3].val_acc)
    np.testing.assert_array_equal(fig.lines["train_loss"].get_ydata(), c.train_loss)
    val_row, train_row = fig.readout.get_text().split("\n")
    assert f"{100 * c.val_acc[-1]:.1f}%" in val_row and f"{c.val_loss[-1]:.3f}" in val_row
    assert f"{100 * c.train_acc[-1]:.1f}%" in train_row and f"{c.train_loss[-1]:.3f}" in train_row
    assert fig.note.get_text() == ""
    fig.update(0.25, 0.0)
    assert "leaves" in fig.note.get_text() and "e+03" in fig.readout.get_text()  # 2**10 = 1.02e+03


def test_a_diverged_run_is_drawn_as_far_as_it_went():
    runs = _runs()
    short = _curves(0.25, 1e-3, epochs=3)
    runs[0.25, 1e-3] = short
    fig = ch8.LearningCurves(runs)
    assert fig.epochs == EPOCHS
    fig.update(0.25, 1e-3)
    assert len(fig.lines["train_loss"].get_xdata()) == 3
    assert "diverged after 3 epochs" in fig.note.get_text()
    assert "3 epochs before it diverged" in ch8._alt(fig, 0.25, 1e-3)


def test_background_draws_only_the_runs_it_names():
    runs = _runs()
    faint = [(lr, l2) for lr, l2 in runs if lr != 0.25]
    fig = ch8.LearningCurves(runs, background=faint)
    grey = [line for ax in (fig.left, fig.right) for line in ax.lines if line.get_color() == "0.82"]
    assert len(grey) == 2 * len(faint)  # a loss and an accuracy curve each
    drawn = {tuple(np.asarray(line.get_ydata())) for line in grey}
    assert tuple(runs[0.25, 0.0].val_loss) not in drawn and tuple(runs[0.01, 0.0].val_loss) in drawn
    assert "of 5 other runs" in ch8._alt(fig, 0.05, 1e-3)  # six in the background, the chosen one among them
    assert "of 8 other runs" in ch8._alt(ch8.LearningCurves(runs), 0.05, 1e-3)  # by default every run
    # no background: no faint curves, and the legend does not promise them
    bare = ch8.LearningCurves(runs, background=[])
    assert not [line for line in bare.left.lines if line.get_color() == "0.82"]
    assert "other runs" not in " ".join(t.get_text() for t in bare.fig.legends[0].get_texts())


@pytest.mark.parametrize("background, error, match", [
    ([(0.1, 0.0)], ValueError, r"no recorded run at lr=0.1"),
    ([0.05], ValueError, r"\(learning rate, penalty\) pairs, got 0.05"),
    ("runs", TypeError, "background must be an iterable"),
    (5, TypeError, "background must be an iterable"),
])
def test_background_refuses_what_is_not_a_run_of_the_grid(background, error, match):
    with pytest.raises(error, match=match):
        ch8.LearningCurves(_runs(), background=background)


def test_curves_of_a_real_run_record_one_value_per_epoch():
    # the chapter's recipe on a tiny problem: a callback records loss and accuracy after every epoch
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 4)), rng.integers(0, 3, 60)  # (60, 4), (60,)
    net = MLP([4, 8, 3], activation="relu", output="softmax", seed=0)
    log = {name: [] for name in TrainingCurves._fields}

    def record(epoch, history):
        for part in ("train", "val"):
            log[f"{part}_loss"].append(net.loss(X, y))
            log[f"{part}_acc"].append(metrics.accuracy(y, net.predict(X)))

    optim.train(net, X, y, optim.Momentum(0.05), 4, batch_size=16, callback=record)
    curves = TrainingCurves(**log)
    fig = ch8.LearningCurves({(0.05, 0.0): curves})
    assert fig.update(0.05, 0.0).train_loss.shape == (4,)
    assert fig.png(0.05, 0.0).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "runs, exc, match",
    [
        ({}, TypeError, "non-empty mapping"),
        ({0.05: _curves(0.05, 0.0)}, ValueError, "\\(learning rate, penalty\\) pairs"),
        ({(0.05, 0.0): (1, 2, 3, 4)}, TypeError, "must be a TrainingCurves"),
        ({(0.05, 0.0): TrainingCurves([1.0], [1.0, 2.0], [0.5], [0.5])}, ValueError, "different lengths"),
        ({(0.05, 0.0): TrainingCurves([1.0], [1.0], [1.5], [0.5])}, ValueError, "accuracies in \\[0, 1\\]"),
        ({(0.05, 0.0): _curves(0.05, 0.0), (0.01, 1e-3): _curves(0.01, 1e-3)}, ValueError, "fill the grid"),
    ],
)
def test_bad_runs_are_refused(runs, exc, match):
    with pytest.raises(exc, match=match):
        ch8.LearningCurves(runs)


def test_argument_errors():
    with pytest.raises(ValueError, match="no recorded run at lr=0.1"):
        widgets.learning_curves(_runs(), lr=0.1, mode="live")
    with pytest.raises(ValueError, match="epochs must be at least the longest run"):
        ch8.LearningCurves(_runs(), epochs=5)


@pytest.fixture(scope="module")
def static_box():
    return widgets.learning_curves(_runs(), mode="static")


def test_static_twin_has_a_frame_per_recorded_run(static_box):
    box = static_box
    lr, l2 = box.controls["lr"], box.controls["l2"]
    assert isinstance(lr, ipywidgets.SelectionSlider) and isinstance(l2, ipywidgets.SelectionSlider)
    assert slider_values(lr) == list(LRS) and slider_values(l2) == list(L2S)
    assert (lr.value, l2.value) == (0.05, 1e-3)  # the middle of the grid by default
    assert len(box.frames) == 9 and len({f.png for f in box.frames}) == 9
    assert len(box.stack.children) == 3 and all(len(inner.children) == 3 for inner in box.stack.children)
    assert box.frames[1].values == {"lr": 0.01, "l2": 1e-3}


def test_static_frames_are_described_and_small(static_box):
    alts = static_alts(static_box)
    assert len(set(alts)) == 9
    assert "learning rate 0.05 and L2 penalty 0.001" in alts[4]
    assert all("validation" in a and "training" in a for a in alts)
    assert_frames_small(static_box, 400_000)


def test_live_redraws_on_every_slider_move_fast():
    box = widgets.learning_curves(_runs(), mode="live")
    lr, l2 = box.controls["lr"], box.controls["l2"]
    assert isinstance(lr, ipywidgets.SelectionSlider)  # a run exists only at the grid's values
    i, j = LRS.index(lr.value), L2S.index(l2.value)
    moves = [(l2, L2S[(j + k // 2 + 1) % 3]) if k % 2 else (lr, LRS[(i + k // 2 + 1) % 3]) for k in range(12)]
    times = timed_moves(box, moves, check=lambda alt: f"learning rate {lr.value:g} and L2 penalty {l2.value:g}" in alt)
    # Measured median 25-35 ms on the 2 cores when quiet; the bound catches a return to full redraws.
    assert np.median(times) < 0.1, times


def test_figure_draws_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runs = _runs()
        runs[0.25, 0.0] = TrainingCurves([np.inf], [np.nan], [0.1], [0.1])  # a run that overflowed in its first epoch
        fig = ch8.LearningCurves(runs)
        fig.png(0.25, 0.0)
        assert "not finite" in fig.readout.get_text()
        runs[0.25, 0.0] = TrainingCurves([], [], [], [])  # no epoch at all
        fig = ch8.LearningCurves(runs)
        fig.png(0.25, 0.0)
        assert fig.note.get_text() == "diverged in epoch 1" and "first epoch" in ch8._alt(fig, 0.25, 0.0)


@pytest.mark.parametrize("value, exc", [(None, TypeError), (1 + 1j, TypeError), (10**400, ValueError),
                                        (np.ones(3), TypeError), (False, TypeError), (np.nan, ValueError)])
def test_run_coordinates_must_be_numbers(value, exc):
    fig = ch8.LearningCurves(_runs())
    for method in (fig.curves, fig.update, fig.summary, fig.warning, fig, fig.png):
        with pytest.raises(exc, match=r"\blr\b"):
            method(value, 0.0)
        with pytest.raises(exc, match=r"\bl2\b"):
            method(0.05, value)
    if value is not None:  # None picks the middle of the grid
        with pytest.raises(exc, match=r"\blr\b"):
            widgets.learning_curves(_runs(), lr=value, mode="live")
        with pytest.raises(exc, match=r"\bl2\b"):
            widgets.learning_curves(_runs(), l2=value, mode="live")


@pytest.mark.parametrize("epochs, exc", [(np.nan, TypeError), ("20", TypeError), (20.0, TypeError),
                                         (True, TypeError), (0, ValueError), (10**400, ValueError)])
def test_epochs_must_be_a_count(epochs, exc):
    with pytest.raises(exc, match="epochs"):
        ch8.LearningCurves(_runs(), epochs=epochs)
    with pytest.raises(exc, match="epochs"):
        widgets.learning_curves(_runs(), epochs=epochs, mode="live")


@pytest.mark.parametrize("runs, background, match", [
    ({(None, 0.0): _curves(0.05, 0.0)}, None, "learning rate of runs key"),
    ({(0.05, np.nan): _curves(0.05, 0.0)}, None, "penalty of runs key"),
    (_runs(), [(0.05, "0")], r"background\[0\]\[1\]"),
])
def test_keys_must_be_numbers(runs, background, match):
    with pytest.raises((TypeError, ValueError), match=match):
        ch8.LearningCurves(runs, background=background)
