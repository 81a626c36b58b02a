"""Self-checks for Chapter 4, Cost functions."""

from __future__ import annotations

import warnings

import numpy as np

from .. import losses
from ..activations import softmax
from . import number, register, within

#: The targets of the constant-prediction exercise.
CONSTANT_TARGETS = np.array([0.5, 1.0, 2.0, 4.0, 9.0])
#: The logits and the true class of the softmax exercise.
SOFTMAX_LOGITS, SOFTMAX_CLASS = np.array([2.0, 0.0, -1.0]), 0


@register("losses.constant-prediction", right=(2.0, 3.3), wrong=(3.3, 2.0))
def _constant(c_mae, c_mse):
    c_mae, c_mse = number(c_mae, "c_mae"), number(c_mse, "c_mse")
    y = CONSTANT_TARGETS
    best_mae = np.abs(y - c_mae).mean() <= np.abs(y - np.median(y)).mean() + 1e-9
    best_mse = within(c_mse, y.mean(), 1e-6)
    if best_mae and best_mse:
        return True, ""
    if not best_mae:
        return False, ("c_mae does not minimise the mean absolute error. The derivative of |y_i - c| in c is "
                       "+1 for every y_i below c and -1 for every y_i above it: where does the sum change sign?")
    return False, ("c_mse does not minimise the mean squared error. Set the derivative of "
                   "(1/n) sum (c - y_i)^2 with respect to c to zero and solve for c.")


def _softmax_answer():
    p = softmax(SOFTMAX_LOGITS)  # (3,)
    y = np.eye(3)[SOFTMAX_CLASS]  # (3,)
    return float(-np.log(p[SOFTMAX_CLASS])), p - y


@register("losses.softmax-gradient", right=_softmax_answer(),
          wrong=(_softmax_answer()[0], -_softmax_answer()[1]))
def _softmax_gradient(loss, grad):
    loss = number(loss, "loss")
    grad = np.asarray(grad, dtype=float)
    if grad.shape != (3,):
        raise ValueError(f"grad must hold one number per logit, shape (3,), got shape {grad.shape}")
    want_loss, want_grad = _softmax_answer()
    # three decimals of a hand calculation are enough
    if not within(loss, want_loss, 1e-3):
        return False, ("the loss is off: it is minus the natural log of the softmax probability of the "
                       "true class, the first one.")
    if not within(grad, want_grad, 1e-3):
        if within(grad, -want_grad, 1e-3):
            return False, "the gradient has the wrong sign: it is p - y, not y - p."
        return False, "the gradient is off: compute p = softmax(z), then subtract the one-hot target y."
    return True, ""


def _naive_bce(z, y):
    p = 1.0 / (1.0 + np.exp(-z))
    return float(np.mean(-y * np.log(p) - (1.0 - y) * np.log(1.0 - p)))


@register("losses.stable-bce",
          right=(lambda z, y: float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))),),
          wrong=(_naive_bce,))
def _stable_bce(fn):
    if not callable(fn):
        raise TypeError(f"expected your function, got {type(fn).__name__}")
    rng = np.random.default_rng(4)
    fused = losses.LOSSES["sigmoid_binary_cross_entropy"]
    cases = [(rng.normal(scale=3.0, size=8), rng.integers(0, 2, size=8).astype(float)),
             (rng.normal(scale=3.0, size=5), rng.uniform(size=5)),
             (np.array([-1000.0, 1000.0, 50.0, -50.0]), np.array([1.0, 0.0, 0.0, 1.0])),
             (np.array([-1000.0, 1000.0]), np.array([0.0, 1.0]))]
    for z, y in cases:
        # a naive answer overflows: keep its warnings out of the learner's notebook
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = float(fn(z.copy(), y.copy()))
        want = fused(z, y)
        if not np.isfinite(got):
            return False, (f"your function returns {got} for logits as large as {np.abs(z).max():g}. Never compute "
                           "sigmoid(z) and then its log: rewrite log(1 + e^-z) so that exp only sees -|z|.")
        # both sides sum a few O(1)..O(1000) terms: agreement to 1e-9 relative separates right from wrong
        if not np.isclose(got, want, rtol=1e-9, atol=1e-12):
            return False, ("your function is finite but gives a different value: check the mean over all "
                           "elements and the signs of y log(sigma(z)) + (1 - y) log(1 - sigma(z)).")
    return True, ""


