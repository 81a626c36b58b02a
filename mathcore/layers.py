r"""A dense (fully connected) layer as two pure functions, forward and backward.

A batch holds one sample per row, so the textbook's :math:`\mathbf z = W\mathbf x + \mathbf b`
for each sample becomes :math:`Z = X W^\top + \mathbf b` for the batch, the
layout of ``torch.nn.Linear``. Given :math:`\partial L/\partial Z`, the chain
rule gives

.. math::
   \frac{\partial L}{\partial W} = \Big(\frac{\partial L}{\partial Z}\Big)^{\!\top} X,\qquad
   \frac{\partial L}{\partial \mathbf b} = \sum_{\text{rows}} \frac{\partial L}{\partial Z},\qquad
   \frac{\partial L}{\partial X} = \frac{\partial L}{\partial Z}\, W.

Chapter 2 stacks layers into a network: :func:`forward` runs a whole forward
pass and keeps every step, :func:`count_parameters` counts a network's weights
and biases, and :func:`relu_interpolation`, :func:`sigmoid_staircase` and
:func:`approximator` build, without any training, one-hidden-layer networks that
approximate a curve as closely as one likes.

Shapes
------
``X``: (n, n_in); ``W``: (n_out, n_in); ``b``: (n_out,); ``Z``: (n, n_out).

References: Nielsen, *Neural Networks and Deep Learning* (2015), chapter 4
(a visual proof that neural networks can compute any function); Cybenko,
"Approximation by superpositions of a sigmoidal function" (1989).
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import numpy as np

from . import activations as _activations
from ._validate import MAX_ELEMENTS, MAX_SAMPLES, as_float_array, check_scalar, lookup, text

__all__ = ["dense_forward", "dense_backward", "check_layer", "ForwardTrace", "forward", "count_parameters",
           "relu_interpolation", "sigmoid_staircase", "APPROXIMATORS", "approximator"]


def check_layer(X, W, b, X_name: str = "X") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate a layer's arrays and their shapes; return them as float64."""
    text(X_name, "X_name")
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    X = as_float_array(X, X_name, ndim=2)
    if b.shape[0] != W.shape[0]:
        raise ValueError(f"b must have shape ({W.shape[0]},) to match W of shape {W.shape}, got {b.shape}")
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"{X_name} has {X.shape[1]} features (shape {X.shape}) but W of shape {W.shape} "
                         f"expects {W.shape[1]}")
    return X, W, b


