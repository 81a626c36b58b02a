"""Activations: NumPy value and derivative against the SymPy twin, kinks, softmax, lookup.

Every test that concerns an elementwise activation is parametrised over the
keys of ``ACTIVATIONS``, so a new entry is checked as soon as it is registered.
The reference is the twin ``act.symbolic(x)`` (and ``sympy.diff`` of it)
evaluated by mpmath at 400 significant digits: float64 lambdify would overflow
at x = +-1000 (exp(1000)), and the cancellations inside the twins
(``log(1 + e^x)``, ``1 + erf(x/sqrt 2)``) need that many digits to leave a
reference correct to far below 1e-300 in absolute terms.
"""

from __future__ import annotations

import functools
import warnings
import inspect

import mpmath
import numpy as np
import pytest
import sympy as sp
from numpy.testing import assert_allclose

from mathcore import activations, gradcheck
from mathcore.activations import ACTIVATIONS, X, softmax

NAMES = sorted(ACTIVATIONS)
SEEDED = np.random.default_rng(20240601).uniform(-8.0, 8.0, size=24)  # (24,)
LARGE = np.array([-1000.0, -700.0, -100.0, -30.0, 30.0, 100.0, 700.0, 1000.0])  # (8,)

# Values: every kernel is a closed form evaluated in a handful of float64
# operations (a few eps), except scipy's ndtr deep in its tail (gelu at -30),
# measured at 6e-14 relative; 1e-12 leaves margin and still catches any wrong
# term. atol 1e-300: below that float64 is subnormal or 0 while the true value
# (e.g. sigmoid(-1000) = 5e-435) is not representable.
VALUE_TOL = dict(rtol=1e-12, atol=1e-300)
# Derivatives: the same. The saturating derivatives are formed as products
# (sigma(z) sigma(-z), 4e/(1+e)^2) rather than as 1 - tanh^2 or s(1 - s), so
# they keep full relative accuracy in the tails (tanh'(30) = 3.5e-26, not 0).
DERIV_TOL = VALUE_TOL


@functools.lru_cache(maxsize=None)
def _references(name: str):
    act = ACTIVATIONS[name]
    expr = act.symbolic(X)
    return (sp.lambdify(X, expr, modules="mpmath"),
            sp.lambdify(X, sp.diff(expr, X), modules="mpmath"))


def _high_precision(fn, points: np.ndarray) -> np.ndarray:
    with mpmath.workdps(400):
        # mpf(float) is exact, so the reference sees the very same inputs
        return np.array([float(fn(mpmath.mpf(float(p)))) for p in points])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("points", [SEEDED, LARGE], ids=["seeded-8..8", "large"])
def test_value_matches_symbolic_twin(name, points):
    f, _ = _references(name)
    assert_allclose(ACTIVATIONS[name](points), _high_precision(f, points), **VALUE_TOL)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("points", [SEEDED, LARGE], ids=["seeded-8..8", "large"])
