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


# --- polynomial features, ridge, lasso, dropout ------------------------------------------------

from mathcore import data  # noqa: E402


def _curve(n=15, seed=1, degree=12):
    x, y = data.regression_curve(n=n, noise=0.2, seed=seed)
    return regularization.polynomial_features(x, degree), y


def test_polynomial_features_map_the_interval_onto_minus_one_one():
    F = regularization.polynomial_features(np.array([0.0, 0.25, 1.0]), 3)
    assert_allclose(F, [[-1.0, 1.0, -1.0], [-0.5, 0.25, -0.125], [1.0, 1.0, 1.0]], rtol=0, atol=0)
    F2 = regularization.polynomial_features(np.array([[2.0], [4.0]]), 2, interval=(2.0, 4.0))
    assert_allclose(F2, [[-1.0, 1.0], [1.0, 1.0]], rtol=0, atol=0)


def test_polynomial_features_reject_bad_input():
    with pytest.raises(ValueError, match="x must have one feature"):
        regularization.polynomial_features(np.ones((3, 2)), 2)
    with pytest.raises(ValueError, match="degree must be >= 1"):
        regularization.polynomial_features([0.5], 0)
    with pytest.raises(ValueError, match="interval"):
        regularization.polynomial_features([0.5], 2, interval=(1.0, 0.0))
    with pytest.raises(ValueError, match="x must be finite"):
        regularization.polynomial_features([np.nan], 2)


@pytest.mark.parametrize("lam", [1e-6, 1e-2, 3.0])
def test_ridge_fit_solves_the_normal_equations_and_zeroes_the_gradient(lam):
    F, y = _curve()
    n = y.size
    w, b = regularization.ridge_fit(F, y, lam)
    Fc, yc = F - F.mean(axis=0), y - y.mean()
    w_ne = np.linalg.solve(Fc.T @ Fc + n * lam / 2 * np.eye(F.shape[1]), Fc.T @ yc)
    # the normal equations' condition number reaches ~1e9 at lam = 1e-6: agreement to 1e-6 relative
    assert_allclose(w, w_ne, rtol=1e-6, atol=1e-8)
    r = F @ w + b - y
    grad_w, grad_b = 2 / n * F.T @ r + lam * w, 2 * r.mean()
    assert np.abs(grad_w).max() < 1e-9 and abs(grad_b) < 1e-12


def test_ridge_fit_matches_gradient_descent():
    F, y = _curve(degree=4)
    lam, n = 0.05, y.size
    w, b = regularization.ridge_fit(F, y, lam)
    theta = np.zeros(5)
    A = np.hstack([F, np.ones((n, 1))])
    lr = 1 / (2 / n * np.linalg.norm(A, 2) ** 2 + lam)
    for _ in range(20_000):
        r = A @ theta - y
        theta -= lr * np.append(2 / n * F.T @ r + lam * theta[:-1], 2 * r.mean())
    assert_allclose(theta, np.append(w, b), rtol=1e-8, atol=1e-10)


def test_ridge_at_zero_is_least_squares_and_large_lambda_gives_the_mean():
    F, y = _curve(degree=3)
    w, b = regularization.ridge_fit(F, y, 0.0)
    coef, *_ = np.linalg.lstsq(np.hstack([F, np.ones((y.size, 1))]), y, rcond=None)
    assert_allclose(np.append(w, b), coef, rtol=1e-10, atol=1e-12)
    w, b = regularization.ridge_fit(F, y, 1e12)  # extreme but valid: finite, weights ~0, bias the mean
    assert np.isfinite(w).all() and np.abs(w).max() < 1e-10 and b == pytest.approx(y.mean(), abs=1e-9)


def test_ridge_path_agrees_with_single_fits_and_handles_rank_deficiency():
    F, y = _curve()
    lams = np.array([0.0, 1e-4, 1.0])
    W, b = regularization.ridge_path(F, y, lams)
    assert W.shape == (3, 12) and b.shape == (3,)
    for k, lam in enumerate(lams):
        w1, b1 = regularization.ridge_fit(F, y, lam)
        # the same SVD, a batched matmul against a single one: a few ulps apart
        assert_allclose(W[k], w1, rtol=1e-13, atol=0)
        # b = mean(y) - w . mean(x) cancels terms of size |w| ~ 5e4 at lam = 0: 5e4 * eps ~ 1e-11
        assert b[k] == pytest.approx(b1, rel=1e-13, abs=1e-10)
    # two identical columns: X^T X is singular, ridge with lam > 0 splits the weight equally
    X = np.column_stack([F[:, 0], F[:, 0]])
    w, _ = regularization.ridge_fit(X, y, 0.1)
    assert w[0] == pytest.approx(w[1], rel=1e-12)
    # constant features: only the bias fits
    w, b = regularization.ridge_fit(np.ones((5, 2)), np.arange(5.0), 0.0)
    assert_allclose(w, 0.0, atol=0) and b == 2.0


def test_ridge_rejects_bad_input():
    F, y = _curve()
    with pytest.raises(ValueError, match="same number of rows"):
        regularization.ridge_fit(F, y[:-1], 0.1)
    with pytest.raises(ValueError, match="l2 must be >= 0"):
        regularization.ridge_fit(F, y, -1.0)
    with pytest.raises(ValueError, match="l2s must be >= 0"):
        regularization.ridge_path(F, y, [0.1, -0.1])
    with pytest.raises(ValueError, match="X must have 2 dimension"):
        regularization.ridge_fit(y, y, 0.1)


