r"""Gradient descent, minibatch SGD, momentum, RMSProp and Adam, and a training loop that notices divergence.

* Gradient descent: :math:`\theta \leftarrow \theta - \eta \nabla C(\theta)`.
* Momentum (heavy ball, in PyTorch's form): :math:`v \leftarrow \beta v + \nabla C`,
  :math:`\theta \leftarrow \theta - \eta v`.
* RMSProp: each coordinate's step divided by the root of a running mean of its
  squared gradients, :math:`s \leftarrow \rho s + (1 - \rho) g^2`,
  :math:`\theta \leftarrow \theta - \eta g / (\sqrt s + \epsilon)`.
* Adam: RMSProp with a running mean of the gradient in place of the gradient,
  both means corrected for their start at zero,
  :math:`\theta \leftarrow \theta - \eta \hat m / (\sqrt{\hat v} + \epsilon)`.
* Minibatch SGD: the same update with the gradient of the cost on a random
  minibatch, an unbiased estimate of the full gradient.

RMSProp and Adam follow PyTorch's ``torch.optim.RMSprop`` (``alpha`` is our
``decay``) and ``torch.optim.Adam``, with :math:`\epsilon` added to the root, so
``tests/test_benchmarks.py`` can compare them step by step.

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
Tieleman and Hinton, "Lecture 6.5, rmsprop", Coursera *Neural Networks for
Machine Learning* (2012); Kingma and Ba, "Adam: a method for stochastic
optimization" (ICLR 2015); Goodfellow, Bengio and Courville, *Deep Learning* (2016), 8.3 and 8.5.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ._validate import MAX_ITERATIONS, MAX_SAMPLES, as_float_array, check_scalar, check_seed

__all__ = ["SGD", "Momentum", "RMSProp", "Adam", "OPTIMIZERS", "minibatches", "train", "History", "minimize", "Path", "DivergenceError",
           "quadratic_rate", "step_decay"]

#: Values beyond this are treated as divergence: well before float64 overflows
#: (1.8e308), and no sensible cost or parameter in this book comes near it.
DIVERGENCE_THRESHOLD = 1e100


class DivergenceError(ArithmeticError):
    """Raised by :func:`train` with ``on_divergence="raise"`` when training diverges."""


def _check_beta(value, name: str) -> float:
    """A momentum coefficient in [0, 1)."""
    beta = check_scalar(value, name, low=0.0, high=1.0)
    if beta == 1.0:
        raise ValueError(f"{name} must be < 1: with {name} = 1 the velocity never forgets "
                         f"and the iterates oscillate forever")
    return beta


def _check_update(params, grads, state, state_name: str = "velocity") -> list:
    """``grads`` ready for an update of ``params`` in place, or an error naming what does not fit.

    ``zip`` would silently drop parameters beyond the shorter list, and
    broadcasting would turn a gradient of the wrong shape into a wrong update.
    A parameter must be a float NumPy array because the update writes into
    it: a Python list would be rebound to a new array that the model never sees.
    """
    if not isinstance(params, (list, tuple)) or not isinstance(grads, (list, tuple)):
        raise TypeError(f"params and grads must be lists of arrays, got {type(params).__name__} "
                        f"and {type(grads).__name__}")
    if len(params) != len(grads):
        raise ValueError(f"params has {len(params)} arrays but grads has {len(grads)}")
    checked = []
    for k, (p, g) in enumerate(zip(params, grads)):
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            raise TypeError(f"params[{k}] must be a float NumPy array, updated in place, "
                            f"got {getattr(p, 'dtype', type(p).__name__)}")
        if not isinstance(g, np.ndarray):
            g = as_float_array(g, f"grads[{k}]", allow_empty=True, finite=False)
        if g.shape != p.shape:
            raise ValueError(f"grads[{k}] has shape {g.shape} but params[{k}] has shape {p.shape}")
        checked.append(g)
    if state is not None and [v.shape for v in state] != [p.shape for p in params]:
        raise ValueError(f"params have shapes {[p.shape for p in params]} but this optimizer's {state_name} was "
                         f"built for {[v.shape for v in state]}: use a new optimizer for a new model")
    return checked


def _checked_step(step):
    """``step`` behind :func:`_check_update`.

    Chapter 5 prints the source of ``Momentum.step`` (``inspect`` follows
    ``__wrapped__`` to it): applied after the definition, the checks stay out
    of the update rule the reader sees.
    """
    @functools.wraps(step)
    def checked(self, params, grads):
        name = getattr(self, "_STATE", "velocity")  # the state kept per parameter, shaped like it
        step(self, params, _check_update(params, grads, getattr(self, name, None), name))
    return checked


class SGD:
    """Plain (stochastic) gradient descent, :math:`\\theta \\leftarrow \\theta - \\eta g`."""

    def __init__(self, lr: float):
        self.lr = check_scalar(lr, "lr", low=0.0, low_open=True)

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update ``params``, a list of float arrays, in place; ``grads`` are shaped like them."""
        for p, g in zip(params, grads):
            p -= self.lr * g

    step = _checked_step(step)

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr})"


