"""The gradient checker itself: it must be right on known gradients and loud on wrong ones."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from mathcore.gradcheck import GradCheck, check_gradients, numerical_gradient, relative_error


def _params(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(3, 2)), rng.normal(size=4)]  # (3, 2), (4,)


@pytest.mark.parametrize("f, grad, tol", [
    # linear: central differences are exact up to round-off eps |f| / h ~ 1e-11
    (lambda a, b: float(np.sum(2.0 * a) - np.sum(b)), lambda a, b: [np.full_like(a, 2.0), -np.ones_like(b)], 1e-9),
    # quadratic: the h^2 f''' truncation term vanishes, round-off only
    (lambda a, b: float(np.sum(a * a) + b @ b), lambda a, b: [2 * a, 2 * b], 1e-9),
    # cubic: truncation h^2 |f'''| / 6 = 1e-10 per entry
    (lambda a, b: float(np.sum(a**3) + np.sum(np.sin(b))), lambda a, b: [3 * a**2, np.cos(b)], 1e-9),
    # coupled: d/da sum(a) * sum(b) = sum(b)
    (lambda a, b: float(np.sum(a) * np.sum(b)), lambda a, b: [np.full_like(a, b.sum()), np.full_like(b, a.sum())], 1e-9),
], ids=["linear", "quadratic", "cubic-sin", "coupled"])
def test_numerical_gradient_on_known_functions(f, grad, tol):
    a, b = _params()
    numeric = numerical_gradient(lambda: f(a, b), [a, b])
    for n, g in zip(numeric, grad(a, b)):
        assert n.shape == g.shape
        assert_allclose(n, g, rtol=0, atol=tol)


def test_numerical_gradient_step_size_matters_as_documented():
    # exp has f''' = f: truncation error h^2 e^x / 6 -> at h = 1e-2 about 2e-5, at 1e-5 about 2e-11
    x = [np.array([1.0])]
    coarse = numerical_gradient(lambda: float(np.exp(x[0][0])), x, h=1e-2)[0][0]
    fine = numerical_gradient(lambda: float(np.exp(x[0][0])), x)[0][0]
    assert 1e-6 < abs(coarse - np.e) < 1e-4
    assert abs(fine - np.e) < 1e-9


def test_params_restored_exactly():
    a, b = _params(1)
    before = [a.copy(), b.copy()]
    check_gradients(lambda: float(np.sum(np.tanh(a)) * np.sum(b**2)), [a, b], [np.zeros_like(a), np.zeros_like(b)])
    for p, q in zip((a, b), before):
        assert np.array_equal(p, q)  # bit for bit: the old value is written back, not old + h - h


@pytest.mark.parametrize("make", [
    lambda base: base[:, ::2],  # strided view (reshape(-1) happens to be a view)
    lambda base: base.T,  # transposed: reshape(-1) must copy
    lambda base: np.asfortranarray(base),  # Fortran order: reshape(-1) must copy
], ids=["strided", "transposed", "fortran"])
def test_non_contiguous_params_are_perturbed_in_place(make):
    # A transposed weight matrix is an ordinary thing to check a gradient against;
    # the perturbation must reach the array that f reads, whatever its memory layout.
    p = make(np.random.default_rng(2).normal(size=(4, 4)))
    g = numerical_gradient(lambda: float(np.sum(p**2)), [p])[0]
    # quadratic: only round-off error, as above
    assert_allclose(g, 2 * p, rtol=0, atol=1e-9)


@pytest.mark.parametrize("bad", [np.ones(3, dtype=np.float32), np.ones(3, dtype=int), [1.0, 2.0]],
                         ids=["float32", "int", "list"])
def test_non_float64_params_rejected(bad):
    with pytest.raises(TypeError, match=r"params\[0\] must be a float64 NumPy array"):
        numerical_gradient(lambda: 0.0, [bad])
    with pytest.raises(TypeError, match=r"params\[1\] must be a float64"):
        check_gradients(lambda: 0.0, [np.ones(2), bad], [np.zeros(2), np.zeros(3)])


@pytest.mark.parametrize("h", [0.0, -1e-5, float("nan")])
def test_bad_step_size(h):
    with pytest.raises(ValueError, match="h must be"):
        numerical_gradient(lambda: 0.0, [np.ones(2)], h=h)


def test_relative_error_properties():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=5), rng.normal(size=5)
    assert relative_error(a, a) == 0.0
    assert relative_error(a, b) == relative_error(b, a)  # symmetric by construction: max of the norms
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0  # both zero: no 0/0
    assert relative_error(np.zeros(3), np.ones(3)) == 1.0
    assert relative_error(a, -a) == 2.0  # the largest possible value
    assert 0.0 <= relative_error(a, b) <= 2.0
    assert relative_error(3.0 * a, 3.0 * b) == pytest.approx(relative_error(a, b), rel=1e-15)  # scale-free
    # 1.01 a against a: ||0.01 a|| / ||1.01 a|| = 0.01/1.01
    assert relative_error(1.01 * a, a) == pytest.approx(0.01 / 1.01, rel=1e-12)
    assert relative_error(np.empty(0), np.empty(0)) == 0.0


def test_relative_error_shape_mismatch():
    with pytest.raises(ValueError, match="analytic and numeric must have the same shape"):
        relative_error(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="analytic must be finite"):
        relative_error(np.array([np.nan]), np.ones(1))


def _loss_and_grad(a, b):
    f = lambda: float(np.sum(np.sin(a)) + 0.5 * b @ b)
    return f, [np.cos(a), b.copy()]


def test_check_gradients_passes_right_gradient():
    a, b = _params(4)
    f, grads = _loss_and_grad(a, b)
    result = check_gradients(f, [a, b], grads)
    assert isinstance(result, GradCheck)
    assert len(result.relative_errors) == 2
    assert result.max_relative_error == max(result.relative_errors)
    assert result.max_relative_error < 1e-8  # the documented ~1e-9 for O(1) functions
    assert result.max_abs_error < 1e-9


@pytest.mark.parametrize("factor, expected", [(1.01, 0.01 / 1.01), (0.99, 0.01), (1.1, 0.1 / 1.1)])
def test_check_gradients_detects_wrong_factor(factor, expected):
    a, b = _params(5)
    f, grads = _loss_and_grad(a, b)
    grads[1] = factor * grads[1]
    result = check_gradients(f, [a, b], grads)
    # the error is the factor's, up to the ~1e-9 of the numerical gradient
    assert result.max_relative_error == pytest.approx(expected, rel=1e-6)
    assert result.relative_errors[0] < 1e-8  # the right array stays right: errors are per array
    assert result.max_relative_error > 1e-7  # the threshold the network test uses


def test_check_gradients_detects_transposed_gradient():
    W = np.random.default_rng(6).normal(size=(3, 3))
    f = lambda: float(np.sum(W * np.arange(9.0).reshape(3, 3)))
    result = check_gradients(f, [W], [np.arange(9.0).reshape(3, 3).T])
    assert result.max_relative_error > 0.1


def test_check_gradients_length_mismatch():
    with pytest.raises(ValueError, match="got 2 parameter arrays but 1 gradients"):
        check_gradients(lambda: 0.0, [np.ones(2), np.ones(2)], [np.zeros(2)])


def test_gradcheck_result_refuses_truthiness():
    a, b = _params(7)
    f, grads = _loss_and_grad(a, b)
    result = check_gradients(f, [a, b], grads)
    with pytest.raises(TypeError, match="compare GradCheck.max_relative_error with a tolerance"):
        bool(result)
    with pytest.raises(TypeError):
        assert result  # the mistake the guard exists for


# --- directional_check: two evaluations per direction, whatever the number of parameters -----------

from mathcore import MLP  # noqa: E402
from mathcore.gradcheck import directional_check  # noqa: E402


def _net_problem():
    net = MLP([3, 5, 2], activation="tanh", seed=3)
    rng = np.random.default_rng(8)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))  # (6, 3), (6, 2)
    return net, X, Y


def test_directional_check_passes_a_right_gradient_and_costs_two_calls_per_direction():
    net, X, Y = _net_problem()
    _, grads = net.loss_and_gradients(X, Y)
    calls = []
    before = [p.copy() for p in net.params]

    def f():
        calls.append(1)
        return net.loss(X, Y)
    err = directional_check(f, net.params, grads, n_directions=4)
    assert err < 1e-6  # a right gradient: central-difference error only, ~1e-9 relative
    assert len(calls) == 2 * 4
    assert all(np.array_equal(p, q) for p, q in zip(net.params, before))  # restored bit for bit


def test_directional_check_catches_a_wrong_gradient():
    net, X, Y = _net_problem()
    _, grads = net.loss_and_gradients(X, Y)
    wrong = [g.copy() for g in grads]
    wrong[0] = wrong[0] * 1.5  # one layer's gradient off by half
    assert directional_check(lambda: net.loss(X, Y), net.params, wrong) > 1e-2
    transposed = [g.copy() for g in grads]
    transposed[2] = -transposed[2]
    assert directional_check(lambda: net.loss(X, Y), net.params, transposed) > 1e-2


def test_directional_check_rejects_bad_input():
    net, X, Y = _net_problem()
    _, grads = net.loss_and_gradients(X, Y)
    with pytest.raises(ValueError, match="3 parameter arrays but 4"):
        directional_check(lambda: 0.0, net.params[:3], grads)
    with pytest.raises(ValueError, match="analytic\\[1\\] has shape"):
        directional_check(lambda: 0.0, net.params, [grads[0], grads[2], grads[1], grads[3]])
    with pytest.raises(ValueError, match="n_directions must be >= 1"):
        directional_check(lambda: 0.0, net.params, grads, n_directions=0)
    with pytest.raises(TypeError, match="float64"):
        directional_check(lambda: 0.0, [np.zeros(2, dtype=np.float32)], [np.zeros(2)])


def test_directional_check_refuses_an_absurd_number_of_directions():
    # n_directions=10**12 used to run until killed
    from mathcore.gradcheck import directional_check

    with pytest.raises(ValueError, match="n_directions must be <= 1000000"):
        directional_check(lambda: 0.0, [np.zeros(2)], [np.zeros(2)], n_directions=10**12)


@pytest.mark.parametrize("check", [numerical_gradient, check_gradients, directional_check])
@pytest.mark.parametrize("name, bad", [("f", None), ("f", "f"), ("params", None), ("params", []), ("params", True),
                                       ("params", "abc")])
def test_f_and_params_are_refused_by_name(check, name, bad):
    p = np.ones((2, 2))
    args = {"f": lambda: float(np.sum(p ** 2)), "params": [p], "analytic": [2 * p]}
    args[name] = bad
    if check is numerical_gradient:
        del args["analytic"]
    with pytest.raises(TypeError, match=rf"\b{name}\b"):
        check(**args)


@pytest.mark.parametrize("check", [check_gradients, directional_check])
@pytest.mark.parametrize("bad", [None, "abc", True, [np.ones(3)]])
def test_analytic_is_refused_by_name(check, bad):
    p = np.ones((2, 2))
    with pytest.raises((TypeError, ValueError), match=r"\banalytic\b"):
        check(lambda: float(np.sum(p ** 2)), [p], bad)
