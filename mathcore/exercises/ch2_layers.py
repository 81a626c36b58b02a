"""Self-checks for Chapter 2, Layers and forward propagation."""

from __future__ import annotations

import math

import numpy as np

from .. import layers
from . import register

#: The two linear layers of the exercise "collapse": W1 (3, 2), b1 (3,), W2 (1, 3), b2 (1,).
COLLAPSE_LAYERS = (np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]]), np.array([1.0, 0.0, -2.0]),
                   np.array([[1.0, -1.0, 2.0]]), np.array([3.0]))


def _as_int(value, what: str) -> int:
    number = float(value)
    if number != round(number):
        raise ValueError(f"{what} must be a whole number, got {value!r}")
    return int(round(number))


@register("layers.count", right=(109386, (32, 64)), wrong=(109376, (64, 32)))
def _count(n_params, shape):
    wrong = []
    if _as_int(n_params, "the number of parameters") != layers.count_parameters([784, 128, 64, 10]):
        wrong.append("the number of parameters is off: count each layer's weight matrix, n_l rows by "
                     "n_(l-1) columns, and its n_l biases, then add the three layers")
    if tuple(int(s) for s in np.asarray(shape).ravel()) != (32, 64):
        wrong.append("the shape of Z^(2) is off: it has one row per sample of the batch and one column "
                     "per unit of layer 2")
    return not wrong, "; ".join(wrong) + "."


@register("layers.collapse", right=(np.array([[7.0, 5.0]]), np.array([0.0])),
          wrong=(np.array([[7.0, 5.0]]), np.array([3.0])))
def _collapse(W, b):
    W1, b1, W2, b2 = COLLAPSE_LAYERS
    W = np.asarray(W, dtype=float)
    b = np.asarray(b, dtype=float)
    if W.size != 2 or b.size != 1:
        return False, (f"the single layer maps 2 inputs to 1 output, so W' has 2 entries (shape (1, 2)) and b' one; "
                       f"got {W.size} and {b.size} entries")
    wrong = []
    if not np.allclose(W.reshape(1, 2), W2 @ W1, rtol=0, atol=1e-9):
        wrong.append("W' is off: it is the product W^(2) W^(1), in that order; entry j sums, over the hidden "
                     "units k, W^(2)[k] times W^(1)[k, j]")
    if not np.allclose(b.reshape(1), W2 @ b1 + b2, rtol=0, atol=1e-9):
        wrong.append("b' is off: it is what the second layer makes of the first layer's bias, plus the second "
                     "layer's own bias")
    return not wrong, "; ".join(wrong) + "."


_MAX_RIGHT = [np.array([[1.0, -1.0], [0.0, 1.0], [0.0, -1.0]]), np.zeros(3), np.array([[1.0, 1.0, -1.0]]),
              np.zeros(1)]
_MAX_WRONG = [np.array([[1.0, -1.0], [0.0, 1.0], [0.0, -1.0]]), np.zeros(3), np.array([[1.0, 1.0, 0.0]]),
              np.zeros(1)]


@register("layers.max", right=(_MAX_RIGHT,), wrong=(_MAX_WRONG,))
def _max(params):
    if not isinstance(params, (list, tuple)) or len(params) != 4:
        raise TypeError("expected a list [W1, b1, W2, b2] of one hidden layer and the output layer")
    rng = np.random.default_rng(2)
    X = np.vstack([rng.uniform(-5.0, 5.0, size=(500, 2)),  # (500, 2)
                   [[0.0, 0.0], [1.0, 1.0], [-1.0, -1.0], [-2.0, 3.0], [3.0, -2.0], [-3.0, -1.0]]])  # (506, 2)
    out = layers.forward(X, params, ["relu", "identity"]).output  # (506, n_out)
    if out.shape[1] != 1:
        return False, f"the network must have one output unit, yours has {out.shape[1]}."
    want = np.maximum(X[:, 0], X[:, 1])  # (506,)
    bad = np.flatnonzero(~np.isclose(out[:, 0], want, rtol=1e-9, atol=1e-9))
    if bad.size:
        x1, x2 = X[bad[0]]
        return False, (f"{bad.size} of {len(X)} test inputs are wrong; for example at (x1, x2) = ({x1:.2f}, {x2:.2f}) "
                       f"the network outputs {out[bad[0], 0]:.2f} instead of {want[bad[0]]:.2f}. "
                       "Check negative inputs too: a ReLU unit outputs 0 for them.")
    return True, ""


def _forward_right(X, params):
    A = X
    for l in range(0, len(params), 2):
        A = A @ params[l].T + params[l + 1]
        if l < len(params) - 2:
            A = np.maximum(A, 0.0)
    return A


def _forward_wrong(X, params):  # ReLU after the output layer too
    A = X
    for l in range(0, len(params), 2):
        A = np.maximum(A @ params[l].T + params[l + 1], 0.0)
    return A


