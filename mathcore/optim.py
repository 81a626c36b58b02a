r"""Gradient descent, minibatch SGD and momentum, and a training loop that notices divergence.

* Gradient descent: :math:`\theta \leftarrow \theta - \eta \nabla C(\theta)`.
* Momentum (heavy ball, in PyTorch's form): :math:`v \leftarrow \beta v + \nabla C`,
  :math:`\theta \leftarrow \theta - \eta v`.
* Minibatch SGD: the same update with the gradient of the cost on a random
  minibatch, an unbiased estimate of the full gradient.

When a learning rate is too large the iterates grow geometrically until they
overflow. :func:`train` and :func:`minimize` check every step and stop at the
first non-finite or exploding value, reporting where and why, instead of
carrying NaN forward or flooding the reader with overflow warnings.

On a quadratic with Hessian eigenvalues :math:`\lambda_i`, :func:`quadratic_rate`
gives the factor by which the error shrinks (or grows) per step: gradient
descent is stable exactly when :math:`\eta < 2/\lambda_{\max}`, heavy-ball
momentum when :math:`\eta < 2(1 + \beta)/\lambda_{\max}`.
:func:`step_decay` is the simplest learning-rate schedule.

References: Polyak, "Some methods of speeding up the convergence of iteration
methods" (1964); Robbins and Monro, "A stochastic approximation method" (1951);
Goodfellow, Bengio and Courville, *Deep Learning* (2016), 8.3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ._validate import as_float_array, check_scalar

__all__ = ["SGD", "Momentum", "minibatches", "train", "History", "minimize", "Path", "DivergenceError",
           "quadratic_rate", "step_decay"]

#: Values beyond this are treated as divergence: well before float64 overflows
#: (1.8e308), and no sensible cost or parameter in this book comes near it.
DIVERGENCE_THRESHOLD = 1e100


class DivergenceError(ArithmeticError):
    """Raised by :func:`train` with ``on_divergence="raise"`` when the loss stops being finite."""


class SGD:
    """Plain (stochastic) gradient descent, :math:`\\theta \\leftarrow \\theta - \\eta g`."""

    def __init__(self, lr: float):
        self.lr = check_scalar(lr, "lr", low=0.0, low_open=True)

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update ``params`` in place."""
        for p, g in zip(params, grads):
            p -= self.lr * g

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr})"


class Momentum:
    """Heavy-ball momentum, :math:`v \\leftarrow \\beta v + g,\\ \\theta \\leftarrow \\theta - \\eta v`."""

    def __init__(self, lr: float, beta: float = 0.9):
        self.lr = check_scalar(lr, "lr", low=0.0, low_open=True)
        self.beta = check_scalar(beta, "beta", low=0.0, high=1.0)
        if self.beta == 1.0:
            raise ValueError("beta must be < 1: with beta = 1 the velocity never forgets and the iterates oscillate forever")
        self.velocity: list[np.ndarray] | None = None

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update ``params`` in place."""
        if self.velocity is None:
            self.velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.beta
            v += g
            p -= self.lr * v

    def __repr__(self) -> str:
        return f"Momentum(lr={self.lr}, beta={self.beta})"


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Indices of a shuffled pass over ``n`` samples in batches of ``batch_size`` (the last may be smaller)."""
    n = check_scalar(n, "n", low=1, integer=True)
    batch_size = check_scalar(batch_size, "batch_size", low=1, integer=True)
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


@dataclass
class History:
    """What :func:`train` recorded: the cost after every epoch (and on validation data if given)."""

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    diverged: bool = False
    message: str = ""


def _finite(x: float) -> bool:
    return bool(np.isfinite(x)) and abs(x) < DIVERGENCE_THRESHOLD