def test_derivative_matches_sympy_diff(name, points):
    _, df = _references(name)
    assert_allclose(ACTIVATIONS[name].derivative(points), _high_precision(df, points), **DERIV_TOL)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_differences(name):
    # Independent of the twin: the NumPy derivative against central differences
    # of the NumPy value. Points are kept 1e-3 away from kinks so that the
    # difference (h = 1e-5) never straddles one.
    act = ACTIVATIONS[name]
    z = SEEDED.copy()
    for k in act.kink_points:
        z = z[np.abs(z - k) > 1e-3]
    numeric = gradcheck.numerical_gradient(lambda: float(np.sum(act(z))), [z])[0]
    # central differences at h = 1e-5: truncation h^2 |f'''| ~ 1e-10 plus round-off
    # eps |f| / h ~ 4e-9 for |f| <= 24 * 8 (f sums all 24 values); 1e-8 absolute
    # leaves margin (see mathcore.gradcheck)
    assert_allclose(act.derivative(z), numeric, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("name", [n for n in NAMES if ACTIVATIONS[n].kink_points])
def test_kink_convention_is_the_piecewise_twins_derivative(name):
    act = ACTIVATIONS[name]
    dexpr = sp.diff(act.symbolic(X), X)
    for k in act.kink_points:
        expected_derivative = float(dexpr.subs(X, k))
        expected_value = float(act.symbolic(X).subs(X, k))
        # exact: the convention is a constant of the definition, not a rounding
        assert act.derivative(np.array([k]))[0] == expected_derivative, (name, k)
        assert act(np.array([k]))[0] == expected_value, (name, k)


def test_kink_conventions_pinned():
    # The conventions as the book states them, written out so that a change to a
    # twin *and* its kernel together still fails here.
    d = {n: float(ACTIVATIONS[n].derivative(np.array([0.0]))[0]) for n in ("step", "relu", "leaky_relu", "elu")}
    assert d == {"step": 0.0, "relu": 0.0, "leaky_relu": 0.01, "elu": 1.0}
    assert ACTIVATIONS["step"](np.array([0.0]))[0] == 1.0  # Rosenblatt: step(0) = 1
    assert sp.diff(ACTIVATIONS["step"].symbolic(X), X).subs(X, 0) == 0


@pytest.mark.parametrize("name", NAMES)
def test_kink_documented_iff_kink_points(name):
    act = ACTIVATIONS[name]
    assert bool(act.kink.strip()) == bool(act.kink_points), name
    # a Piecewise twin is exactly the case where the convention must be written down
    assert act.symbolic(X).has(sp.Piecewise) == bool(act.kink_points), name


@pytest.mark.parametrize("name", NAMES)
def test_shape_preserved_and_input_not_modified(name):
    act = ACTIVATIONS[name]
    z = np.random.default_rng(1).normal(size=(2, 3, 4))  # (2, 3, 4)
    before = z.copy()
    assert act(z).shape == z.shape and act.derivative(z).shape == z.shape
    assert act(np.float64(0.5)).shape == ()
    assert act(np.empty((0, 3))).shape == (0, 3)
    assert_allclose(z, before, rtol=0, atol=0)  # exact: the input must not be touched
    out = act(z)
    out += 1.0
    assert_allclose(z, before, rtol=0, atol=0)  # and the output must not alias it (identity)


@pytest.mark.parametrize("name", NAMES)
def test_accepts_lists_and_ints_like_arrays(name):
    act = ACTIVATIONS[name]
    assert_allclose(act([[-2, 0, 3]]), act(np.array([[-2.0, 0.0, 3.0]])), rtol=0, atol=0)  # same input, same op


# --- softmax ------------------------------------------------------------------------


def _rows(seed=3, shape=(5, 4), scale=3.0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


def test_softmax_rows_sum_to_one_and_positive():
    p = softmax(_rows())  # (5, 4)
    assert p.shape == (5, 4)
    assert (p > 0).all()
    # K = 4 terms each rounded to eps: the sum is 1 within a few eps
    assert_allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-15)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_softmax_jacobian_matches_sympy(k):
    zs, ps = softmax.symbolic(k)
    jac = sp.lambdify(list(zs), ps.jacobian(zs), modules="numpy")
    z = _rows(seed=k, shape=(6, k))  # (6, k)
    J = softmax.jacobian(z)  # (6, k, k)
    assert J.shape == (6, k, k)
    for row, Jrow in zip(z, J):
        # both sides are O(1) products of exponentials: agree to a few eps
        assert_allclose(Jrow, np.asarray(jac(*row), dtype=float), rtol=1e-12, atol=1e-15)


def test_softmax_value_matches_sympy():
    zs, ps = softmax.symbolic(3)
    f = sp.lambdify(list(zs), ps, modules="numpy")
    for row in _rows(seed=7, shape=(6, 3)):
        assert_allclose(softmax(row), np.asarray(f(*row), dtype=float).ravel(), rtol=1e-13, atol=0)  # a few eps


def test_softmax_jacobian_matches_central_differences():
    z = _rows(seed=11, shape=(4,))  # (4,)
    J = softmax.jacobian(z)  # (4, 4)
    h = 1e-5
    numeric = np.empty((4, 4))
    for j in range(4):
        e = np.zeros(4)
        e[j] = h
        numeric[:, j] = (softmax(z + e) - softmax(z - e)) / (2 * h)
    # truncation h^2 |p'''| ~ 1e-10 plus round-off eps/h ~ 2e-11
    assert_allclose(J, numeric, rtol=0, atol=1e-9)


def test_softmax_extreme_logits_finite_and_exact():
    assert_allclose(softmax(np.array([1000.0, 0.0])), [1.0, 0.0], rtol=0, atol=0)  # e^-1000 underflows to 0
    assert_allclose(softmax(np.array([[-1000.0, 1000.0]])), [[0.0, 1.0]], rtol=0, atol=0)
    p = softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    assert_allclose(p, [[0.5, 0.5, 0.0]], rtol=0, atol=0)  # exp(0) / 2 exactly
    J = softmax.jacobian(np.array([1000.0, -1000.0, 999.0]))
    assert np.isfinite(J).all()


def test_softmax_shift_invariance():
    z = _rows(seed=5)  # (5, 4)
    for c in (-700.0, -3.5, 0.25, 900.0):
        # shifting by c changes z - max(z) only by the rounding of z + c, ~ eps |c|
        assert_allclose(softmax(z + c), softmax(z), rtol=1e-12, atol=1e-14)


def test_softmax_batched_3d_equals_row_by_row():
    z = _rows(seed=9, shape=(2, 3, 4))  # (2, 3, 4)
    expected = np.stack([softmax(m) for m in z])
    assert_allclose(softmax(z), expected, rtol=0, atol=0)  # the same operations on the same numbers


@pytest.mark.parametrize("bad", [np.float64(1.0), np.zeros((1, 1, 1, 2))])
def test_softmax_rejects_wrong_ndim(bad):
    with pytest.raises(ValueError, match="z must have"):
        softmax(bad)


# --- lookup -------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_get_returns_registered(name):
    assert activations.get(name) is ACTIVATIONS[name]
    assert ACTIVATIONS[name].name == name


def test_get_softmax():
    assert activations.get("softmax") is softmax


def test_get_unknown_lists_known_names():
    with pytest.raises(ValueError, match="unknown activation 'swish'") as info:
        activations.get("swish")
    for name in NAMES:
        assert name in str(info.value)


@pytest.mark.parametrize("bad", [3, None, ["relu"]])
def test_get_non_string_is_type_error(bad):
    with pytest.raises(TypeError, match="activation name must be a string"):
        activations.get(bad)


@pytest.mark.parametrize("name", NAMES)
def test_metadata_present(name):
    act = ACTIVATIONS[name]
    assert act.formula and act.output_range
    assert inspect.getdoc(type(act))  # the dataclass documents its fields


# --- logsumexp, log_softmax, softmax_with_temperature (Chapter 3) ------------------------------

from mathcore.activations import log_softmax, logsumexp, softmax_with_temperature  # noqa: E402


def _lse_reference(row) -> float:
    # mpmath at 50 digits: exp(1000) is an ordinary number there
    with mpmath.workdps(50):
        return float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in row)))