class Momentum:
    """Heavy-ball momentum, :math:`v \\leftarrow \\beta v + g,\\ \\theta \\leftarrow \\theta - \\eta v`."""

    def __init__(self, lr: float, beta: float = 0.9):
        self.lr = check_scalar(lr, "lr", low=0.0, low_open=True)
        self.beta = _check_beta(beta, "beta")
        self.velocity: list[np.ndarray] | None = None

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update ``params`` in place."""
        if self.velocity is None:
            self.velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.beta
            v += g
            p -= self.lr * v

    step = _checked_step(step)

    def __repr__(self) -> str:
        return f"Momentum(lr={self.lr}, beta={self.beta})"


def _check_eps(value) -> float:
    """The small constant that keeps a division by a root mean square finite: > 0 and finite."""
    return check_scalar(value, "eps", low=0.0, low_open=True)


class RMSProp:
    r"""RMSProp: each coordinate's step scaled by the root mean square of its recent gradients.

    .. math:: s \leftarrow \rho s + (1 - \rho) g^2, \qquad \theta \leftarrow \theta - \frac{\eta\, g}{\sqrt s + \epsilon}

    elementwise, with :math:`\rho` = ``decay`` and :math:`s` starting at 0.
    PyTorch's ``torch.optim.RMSprop(lr, alpha=decay, eps=eps)`` computes the
    same (its default ``alpha`` is 0.99; Tieleman and Hinton suggested 0.9).
    """

    _STATE = "square_avg"

    def __init__(self, lr: float, decay: float = 0.9, eps: float = 1e-8):
        self.lr = check_scalar(lr, "lr", low=0.0, low_open=True)
        self.decay = _check_beta(decay, "decay")
        self.eps = _check_eps(eps)
        self.square_avg: list[np.ndarray] | None = None

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update ``params`` in place."""
        if self.square_avg is None:
            self.square_avg = [np.zeros_like(p) for p in params]
        for p, g, s in zip(params, grads, self.square_avg):
            s *= self.decay
            s += (1 - self.decay) * g * g
            p -= self.lr * g / (np.sqrt(s) + self.eps)

    step = _checked_step(step)

    def __repr__(self) -> str:
        return f"RMSProp(lr={self.lr}, decay={self.decay}, eps={self.eps})"


class Adam:
    r"""Adam: momentum on the gradient, RMSProp's scaling, and both running means corrected for their start at 0.

    .. math::
        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2,

        \hat m_t = \frac{m_t}{1 - \beta_1^t}, \quad \hat v_t = \frac{v_t}{1 - \beta_2^t}, \quad
        \theta_t = \theta_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}

    elementwise, with :math:`m_0 = v_0 = 0` and ``t`` counting steps from 1.
    The same as ``torch.optim.Adam(lr, betas=(beta1, beta2), eps=eps)``.
    """

    _STATE = "m"

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.lr = check_scalar(lr, "lr", low=0.0, low_open=True)
        self.beta1 = _check_beta(beta1, "beta1")
        self.beta2 = _check_beta(beta2, "beta2")
        self.eps = _check_eps(eps)
        self.m: list[np.ndarray] | None = None
        self.v: list[np.ndarray] | None = None
        self.t = 0

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update ``params`` in place."""
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            # unbiased for a stationary gradient
            m_hat = m / (1 - self.beta1**self.t)
            v_hat = v / (1 - self.beta2**self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    step = _checked_step(step)

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, beta1={self.beta1}, beta2={self.beta2}, eps={self.eps})"


#: The optimisers by the name :func:`minimize` takes (``"momentum"`` with ``momentum=0`` is plain gradient descent).
OPTIMIZERS = {"momentum": Momentum, "rmsprop": RMSProp, "adam": Adam}


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Indices of a shuffled pass over ``n`` samples in batches of ``batch_size`` (the last may be smaller)."""
    n = check_scalar(n, "n", low=1, high=MAX_SAMPLES, integer=True)
    batch_size = check_scalar(batch_size, "batch_size", low=1, high=MAX_SAMPLES, integer=True)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
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


