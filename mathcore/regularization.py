r"""Weight penalties: value, (sub)gradient and SymPy twin side by side.

Penalties apply to weight matrices, never to biases, and are added to the mean
data loss:

* ``l2`` (ridge, weight decay): :math:`\frac{\lambda}{2}\sum \lVert W\rVert_F^2`, gradient :math:`\lambda W`;
* ``l1`` (lasso): :math:`\lambda \sum |W|`, subgradient :math:`\lambda\,\operatorname{sign}(W)`.

Convention at 0 for L1: :math:`|w|` has no derivative at 0; we use the
subgradient 0 (``sign(0) = 0``, as ``numpy.sign`` and PyTorch do). It is the
member of the subdifferential :math:`[-\lambda, \lambda]` of smallest
magnitude, so a weight that is exactly 0 stays 0 under plain gradient descent.

Besides the penalties, the module fits penalised linear models exactly
(:func:`ridge_fit`, :func:`ridge_path`, :func:`lasso_fit`), builds the
polynomial features on which Chapter 7 shows overfitting, and implements
inverted dropout (:func:`dropout`).

References: Hoerl and Kennard, "Ridge Regression" (1970); Tibshirani,
"Regression Shrinkage and Selection via the Lasso" (1996); Beck and Teboulle,
"A Fast Iterative Shrinkage-Thresholding Algorithm" (2009); Srivastava et al.,
"Dropout" (2014).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import sympy as sp

from ._validate import MAX_ELEMENTS, MAX_ITERATIONS, as_float_array, check_scalar, expression, lookup

__all__ = ["Penalty", "PENALTIES", "get", "polynomial_features", "ridge_fit", "ridge_path", "soft_threshold",
           "lasso_fit", "dropout"]

W, LAM = sp.symbols("w lambda", real=True)


def _weights(weights) -> list[np.ndarray]:
    # NumPy reads True as 1.0: a weight of True is a slip, not a number
    if isinstance(weights, (bool, np.bool_)):
        raise TypeError(f"weights must be an array or a list of arrays, got bool {weights}")
    if isinstance(weights, np.ndarray) or np.isscalar(weights):
        return [as_float_array(weights, "weights")]
    if not isinstance(weights, Sequence) or isinstance(weights, (str, bytes)):
        raise TypeError(f"weights must be an array or a list of arrays, got {type(weights).__name__}")
    return [as_float_array(w, f"weights[{i}]") for i, w in enumerate(weights)]


@dataclass(frozen=True)
class Penalty:
    """A weight penalty :math:`R(W; \\lambda)` with its (sub)gradient and SymPy twin."""

    name: str
    formula: str
    kink: str
    _value: Callable = field(repr=False)
    _grad: Callable = field(repr=False)
    _sym: Callable = field(repr=False)

    def __call__(self, weights, strength: float) -> float:
        """Total penalty over an array or a list of arrays."""
        lam = check_scalar(strength, "strength", low=0.0)
        return float(sum(self._value(w, lam) for w in _weights(weights)))

    def gradient(self, weights, strength: float):
        """(Sub)gradient, an array or a list shaped like ``weights``."""
        lam = check_scalar(strength, "strength", low=0.0)
        ws = _weights(weights)
        grads = [self._grad(w, lam) for w in ws]
        return grads[0] if isinstance(weights, np.ndarray) or np.isscalar(weights) else grads

    def symbolic(self, w: sp.Symbol = W, lam: sp.Symbol = LAM) -> sp.Expr:
        """The penalty on one weight as a SymPy expression."""
        return self._sym(expression(w, "w"), expression(lam, "lam"))


PENALTIES: dict[str, Penalty] = {
    p.name: p
    for p in [
        Penalty("l2", r"\frac{\lambda}{2} w^2", "", lambda w, lam: 0.5 * lam * np.vdot(w, w),
                lambda w, lam: lam * w, lambda w, lam: lam * w**2 / 2),
        Penalty("l1", r"\lambda |w|", "The subgradient at w = 0 is 0 (sign(0) = 0).",
                lambda w, lam: lam * np.abs(w).sum(), lambda w, lam: lam * np.sign(w),
                # Piecewise rather than Abs so that SymPy's derivative at 0 is the convention, 0
                lambda w, lam: lam * sp.Piecewise((w, w > 0), (-w, w < 0), (0, True))),
    ]
}


def get(name: str) -> Penalty:
    """Return the penalty registered as ``name`` (ValueError lists the known names)."""
    return lookup(PENALTIES, name, "penalty")



# --- penalised linear models ------------------------------------------------------------------


def polynomial_features(x, degree: int, interval=(0.0, 1.0)) -> np.ndarray:
    r"""The powers :math:`t, t^2, \dots, t^D` of the input mapped from ``interval`` onto [-1, 1].

    :math:`t = 2(x - a)/(b - a) - 1` for ``interval = (a, b)``. On [-1, 1] the
    powers stay between -1 and 1, so the columns have comparable sizes and a
    degree-12 fit is still well conditioned; the raw powers of
    :math:`x \in [0, 1]` would make :math:`x^{12}` a millionth of :math:`x`.
    There is no column of ones: the bias is a separate, unpenalised parameter.

    Shapes
    ------
    x : (n,) or (n, 1) -> (n, degree).
    """
    x = as_float_array(x, "x", ndim=(1, 2))
    if x.ndim == 2:
        if x.shape[1] != 1:
            raise ValueError(f"x must have one feature (shape (n,) or (n, 1)), got shape {x.shape}")
        x = x[:, 0]  # (n,)
    degree = check_scalar(degree, "degree", low=1, high=MAX_ELEMENTS, integer=True)
    if x.size * degree > MAX_ELEMENTS:
        raise ValueError(f"x has {x.size} values and degree is {degree}: the features would hold "
                         f"{x.size * degree} entries, more than {MAX_ELEMENTS}")
    bounds = as_float_array(interval, "interval", ndim=1)
    if bounds.shape != (2,) or not bounds[0] < bounds[1]:
        raise ValueError(f"interval must be (low, high) with low < high, got {interval!r}")
    a, b = float(bounds[0]), float(bounds[1])
    t = 2.0 * (x - a) / (b - a) - 1.0  # (n,)
    return t[:, None] ** np.arange(1, degree + 1)  # (n, degree)


def _check_xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_array(X, "X", ndim=2)  # (n, d)
    y = as_float_array(y, "y", ndim=1)  # (n,)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X and y must have the same number of rows, got {X.shape[0]} and {y.shape[0]}")
    return X, y


def ridge_path(X, y, l2s) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact ridge fits for many penalty strengths from one SVD; see :func:`ridge_fit`.

    With centred data :math:`X_c = U S V^\top` (thin SVD), the weights are
    :math:`w = V \operatorname{diag}\bigl(s_i / (s_i^2 + n\lambda/2)\bigr) U^\top y_c`,
    which is :math:`(X_c^\top X_c + \tfrac{n\lambda}{2} I)^{-1} X_c^\top y_c`
    without forming :math:`X_c^\top X_c` (whose condition number is the square
    of :math:`X_c`'s). At :math:`\lambda = 0` directions with
    :math:`s_i \le 10^{-12} s_1` are dropped: the minimum-norm least-squares fit.

    Shapes
    ------
    X : (n, d); y : (n,); l2s : (k,) -> W : (k, d), b : (k,).
    """
    X, y = _check_xy(X, y)
    l2s = as_float_array(l2s, "l2s", ndim=1)  # (k,)
    if (l2s < 0).any():
        raise ValueError(f"l2s must be >= 0, got {l2s[l2s < 0][0]}")
    n = X.shape[0]
    x_mean, y_mean = X.mean(axis=0), y.mean()  # (d,), ()
    # (n, r), (r,), (r, d)
    U, s, Vt = np.linalg.svd(X - x_mean, full_matrices=False)
    uty = U.T @ (y - y_mean)  # (r,)
    alpha = n * l2s[:, None] / 2.0  # (k, 1)
    if s.size and s.max() > 0:
        keep = s > 1e-12 * s.max()  # (r,)
    else:
        keep = np.zeros_like(s, dtype=bool)  # (r,)
    denom = s**2 + alpha  # (k, r)
    with np.errstate(divide="ignore", invalid="ignore"):
        filt = np.where(keep | (alpha > 0),
                        s / np.where(denom > 0, denom, 1.0), 0.0)  # (k, r)
    W = (filt * uty) @ Vt  # (k, d)
    b = y_mean - W @ x_mean  # (k,)
    return W, b


