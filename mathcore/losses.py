r"""Cost functions: value, gradient and SymPy twin side by side.

Every loss is a :class:`Loss` in the registry :data:`LOSSES`, called as
``loss(y_pred, y_true) -> float`` with ``loss.gradient(y_pred, y_true)`` shaped
like ``y_pred``. Reductions follow PyTorch's defaults:

* ``mse``: :math:`\frac1N\sum (p - y)^2` over all N elements;
* ``binary_cross_entropy``: :math:`-\frac1N\sum [y\log p + (1-y)\log(1-p)]` over all elements;
* ``cross_entropy``: :math:`-\frac1n\sum_i\sum_k y_{ik}\log p_{ik}` over the n samples.

The two fused losses take *logits* instead of probabilities, are finite for
logits of any size, and have the famously simple gradients
:math:`\sigma(z) - y` and :math:`\operatorname{softmax}(z) - y` (divided by the
number of averaged terms):

* ``sigmoid_binary_cross_entropy`` (PyTorch's ``BCEWithLogitsLoss``);
* ``softmax_cross_entropy`` (PyTorch's ``CrossEntropyLoss``).

Probabilities of exactly 0 or 1 are handled with the convention
:math:`0 \log 0 = 0`, so the loss is finite wherever the mathematics says so
(a confident correct prediction costs exactly 0). A confident *wrong*
prediction (p = 0 where y = 1) costs :math:`+\infty`, returned as ``inf``
without a warning; PyTorch instead clamps each log at -100.

Inputs of any finite size are accepted. Beyond about 1e154 the fast kernels
can overflow (a square, a sum, logits more than 1.8e308 apart) where the true
cost or gradient is still a float; ``Loss.__call__`` and
:meth:`Loss.gradient` then recompute it with an exact, slower kernel. A cost or
gradient whose true value is beyond float64's range (mse of errors of 1e300 is
1e600) is returned as ``inf``, without a warning, like the confident wrong
prediction above.

For cross-entropy, ``y_true`` may also be integer class labels of shape (n,).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import sympy as sp

from ._validate import (MAX_CLASSES, MAX_ELEMENTS, MAX_SYMBOLS, as_float_array, check_same_shape, check_scalar,
                        expression, lookup, text)
from .activations import _log_softmax, _sigmoid, softmax

__all__ = ["Loss", "LOSSES", "get", "one_hot", "NEURON_LOSSES", "sigmoid_neuron_cost", "sigmoid_neuron_gradient"]

P, Y, Z = sp.symbols("p y z", real=True)
#: Stands for log(sum_j exp(z_j)) of the row in the per-element term of softmax cross-entropy;
#: :meth:`Loss.symbolic_total` writes it out in full.
LSE = sp.Symbol(r"\log\sum_j e^{z_j}", real=True)


@dataclass(frozen=True)
class Loss:
    """A cost function with its gradient and SymPy twin.

    Attributes
    ----------
    name : str
        Registry key.
    on_logits : str or None
        ``"sigmoid"`` or ``"softmax"`` when ``y_pred`` are logits fed through
        that function inside the loss; ``None`` when ``y_pred`` are the
        predictions themselves.
    reduction : str
        ``"elements"`` (mean over every element) or ``"samples"`` (sum over the
        last axis, mean over rows).
    formula : str
        LaTeX of the per-element term.
    """

    name: str
    on_logits: str | None
    reduction: str
    formula: str
    _value: Callable = field(repr=False)
    _grad: Callable = field(repr=False)
    _sym: Callable = field(repr=False)
    probabilities: bool = False
    #: Kernels that cannot overflow where the true result is finite, used when the fast one did.
    _exact_value: Callable | None = field(default=None, repr=False)
    _exact_grad: Callable | None = field(default=None, repr=False)

    def _check(self, y_pred, y_true):
        p = as_float_array(y_pred, "y_pred", ndim=(1, 2) if self.reduction == "elements" else 2)
        if self.reduction == "samples":
            y = _class_targets(y_true, p)
        else:
            y = as_float_array(y_true, "y_true")
            check_same_shape(p, y, "y_pred", "y_true")
        if self.probabilities and ((p < 0).any() or (p > 1).any()):
            bad = p[(p < 0) | (p > 1)][0]
            raise ValueError(f"{self.name} needs y_pred in [0, 1] (probabilities), found {bad}; "
                             f"for raw scores use the fused loss on logits")
        check_targets(y, self, "y_true")
        return p, y

    def __call__(self, y_pred, y_true) -> float:
        """The mean loss. Shapes: ``y_pred`` (n,) or (n, K); ``y_true`` the same, or (n,) labels."""
        p, y = self._check(y_pred, y_true)
        # an overflow of the fast kernel is either recomputed exactly or the true value is inf
        with np.errstate(over="ignore", invalid="ignore"):
            value = self._value(p, y)
            if self._exact_value is not None and not np.isfinite(value):
                value = self._exact_value(p, y)
        return float(value)

    def gradient(self, y_pred, y_true) -> np.ndarray:
        """:math:`\\partial L / \\partial y_{pred}`, shaped like ``y_pred``."""
        p, y = self._check(y_pred, y_true)
        with np.errstate(over="ignore", invalid="ignore"):
            g = self._grad(p, y)
            if self._exact_grad is not None and not np.isfinite(g).all():
                g = self._exact_grad(p, y)
        return g

    def symbolic(self, p: sp.Symbol = P, y: sp.Symbol = Y) -> sp.Expr:
        """The per-element term as a SymPy expression (in the logit for fused losses)."""
        return self._sym(expression(p, "p"), expression(y, "y"))

    def symbolic_total(self, shape: tuple[int, ...]) -> tuple[sp.Expr, sp.Matrix, sp.Matrix]:
        """``(L, P, Y)``: the whole reduced loss over a matrix of symbols of ``shape``.

        The tests differentiate ``L`` with respect to each entry of ``P`` and
        compare with :meth:`gradient`, which checks the reduction as well as
        the per-element formula.
        """
        if not (isinstance(shape, tuple) and len(shape) in (1, 2)):
            raise TypeError(f"shape must be a tuple of one or two sizes, got {shape!r}")
        for size in shape:
            check_scalar(size, "shape", low=1, high=MAX_SYMBOLS, integer=True)
        rows, cols = shape if len(shape) == 2 else (shape[0], 1)
        if rows * cols > MAX_SYMBOLS:
            raise ValueError(f"shape must have at most {MAX_SYMBOLS} entries (MAX_SYMBOLS), got {shape}")
        Pm = sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"p_{i}{j}", real=True))
        Ym = sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"y_{i}{j}", real=True))
        if self.on_logits == "softmax":
            terms = []
            for i in range(rows):
                lse = sp.log(sum(sp.exp(Pm[i, k]) for k in range(cols)))
                terms.append(sum(-Ym[i, k] * (Pm[i, k] - lse) for k in range(cols)))
            return sum(terms) / rows, Pm, Ym
        total = sum(self._sym(Pm[i, j], Ym[i, j]) for i in range(rows) for j in range(cols))
        denom = rows if self.reduction == "samples" else rows * cols
        return total / denom, Pm, Ym


def check_targets(y: np.ndarray, loss: Loss, name: str) -> None:
    """Raise ValueError unless ``y`` lies in [0, 1], for every loss but mse.

    Cross-entropy of a target outside [0, 1] is no longer a cost: it can be
    negative, and training drives it to minus infinity. Every entry point that
    takes targets for a loss (:class:`Loss`, :class:`~mathcore.network.MLP`,
    :func:`~mathcore.optim.train`) runs this one check.

    Shapes
    ------
    y : any.
    """
    if loss.name != "mse" and (y.min() < 0 or y.max() > 1):
        bad = y[(y < 0) | (y > 1)][0]
        raise ValueError(f"{loss.name} needs {name} in [0, 1], found {bad}")


def float_labels_error(y: np.ndarray, name: str, n_classes: int) -> TypeError:
    """The error for one-dimensional targets of a classification loss that are not integers."""
    return TypeError(f"{name} of shape {y.shape} must hold class labels as integers (an integer dtype), "
                     f"or be one-hot targets of shape ({y.shape[0]}, {n_classes}); "
                     f"float labels are refused: convert them with .astype(int)")


def one_hot(labels, n_classes: int, name: str = "labels") -> np.ndarray:
    """Integer labels (n,) -> one-hot float64 matrix (n, n_classes).

    ``n_classes`` is at most ``MAX_CLASSES`` (``mathcore._validate``), and the
    matrix at most ``MAX_ELEMENTS`` (``mathcore._validate``) entries.
    """
    text(name, "name")
    n_classes = check_scalar(n_classes, "n_classes", low=1, high=MAX_CLASSES, integer=True)
    try:
        labels = np.asarray(labels)
    except (TypeError, ValueError):  # NumPy's words for a ragged list
        raise TypeError(f"{name} must be a 1-D integer array, got a ragged {type(labels).__name__}") from None
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"{name} must be a 1-D integer array, got dtype {labels.dtype} and shape {labels.shape}")
    if labels.size * n_classes > MAX_ELEMENTS:
        raise ValueError(f"{name} has {labels.size} labels of {n_classes} classes: the one-hot matrix would hold "
                         f"{labels.size * n_classes} entries, more than {MAX_ELEMENTS}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"{name} must hold class labels in [0, {n_classes - 1}], "
                         f"found {labels.min()}..{labels.max()}")
    out = np.zeros((labels.size, n_classes))  # (n, K)
    out[np.arange(labels.size), labels] = 1.0
    return out


def integer_labels(y):
    """``y`` as an integer label array if it is one-dimensional and integer, else None."""
    if isinstance(y, (str, bytes)):
        return None
    try:
        arr = np.asarray(y)
    except (TypeError, ValueError):  # ragged: as_float_array reports it with the argument's name
        return None
    return arr if arr.ndim == 1 and np.issubdtype(arr.dtype, np.integer) else None


def _class_targets(y_true, p: np.ndarray) -> np.ndarray:
    arr = integer_labels(y_true)
    if arr is not None:
        if arr.shape[0] != p.shape[0]:
            raise ValueError(f"y_true has {arr.shape[0]} labels but y_pred has {p.shape[0]} rows")
        return one_hot(arr, p.shape[1], "y_true")
    y = as_float_array(y_true, "y_true", ndim=(1, 2))
    if y.ndim == 1:
        raise float_labels_error(y, "y_true", p.shape[1])
    check_same_shape(p, y, "y_pred", "y_true")
    return y


# --- kernels on validated float64 arrays -------------------------------------------

def _mse(p, y):
    d = p - y
    return np.mean(d * d)


def _mse_grad(p, y):
    return 2.0 * (p - y) / p.size


def _scaled_mean(t, count: int):
    # sum(t) / count as s * (sum(t / s) / count), s = max |t|: no partial sum overflows, and the
    # result overflows only if the mean itself is beyond float64's range
    s = np.max(np.abs(t))
    return np.sum(t) / count if not 0.0 < s < np.inf else np.sum(t / s) / count * s


def _mse_exact(p, y):
    # (p - y)^2 overflows beyond |p - y| = 1.3e154; divided by s every difference is at most 2
    s = max(np.max(np.abs(p)), np.max(np.abs(y)))
    d = p / s - y / s
    return np.mean(d * d) * s * s


def _mse_grad_exact(p, y):
    # p - y overflows for values near 1.8e308 of opposite signs; divided by N first it cannot (N >= 2)
    return (p / p.size - y / p.size) * 2.0


def _xlogy(a, b):
    # a*log(b) with 0*log(0) = 0 and no warning for log(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = a * np.log(b)
    return np.where(a == 0, 0.0, out)


def _bce(p, y):
    return -np.mean(_xlogy(y, p) + _xlogy(1.0 - y, 1.0 - p))


def _bce_grad(p, y):
    # dL/dp = (-y/p + (1-y)/(1-p)) / N, each term 0 where its weight is 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = np.where(y == 0, 0.0, -y / p)
        b = np.where(y == 1, 0.0, (1.0 - y) / (1.0 - p))
    return (a + b) / p.size


def _ce(p, y):
    return -np.sum(_xlogy(y, p)) / p.shape[0]


def _ce_grad(p, y):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        g = np.where(y == 0, 0.0, -y / p)
    return g / p.shape[0]


def _sig_bce(z, y):
    # -[y log s + (1-y) log(1-s)] = max(z,0) - z y + log(1 + e^{-|z|}),
    # exact for any z
    return np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z))))


def _sig_bce_grad(z, y):
    return (_sigmoid(z) - y) / z.size


def _sig_bce_exact(z, y):
    # each term is at most |z| + log 2, a float; only their sum can overflow
    t = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return _scaled_mean(t, t.size)


def _soft_ce(z, y):
    return -np.sum(y * _log_softmax(z)) / z.shape[0]


def _soft_ce_exact(z, y):
    # z - max overflows for logits more than 1.8e308 apart, and y * (-inf) is NaN where y = 0:
    # -y (z - lse) is written as y (m - z) + y log sum e^{z - m}, each part finite, and y = 0 gives 0
    m = z.max(axis=-1, keepdims=True)  # (n, 1)
    log_sum = np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))  # (n, 1), in [0, log K]
    t = np.where(y == 0, 0.0, y * m - y * z + y * log_sum)  # (n, K), every term >= 0
    return _scaled_mean(t, z.shape[0])


def _soft_ce_grad(z, y):
    # p - y holds when each row of y sums to 1; for any y the exact gradient is p*sum(y) - y
    return (softmax._fn(z) * y.sum(axis=-1, keepdims=True) - y) / z.shape[0]


#: Every cost function of the book by name, each with its gradient and SymPy twin.
#:
#: :meta hide-value:
LOSSES: dict[str, Loss] = {
    l.name: l
    for l in [
        Loss("mse", None, "elements", r"(p - y)^2", _mse, _mse_grad, lambda p, y: (p - y) ** 2,
             _exact_value=_mse_exact, _exact_grad=_mse_grad_exact),
        Loss("binary_cross_entropy", None, "elements", r"-y\log p - (1 - y)\log(1 - p)", _bce, _bce_grad,
             lambda p, y: -y * sp.log(p) - (1 - y) * sp.log(1 - p), probabilities=True),
        Loss("cross_entropy", None, "samples", r"-\sum_k y_k \log p_k", _ce, _ce_grad,
             lambda p, y: -y * sp.log(p), probabilities=True),
        Loss("sigmoid_binary_cross_entropy", "sigmoid", "elements",
             r"-y\log\sigma(z) - (1 - y)\log(1 - \sigma(z))", _sig_bce, _sig_bce_grad,
             lambda z, y: -y * sp.log(1 / (1 + sp.exp(-z))) - (1 - y) * sp.log(1 - 1 / (1 + sp.exp(-z))),
             _exact_value=_sig_bce_exact),
        Loss("softmax_cross_entropy", "softmax", "samples", r"-\sum_k y_k \log \operatorname{softmax}(z)_k",
             _soft_ce, _soft_ce_grad, lambda z, y: -y * (z - LSE), _exact_value=_soft_ce_exact),
    ]
}


def get(name: str) -> Loss:
    """Return the loss registered as ``name`` (ValueError lists the known names)."""
    return lookup(LOSSES, name, "loss")


# --- one sigmoid neuron on one feature: its cost over the (w, b) plane ---------------

#: The costs :func:`sigmoid_neuron_cost` computes, named as in :data:`LOSSES`.
NEURON_LOSSES = ("mse", "binary_cross_entropy")


def _neuron_args(x, y, w, b, loss):
    if not isinstance(loss, str) or loss not in NEURON_LOSSES:
        raise ValueError(f"loss must be one of {NEURON_LOSSES}, got {loss!r}")
    x = as_float_array(x, "x", ndim=1)
    y = as_float_array(y, "y", ndim=1)
    check_same_shape(x, y, "x", "y")
    if (y < 0).any() or (y > 1).any():
        raise ValueError(f"y must hold targets in [0, 1], found {y[(y < 0) | (y > 1)][0]}")
    for name, value in (("w", w), ("b", b)):
        # an array of booleans is NumPy's 0/1, but True for a weight is a slip
        if isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be a real number or an array of them, got bool {value}")
    w = as_float_array(w, "w", allow_empty=True)
    b = as_float_array(b, "b", allow_empty=True)
    try:
        shape = np.broadcast_shapes(w.shape, b.shape)
    except ValueError:
        raise ValueError(f"w and b must broadcast together, got shapes {w.shape} and {b.shape}") from None
    w, b = np.broadcast_to(w, shape), np.broadcast_to(b, shape)
    z = w[..., None] * x + b[..., None]  # (..., n): the logit of every example at every (w, b)
    return x, y, z


def sigmoid_neuron_cost(x, y, w, b, loss: str = "binary_cross_entropy") -> np.ndarray:
    r"""The mean cost of the neuron :math:`a = \sigma(wx + b)` on a 1-D data set, at every ``(w, b)``.

    .. math::

        C(w, b) = \frac1n \sum_{i=1}^n \ell\bigl(\sigma(w x_i + b), y_i\bigr),

    with :math:`\ell(a, y) = (a - y)^2` for ``"mse"`` and
    :math:`\ell(a, y) = -y\log a - (1 - y)\log(1 - a)` for ``"binary_cross_entropy"``,
    the same per-element terms and mean as ``LOSSES[loss]``. Cross-entropy is
    computed from the logit as ``sigmoid_binary_cross_entropy`` does, so it is
    finite and exact for any ``(w, b)``.

    Parameters
    ----------
    x, y : array_like
        The inputs and their targets in [0, 1].
    w, b : array_like
        Weights and biases; they broadcast together (two meshgrid arrays give
        the cost over a grid).
    loss : {"binary_cross_entropy", "mse"}

    Returns
    -------
    ndarray
        The cost at each ``(w, b)``.

    Shapes
    ------
    x, y : (n,); w, b : broadcastable to S -> S.
    """
    _, y, z = _neuron_args(x, y, w, b, loss)
    if loss == "mse":
        d = _sigmoid(z) - y  # (..., n)
        return np.mean(d * d, axis=-1)
    # max(z, 0) - z y + log(1 + e^{-|z|}): the fused kernel, per row
    return np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z))), axis=-1)


def sigmoid_neuron_gradient(x, y, w, b, loss: str = "binary_cross_entropy"
                            ) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`(\partial C/\partial w, \partial C/\partial b)` of
    :func:`sigmoid_neuron_cost`.

    By the chain rule through :math:`z_i = w x_i + b`, with
    :math:`a_i = \sigma(z_i)`:

    .. math::

        \frac{\partial C}{\partial b} = \frac1n \sum_i \delta_i, \qquad
        \frac{\partial C}{\partial w} = \frac1n \sum_i \delta_i x_i,

    where

    .. math::

        \delta_i = \begin{cases}
            2(a_i - y_i)\,a_i(1 - a_i) & \text{mse,} \\
            a_i - y_i & \text{binary cross-entropy.} \end{cases}

    Parameters and shapes as in :func:`sigmoid_neuron_cost`; returns two
    arrays of shape S.
    """
    x, y, z = _neuron_args(x, y, w, b, loss)
    a = _sigmoid(z)  # (..., n)
    # sigma'(z) = sigma(z) sigma(-z): accurate in both tails
    if loss == "mse":
        delta = 2.0 * (a - y) * a * _sigmoid(-z)  # (..., n)
    else:
        delta = a - y  # (..., n)
    return np.mean(delta * x, axis=-1), np.mean(delta, axis=-1)
