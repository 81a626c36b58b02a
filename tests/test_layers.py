"""The dense layer: forward is the textbook z = W x + b per sample, backward is its chain rule."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from mathcore import gradcheck
from mathcore.layers import check_layer, dense_backward, dense_forward

SHAPES = [(1, 1, 1), (5, 3, 4), (6, 4, 2), (2, 7, 1)]  # (n, n_in, n_out)


def _layer(n, n_in, n_out, seed=0):
    rng = np.random.default_rng([seed, n, n_in, n_out])
    return (rng.normal(size=(n, n_in)),  # X (n, n_in)
            rng.normal(size=(n_out, n_in)),  # W (n_out, n_in)
            rng.normal(size=n_out))  # b (n_out,)


@pytest.mark.parametrize("n, n_in, n_out", SHAPES)
def test_forward_is_textbook_per_sample(n, n_in, n_out):
    X, W, b = _layer(n, n_in, n_out)
    Z = dense_forward(X, W, b)
    assert Z.shape == (n, n_out)
    for i in range(n):
        z = np.array([sum(W[j, k] * X[i, k] for k in range(n_in)) + b[j] for j in range(n_out)])  # W x + b
        # the same products summed in another order: rounding of a 7-term sum
        assert_allclose(Z[i], z, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("n, n_in, n_out", SHAPES)
def test_backward_matches_central_differences(n, n_in, n_out):
    X, W, b = _layer(n, n_in, n_out, seed=1)
    G = np.random.default_rng([2, n, n_in, n_out]).normal(size=(n, n_out))  # (n, n_out)

    def f():  # L = sum(G * Z), so dL/dZ = G
        return float(np.sum(G * dense_forward(X, W, b)))

    dX, dW, db = dense_backward(G, X, W)
    assert dX.shape == X.shape and dW.shape == W.shape and db.shape == b.shape
    result = gradcheck.check_gradients(f, [X, W, b], [dX, dW, db])
    # gradcheck's docstring: ~1e-9 when right, >= 1e-2 when wrong; f is linear in
    # each argument, so only round-off remains
    assert result.max_relative_error < 1e-7, result


def test_backward_by_hand():
    X = np.array([[1.0, 2.0]])  # (1, 2)
    W = np.array([[3.0, -1.0], [0.5, 2.0], [0.0, 1.0]])  # (3, 2)
    dZ = np.array([[1.0, -2.0, 4.0]])  # (1, 3)
    dX, dW, db = dense_backward(dZ, X, W)
    # exact: small binary fractions
    assert_allclose(dX, [[3.0 - 1.0 + 0.0, -1.0 - 4.0 + 4.0]], rtol=0, atol=0)  # dZ W
    assert_allclose(dW, [[1.0, 2.0], [-2.0, -4.0], [4.0, 8.0]], rtol=0, atol=0)  # dZ^T X
    assert_allclose(db, [1.0, -2.0, 4.0], rtol=0, atol=0)


def test_inputs_not_modified_and_lists_accepted():
    X, W, b = _layer(3, 2, 2)
    copies = [a.copy() for a in (X, W, b)]
    Z = dense_forward(X.tolist(), W.tolist(), b.tolist())
    assert_allclose(Z, dense_forward(X, W, b), rtol=0, atol=0)  # same numbers, same operations
    dense_backward(np.ones((3, 2)), X, W)
    for a, c in zip((X, W, b), copies):
        assert_allclose(a, c, rtol=0, atol=0)


@pytest.mark.parametrize("args, exc, message", [
    ((np.ones((3, 2)), np.ones((4, 3)), np.ones(4)), ValueError, r"X has 2 features.*W of shape \(4, 3\)"),
    ((np.ones((3, 3)), np.ones((4, 3)), np.ones(3)), ValueError, r"b must have shape \(4,\)"),
    ((np.ones(3), np.ones((4, 3)), np.ones(4)), ValueError, "X must have 2 dimension"),
    ((np.ones((3, 3)), np.ones(3), np.ones(4)), ValueError, "W must have 2 dimension"),
    ((np.ones((3, 3)), np.ones((4, 3)), np.ones((4, 1))), ValueError, "b must have 1 dimension"),
    ((np.full((3, 3), np.nan), np.ones((4, 3)), np.ones(4)), ValueError, "X must be finite"),
    ((np.ones((3, 3)), "W", np.ones(4)), TypeError, "W must be an array"),
    ((np.ones((3, 3)), np.ones((4, 3)), None), TypeError, "b must be an array"),
], ids=["features", "bias-length", "X-1d", "W-1d", "b-2d", "X-nan", "W-str", "b-None"])
def test_forward_shape_errors_name_the_argument(args, exc, message):
    with pytest.raises(exc, match=message):
        dense_forward(*args)


@pytest.mark.parametrize("args, exc, message", [
    ((np.ones((3, 5)), np.ones((3, 2)), np.ones((4, 2))), ValueError, r"dZ must have shape \(3, 4\)"),
    ((np.ones((2, 4)), np.ones((3, 2)), np.ones((4, 2))), ValueError, r"dZ must have shape \(3, 4\)"),
    ((np.ones(4), np.ones((3, 2)), np.ones((4, 2))), ValueError, "dZ must have 2 dimension"),
    ((np.ones((3, 4)), np.ones((3, 3)), np.ones((4, 2))), ValueError, "X has 3 features"),
    ((np.ones((3, 4)), np.ones((3, 2)), np.ones(2)), ValueError, "W must have 2 dimension"),
    ((np.ones((3, 4)), np.ones((3, 2)), np.array([[np.inf, 0.0]] * 4)), ValueError, "W must be finite"),
], ids=["dZ-columns", "dZ-rows", "dZ-1d", "X-features", "W-1d", "W-inf"])
def test_backward_shape_errors_name_the_argument(args, exc, message):
    with pytest.raises(exc, match=message):
        dense_backward(*args)


def test_check_layer_custom_name():
    with pytest.raises(ValueError, match="A_prev has 2 features"):
        check_layer(np.ones((1, 2)), np.ones((1, 3)), np.ones(1), X_name="A_prev")


# --- Chapter 2: forward passes, parameter counts, networks built by hand -------------------------

import math  # noqa: E402

from mathcore import MLP, activations, data  # noqa: E402
from mathcore.layers import (APPROXIMATORS, ForwardTrace, approximator, count_parameters, forward,  # noqa: E402
                             relu_interpolation, sigmoid_staircase)

NETWORKS = [([3, 5, 2], "relu", "identity"), ([4, 1], "tanh", "sigmoid"), ([2, 8, 8, 3], "sigmoid", "softmax"),
            ([1, 6, 6, 6, 1], "gelu", "identity")]


@pytest.mark.parametrize("sizes, hidden, output", NETWORKS)
def test_forward_matches_mlp_and_keeps_every_step(sizes, hidden, output):
    mlp = MLP(sizes, activation=hidden, output=output, seed=3)
    X = np.random.default_rng(4).normal(size=(7, sizes[0]))  # (7, n_0)
    names = [hidden] * (len(sizes) - 2) + [output]
    trace = forward(X, mlp.params, names)
    assert isinstance(trace, ForwardTrace)
    assert len(trace.Z) == len(sizes) - 1 and len(trace.A) == len(sizes)
    assert trace.a(0) is trace.A[0] and np.array_equal(trace.a(0), X)
    for l in range(1, len(sizes)):
        assert trace.z(l).shape == trace.a(l).shape == (7, sizes[l])
        W, b = mlp.params[2 * l - 2], mlp.params[2 * l - 1]
        # each step is exactly the book's formula, computed the same way
        assert_allclose(trace.z(l), trace.a(l - 1) @ W.T + b, rtol=0, atol=0)
        assert_allclose(trace.a(l), activations.get(names[l - 1])(trace.z(l)), rtol=0, atol=0)
    # MLP fuses nothing in forward(): the same operations, hence round-off only
    assert_allclose(trace.output, mlp(X), rtol=1e-13, atol=1e-15)


def test_forward_one_sample_and_one_name_for_all_layers():
    params = [np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([0.0, -1.0]), np.array([[1.0, 1.0]]), np.array([0.5])]
    trace = forward([1.0, 2.0], params, "relu")  # (n_0,) is one sample; "relu" applies to both layers
    assert trace.a(0).shape == (1, 2)
    # z1 = (1 - 2, 2 + 1 - 1) = (-1, 2) -> a1 = (0, 2); z2 = 0 + 2 + 0.5 = 2.5 (exact binary fractions)
    assert_allclose(trace.z(1), [[-1.0, 2.0]], rtol=0, atol=0)
    assert_allclose(trace.output, [[2.5]], rtol=0, atol=0)


def test_forward_trace_index_errors():
    trace = forward(np.ones((2, 1)), [np.ones((1, 1)), np.zeros(1)], "identity")
    with pytest.raises(ValueError, match=r"layer in 1\.\.1, got 0"):
        trace.z(0)
    with pytest.raises(ValueError, match=r"layer in 0\.\.1, got 2"):
        trace.a(2)


@pytest.mark.parametrize("X, params, acts, exc, message", [
    (np.ones((2, 3)), [np.ones((4, 3))], "relu", ValueError, "even number"),
    (np.ones((2, 3)), np.ones((4, 3)), "relu", ValueError, "params must be a list"),
    (np.ones((2, 3)), [np.ones((4, 3)), np.ones(3)], "relu", ValueError, r"params\[1\] \(b1\) must have shape \(4,\)"),
    (np.ones((2, 3)), [np.ones((4, 3)), np.ones(4), np.ones((2, 5)), np.ones(2)], "relu", ValueError,
     r"params\[2\] \(W2\) has shape \(2, 5\), so it expects 5 inputs, but layer 1 has 4 units"),
    (np.ones((2, 2)), [np.ones((4, 3)), np.ones(4)], "relu", ValueError, r"X has 2 columns.*W1 of shape \(4, 3\)"),
    (np.ones((2, 3)), [np.ones(3), np.ones(4)], "relu", ValueError, r"params\[0\] \(W1\) must have 2 dimension"),
    (np.ones((2, 3)), [np.ones((4, 3)), np.ones(4)], ["relu", "relu"], ValueError, "one activation per layer"),
    (np.ones((2, 3)), [np.ones((4, 3)), np.ones(4)], "swish", ValueError, "unknown activation 'swish'"),
    (np.ones((2, 3)), [np.ones((4, 3)), np.ones(4)], 3, TypeError, "activations must be a name"),
    (np.full((2, 3), np.nan), [np.ones((4, 3)), np.ones(4)], "relu", ValueError, "X must be finite"),
], ids=["odd", "array", "bias", "chain", "X-columns", "W-1d", "n-activations", "unknown", "not-a-name", "nan"])
def test_forward_errors_name_the_argument(X, params, acts, exc, message):
    with pytest.raises(exc, match=message):
        forward(X, params, acts)


@pytest.mark.parametrize("sizes, expected", [([2, 2, 1], 9), ([1, 1], 2), ([784, 128, 64, 10], 109386),
                                             ([3, 5, 2], 32)])
def test_count_parameters_by_hand(sizes, expected):
    assert count_parameters(sizes) == expected


def test_count_parameters_matches_real_networks():
    rng = np.random.default_rng(0)
    for _ in range(20):
        sizes = [int(s) for s in rng.integers(1, 30, size=rng.integers(2, 6))]
        assert count_parameters(sizes) == MLP(sizes).n_params == count_parameters(tuple(sizes))


@pytest.mark.parametrize("sizes, exc, message", [([3], ValueError, "at least an input and an output"),
                                                 ([3, 0], ValueError, r"sizes\[1\] must be >= 1"),
                                                 ([3, 2.5], TypeError, r"sizes\[1\] must be an integer"),
                                                 ("32", TypeError, "list of layer widths")])
def test_count_parameters_errors(sizes, exc, message):
    with pytest.raises(exc, match=message):
        count_parameters(sizes)


def _net(params, activation, x):
    return forward(np.asarray(x, dtype=float)[:, None], params, [activation, "identity"]).output[:, 0]


def test_relu_interpolation_joins_the_points():
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(-3, 3, 9))  # (9,) unequal spacing
    y = rng.normal(size=9)  # (9,)
    params = relu_interpolation(t, y)
    assert [p.shape for p in params] == [(8, 1), (8,), (1, 8), (1,)]
    # through every point; the sums have up to 8 terms of size ~10, so round-off ~1e-14
    assert_allclose(_net(params, "relu", t), y, rtol=0, atol=1e-12)
    s = rng.uniform(0, 1, 50)  # (50,) straight in between: numpy's own linear interpolation
    x = t[:-1, None] + s * np.diff(t)[:, None]  # (8, 50)
    assert_allclose(_net(params, "relu", x.ravel()), np.interp(x.ravel(), t, y), rtol=0, atol=1e-12)
    # constant y_0 to the left; the last segment continued to the right
    assert_allclose(_net(params, "relu", [t[0] - 5.0]), [y[0]], rtol=0, atol=1e-12)
    last = (y[-1] - y[-2]) / (t[-1] - t[-2])
    assert_allclose(_net(params, "relu", [t[-1] + 2.0]), [y[-1] + 2.0 * last], rtol=0, atol=1e-11)


def test_relu_interpolation_by_hand():
    # points (0, 0), (1, 2), (2, 1): slopes 2 then -1, so output weights 2 and -3
    W1, b1, W2, b2 = relu_interpolation([0.0, 1.0, 2.0], [0.0, 2.0, 1.0])
    assert_allclose(W1, [[1.0], [1.0]], rtol=0, atol=0)
    assert_allclose(b1, [0.0, -1.0], rtol=0, atol=0)
    assert_allclose(W2, [[2.0, -3.0]], rtol=0, atol=0)
    assert_allclose(b2, [0.0], rtol=0, atol=0)


@pytest.mark.parametrize("knots, values, message", [
    ([0.0, 1.0, 1.0], [0.0, 1.0, 2.0], r"knots must be strictly increasing, but knots\[1\] = 1 >= knots\[2\] = 1"),
    ([0.0, 1.0], [0.0, 1.0, 2.0], "one value per knot"),
    ([0.0], [0.0], "knots needs at least 2"),
    ([[0.0, 1.0]], [0.0, 1.0], "knots must have 1 dimension"),
])
def test_relu_interpolation_errors(knots, values, message):
    with pytest.raises(ValueError, match=message):
        relu_interpolation(knots, values)


def test_sigmoid_staircase_within_its_bound_of_the_steps():
    edges, levels, kappa = np.array([0.2, 0.5, 0.7]), np.array([1.0, -1.0, 0.5, 2.0]), 40.0
    params = sigmoid_staircase(edges, levels, kappa)
    assert [p.shape for p in params] == [(3, 1), (3,), (1, 3), (1,)]
    x = np.linspace(-0.5, 1.5, 2001)  # (2001,)
    steps = levels[0] + (np.diff(levels) * (x[:, None] >= edges)).sum(axis=1)  # (2001,) the exact staircase
    delta = np.min(np.abs(x[:, None] - edges), axis=1)  # (2001,) distance to the nearest edge
    bound = np.abs(np.diff(levels)).sum() * np.exp(-kappa * delta)  # the docstring's bound
    assert np.all(np.abs(_net(params, "sigmoid", x) - steps) <= bound + 1e-12)
    # halfway up each step at its edge (within the other steps' tails, < 4.5 e^{-40 * 0.2})
    mid = levels[:-1] + np.diff(levels) / 2
    assert_allclose(_net(params, "sigmoid", edges), mid, rtol=0, atol=4.5 * math.exp(-8.0))


@pytest.mark.parametrize("edges, values, steepness, exc, message", [
    ([0.5, 0.2], [0.0, 1.0, 2.0], 10.0, ValueError, "edges must be strictly increasing"),
    ([0.5], [0.0, 1.0, 2.0], 10.0, ValueError, r"values needs \(2,\)"),
    ([0.5], [0.0, 1.0], 0.0, ValueError, "steepness must be > 0"),
    ([0.5], [0.0, 1.0], "steep", TypeError, "steepness must be a real number"),
])
def test_sigmoid_staircase_errors(edges, values, steepness, exc, message):
    with pytest.raises(exc, match=message):
        sigmoid_staircase(edges, values, steepness)


@pytest.mark.parametrize("n", [3, 8, 33, 100])
def test_relu_approximator_meets_the_interpolation_bound(n):
    x = np.linspace(0, 1, 3001)  # (3001,)
    err = np.max(np.abs(_net(approximator(data.true_curve, n), "relu", x) - data.true_curve(x)))
    assert err <= np.pi**2 / (2 * n**2)  # h^2 max|f''| / 8 with h = 1/n, f'' = -4 pi^2 sin(2 pi x)


def test_sigmoid_approximator_error_falls_like_one_over_n():
    x = np.linspace(0, 1, 3001)  # (3001,)
    errs = [np.max(np.abs(_net(approximator(data.true_curve, n, "sigmoid"), "sigmoid", x) - data.true_curve(x)))
            for n in (15, 31, 63)]
    # cells of width h = 1/(n + 1) halve each time; the staircase's error ~ pi h halves with them
    assert 1.8 < errs[0] / errs[1] < 2.2 and 1.8 < errs[1] / errs[2] < 2.2
    assert errs[2] < 0.06


def test_approximator_on_another_interval():
    params = approximator(np.exp, 20, "relu", interval=(-1.0, 2.0))
    x = np.linspace(-1, 2, 301)
    # h = 0.15, max f'' = e^2: bound h^2 e^2 / 8
    assert np.max(np.abs(_net(params, "relu", x) - np.exp(x))) <= 0.15**2 * np.exp(2.0) / 8
    assert set(APPROXIMATORS) == {"relu", "sigmoid"}


@pytest.mark.parametrize("args, kwargs, exc, message", [
    ((np.sin, 4, "tanh"), {}, ValueError, "unknown approximator activation 'tanh'"),
    ((3.0, 4), {}, TypeError, "f must be a function"),
    ((np.sin, 0), {}, ValueError, "n_units must be >= 1"),
    ((np.sin, 4), {"interval": (1.0, 0.0)}, ValueError, "lo < hi"),
    ((np.sin, 4), {"interval": (0.0,)}, ValueError, r"interval must be \(lo, hi\)"),
    ((lambda x: 1.0, 4), {}, ValueError, "f must map an array of shape"),
    ((np.log, 4), {"interval": (-1.0, 1.0)}, ValueError, "f\\(x\\) must be finite"),
], ids=["activation", "f", "units", "interval-order", "interval-length", "f-shape", "f-nan"])
def test_approximator_errors(args, kwargs, exc, message):
    with np.errstate(invalid="ignore", divide="ignore"):
        with pytest.raises(exc, match=message):
            approximator(*args, **kwargs)


# --- robustness (issue 17) -----------------------------------------------------------------


@pytest.mark.parametrize("X, W, b, expected", [
    # the products 1e310 overflow although they cancel: the true Z is 0
    ([[1e300, -1e300, 3.0]], [[1e10, 1e10, 0.0]], [0.5], [[0.5]]),
    # row 2 of W gives 1.7e308, a float; row 1 gives 3.4e308, beyond float64: inf
    ([[1.7e308, 1.7e308]], [[1.0, 1.0], [0.5, 0.5]], [0.0, 0.0], [[np.inf, 1.7e308]]),
    ([[1e300, 2.0]], [[1e-300, 1.0]], [1.0], [[4.0]]),
])
def test_dense_forward_far_beyond_1000_is_right_without_a_warning(X, W, b, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Z = dense_forward(np.array(X), np.array(W), np.array(b))
    assert_allclose(Z, expected, rtol=1e-15)  # a few roundings of the rescaled product


@pytest.mark.parametrize("bad, exc", [(None, TypeError), (1.0, TypeError), (True, TypeError), ("1", TypeError),
                                      (-1, ValueError), (10**400, ValueError)])
def test_forward_trace_refuses_a_bad_layer_number(bad, exc):
    trace = forward(np.ones((2, 1)), [np.ones((1, 1)), np.zeros(1)], "identity")
    for index in (trace.z, trace.a):
        with pytest.raises(exc, match=r"\bl\b"):
            index(bad)


def test_layer_helpers_name_their_argument():
    with pytest.raises(ValueError, match=r"activations\[1\]: unknown activation 'nope'"):
        forward(np.ones((2, 1)), [np.ones((1, 1)), np.zeros(1), np.ones((1, 1)), np.zeros(1)], ["relu", "nope"])
    with pytest.raises(TypeError, match="X_name"):
        check_layer(np.ones((2, 1)), np.ones((1, 1)), np.zeros(1), X_name=None)
    with pytest.raises(ValueError, match=r"sizes\[1\]"):
        count_parameters([2, 10**400])
    with pytest.raises(ValueError, match="n_units"):
        approximator(np.sin, 10**400)