def ridge_fit(X, y, l2: float) -> tuple[np.ndarray, float]:
    r"""Minimise :math:`\frac1n\lVert Xw + b - y\rVert^2 + \frac{\lambda}{2}\lVert w\rVert^2` exactly.

    The book's convention: the mean squared error (no factor 1/2) plus the L2
    penalty on the weights only. The bias is not penalised, so it fits the
    means, :math:`b = \bar y - \bar x^\top w`, and the weights solve the ridge
    normal equations on the centred data,

    .. math:: \Bigl(X_c^\top X_c + \frac{n\lambda}{2} I\Bigr) w = X_c^\top y_c .

    Computed through the SVD of :math:`X_c` (:func:`ridge_path`).

    Parameters
    ----------
    X : array_like
        Features, one row per example.
    y : array_like
        Targets.
    l2 : float
        Penalty strength :math:`\lambda \ge 0`; 0 gives least squares.

    Returns
    -------
    w : ndarray, the weights; b : float, the bias.

    Shapes
    ------
    X : (n, d); y : (n,) -> w : (d,).
    """
    l2 = check_scalar(l2, "l2", low=0.0)
    W, b = ridge_path(X, y, [l2])  # (1, d), (1,)
    return W[0], float(b[0])


def soft_threshold(z, t: float) -> np.ndarray:
    r"""The soft-thresholding operator :math:`S_t(z) = \operatorname{sign}(z)\max(|z| - t, 0)`.

    The minimiser of :math:`\frac12 (w - z)^2 + t|w|`: it moves :math:`z`
    towards 0 by :math:`t`, and sets it exactly to 0 when :math:`|z| \le t`.

    Shapes
    ------
    z : any -> same.
    """
    z = as_float_array(z, "z", allow_empty=True)
    t = check_scalar(t, "t", low=0.0)
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def lasso_fit(X, y, l1: float, *, max_steps: int = 20_000, tol: float = 1e-12) -> tuple[np.ndarray, float]:
    r"""Minimise :math:`\frac1n\lVert Xw + b - y\rVert^2 + \lambda\lVert w\rVert_1` by proximal gradient (FISTA).

    Each step is a gradient step on the mean squared error, of size
    :math:`1/L` with :math:`L = 2 s_1^2/n` its gradient's Lipschitz constant,
    followed by :func:`soft_threshold` with threshold :math:`\lambda/L`;
    Nesterov's extrapolation (FISTA) speeds it up. The bias is unpenalised,
    :math:`b = \bar y - \bar x^\top w`, as in :func:`ridge_fit`. Stops when a
    step moves no weight by more than ``tol`` (relative to the largest
    weight), or after ``max_steps``.

    Returns
    -------
    w : ndarray, the weights, many of them exactly 0; b : float.

    Shapes
    ------
    X : (n, d); y : (n,) -> w : (d,).
    """
    X, y = _check_xy(X, y)
    l1 = check_scalar(l1, "l1", low=0.0)
    max_steps = check_scalar(max_steps, "max_steps", low=1, high=MAX_ITERATIONS, integer=True)
    tol = check_scalar(tol, "tol", low=0.0)
    n, d = X.shape
    x_mean, y_mean = X.mean(axis=0), y.mean()  # (d,), ()
    Xc, yc = X - x_mean, y - y_mean  # (n, d), (n,)
    L = 2.0 * np.linalg.norm(Xc, 2) ** 2 / n
    w = np.zeros(d)  # (d,)
    if L == 0.0:  # every feature constant: only the bias can fit
        return w, float(y_mean)
    v, theta = w.copy(), 1.0  # (d,)
    for _ in range(max_steps):
        grad = 2.0 / n * (Xc.T @ (Xc @ v - yc))  # (d,)
        w_new = np.sign(v - grad / L) * np.maximum(np.abs(v - grad / L) - l1 / L, 0.0)  # (d,)
        theta_new = (1.0 + np.sqrt(1.0 + 4.0 * theta**2)) / 2.0
        v = w_new + (theta - 1.0) / theta_new * (w_new - w)  # (d,)
        change = np.abs(w_new - w).max()
        w, theta = w_new, theta_new
        if change <= tol * max(1.0, np.abs(w).max()):
            break
    return w, float(y_mean - x_mean @ w)