def _forward(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    Z = X @ W.T  # (n, n_out)
    Z += b  # in place: one temporary (n, n_out) fewer than ``X @ W.T + b``
    return Z


def _backward(dZ: np.ndarray, X: np.ndarray, W: np.ndarray,
              need_dX: bool = True):
    dW = dZ.T @ X  # (n_out, n_in)
    db = dZ.sum(axis=0)  # (n_out,)
    dX = dZ @ W if need_dX else None  # (n, n_in)
    return dX, dW, db


def _forward_scaled(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    # Products beyond 1.8e308 overflow inside X @ W.T even where the sum cancels them. Dividing each row
    # of X and of W by its largest magnitude keeps every product <= 1; the scales are multiplied back
    # smaller first, so an intermediate exceeds neither the true entry nor the scaled one.
    sx = np.max(np.abs(X), axis=1, keepdims=True)  # (n, 1)
    sw = np.max(np.abs(W), axis=1, keepdims=True).T  # (1, n_out)
    sx[sx == 0.0], sw[sw == 0.0] = 1.0, 1.0
    Z = (X / sx) @ (W / sw.T).T  # (n, n_out), every entry at most n_in in magnitude
    return Z * np.minimum(sx, sw) * np.maximum(sx, sw) + b  # (n, n_out)


def dense_forward(X, W, b) -> np.ndarray:
    """:math:`Z = XW^\\top + \\mathbf b`. Shapes: (n, n_in), (n_out, n_in), (n_out,) -> (n, n_out).

    Any finite inputs: an entry whose products overflow float64 inside the
    matrix product is recomputed from rescaled rows, so it is right wherever
    the true entry is a float, and ``inf`` (without a warning) where the true
    entry is beyond 1.8e308.
    """
    X, W, b = check_layer(X, W, b)
    with np.errstate(over="ignore", invalid="ignore"):
        Z = _forward(X, W, b)  # (n, n_out)
        overflowed = ~np.isfinite(Z)  # (n, n_out)
        if overflowed.any():
            Z[overflowed] = _forward_scaled(X, W, b)[overflowed]
    return Z


def dense_backward(dZ, X, W) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dX, dW, db)`` from ``dZ`` = :math:`\\partial L/\\partial Z` and the forward inputs.

    Shapes: ``dZ`` (n, n_out), ``X`` (n, n_in), ``W`` (n_out, n_in) ->
    (n, n_in), (n_out, n_in), (n_out,).
    """
    W = as_float_array(W, "W", ndim=2)
    X, W, _ = check_layer(X, W, np.zeros(W.shape[0]))
    dZ = as_float_array(dZ, "dZ", ndim=2)
    if dZ.shape != (X.shape[0], W.shape[0]):
        raise ValueError(f"dZ must have shape {(X.shape[0], W.shape[0])} (n, n_out), got {dZ.shape}")
    return _backward(dZ, X, W)


# --- Chapter 2: networks of layers ----------------------------------------------------------


class ForwardTrace(NamedTuple):
    r"""Every array of a forward pass, indexed as the book writes them.

    ``Z[l - 1]`` is :math:`Z^{(l)}`, the pre-activations of layer ``l``, shape
    (n, n_l). ``A[l]`` is :math:`A^{(l)}`, the activations of layer ``l``, shape
    (n, n_l); ``A[0]`` is the input batch and ``A[-1]`` the network's output.

    Use :meth:`z` and :meth:`a` to index both from layer 1 and 0 as in the text.
    """

    Z: list
    A: list

    def z(self, l: int) -> np.ndarray:
        r""":math:`Z^{(l)}` for ``l`` in 1..L."""
        return self.Z[_layer(l, 1, len(self.Z)) - 1]

    def a(self, l: int) -> np.ndarray:
        r""":math:`A^{(l)}` for ``l`` in 0..L (0 is the input)."""
        return self.A[_layer(l, 0, len(self.A) - 1)]

    @property
    def output(self) -> np.ndarray:
        """The network's output :math:`A^{(L)}`."""
        return self.A[-1]


def _layer(l, first: int, last: int) -> int:
    # an int, not a bool or a float: A[True] would be A[1], and Z[l - 1] with l = 0 the output layer
    if isinstance(l, bool) or not isinstance(l, (int, np.integer)):
        raise TypeError(f"l must be a layer number, an int in {first}..{last}, got {type(l).__name__}")
    if not first <= l <= last:
        raise ValueError(f"l must be a layer in {first}..{last}, got {l if abs(l) < 10**20 else 'a huge integer'}")
    return int(l)


def _layer_activations(activations, n_layers: int) -> list:
    if isinstance(activations, str):
        names = [activations] * n_layers
    elif isinstance(activations, Sequence) and not isinstance(activations, bytes):
        names = list(activations)
        if len(names) != n_layers:
            raise ValueError(f"activations must name one activation per layer: params hold {n_layers} "
                             f"layer(s) but activations has {len(names)} name(s)")
    else:
        raise TypeError(f"activations must be a name or a list of names, got {type(activations).__name__}")
    out = []
    for i, name in enumerate(names):
        try:
            out.append(_activations.get(name))
        except (TypeError, ValueError) as exc:
            which = "activations" if isinstance(activations, str) else f"activations[{i}]"
            raise type(exc)(f"{which}: {exc}") from None
    return out


def _check_params(params) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``params`` = [W1, b1, ..., WL, bL] as float arrays whose shapes chain; errors name the entry."""
    if isinstance(params, (np.ndarray, str, bytes)) or not isinstance(params, Sequence) or len(params) < 2 \
            or len(params) % 2:
        size = len(params) if hasattr(params, "__len__") else "?"
        raise ValueError("params must be a list [W1, b1, ..., WL, bL] of an even number (>= 2) of arrays, "
                         f"got {type(params).__name__} of length {size}")
    Ws, bs = [], []
    for l in range(1, len(params) // 2 + 1):
        W = as_float_array(params[2 * l - 2], f"params[{2 * l - 2}] (W{l})", ndim=2)  # (n_l, n_{l-1})
        b = as_float_array(params[2 * l - 1], f"params[{2 * l - 1}] (b{l})", ndim=1)  # (n_l,)
        if b.shape[0] != W.shape[0]:
            raise ValueError(f"params[{2 * l - 1}] (b{l}) must have shape ({W.shape[0]},) to match W{l} of "
                             f"shape {W.shape}, got {b.shape}")
        if Ws and W.shape[1] != Ws[-1].shape[0]:
            raise ValueError(f"params[{2 * l - 2}] (W{l}) has shape {W.shape}, so it expects {W.shape[1]} "
                             f"inputs, but layer {l - 1} has {Ws[-1].shape[0]} units")
        Ws.append(W)
        bs.append(b)
    return Ws, bs


def forward(X, params, activations) -> ForwardTrace:
    r"""The forward pass through a network of dense layers, keeping every step.

    .. math::
       A^{(0)} = X,\qquad Z^{(l)} = A^{(l-1)} W^{(l)\top} + \mathbf b^{(l)},\qquad
       A^{(l)} = f_l\big(Z^{(l)}\big)

    for :math:`l = 1, \dots, L`: the composition :math:`F_L \circ \dots \circ F_1` of the layers
    :math:`F_l(A) = f_l(AW^{(l)\top} + \mathbf b^{(l)})`, applied to each row of ``X``.

    Parameters
    ----------
    X : array_like, shape (n, n_0), or (n_0,) for one sample
        One sample per row.
    params : sequence of arrays
        ``[W1, b1, W2, b2, ..., WL, bL]``, the layout of ``MLP.params``.
    activations : str or sequence of str
        The activation :math:`f_l` of each layer, names from
        :data:`mathcore.activations.ACTIVATIONS` or ``"softmax"``; one name
        applies to every layer. Use ``"identity"`` for a linear layer.

    Returns
    -------
    ForwardTrace
        ``trace.z(l)``, ``trace.a(l)`` and ``trace.output``.

    Shapes
    ------
    ``X``: (n, n_0); ``W_l``: (n_l, n_{l-1}); ``b_l``: (n_l,) -> ``Z[l-1]``, ``A[l]``: (n, n_l).
    """
    Ws, bs = _check_params(params)
    fs = _layer_activations(activations, len(Ws))
    A = as_float_array(X, "X", ndim=(1, 2))
    A = A[None, :] if A.ndim == 1 else A  # (n, n_0)
    if A.shape[1] != Ws[0].shape[1]:
        raise ValueError(
            f"X has {A.shape[1]} columns (shape {A.shape}) but W1 of shape "
            f"{Ws[0].shape} expects {Ws[0].shape[1]}")
    Zs, As = [], [A]
    for W, b, f in zip(Ws, bs, fs):
        Z = _forward(A, W, b)  # (n, n_l): A W^T + b
        A = f._fn(Z)  # (n, n_l): f on every entry (softmax: on every row)
        Zs.append(Z)
        As.append(A)
    return ForwardTrace(Zs, As)


def count_parameters(sizes) -> int:
    r"""Number of weights and biases of a dense network with layer widths ``sizes``.

    .. math:: P = \sum_{l=1}^{L} n_l\,(n_{l-1} + 1),

    since layer :math:`l` has an :math:`n_l \times n_{l-1}` weight matrix and
    :math:`n_l` biases.

    Parameters
    ----------
    sizes : sequence of int
        :math:`(n_0, n_1, \dots, n_L)`, input width first, each >= 1.

    Examples
    --------
    >>> count_parameters([2, 2, 1])
    9
    """
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes must be a list of layer widths, got {type(sizes).__name__}")
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output width, got {list(sizes)}")
    n = [check_scalar(s, f"sizes[{i}]", low=1, high=MAX_ELEMENTS, integer=True) for i, s in enumerate(sizes)]
    return sum(n_l * (n_prev + 1) for n_prev, n_l in zip(n[:-1], n[1:]))


def _increasing(x, name: str, min_len: int) -> np.ndarray:
    x = as_float_array(x, name, ndim=1)
    if x.shape[0] < min_len:
        raise ValueError(f"{name} needs at least {min_len} value(s), got shape {x.shape}")
    if np.any(np.diff(x) <= 0):
        i = int(np.flatnonzero(np.diff(x) <= 0)[0])
        raise ValueError(f"{name} must be strictly increasing, but {name}[{i}] = {x[i]:g} "
                         f">= {name}[{i + 1}] = {x[i + 1]:g}")
    return x


def relu_interpolation(knots, values) -> list[np.ndarray]:
    r"""A 1-n-1 ReLU network that joins the points ``(knots[k], values[k])`` by straight lines.

    With slopes :math:`s_k = (y_{k+1} - y_k)/(t_{k+1} - t_k)` of the :math:`n`
    segments and :math:`s_{-1} = 0`,

    .. math:: g(x) = y_0 + \sum_{k=0}^{n-1} (s_k - s_{k-1})\,\operatorname{relu}(x - t_k):

    hidden unit :math:`k` has weight 1 and bias :math:`-t_k`, so it switches on
    at knot :math:`t_k`, and its output weight is the change of slope there.
    :math:`g` is the piecewise-linear interpolant on :math:`[t_0, t_n]`,
    constant :math:`y_0` left of :math:`t_0` and continues the last segment right of :math:`t_n`.

    Parameters
    ----------
    knots : array_like, shape (n + 1,)
        Strictly increasing :math:`t_0 < \dots < t_n`, n >= 1.
    values : array_like, shape (n + 1,)
        :math:`y_k`, the value at each knot.

    Returns
    -------
    list of ndarray
        ``[W1 (n, 1), b1 (n,), W2 (1, n), b2 (1,)]``, for :func:`forward` with
        activations ``["relu", "identity"]``.
    """
    t = _increasing(knots, "knots", 2)  # (n+1,)
    y = as_float_array(values, "values", ndim=1)  # (n+1,)
    if y.shape != t.shape:
        raise ValueError(
            f"values must have one value per knot, shape {t.shape}, "
            f"got {y.shape}")
    slopes = np.diff(y) / np.diff(t)  # (n,)
    turns = np.diff(slopes, prepend=0.0)  # (n,) s_k - s_{k-1}
    n = slopes.shape[0]
    return [np.ones((n, 1)), -t[:-1].copy(), turns[None, :], y[:1].copy()]


def sigmoid_staircase(edges, values, steepness) -> list[np.ndarray]:
    r"""A 1-n-1 sigmoid network that steps through ``values``, jumping at ``edges``.

    .. math:: g(x) = v_0 + \sum_{j=1}^{n} (v_j - v_{j-1})\,\sigma\big(\kappa\,(x - e_j)\big)

    Each hidden unit is a steep sigmoid, a smoothed step at :math:`e_j`; its
    output weight is the height of that step. Away from the edges,
    :math:`|\sigma(\kappa z) - \operatorname{step}(z)| = \sigma(-\kappa|z|) < e^{-\kappa|z|}`,
    so :math:`g` is within :math:`\sum_j |v_j - v_{j-1}|\,e^{-\kappa\delta}` of the
    exact staircase at distance :math:`\delta` from every edge.

    Parameters
    ----------
    edges : array_like, shape (n,)
        Strictly increasing jump positions :math:`e_1 < \dots < e_n`, n >= 1.
    values : array_like, shape (n + 1,)
        The levels :math:`v_0, \dots, v_n` before, between and after the edges.
    steepness : float
        :math:`\kappa > 0`; larger is closer to a step.

    Returns
    -------
    list of ndarray
        ``[W1 (n, 1), b1 (n,), W2 (1, n), b2 (1,)]``, for :func:`forward` with
        activations ``["sigmoid", "identity"]``.
    """
    e = _increasing(edges, "edges", 1)  # (n,)
    v = as_float_array(values, "values", ndim=1)  # (n+1,)
    if v.shape[0] != e.shape[0] + 1:
        raise ValueError(f"values must hold one level more than edges: edges has shape {e.shape}, "
                         f"so values needs ({e.shape[0] + 1},), got {v.shape}")
    kappa = check_scalar(steepness, "steepness", low=0.0, low_open=True)
    n = e.shape[0]
    return [np.full((n, 1), kappa), -kappa * e, np.diff(v)[None, :], v[:1].copy()]


def _relu_approximator(f, n: int, lo: float, hi: float, steepness: float) -> list[np.ndarray]:
    knots = np.linspace(lo, hi, n + 1)  # (n+1,)
    return relu_interpolation(knots, _curve_values(f, knots))


def _sigmoid_approximator(f, n: int, lo: float, hi: float, steepness: float) -> list[np.ndarray]:
    # n + 1 equal cells, each at f's value in its centre, joined by n smoothed steps.
    width = (hi - lo) / (n + 1)
    edges = lo + width * np.arange(1, n + 1)  # (n,)
    centres = lo + width * (np.arange(n + 1) + 0.5)  # (n+1,)
    return sigmoid_staircase(edges, _curve_values(f, centres), steepness / width)


def _curve_values(f, x: np.ndarray) -> np.ndarray:
    y = np.asarray(f(x), dtype=np.float64)  # (k,)
    if y.shape != x.shape:
        raise ValueError(f"f must map an array of shape {x.shape} to the same shape, got {y.shape}")
    return as_float_array(y, "f(x)")


#: Hidden activation -> constructor ``(f, n_units, lo, hi, steepness) -> params``.
APPROXIMATORS: dict[str, Callable[..., list[np.ndarray]]] = {
    "relu": _relu_approximator,
    "sigmoid": _sigmoid_approximator,
}


def approximator(f, n_units: int, activation: str = "relu", interval=(0.0, 1.0),
                 steepness: float = 10.0) -> list[np.ndarray]:
    r"""A one-hidden-layer network of ``n_units`` units approximating ``f`` on ``interval``, by construction.

    No training: the weights are written down.

    - ``"relu"``: :func:`relu_interpolation` through ``n_units + 1`` equally
      spaced points of ``f``; the error of linear interpolation is at most
      :math:`h^2 \max|f''|/8` for spacing :math:`h`, so it falls like :math:`1/n^2`.
    - ``"sigmoid"``: :func:`sigmoid_staircase` with ``n_units + 1`` equal
      cells, each at ``f``'s value in its centre; the error of a staircase is
      about :math:`h \max|f'|/2`, so it falls like :math:`1/n`.

    Parameters
    ----------
    f : callable
        Vectorised: maps an array of shape (k,) to shape (k,).
    n_units : int
        Number of hidden units, >= 1.
    activation : {"relu", "sigmoid"}
    interval : (float, float)
        :math:`[lo, hi]`, lo < hi.
    steepness : float
        Sigmoid only: :math:`\kappa` times the cell width. Each step rises
        from 12% to 88% of its height over :math:`4/\text{steepness}` of a
        cell (default 10: 0.4 of a cell).

    Returns
    -------
    list of ndarray
        ``[W1 (n, 1), b1 (n,), W2 (1, n), b2 (1,)]``, for :func:`forward` with
        activations ``[activation, "identity"]``.
    """
    build = lookup(APPROXIMATORS, activation, "approximator activation")
    if not callable(f):
        raise TypeError(f"f must be a function of an array, got {type(f).__name__}")
    # n_units + 1 points of f are evaluated, and as many rows built
    n = check_scalar(n_units, "n_units", low=1, high=MAX_SAMPLES, integer=True)
    if isinstance(interval, (str, bytes)) or not isinstance(interval, Sequence) or len(interval) != 2:
        raise ValueError(f"interval must be (lo, hi), got {interval!r}")
    lo, hi = check_scalar(interval[0], "interval[0]"), check_scalar(interval[1], "interval[1]")
    if not lo < hi:
        raise ValueError(f"interval must have lo < hi, got {interval!r}")
    steepness = check_scalar(steepness, "steepness", low=0.0, low_open=True)
    return build(f, n, lo, hi, steepness)