@register("layers.forward", right=(_forward_right,), wrong=(_forward_wrong,))
def _forward(fn):
    if not callable(fn):
        raise TypeError(f"expected your function, got {type(fn).__name__}")
    rng = np.random.default_rng(5)
    for sizes, n in [([3, 5, 2], 4), ([4, 1], 1), ([2, 8, 8, 3], 10)]:
        params = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            params += [rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)]
        X = rng.normal(size=(n, sizes[0]))  # (n, n_0)
        want = layers.forward(X, params, ["relu"] * (len(sizes) - 2) + ["identity"]).output  # (n, n_L)
        got = np.asarray(fn(X, params), dtype=float)
        if got.shape != want.shape:
            return False, (f"for sizes {sizes} and X of shape {X.shape} the output should have shape {want.shape}, "
                           f"not {got.shape}.")
        if not np.allclose(got, want, rtol=1e-10, atol=1e-12):
            return False, (f"some outputs differ for sizes {sizes}: each layer computes A @ W.T + b, then ReLU, "
                           "except the last layer, which has no activation.")
    return True, ""


@register("layers.symmetry", right=(720, 184320), wrong=(720, 1440))
def _symmetry(n_relu, n_tanh):
    n_relu = _as_int(n_relu, "n_relu")
    n_tanh = _as_int(n_tanh, "n_tanh")
    want_relu = math.factorial(5) * math.factorial(3)  # each hidden layer's units reordered on their own
    want_tanh = want_relu * 2 ** (5 + 3)  # and each hidden unit's sign flipped, or not, on its own
    if n_relu == want_relu and n_tanh == want_tanh:
        return True, ""
    if n_relu == math.factorial(4) * want_relu * math.factorial(2):
        return False, ("n_relu is off: the input and output units cannot be reordered, because the inputs come in "
                       "a given order and each output has its own meaning.")
    if n_relu != want_relu:
        return False, ("n_relu is off: count the orders of each hidden layer's units, and combine the layers: "
                       "a reordering of one layer goes with any reordering of the other.")
    return False, ("n_tanh is off: every hidden unit can flip its sign or not, independently of all the others "
                   "and of the reordering.")


def _tent_power(x: np.ndarray, k: int) -> np.ndarray:
    """T applied k times, T(x) = min(2x, 2 - 2x), the tent map of [0, 1]."""
    for _ in range(k):
        x = np.minimum(2.0 * x, 2.0 - 2.0 * x)
    return x


def _sawtooth_verdict(k: int, params) -> str | None:
    """Why ``params`` is not a network of k hidden layers of 2 ReLU units computing T^k on [0, 1], or None."""
    if not isinstance(params, (list, tuple)) or len(params) != 2 * k + 2:
        return (f"for k = {k} the list holds 2k + 2 = {2 * k + 2} arrays, a weight matrix and a bias for each of the "
                f"k hidden layers and for the output layer")
    widths = [np.shape(W)[0] if np.ndim(W) == 2 else None for W in params[0::2]]
    if widths != [2] * k + [1]:
        return (f"for k = {k} the weight matrices should have 2, ..., 2 rows and then 1 (two units in every hidden "
                f"layer, one output); yours have {widths}")
    x = np.concatenate([np.arange(2 ** (k + 3) + 1) / 2 ** (k + 3),  # every knot of T^k, and points between
                        np.random.default_rng(k).uniform(0.0, 1.0, 200)])  # (2^(k+3) + 201,)
    out = layers.forward(x[:, None], list(params), ["relu"] * k + ["identity"]).output[:, 0]
    want = _tent_power(x, k)
    bad = np.flatnonzero(~np.isclose(out, want, rtol=0.0, atol=1e-9))
    if bad.size:
        i = bad[0]
        return (f"for k = {k} the network is wrong at {bad.size} of {x.size} points of [0, 1], for example at "
                f"x = {x[i]:.4f} it gives {out[i]:.4f} instead of {want[i]:.4f}. Check that each hidden layer "
                "computes relu(u) and relu(u - 1/2) of the layer before's T(u)")
    return None


def _sawtooth_right(k):
    params = [np.array([[1.0], [1.0]]), np.array([0.0, -0.5])]  # relu(x), relu(x - 1/2)
    for _ in range(k - 1):  # from relu(u), relu(u - 1/2) to T(u) = 2 relu(u) - 4 relu(u - 1/2), fed on
        params += [np.array([[2.0, -4.0], [2.0, -4.0]]), np.array([0.0, -0.5])]
    return params + [np.array([[2.0, -4.0]]), np.array([0.0])]


def _sawtooth_wrong(k):  # the bias -1/2 forgotten: each layer then computes relu(u) twice
    return [np.zeros_like(p) if p.ndim == 1 else p for p in _sawtooth_right(k)]


@register("layers.sawtooth", right=(_sawtooth_right,), wrong=(_sawtooth_wrong,))
def _sawtooth(fn):
    if not callable(fn):
        raise TypeError(f"expected your function, got {type(fn).__name__}")
    for k in (1, 2, 3, 5, 7):
        reason = _sawtooth_verdict(k, fn(k))
        if reason:
            return False, reason + "."
    return True, ""