@pytest.mark.parametrize("rows", [_rows(seed=21, shape=(5, 4)), _rows(seed=22, shape=(4, 6), scale=400.0),
                                  np.array([[1000.0, 999.0, 998.0], [-1000.0, -1000.0, -1000.0]])],
                         ids=["ordinary", "large-scale", "extreme"])
def test_logsumexp_matches_high_precision(rows):
    got = logsumexp(rows)  # (n,)
    assert got.shape == rows.shape[:-1]
    want = np.array([_lse_reference(r) for r in rows])
    # m + log(s) with s in [1, K]: a few eps relative to |m| (|m| up to ~1200 here)
    assert_allclose(got, want, rtol=1e-14, atol=1e-13)


def test_logsumexp_shapes_and_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert logsumexp(np.array([709.0, 710.0, -800.0])).shape == ()
        assert logsumexp(np.zeros((2, 3, 4))).shape == (2, 3)
    assert_allclose(logsumexp(np.zeros((2, 3))), np.log(3.0), rtol=1e-15, atol=0)  # log K, to rounding
    with pytest.raises(ValueError, match="z must have"):
        logsumexp(np.float64(1.0))
    with pytest.raises(ValueError, match="z must be finite"):
        logsumexp([1.0, np.inf])


def test_log_softmax_is_log_of_softmax_and_finite_where_that_underflows():
    z = _rows(seed=23, shape=(5, 4))  # (5, 4)
    # both are O(1) values formed by a few roundings: a few eps
    assert_allclose(log_softmax(z), np.log(softmax(z)), rtol=1e-13, atol=1e-14)
    assert_allclose(np.exp(log_softmax(z)).sum(axis=-1), 1.0, rtol=0, atol=1e-15)
    assert_allclose(log_softmax(z), z - logsumexp(z)[:, None], rtol=1e-13, atol=1e-13)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = log_softmax(np.array([0.0, 800.0]))
    assert out.tolist() == [-800.0, 0.0]  # exact: log(1 + e^-800) rounds to 0 and 0 - 800 is exact


