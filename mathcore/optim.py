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

References: Polyak, "Some methods of speeding up the convergence of iteration
methods" (1964); Robbins and Monro, "A stochastic approximation method" (1951);
Goodfellow, Bengio and Courville, *Deep Learning* (2016), 8.3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ._validate import as_float_array, check_scalar

__all__ = ["SGD", "Momentum", "minibatches", "train", "History", "minimize", "Path", "DivergenceError"]

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
    """Train ``model`` (a :class:`mathcore.MLP`) and record the cost after each epoch.

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
