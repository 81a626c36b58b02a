"""The dense layer: forward is the textbook z = W x + b per sample, backward is its chain rule."""

from __future__ import annotations

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