def _bounded(arrays) -> bool:
    """Whether the entries of ``arrays`` are finite and their norm, together, is below DIVERGENCE_THRESHOLD.

    One dot product per array, the cheapest full pass: a NaN or an infinity
    makes the sum of squares NaN or infinite, and an entry beyond the
    threshold makes it exceed the threshold squared. (In float32 the sum of
    squares overflows at a norm of 1.8e19, also far beyond a trained network.)
    """
    total = 0.0
    for a in arrays:
        flat = a.ravel()  # (size,)
        total += float(flat @ flat)
    return total < DIVERGENCE_THRESHOLD**2


def _largest(arrays) -> float:
    """The entry of largest magnitude, or NaN if there is one: what a divergence message reports."""
    if any(np.isnan(a).any() for a in arrays):
        return float("nan")
    return max(float(np.abs(a).max(initial=0.0)) for a in arrays)


def _divergence(value: float, params) -> str:
    """Why training must stop, or "" if nothing has diverged.

    The gradients are not checked on their own: a NaN or infinite gradient
    makes the parameters it updates NaN or infinite, and a huge one makes them
    huge unless the learning rate cancels it, in which case nothing diverged.
    Checking the parameters alone costs half as much.
    """
    if not _finite(value):
        return f"the cost became {value:.3g}"
    if not _bounded(params):
        return f"an entry of the parameters became {_largest(params):.3g}"
    return ""


