"""Chapter 7's interactive figure: its numbers, its static twin and its live redraws."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets
import numpy as np
import pytest
from numpy.testing import assert_allclose

from mathcore import data, regularization, widgets
from mathcore.widgets import ch7_regularization as ch7
from widget_helpers import alt_of, assert_frames_small, slider_values, timed_moves


def _data():
    x, y = data.regression_curve(n=15, noise=0.2, seed=1)  # the chapter's data
    x_test, y_test = data.regression_curve(n=200, noise=0.2, seed=100)
    return x, y, x_test, y_test


@pytest.fixture(scope="module")
def path():
    return ch7.RidgePath(*_data(), degree=12)


def test_builder_is_exported():
    assert {"penalty_strength", "RidgePath"} <= set(ch7.__all__)
    assert widgets.penalty_strength is ch7.penalty_strength


def test_slider_positions_are_log_spaced():
    lam = np.array(ch7.L2_LIVE)
    assert lam.size == 37 and lam[0] == pytest.approx(1e-8) and lam[-1] == pytest.approx(10.0)
    assert_allclose(np.diff(np.log10(lam)), 0.25, rtol=1e-12)  # quarter decades
    assert ch7.L2_STATIC == ch7.L2_LIVE[::2] and len(ch7.L2_STATIC) == 19
    assert set(ch7.L2_STATIC) <= set(ch7.L2_LIVE)


def test_precomputed_fits_are_the_exact_ridge_fits(path):
    x, y, x_test, y_test = _data()
    F = regularization.polynomial_features(x, 12)  # (15, 12)
    F_test = regularization.polynomial_features(x_test, 12)  # (200, 12)
    for i in (0, 12, 24, 36):
        w, b = regularization.ridge_fit(F, y, path.l2s[i])
        # one SVD for all strengths against one per strength: the same arithmetic, a few eps apart
        assert_allclose(path.W[i], w, rtol=1e-9, atol=1e-9)
        assert path.b[i] == pytest.approx(b, rel=1e-9, abs=1e-9)
        assert path.train_error[i] == pytest.approx(np.mean((F @ w + b - y) ** 2), rel=1e-9)
        assert path.test_error[i] == pytest.approx(np.mean((F_test @ w + b - y_test) ** 2), rel=1e-9)


def test_errors_behave_as_the_chapter_says(path):
    # training error never falls as lambda grows; the weights' norm never grows; test error is U-shaped
    assert np.all(np.diff(path.train_error) >= -1e-12)
    assert np.all(np.diff(np.linalg.norm(path.W, axis=1)) < 0)
    best = int(np.argmin(path.test_error))
    assert 0 < best < len(path.l2s) - 1
    assert path.test_error[0] > 5 * path.test_error[best] and path.test_error[-1] > 5 * path.test_error[best]


def test_update_shows_the_numbers_it_draws(path):
    info = path.update(1e-3)
    i = path.index(1e-3)
    xs, ys = (np.asarray(v) for v in path.curve.get_data())
    assert_allclose(ys, regularization.polynomial_features(xs, 12) @ path.W[i] + path.b[i], rtol=1e-12, atol=1e-12)
    tops = [seg[1][1] for seg in path.bars.get_segments()]
    assert_allclose(tops, np.maximum(np.abs(path.W[i]), 1e-4), rtol=1e-12)
    assert list(path.test_marker.get_ydata()) == [path.test_error[i]]
    assert path.numbers["test"].get_text() == f"{info['test']:.4f}"
    assert path.numbers["l2"].get_text() == "0.001"


def test_index_rejects_unknown_strengths(path):
    with pytest.raises(ValueError, match="not one of the precomputed strengths"):
        path.index(0.5)


def test_alt_text_describes_the_frame(path):
    weak, best, strong = path.alt(1e-8), path.alt(float(path.l2s[np.argmin(path.test_error)])), path.alt(10.0)
    assert "lambda = 1e-08" in weak and "wiggles" in weak
    assert "too weak" in weak and "too strong" in strong and "best test error" in best
    assert "almost flat" in strong and "follows the sine wave" in best
    assert f"{path.test_error[0]:.4f}" in weak


@pytest.fixture(scope="module")
def static_box():
    return widgets.penalty_strength(*_data(), l2=1e-8, mode="static")


def test_static_twin_has_a_frame_per_position(static_box):
    box = static_box
    slider = box.controls["l2"]
    assert isinstance(slider, ipywidgets.SelectionSlider)
    assert slider_values(slider) == list(ch7.L2_STATIC) and slider.value == 1e-8
    assert slider.options[1][0] == "3.2e-08"  # the labels show the real values
    assert len(box.frames) == 19 and len(box.stack.children) == 19 and len(box.links) == 1
    assert len({f.png for f in box.frames}) == 19  # every frame a different picture


def test_static_frames_are_described_and_small(static_box):
    alts = [alt_of(page.value) for page in static_box.stack.children]
    assert len(set(alts)) == 19 and all("ridge regression" in a for a in alts)
    assert_frames_small(static_box, 700_000)  # of a page that must stay well under 3 MB


def test_live_redraws_on_value_change_fast():
    box = widgets.penalty_strength(*_data(), mode="live")
    slider = box.controls["l2"]
    assert isinstance(slider, ipywidgets.SelectionSlider) and len(slider.options) == 37
    values = slider_values(slider)
    times = timed_moves(box, [(slider, values[k]) for k in list(range(0, 37, 3)) + list(range(31, 0, -5))
                              if k != slider.index])
    assert f"lambda = {ch7._lam_text(slider.value)}" in alt_of(box.image.value)
    # Measured median 30-40 ms on the 2 shared cores; the bound catches a return to full redraws (150+ ms).
    assert np.median(times) < 0.1, times


def test_argument_errors():
    x, y, x_test, y_test = _data()
    with pytest.raises(ValueError, match="l2 must be > 0"):
        widgets.penalty_strength(x, y, x_test, y_test, l2=0.0)
    with pytest.raises(ValueError, match="in static mode l2 must be one of"):
        widgets.penalty_strength(x, y, x_test, y_test, l2=10 ** -7.75, mode="static")
    with pytest.raises(ValueError, match="x and y must have the same length"):
        ch7.RidgePath(x, y[:-1], x_test, y_test)
    with pytest.raises(ValueError, match="every l2 in l2s must be > 0"):
        ch7.RidgePath(x, y, x_test, y_test, l2s=[0.0, 1.0])
    with pytest.raises(ValueError, match="x_test must have one feature"):
        ch7.RidgePath(x, y, np.ones((5, 2)), y_test[:5])


def test_figure_draws_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = ch7.RidgePath(*_data(), degree=5, l2s=[1e-6, 1.0])
        p.png(1e-6)
        p.png(1.0)


@pytest.mark.parametrize("method", ["index", "update", "png", "alt", "__call__"])
@pytest.mark.parametrize("l2, error", [(None, TypeError), ("1e-3", TypeError), (10**400, ValueError),
                                       (float("nan"), ValueError)])
def test_strength_of_a_frame_is_a_finite_real_number(path, method, l2, error):
    with pytest.raises(error, match=r"\bl2\b"):
        getattr(path, method)(l2)


@pytest.mark.parametrize("degree, error", [(ch7.MAX_DEGREE + 1, ValueError), (10**400, ValueError),
                                           (0, ValueError), (3.0, TypeError)])
def test_degree_is_bounded(degree, error):
    with pytest.raises(error, match=r"\bdegree\b"):
        ch7.RidgePath(*_data(), degree=degree, l2s=[1e-3])


def test_exact_fit_draws_without_warnings():
    x, _, x_test, _ = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # a constant target is fitted exactly: training and test errors are 0, which no log axis shows
        p = ch7.RidgePath(x, np.ones(x.shape[0]), x_test, np.ones(x_test.shape[0]), degree=3, l2s=[1e-3, 1e-2])
        p.png(1e-3)


def test_overflow_is_refused_by_name_without_warnings():
    x, y, x_test, y_test = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="x_test must lie near"):
            ch7.RidgePath(x, y, x_test * 1e100, y_test, degree=12, l2s=[1e-3])
        with pytest.raises(ValueError, match="y and y_test are too large"):
            ch7.RidgePath(x, y * 1e200, x_test, y_test * 1e200, degree=3, l2s=[1e-3])