#: The thresholds delta of the Huber exercise (its targets are CONSTANT_TARGETS).
HUBER_DELTAS = (1.0, 2.0)


def _huber_minimiser(delta: float) -> float:
    # the mean Huber loss is convex in c and its derivative, the mean of clip(c - y, -delta, delta),
    # is non-decreasing: bisect for its zero between the smallest and the largest target
    lo, hi = float(CONSTANT_TARGETS.min()), float(CONSTANT_TARGETS.max())
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if np.sum(np.clip(mid - CONSTANT_TARGETS, -delta, delta)) < 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@register("losses.huber-constant", right=tuple(_huber_minimiser(d) for d in HUBER_DELTAS),
          wrong=(float(np.median(CONSTANT_TARGETS)), float(np.median(CONSTANT_TARGETS))))
def _huber_constant(c_delta1, c_delta2):
    answers = (number(c_delta1, "c_delta1"), number(c_delta2, "c_delta2"))
    for name, c, delta in zip(("c_delta1", "c_delta2"), answers, HUBER_DELTAS):
        want = _huber_minimiser(delta)
        # exact answers are short decimals: three decimals of a hand calculation are enough
        if within(c, want, 1e-3):
            continue
        if within(c, float(CONSTANT_TARGETS.mean()), 1e-3):
            return False, (f"{name} is the mean, the minimiser of the squared error. With δ = {delta:g} the targets "
                           "farther than δ from c pull on it with the constant force δ only, not in proportion to "
                           "their distance.")
        # the derivative there, the mean clipped residual: negative means the loss still falls to the right
        side = "above" if np.sum(np.clip(c - CONSTANT_TARGETS, -delta, delta)) < 0 else "below"
        return False, (f"{name} does not minimise the mean Huber loss with δ = {delta:g}: the minimiser is {side} "
                       "your value. At the minimiser the clipped residuals clip(c − yᵢ, −δ, δ) add up to zero; "
                       "note which targets lie farther than δ from c, then solve for c.")
    return True, ""


#: The counts of the Poisson problem and their inputs (drawn once with rates exp(1 + 0.8 x), seed 3).
POISSON_X = np.array([-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.25])
POISSON_Y = np.array([0.0, 1.0, 1.0, 2.0, 2.0, 5.0, 3.0, 7.0, 6.0, 11.0])


def _poisson_gradient(w: float, b: float) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        rate = np.exp(w * POISSON_X + b)  # (10,)
        return np.array([np.mean((rate - POISSON_Y) * POISSON_X), np.mean(rate - POISSON_Y)])  # (2,)


def _poisson_fit() -> tuple[float, float]:
    # Newton's method on the mean Poisson loss, convex in (w, b): converged to rounding in 8 steps
    w = b = 0.0
    for _ in range(30):
        rate = np.exp(w * POISSON_X + b)  # (10,)
        hessian = np.array([[np.mean(rate * POISSON_X**2), np.mean(rate * POISSON_X)],
                            [np.mean(rate * POISSON_X), np.mean(rate)]])  # (2, 2)
        dw, db = np.linalg.solve(hessian, _poisson_gradient(w, b))
        w, b = w - dw, b - db
    return float(w), float(b)


@register("losses.poisson-fit", right=_poisson_fit(), wrong=(_poisson_fit()[0], 1.0))
def _poisson(w, b):
    w, b = number(w, "w"), number(b, "b")
    want_w, want_b = _poisson_fit()
    # three decimals, as the problem asks
    if within(w, want_w, 1e-3) and within(b, want_b, 1e-3):
        return True, ""
    gw, gb = _poisson_gradient(w, b)
    if not np.isfinite(gw) or not np.isfinite(gb):
        return False, "at your (w, b) the rates e^(w x + b) overflow: that is not near the minimum."
    if abs(gb) > 1e-3:
        return False, ("at your (w, b) the mean predicted rate is not the mean count: the derivative of the mean "
                       "loss in b, the mean of λᵢ − yᵢ, is not zero there. Run more steps, or check the sign of "
                       "your update.")
    return False, ("your b makes the mean rate match the mean count, but w is off: the derivative in w, the mean "
                   "of (λᵢ − yᵢ) xᵢ, is not zero there. Run more steps, or check that the gradient multiplies "
                   "by xᵢ.")