def train(model, X, Y, optimizer, epochs: int, batch_size: int | None = None, loss: str | None = None,
          l2: float = 0.0, l1: float = 0.0, seed: int = 0, validation=None,
          on_divergence: str = "stop", callback: Callable | None = None) -> History:
    """Train ``model`` (a :class:`~mathcore.network.MLP`) and record the cost after each epoch.

    Parameters
    ----------
    optimizer : SGD, Momentum, RMSProp or Adam
        Anything with a ``step(params, grads)`` method that updates in place.
    epochs : int
        Passes over the data, 1 to ``MAX_ITERATIONS`` (``mathcore._validate``).
    batch_size : int, optional
        ``None`` for full-batch gradient descent; otherwise minibatch SGD with a
        fresh seeded shuffle every epoch.
    seed : int
        Seed of the shuffles, a non-negative integer (see ``mathcore._validate.check_seed``).
    validation : (X_val, Y_val), optional
        Also record the data loss on held-out data after each epoch.
    on_divergence : {"stop", "raise"}
        When the cost, checked after every step, becomes NaN, infinite or
        larger than 1e100, or the parameters, checked after every epoch, hold a
        NaN or an infinity (which a non-finite gradient leaves behind) or reach
        a norm of 1e100 (a bounded cost can hide that): return the history so far
        with ``diverged=True`` and an explanatory ``message`` (the default, so a
        slider can show divergence), or raise :class:`DivergenceError` with that message.
    callback : callable, optional
        Called as ``callback(epoch, history)`` after each epoch.
    """
    if not isinstance(on_divergence, str) or on_divergence not in ("stop", "raise"):
        raise ValueError(f"on_divergence must be 'stop' or 'raise', got {on_divergence!r}")
    epochs = check_scalar(epochs, "epochs", low=1, high=MAX_ITERATIONS, integer=True)
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must have a step(params, grads) method, as SGD and Momentum do, "
                        f"got {type(optimizer).__name__}")
    # checked before the first epoch: a bad callback found after it would leave the model half trained
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable as callback(epoch, history), got {type(callback).__name__}")
    seed = check_seed(seed)
    from .network import MLP  # network imports this module

    if not isinstance(model, MLP):
        raise TypeError(f"model must be a mathcore.network.MLP, got {type(model).__name__}")
    X = model._check_X(X)
    lossfn = model._resolve_loss(loss)
    Y = model._check_Y(Y, X.shape[0], lossfn)
    if batch_size is not None:
        batch_size = check_scalar(batch_size, "batch_size", low=1, high=MAX_SAMPLES, integer=True)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            shape = f" of shape {validation.shape}" if isinstance(validation, np.ndarray) else ""
            raise TypeError(f"validation must be a pair (X_val, Y_val), got {type(validation).__name__}{shape}")
        Xv = model._check_X(validation[0], "validation[0]")
        Yv = model._check_Y(validation[1], Xv.shape[0], lossfn, "validation[1]", "validation[0]")
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
            # A bounded cost (mse of a sigmoid output) stays finite while the parameters run off to 1e300,
            # so the parameters are checked too: once per epoch, which keeps steps fast.
            reason = _divergence(value, model.params)
            if not reason:
                value = model.loss(X, Y, lossfn.name, l2, l1)
                reason = _divergence(value, ())
        if reason:
            history.diverged = True
            history.message = (f"training diverged in epoch {epoch}: {reason} "
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


def minimize(f: Callable[[np.ndarray], float],
             grad: Callable[[np.ndarray], np.ndarray], x0, lr: float,
             steps: int, momentum: float = 0.0,
             optimizer: str = "momentum") -> Path:
    """Gradient descent (with optional momentum), RMSProp or Adam on a function
    of a vector, recording the path.

    ``optimizer="momentum"`` (the default) is the heavy ball, plain gradient
    descent at ``momentum=0``; ``"rmsprop"`` and ``"adam"`` take the steps of
    :class:`RMSProp` and :class:`Adam` with their default constants.

    Stops early, with ``diverged=True`` and a message, at the first iterate
    whose value is not finite or exceeds 1e100 in magnitude.

    Shapes
    ------
    ``x0``: (d,) -> ``points``: (k, d) with k <= steps + 1.

    Raises
    ------
    TypeError
        If ``f`` or ``grad`` is not callable, ``f`` returns something other
        than a real number, or ``grad`` something other than an array of real
        numbers.
    ValueError
        If ``grad(x)`` is not shaped like ``x`` or not finite, ``steps``
        exceeds ``MAX_ITERATIONS`` (``mathcore._validate``), ``momentum`` is
        outside [0, 1) (or not 0 with another optimizer), ``optimizer`` is not
        a key of :data:`OPTIMIZERS`, or ``x0`` or ``lr`` is invalid.
    """
    x = as_float_array(x0, "x0", ndim=1).copy()  # (d,)
    lr = check_scalar(lr, "lr", low=0.0, low_open=True)
    steps = check_scalar(steps, "steps", low=0, high=MAX_ITERATIONS,
                         integer=True)
    # in [0, 1): at 1 the velocity never decays
    beta = _check_beta(momentum, "momentum")
    v = np.zeros_like(x)  # (d,)
    adaptive = None if optimizer == "momentum" else OPTIMIZERS[optimizer](lr)
    points, values = [x.copy()], [float(f(x))]
    diverged, message = False, ""
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            if adaptive is None:
                v = beta * v + np.asarray(grad(x), dtype=np.float64)
                x = x - lr * v
            else:
                # the optimizer updates in place; points holds the earlier
                # iterates
                x = x.copy()
                adaptive.step([x], [np.asarray(grad(x), dtype=np.float64)])
            fx = float(f(x))
            if not (_finite(fx) and np.all(np.abs(x) < DIVERGENCE_THRESHOLD)):
                diverged = True
                message = (f"diverged at step {k}: the value became "
                           f"{fx:.3g}; the learning rate {lr:g} is too large "
                           "for this function")
                break
            points.append(x.copy())
            values.append(fx)
    return Path(np.array(points), np.array(values), diverged, message)


def _checked_minimize(minimize):
    """:func:`minimize` behind checks of its functions and of the bounds it does not state itself.

    Chapter 5 prints the source of ``minimize`` (``inspect`` follows
    ``__wrapped__`` to it), so the checks live here, outside the algorithm the
    reader studies. ``f`` and ``grad`` are wrapped so that a ``grad`` returning
    None, a scalar, a wrong shape or NaN is reported as a bad gradient, naming
    ``grad``, instead of surfacing as divergence blamed on the learning rate.
    """
    @functools.wraps(minimize)
    def checked(f, grad, x0, lr, steps, momentum=0.0, optimizer="momentum"):
        for name, fn in (("f", f), ("grad", grad)):
            if not callable(fn):
                raise TypeError(f"{name} must be a function of x, got {type(fn).__name__}")
        if not (isinstance(optimizer, str) and optimizer in OPTIMIZERS):
            raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}, got {optimizer!r}")
        # Adam's beta1 is its momentum, fixed at 0.9 here: a momentum given to another rule would be ignored
        if optimizer != "momentum" and not (isinstance(momentum, (int, float)) and momentum == 0):
            raise ValueError(f"momentum applies to optimizer='momentum' only, got momentum={momentum!r} with "
                             f"optimizer={optimizer!r}; use optim.Adam(lr, beta1=...) for another beta1")

        def checked_f(x):
            value = f(x)
            try:
                float(value)
            except (TypeError, ValueError):
                raise TypeError(f"f must return a real number, got {type(value).__name__} {value!r}") from None
            return value

        last = [None, None]  # the latest x and grad(x)

        def checked_grad(x):
            g = grad(x)
            if not (isinstance(g, np.ndarray) and g.dtype == np.float64):  # the common case needs no call
                g = as_float_array(g, "grad(x)", allow_empty=True, finite=False)  # (d,)
            if g.shape != x.shape:
                raise ValueError(f"grad(x) must have the shape of x, {x.shape}, got {g.shape}")
            last[:] = x, g
            return g

        path = minimize(checked_f, checked_grad, x0, lr, steps, momentum, optimizer)
        # A non-finite gradient makes the next iterate non-finite, so minimize stops right after it:
        # checking the last gradient once, here, costs nothing per step.
        if path.diverged and last[1] is not None and not np.isfinite(last[1]).all():
            raise ValueError(f"grad(x) must be finite, got {last[1]} at x = {last[0]}")
        return path

    return checked