def test_soft_threshold_is_the_minimiser_of_the_l1_prox():
    z = np.linspace(-2, 2, 41)  # (41,)
    grid = np.linspace(-3, 3, 60_001)  # (60001,) step 1e-4
    for t in (0.0, 0.3, 1.0):
        brute = grid[np.argmin(0.5 * (grid[None] - z[:, None]) ** 2 + t * np.abs(grid)[None], axis=1)]
        assert_allclose(regularization.soft_threshold(z, t), brute, atol=1e-4)  # the grid's step
    assert_allclose(regularization.soft_threshold([-1.0, 0.5, 3.0], 1.0), [0.0, 0.0, 2.0], rtol=0, atol=0)
    with pytest.raises(ValueError, match="t must be >= 0"):
        regularization.soft_threshold([1.0], -0.1)


def test_lasso_fit_satisfies_the_optimality_conditions_and_is_sparse():
    F, y = _curve()
    n, lam = y.size, 1e-2
    w, b = regularization.lasso_fit(F, y, lam)
    r = F @ w + b - y
    g = 2 / n * F.T @ r  # (12,)
    nz = w != 0
    assert 1 <= nz.sum() <= 6
    assert_allclose(g[nz], -lam * np.sign(w[nz]), atol=1e-8)  # subgradient of the cost contains 0
    assert np.all(np.abs(g[~nz]) <= lam + 1e-8)
    assert abs(r.mean()) < 1e-12  # the unpenalised bias fits the means
    # l1 = 0 is least squares; an enormous l1 zeroes every weight
    w0, b0 = regularization.lasso_fit(F[:, :3], y, 0.0)
    assert_allclose(np.append(w0, b0), np.append(*regularization.ridge_fit(F[:, :3], y, 0.0)), rtol=1e-8)
    w_big, b_big = regularization.lasso_fit(F, y, 1e6)
    assert np.all(w_big == 0) and b_big == pytest.approx(y.mean())


def test_lasso_rejects_bad_input():
    F, y = _curve()
    with pytest.raises(ValueError, match="l1 must be >= 0"):
        regularization.lasso_fit(F, y, -1.0)
    with pytest.raises(ValueError, match="max_steps must be >= 1"):
        regularization.lasso_fit(F, y, 0.1, max_steps=0)
    w, b = regularization.lasso_fit(np.ones((4, 2)), np.arange(4.0), 0.1)  # constant features
    assert_allclose(w, 0.0) and b == 1.5


def test_dropout_keeps_the_mean_and_scales_the_survivors():
    a = np.array([1.0, -2.0, 0.5, 3.0])  # (4,)
    N, p = 100_000, 0.4
    out, mask = regularization.dropout(np.tile(a, (N, 1)), p, np.random.default_rng(3))
    assert out.shape == mask.shape == (N, 4) and set(np.unique(mask)) == {0.0, 1.0}
    assert_allclose(out, mask * a / (1 - p), rtol=0, atol=0)
    se = np.abs(a) * np.sqrt(p / (1 - p)) / np.sqrt(N)  # standard error of the sample mean
    assert np.all(np.abs(out.mean(axis=0) - a) < 5 * se)
    assert abs((1 - mask.mean()) - p) < 5 * np.sqrt(p * (1 - p) / mask.size)


def test_dropout_is_reproducible_and_p_zero_is_identity():
    a = np.arange(6.0).reshape(2, 3)
    o1, _ = regularization.dropout(a, 0.5, 7)
    o2, _ = regularization.dropout(a, 0.5, np.random.default_rng(7))
    assert_allclose(o1, o2, rtol=0, atol=0)
    out, mask = regularization.dropout(a, 0.0, 0)
    assert_allclose(out, a, rtol=0, atol=0) and mask.all()


def test_dropout_rejects_bad_input():
    with pytest.raises(ValueError, match="p must be < 1"):
        regularization.dropout([1.0], 1.0, 0)
    with pytest.raises(ValueError, match="p must be >= 0"):
        regularization.dropout([1.0], -0.1, 0)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        regularization.dropout([1.0], 0.5, "seed")
    with pytest.raises(ValueError, match="a must be finite"):
        regularization.dropout([np.inf], 0.5, 0)


def test_argument_checks_name_the_argument():
    for bad in (None, "w", True, float("nan")):
        with pytest.raises((TypeError, ValueError), match=r"\bw\b"):
            PENALTIES["l2"].symbolic(bad, LAM)
        with pytest.raises((TypeError, ValueError), match=r"\blam\b"):
            PENALTIES["l2"].symbolic(W, bad)
    for call in (PENALTIES["l1"], PENALTIES["l1"].gradient):
        with pytest.raises(TypeError, match=r"\bweights\b"):
            call(True, 0.1)
    x = np.linspace(0, 1, 5)
    for interval in (None, (0.0, float("inf")), (1j, 2.0), [[0.0, 1.0], [2.0]], (1.0, 0.0), (0.0, 1.0, 2.0)):
        with pytest.raises((TypeError, ValueError), match=r"\binterval\b"):
            regularization.polynomial_features(x, 3, interval)
    with pytest.raises(ValueError, match=r"\bdegree\b"):
        regularization.polynomial_features(x, 10**400)
    with pytest.raises(ValueError, match=r"\bmax_steps\b"):
        regularization.lasso_fit(np.ones((3, 1)), np.ones(3), 0.1, max_steps=10**400)