@pytest.mark.parametrize("t", [0.05, 0.5, 1.0, 3.0, 100.0])
def test_softmax_with_temperature_is_softmax_of_z_over_t(t):
    z = _rows(seed=24, shape=(3, 5))  # (3, 5)
    # the same exponentials up to the rounding of one division: a few eps
    assert_allclose(softmax_with_temperature(z, t), softmax(z / t), rtol=1e-12, atol=1e-300)


def test_softmax_with_temperature_limits_and_stability():
    z = np.array([2.0, 1.0, 0.5, -0.5])  # (4,)
    assert_allclose(softmax_with_temperature(z), softmax(z), rtol=0, atol=0)  # T = 1: the same operations
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cold = softmax_with_temperature(z, 1e-300)  # (z - max)/T overflows to -inf: exp gives exactly 0
        hot = softmax_with_temperature(np.array([1000.0, -1000.0]), 1e6)
    assert cold.tolist() == [1.0, 0.0, 0.0, 0.0]
    assert_allclose(hot, [0.5, 0.5], rtol=0, atol=2e-3)  # (e^(1e-3) - 1)/2 away from uniform
    ties = softmax_with_temperature(np.array([3.0, 3.0, 0.0]), 1e-3)
    assert_allclose(ties, [0.5, 0.5, 0.0], rtol=0, atol=1e-300)  # ties share the mass; e^-3000 is 0


@pytest.mark.parametrize("bad, err", [(0.0, ValueError), (-1.0, ValueError), ("hot", TypeError)])
def test_softmax_with_temperature_rejects_bad_temperature(bad, err):
    with pytest.raises(err, match="temperature"):
        softmax_with_temperature([1.0, 2.0], bad)


# --- robustness (issue 17) -----------------------------------------------------------------


def test_get_given_an_array_is_a_type_error():
    # used to fail with "The truth value of an array ... is ambiguous"
    with pytest.raises(TypeError, match="activation name must be a string"):
        activations.get(np.array(["relu", "tanh"]))


def _quietly(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args)


def test_log_softmax_far_beyond_1000_is_exact_without_a_warning():
    # -2e300 is a float; -2e308 is not, and is -inf (the shift z - max overflows there)
    assert _quietly(activations.log_softmax, np.array([1e300, -1e300])).tolist() == [0.0, -2e300]
    assert _quietly(activations.log_softmax, np.array([1e308, -1e308])).tolist() == [0.0, -np.inf]
    assert _quietly(softmax, np.array([1e308, -1e308])).tolist() == [1.0, 0.0]
    assert _quietly(activations.logsumexp, np.array([1e308, -1e308])) == 1e308


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivatives_at_the_ends_of_float64_without_a_warning(name):
    z = np.array([-1.7e308, -1e300, 1e300, 1.7e308])
    assert np.isfinite(_quietly(ACTIVATIONS[name], z)).all()
    assert np.isfinite(_quietly(ACTIVATIONS[name].derivative, z)).all()


@pytest.mark.parametrize("bad, exc", [(None, TypeError), ("x", TypeError), (True, TypeError),
                                      (float("nan"), ValueError)])
def test_symbolic_refuses_what_is_not_an_expression(bad, exc):
    from mathcore.activations import ACTIVATIONS, softmax

    with pytest.raises(exc, match=r"\bx\b"):
        ACTIVATIONS["relu"].symbolic(bad)
    with pytest.raises(TypeError, match=r"\bprefix\b"):
        softmax.symbolic(3, prefix=None)


def test_symbolic_takes_a_number():
    from mathcore.activations import ACTIVATIONS

    assert ACTIVATIONS["relu"].symbolic(2) == 2
