"""Chapter 7, Regularization: self-checks."""

from __future__ import annotations

import warnings

import numpy as np

from . import number, register, within

#: The step of the weight-decay exercise: learning rate, strength, weight, data gradient.
DECAY_ETA, DECAY_LAMBDA, DECAY_W, DECAY_GRAD = 0.1, 0.5, 2.0, 0.4
#: The data of the one-dimensional ridge exercise (model y = w x, no bias).
RIDGE_X, RIDGE_Y, RIDGE_LAMBDA = np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 2.0]), 4.0 / 3.0


def _decay_answer() -> tuple[float, float, int]:
    factor = 1.0 - DECAY_ETA * DECAY_LAMBDA
    steps = int(np.ceil(np.log(0.5) / np.log(factor)))
    return factor, factor * DECAY_W - DECAY_ETA * DECAY_GRAD, steps


@register("regularization.decay-factor", right=_decay_answer(), wrong=(0.95, 1.9, 14))
def _decay(factor, w_new, steps):
    factor, w_new = number(factor, "factor"), number(w_new, "w_new")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"steps must be a whole number, got {type(steps).__name__}")
    want_factor, want_w, want_steps = _decay_answer()
    if not within(factor, want_factor, 1e-9):
        return False, "the factor is off: which number multiplies w when the gradient of (λ/2)w² is λw?"
    if not within(w_new, want_w, 1e-9):
        return False, ("the new weight is off: shrink w by the factor, then take the usual step "
                       "-η ∂C/∂w on top of it.")
    if int(steps) != want_steps:
        return False, ("the number of steps is off: with no data gradient each step multiplies w by the factor; "
                       "find the first k with factorᵏ ≤ 1/2.")
    return True, ""


def _ridge_answer(lam: float) -> float:
    n = RIDGE_X.size
    return float(RIDGE_X @ RIDGE_Y / (RIDGE_X @ RIDGE_X + n * lam / 2))


@register("regularization.ridge-1d", right=(_ridge_answer(0.0), _ridge_answer(RIDGE_LAMBDA)),
          wrong=(_ridge_answer(0.0), float(RIDGE_X @ RIDGE_Y / (RIDGE_X @ RIDGE_X + RIDGE_LAMBDA))))
def _ridge_1d(w_least_squares, w_ridge):
    w0, w1 = number(w_least_squares, "w_least_squares"), number(w_ridge, "w_ridge")
    # exact fractions, 13/14 and 13/16: a hand calculation to 4 decimals passes
    if not within(w0, _ridge_answer(0.0), 1e-4):
        return False, ("w_least_squares is off: with λ = 0, set the derivative of (1/n) Σ (w xᵢ - yᵢ)² to zero; "
                       "it is a ratio of two sums.")
    if not within(w1, _ridge_answer(RIDGE_LAMBDA), 1e-4):
        return False, ("w_ridge is off: the derivative of (λ/2)w² is λw; after multiplying the equation by n/2 "
                       "the penalty adds nλ/2 (not λ) to Σ xᵢ².")
    return True, ""


def _inverted(a, p, rng):
    a = np.asarray(a, dtype=float)
    return a * (rng.random(a.shape) >= p) / (1.0 - p)


@register("regularization.dropout", right=(_inverted,),
          wrong=(lambda a, p, rng: np.asarray(a, dtype=float) * (rng.random(np.shape(a)) >= p),))
def _dropout(fn):
    if not callable(fn):
        raise TypeError(f"expected your function, got {type(fn).__name__}")
    rng = np.random.default_rng(7)
    a = rng.normal(size=(400, 250))  # (400, 250): 100,000 activations
    for p in (0.0, 0.2, 0.5, 0.8):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = np.asarray(fn(a.copy(), p, np.random.default_rng(11)), dtype=float)
        if out.shape != a.shape:
            return False, f"the output must have the shape of a, {a.shape}; got {out.shape}."
        if p == 0.0 and not np.allclose(out, a, rtol=1e-12, atol=0.0):
            return False, "with p = 0 nothing is dropped and the scale 1/(1 - p) is 1: the output must equal a."
        kept = out != 0.0
        if not np.allclose(out[kept], a[kept] / (1.0 - p), rtol=1e-9, atol=0.0):
            if np.allclose(out[kept], a[kept], rtol=1e-12, atol=0.0):
                return False, ("the kept activations are not rescaled: inverted dropout divides them by 1 - p, so "
                               "that the expected output equals a.")
            return False, "each entry must be either 0 (dropped) or a / (1 - p) (kept)."
        dropped = 1.0 - kept.mean()
        # the fraction dropped of 100,000 Bernoulli(p) draws has standard error <= 0.0016: 5 of them is 0.008
        if not within(dropped, p, 0.008):
            return False, (f"with p = {p} you dropped a fraction {dropped:.3f} of the activations: each one must "
                           "be dropped with probability p (not kept with probability p).")
    return True, ""


def _soft(z, lam):
    return np.sign(z) * np.maximum(np.abs(z) - lam, 0.0)