# --- dropout ----------------------------------------------------------------------------------


def dropout(a, p: float, rng) -> tuple[np.ndarray, np.ndarray]:
    r"""Inverted dropout: zero each activation with probability ``p``, scale the survivors by :math:`1/(1-p)`.

    :math:`\tilde a = m \odot a / (1 - p)` with independent masks
    :math:`m_j \sim \operatorname{Bernoulli}(1 - p)`, so
    :math:`\mathbb E[\tilde a] = a`: at test time the layer is used as it is,
    with no rescaling. (The original formulation scaled the weights by
    :math:`1 - p` at test time instead.)

    Parameters
    ----------
    a : array_like
        Activations, any shape.
    p : float
        Drop probability, in [0, 1).
    rng : numpy.random.Generator or int
        The source of the masks (an int seeds a new ``default_rng``).

    Returns
    -------
    out : ndarray, the dropped-out activations; mask : ndarray of 0.0 and 1.0.

    Shapes
    ------
    a : any S -> out : S, mask : S.
    """
    a = as_float_array(a, "a")
    p = check_scalar(p, "p", low=0.0)
    if p >= 1.0:
        raise ValueError("p must be < 1 (p = 1 drops everything and "
                         f"1/(1 - p) is infinite), got {p}")
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        seed = check_scalar(int(rng), "rng", low=0, integer=True)
        rng = np.random.default_rng(seed)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator or a seed, "
                        f"got {type(rng).__name__}")
    # S: 1 with probability 1 - p
    mask = (rng.random(a.shape) >= p).astype(np.float64)
    return a * mask / (1.0 - p), mask