minimize = _checked_minimize(minimize)


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
    beta = _check_beta(momentum, "momentum")
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


def step_decay(step: int, lr0: float, drop: float = 0.5,
               every: int = 10) -> float:
    r"""The learning rate at ``step`` (0, 1, 2, ...) of a step-decay schedule.

    .. math:: \eta_t = \eta_0 \, \gamma^{\lfloor t / s \rfloor}

    with :math:`\eta_0` = ``lr0``, :math:`\gamma` = ``drop`` and
    :math:`s` = ``every``: constant for ``every`` steps, then multiplied by
    ``drop``.
    """
    step = check_scalar(step, "step", low=0, integer=True)
    lr0 = check_scalar(lr0, "lr0", low=0.0, low_open=True)
    drop = check_scalar(drop, "drop", low=0.0, high=1.0, low_open=True)
    every = check_scalar(every, "every", low=1, integer=True)
    return lr0 * drop ** (step // every)


#: The most updates :func:`train` can make (MAX_ITERATIONS epochs of MAX_SAMPLES batches of one):
#: the largest step a schedule is asked about.
MAX_STEPS = MAX_ITERATIONS * MAX_SAMPLES


def _bounded_schedule(schedule):
    """``schedule(step, lr0, drop, every)`` behind upper bounds on ``step`` and ``every``.

    Chapter 5 prints the source of :func:`step_decay` (``inspect`` follows
    ``__wrapped__`` to it), so the bounds its own checks leave open live here:
    ``drop ** (step // every)`` of a 400-digit step fails inside Python's float
    conversion, and a 400-digit ``every`` is a typo that would never decay.
    """
    @functools.wraps(schedule)
    def bounded(step, lr0, drop=0.5, every=10):
        for name, value in (("step", step), ("every", every)):
            if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
                check_scalar(value, name, high=MAX_STEPS, integer=True)
        return schedule(step, lr0, drop, every)

    return bounded


step_decay = _bounded_schedule(step_decay)