@register("regularization.soft-threshold", right=(_soft,), wrong=(lambda z, lam: np.asarray(z) / (1.0 + lam),))
def _soft_threshold(fn):
    if not callable(fn):
        raise TypeError(f"expected your function, got {type(fn).__name__}")
    z = np.array([-3.0, -1.2, -0.7, -0.3, 0.0, 0.25, 0.5, 0.9, 2.5])  # (9,)
    grid = np.linspace(-4.0, 4.0, 80_001)  # (80001,) step 1e-4
    for lam in (0.0, 0.5, 1.0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = np.asarray(fn(z.copy(), lam), dtype=float)
        if got.shape != z.shape:
            return False, f"your function must return one number per entry of z, shape {z.shape}; got {got.shape}."
        # the true minimiser of (w - z)^2 / 2 + lam |w|, found on a fine grid (to 1e-4)
        objective = 0.5 * (grid[None, :] - z[:, None]) ** 2 + lam * np.abs(grid)[None, :]  # (9, 80001)
        want = grid[np.argmin(objective, axis=1)]  # (9,)
        if not within(got, want, 2e-4):
            i = int(np.argmax(np.abs(got - want)))
            if np.abs(z[i]) <= lam:
                return False, (f"for |z| ≤ λ (here z = {z[i]:g}, λ = {lam:g}) the minimiser is not where you put it: "
                               "compare the one-sided slopes of the objective at w = 0.")
            return False, (f"your value at z = {z[i]:g}, λ = {lam:g} does not minimise ½(w − z)² + λ|w|: solve "
                           "w − z + λ sign(w) = 0 on the side where w has the sign of z.")
    return True, ""


#: The step size, the number of steps and the two curvatures of the early-stopping exercise.
STOP_ETA, STOP_STEPS, STOP_CURVATURES = 0.1, 50, (0.2, 0.01)


def _early_stopping_answer() -> tuple[float, float, float]:
    def kept(h):  # the fraction of the least-squares component that k steps of gradient descent reach
        return 1.0 - (1.0 - STOP_ETA * h) ** STOP_STEPS

    def matching(h):  # the ridge strength with h / (h + lambda) = kept(h)
        return h * (1.0 / kept(h) - 1.0)

    h1, h2 = STOP_CURVATURES
    return kept(h1), matching(h1), matching(h2)


@register("regularization.early-stopping", right=_early_stopping_answer(),
          wrong=(_early_stopping_answer()[0], 1.0 / (STOP_ETA * STOP_STEPS), 1.0 / (STOP_ETA * STOP_STEPS)))
def _early_stopping(fraction, lam_large, lam_small):
    fraction = number(fraction, "fraction")
    lam_large, lam_small = number(lam_large, "lam_large"), number(lam_small, "lam_small")
    want_fraction, want_large, want_small = _early_stopping_answer()
    # four decimals of a calculator are enough; the three values are of order 0.1 to 1
    if not within(fraction, want_fraction, 1e-4):
        if within(fraction, 1.0 - want_fraction, 1e-4):
            return False, ("fraction is what is still missing, not what has been reached: the error along the "
                           "direction shrinks by 1 − ηh each step, so the part reached is 1 minus its k-th power.")
        return False, ("fraction is off: in the eigenbasis each step multiplies the distance to the least-squares "
                       "component by 1 − ηh; after k steps from 0, which fraction of that component is reached?")
    for name, got, want, h in (("lam_large", lam_large, want_large, STOP_CURVATURES[0]),
                               ("lam_small", lam_small, want_small, STOP_CURVATURES[1])):
        if not within(got, want, 1e-4):
            if within(got, 1.0 / (STOP_ETA * STOP_STEPS), 1e-4):
                return False, (f"{name} is the rule of thumb 1/(ηk), not the exact match at h = {h:g}: solve "
                               "h/(h + λ) = (the fraction gradient descent reaches at this h) for λ.")
            return False, (f"{name} is off: ridge keeps the fraction h/(h + λ) of the component at h = {h:g}. Set it "
                           "equal to what gradient descent reaches there and solve for λ.")
    return True, ""


#: The ridge strength at which the effective degrees of freedom problem asks for df.
DOF_LAMBDA, DOF_DEGREE = 1e-3, 12


def _dof_answer(lam: float = DOF_LAMBDA) -> float:
    from .. import data, regularization

    x, _ = data.regression_curve(n=15, noise=0.2, seed=1)  # (15, 1) the chapter's training inputs
    F = regularization.polynomial_features(x, DOF_DEGREE)  # (15, 12)
    s = np.linalg.svd(F - F.mean(axis=0), compute_uv=False)  # (12,) singular values of the centred features
    n = F.shape[0]
    return float(1.0 + np.sum(s**2 / (s**2 + n * lam / 2)))  # the bias's 1, and one shrunk 1 per direction


@register("regularization.ridge-dof", right=(_dof_answer(),), wrong=(_dof_answer(2 * DOF_LAMBDA / 15) - 1.0,))
def _ridge_dof(df):
    df = number(df, "df")
    want = _dof_answer()
    # two decimals, as the problem asks
    if within(df, want, 0.01):
        return True, ""
    if within(df, DOF_DEGREE + 1, 0.01):
        return False, "that is least squares, λ = 0: the penalty shrinks every direction, so df is smaller."
    if within(df, want - 1.0, 0.01):
        return False, "the bias is fitted too, unpenalised: it adds a whole degree of freedom."
    if within(df, _dof_answer(2 * DOF_LAMBDA / 15), 0.01) or within(df, _dof_answer(2 * DOF_LAMBDA / 15) - 1, 0.01):
        return False, ("with the book's conventions (the mean squared error, the penalty λ/2 ‖w‖²) each direction "
                       "keeps sᵢ²/(sᵢ² + nλ/2), not sᵢ²/(sᵢ² + λ).")
    return False, ("df is off: take the singular values sᵢ of the centred features of the degree-12 fit, then add "
                   "1 for the bias to Σ sᵢ²/(sᵢ² + nλ/2).")
