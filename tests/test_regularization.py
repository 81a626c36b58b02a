"""Weight penalties: value and (sub)gradient against the SymPy twin, the convention at 0, inputs."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from numpy.testing import assert_allclose

from mathcore import gradcheck, regularization
from mathcore.regularization import LAM, PENALTIES, W

NAMES = sorted(PENALTIES)
STRENGTHS = [0.0, 0.05, 1.0, 3.7]

# A sum of at most 12 terms lam*w^2/2 or lam*|w|: a few eps relative
TOL = dict(rtol=1e-14, atol=1e-15)


def _twin(name):
    expr = PENALTIES[name].symbolic(W, LAM)
    return (sp.lambdify((W, LAM), expr, modules="numpy"),
            sp.lambdify((W, LAM), sp.diff(expr, W), modules="numpy"))


def _weights(seed=0, shape=(3, 4)):
    w = np.random.default_rng(seed).normal(size=shape)  # shape
    w.flat[0] = 0.0  # a weight exactly at the kink of |w|
    return w


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("lam", STRENGTHS)
def test_value_and_gradient_match_symbolic_twin(name, lam):
    f, df = _twin(name)
    w = _weights()
    pen = PENALTIES[name]
    expected_value = sum(float(f(v, lam)) for v in w.ravel())
    expected_grad = np.array([float(df(v, lam)) for v in w.ravel()]).reshape(w.shape)
    assert_allclose(pen(w, lam), expected_value, **TOL)
    g = pen.gradient(w, lam)
    assert isinstance(g, np.ndarray) and g.shape == w.shape
    assert_allclose(g, expected_grad, **TOL)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences_away_from_zero(name):
    w = _weights(seed=1)
    w[0, 0] = 0.7  # central differences across the kink of |w| would give 0 only by symmetry
    lam = 0.3
    pen = PENALTIES[name]
    result = gradcheck.check_gradients(lambda: pen(w, lam), [w], [pen.gradient(w, lam)])
    # gradcheck's docstring: ~1e-9 when right, >= 1e-2 when wrong
    assert result.max_relative_error < 1e-7, result


def test_l1_subgradient_at_zero_is_zero():
    g = PENALTIES["l1"].gradient(np.array([-2.0, 0.0, 3.0, -0.0]), 0.5)
    assert_allclose(g, [-0.5, 0.0, 0.5, 0.0], rtol=0, atol=0)  # exact: lam * sign(w)
    # and that is what the SymPy twin's derivative says at 0
    assert sp.diff(PENALTIES["l1"].symbolic(W, LAM), W).subs(W, 0) == 0


@pytest.mark.parametrize("name", NAMES)
def test_twin_derivative_at_zero_equals_numpy(name):
    dexpr = sp.diff(PENALTIES[name].symbolic(W, LAM), W)
    assert float(dexpr.subs({W: 0, LAM: 2})) == PENALTIES[name].gradient(np.array([0.0]), 2.0)[0]


def test_documented_forms():
    w = np.array([[1.0, -2.0], [0.5, 0.0]])
    # l2: lam/2 * ||W||_F^2 = 0.3/2 * 5.25; l1: lam * sum|W| = 0.3 * 3.5
    assert_allclose(PENALTIES["l2"](w, 0.3), 0.15 * 5.25, **TOL)
    assert_allclose(PENALTIES["l1"](w, 0.3), 0.3 * 3.5, **TOL)
    assert_allclose(PENALTIES["l2"].gradient(w, 0.3), 0.3 * w, rtol=0, atol=0)  # the same single product


@pytest.mark.parametrize("name", NAMES)
def test_list_of_arrays_is_sum_over_arrays(name):
    pen = PENALTIES[name]
    ws = [_weights(2, (3, 2)), _weights(3, (4,)), _weights(4, (1, 1))]
    lam = 0.7
    assert_allclose(pen(ws, lam), sum(pen(w, lam) for w in ws), **TOL)
    grads = pen.gradient(ws, lam)
    assert isinstance(grads, list) and len(grads) == 3
    for g, w in zip(grads, ws):
        assert_allclose(g, pen.gradient(w, lam), rtol=0, atol=0)  # identical computation
    assert pen((ws[0], ws[1]), lam) == pen([ws[0], ws[1]], lam)  # any sequence works


@pytest.mark.parametrize("name", NAMES)
def test_scalar_and_zero_strength(name):
    pen = PENALTIES[name]
    assert pen(_weights(), 0.0) == 0.0
    assert_allclose(pen.gradient(_weights(), 0.0), 0.0, rtol=0, atol=0)
    assert np.ndim(pen.gradient(2.0, 1.0)) == 0


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("strength, exc, message", [
    (-0.1, ValueError, r"strength must be >= 0"),
    (float("nan"), ValueError, "strength must be finite"),
    (float("inf"), ValueError, "strength must be finite"),
    ("0.1", TypeError, "strength must be a real number"),
    (None, TypeError, "strength must be a real number"),
    (True, TypeError, "strength must be a real number"),
])
@pytest.mark.parametrize("method", ["__call__", "gradient"])
def test_bad_strength(name, strength, exc, message, method):
    with pytest.raises(exc, match=message):
        getattr(PENALTIES[name], method)(_weights(), strength)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("weights, exc, message", [
    (np.array([1.0, np.nan]), ValueError, "weights must be finite"),
    ([np.ones(2), np.array([np.inf])], ValueError, r"weights\[1\] must be finite"),
    ("abc", TypeError, "weights must be an array"),
    (None, TypeError, "weights must be an array"),
    ({"W": np.ones(2)}, TypeError, "weights must be an array"),
    (np.array([1 + 1j]), TypeError, "weights must be real"),
    ([np.ones(2), "x"], TypeError, r"weights\[1\] must be an array"),
])
def test_bad_weights_name_the_argument(name, weights, exc, message):
    with pytest.raises(exc, match=message):
        PENALTIES[name](weights, 0.1)
    with pytest.raises(exc, match=message):
        PENALTIES[name].gradient(weights, 0.1)


def test_lookup():
    for name in NAMES:
        assert regularization.get(name) is PENALTIES[name]
    with pytest.raises(ValueError, match="unknown penalty 'l3'") as info:
        regularization.get("l3")
    assert all(n in str(info.value) for n in NAMES)
    with pytest.raises(TypeError, match="penalty name must be a string"):
        regularization.get(2)


@pytest.mark.parametrize("name", NAMES)
def test_kink_documented(name):
    # a Piecewise twin is a kink; its convention must be written down
    has_kink = PENALTIES[name].symbolic(W, LAM).has(sp.Piecewise)
    assert bool(PENALTIES[name].kink) == has_kink