def train(model, X, Y, optimizer, epochs: int, batch_size: int | None = None, loss: str | None = None,
          l2: float = 0.0, l1: float = 0.0, seed: int = 0, validation=None,
          on_divergence: str = "stop", callback: Callable | None = None) -> History:
    """Train ``model`` (a :class:`~mathcore.network.MLP`) and record the cost after each epoch.

    Parameters
    ----------
    batch_size : int, optional
        ``None`` for full-batch gradient descent; otherwise minibatch SGD with a
        fresh seeded shuffle every epoch.
    validation : (X_val, Y_val), optional
        Also record the data loss on held-out data after each epoch.
    on_divergence : {"stop", "raise"}
        When the cost becomes NaN, infinite or larger than 1e100: return the
        history so far with ``diverged=True`` and an explanatory ``message``
        (the default, so a slider can show divergence), or raise
        :class:`DivergenceError` with that message.
    callback : callable, optional
        Called as ``callback(epoch, history)`` after each epoch.
    """
    if on_divergence not in ("stop", "raise"):
        raise ValueError(f"on_divergence must be 'stop' or 'raise', got {on_divergence!r}")
    epochs = check_scalar(epochs, "epochs", low=1, integer=True)
    X = model._check_X(X)
    lossfn = model._resolve_loss(loss)
    Y = model._check_Y(Y, X.shape[0], lossfn)
    if batch_size is not None:
        batch_size = check_scalar(batch_size, "batch_size", low=1, integer=True)
    if validation is not None:
        Xv = model._check_X(validation[0])
        Yv = model._check_Y(validation[1], Xv.shape[0], lossfn)
    rng = np.random.default_rng(seed)
    history = History()
    n = X.shape[0]
    for epoch in range(1, epochs + 1):
        batches = [slice(None)] if batch_size is None else minibatches(n, batch_size, rng)
        # Overflow inside a diverging step is expected; it is detected below and reported once.
        with np.errstate(over="ignore", invalid="ignore"):
            for idx in batches:
                value, grads = model.loss_and_gradients(X[idx], Y[idx], lossfn.name, l2, l1)
                if not _finite(value):
                    break
                optimizer.step(model.params, grads)
            value = model.loss(X, Y, lossfn.name, l2, l1) if _finite(value) else value
        if not _finite(value):
            history.diverged = True
            history.message = (f"training diverged in epoch {epoch}: the cost became {value:.3g} "
                               f"(with {optimizer!r}); a smaller learning rate should help")
            if on_divergence == "raise":
                raise DivergenceError(history.message)
            return history
        history.loss.append(value)
        if validation is not None:
            history.val_loss.append(model.loss(Xv, Yv, lossfn.name))
        if callback is not None:
            callback(epoch, history)
    return history


@dataclass
class Path:
    """Iterates of :func:`minimize`: ``points`` (steps+1, d) and ``values`` (steps+1,)."""

    points: np.ndarray
    values: np.ndarray
    diverged: bool = False
    message: str = ""


def minimize(f: Callable[[np.ndarray], float], grad: Callable[[np.ndarray], np.ndarray], x0, lr: float,
             steps: int, momentum: float = 0.0) -> Path:
    """Gradient descent (with optional momentum) on a function of a vector, recording the path.

    Stops early, with ``diverged=True`` and a message, at the first iterate
    whose value is not finite or exceeds 1e100 in magnitude.

    Shapes
    ------
    ``x0``: (d,) -> ``points``: (k, d) with k <= steps + 1.
    """
    x = as_float_array(x0, "x0", ndim=1).copy()  # (d,)
    lr = check_scalar(lr, "lr", low=0.0, low_open=True)
    steps = check_scalar(steps, "steps", low=0, integer=True)
    beta = check_scalar(momentum, "momentum", low=0.0, high=1.0)
    v = np.zeros_like(x)  # (d,)
    points, values = [x.copy()], [float(f(x))]
    diverged, message = False, ""
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            v = beta * v + np.asarray(grad(x), dtype=np.float64)
            x = x - lr * v
            fx = float(f(x))
            if not (_finite(fx) and np.all(np.abs(x) < DIVERGENCE_THRESHOLD)):
                diverged = True
                message = (f"diverged at step {k}: the value became {fx:.3g}; "
                           f"the learning rate {lr:g} is too large for this function")
                break
            points.append(x.copy())
            values.append(fx)
    return Path(np.array(points), np.array(values), diverged, message)


def quadratic_rate(lr: float, curvatures, momentum: float = 0.0) -> float:
    r"""The asymptotic factor per step of gradient descent (with momentum) on a quadratic.

    On :math:`C(\mathbf w) = \tfrac12 \mathbf w^\top H \mathbf w` the iteration
    acts on each eigendirection of :math:`H` (eigenvalue :math:`\lambda`)
    separately. Without momentum the error there is multiplied by
    :math:`1 - \eta\lambda` each step. With momentum (as :func:`minimize` and
    :class:`Momentum` do it, :math:`v \leftarrow \beta v + \lambda w,\ w
    \leftarrow w - \eta v`) the pair :math:`(v, w)` is multiplied by
    :math:`M = \begin{pmatrix}\beta & \lambda \\ -\eta\beta & 1 - \eta\lambda\end{pmatrix}`,
    whose eigenvalues are the roots of :math:`\mu^2 - (1 + \beta - \eta\lambda)\mu + \beta`.
    The rate is the largest modulus of those factors over all eigenvalues:
    the iteration converges exactly when it is below 1.

    Parameters
    ----------
    lr : float
        The learning rate :math:`\eta > 0`.
    curvatures : array_like
        The eigenvalues of the Hessian (any real numbers; a negative one is a
        direction of negative curvature, which no learning rate makes stable).
    momentum : float
        :math:`\beta \in [0, 1)`.

    Returns
    -------
    float
        :math:`\max_i |1 - \eta\lambda_i|` without momentum; the spectral
        radius of :math:`M` over all :math:`\lambda_i` with it.

    Shapes
    ------
    curvatures : (d,) or scalar -> a float.
    """
    lr = check_scalar(lr, "lr", low=0.0, low_open=True)
    beta = check_scalar(momentum, "momentum", low=0.0, high=1.0)
    if beta == 1.0:
        raise ValueError("momentum must be < 1: with momentum = 1 the velocity never forgets")
    lam = as_float_array(curvatures, "curvatures", ndim=(0, 1)).ravel()  # (d,)
    s = 1.0 + beta - lr * lam  # (d,) trace of M
    # Roots of mu^2 - s mu + beta; the one of larger modulus is (s + sign(s) sqrt(s^2 - 4 beta)) / 2, the
    # other beta divided by it. For |s| > 1 it is written as s/2 (1 + sqrt(1 - 4 beta / s^2)), so that no
    # s^2 is formed: that would overflow for a huge lr.
    big = np.empty_like(s)  # (d,)
    small = np.abs(s) <= 1.0
    sign = np.where(s[small] >= 0, 1.0, -1.0)
    big[small] = np.abs((s[small] + sign * np.sqrt((s[small] ** 2 - 4.0 * beta).astype(complex))) / 2.0)
    t = s[~small]
    big[~small] = np.abs(t / 2.0 * (1.0 + np.sqrt((1.0 - 4.0 * beta / t / t).astype(complex))))
    return float(np.max(big))


def step_decay(step: int, lr0: float, drop: float = 0.5, every: int = 10) -> float:
    r"""The learning rate at ``step`` (0, 1, 2, ...) of a step-decay schedule.

    .. math:: \eta_t = \eta_0 \, \gamma^{\lfloor t / s \rfloor}

    with :math:`\eta_0` = ``lr0``, :math:`\gamma` = ``drop`` and :math:`s` = ``every``:
    constant for ``every`` steps, then multiplied by ``drop``.
    """
    step = check_scalar(step, "step", low=0, integer=True)
    lr0 = check_scalar(lr0, "lr0", low=0.0, low_open=True)
    drop = check_scalar(drop, "drop", low=0.0, high=1.0, low_open=True)
    every = check_scalar(every, "every", low=1, integer=True)
    return lr0 * drop ** (step // every)
