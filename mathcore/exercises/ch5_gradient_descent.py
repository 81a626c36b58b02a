"""Self-checks for Chapter 5, Gradient descent."""

from __future__ import annotations

import numpy as np

from .. import optim
from . import number, register, within

#: The Hessian of the largest-stable-learning-rate exercise (eigenvalues 2 and 4).
HESSIAN = np.array([[3.0, 1.0], [1.0, 3.0]])
#: The momentum exercise: C(w) = 2 w^2, w0 = 1, v0 = 0, eta = 0.1, beta = 0.9.
MOMENTUM_SETUP = dict(curvature=4.0, w0=1.0, lr=0.1, beta=0.9)


@register("gd.largest-stable-lr", right=(0.5, 0.5), wrong=(1.0, 0.5))
def _largest_stable(eta_max, rate):
    eta_max, rate = number(eta_max, "eta_max"), number(rate, "rate")
    lam = np.linalg.eigvalsh(HESSIAN)  # (2,)
    # a hand calculation gives these exactly; 1e-6 allows for a decimal written out
    if not within(eta_max, 2 / lam.max(), 1e-6):
        if within(eta_max, 2 / lam.min(), 1e-6):
            return False, ("that learning rate is stable for the flattest direction only: the steepest "
                           "direction (the largest eigenvalue) sets the limit.")
        if within(eta_max, 2 / np.trace(HESSIAN), 1e-6) or within(eta_max, 2 / HESSIAN.max(), 1e-6):
            return False, "use the eigenvalues of H, not its diagonal entries: they are the curvatures."
        return False, "find the eigenvalues of H; the iteration is stable when |1 - eta lambda| < 1 for each."
    if not within(rate, optim.quadratic_rate(0.25, lam), 1e-6):
        return False, ("the rate is off: it is the largest |1 - eta lambda| over both eigenvalues, "
                       "at eta = 0.25.")
    return True, ""


def _momentum_answer() -> tuple[float, float]:
    s = MOMENTUM_SETUP
    w, v = s["w0"], 0.0
    out = []
    for _ in range(2):
        v = s["beta"] * v + s["curvature"] * w
        w = w - s["lr"] * v
        out.append(w)
    return tuple(out)


@register("gd.momentum-steps", right=_momentum_answer(), wrong=(0.6, 0.36))
def _momentum_steps(w1, w2):
    w1, w2 = number(w1, "w1"), number(w2, "w2")
    want1, want2 = _momentum_answer()
    if not within(w1, want1, 1e-6):
        return False, ("the first step is plain gradient descent: the velocity starts at 0, so v1 is the "
                       "gradient C'(w0) = 4 w0.")
    if not within(w2, want2, 1e-6):
        if within(w2, want1 - MOMENTUM_SETUP["lr"] * MOMENTUM_SETUP["curvature"] * want1, 1e-6):
            return False, "the second step forgot the velocity: v2 = beta v1 + C'(w1), not just C'(w1)."
        return False, "compute v2 = beta v1 + C'(w1) first, then w2 = w1 - eta v2."
    return True, ""


@register("gd.step-decay",
          right=(lambda t, lr0, drop, every: lr0 * drop ** (t // every),),
          wrong=(lambda t, lr0, drop, every: lr0 * drop ** (t / every),))
def _step_decay(fn):
    if not callable(fn):
        raise TypeError(f"expected your function, got {type(fn).__name__}")
    cases = [(t, 0.5, 0.5, 10) for t in (0, 1, 9, 10, 11, 19, 20, 35, 99)]
    cases += [(t, 0.1, 0.1, 3) for t in (0, 2, 3, 5, 6, 7)] + [(t, 1.0, 0.9, 1) for t in (0, 1, 2, 50)]
    for t, lr0, drop, every in cases:
        got, want = fn(t, lr0, drop, every), optim.step_decay(t, lr0, drop, every)
        try:
            got = float(got)
        except (TypeError, ValueError):
            return False, f"your function must return a number, got {type(got).__name__}"
        # both sides compute lr0 * drop**k with k whole: equal up to rounding of the power
        if not np.isclose(got, want, rtol=1e-12, atol=0.0):
            if t < every and not np.isclose(got, lr0, rtol=1e-12):
                return False, "before the first drop the learning rate must still be lr0."
            return False, ("the rate must stay constant for `every` steps and then be multiplied by `drop`: "
                           "the exponent is a whole number of periods (floor division).")
    return True, ""


#: The first-steps exercise: one coordinate with gradient 0.02, learning rate 0.01, RMSProp's decay 0.9.
FIRST_STEPS = dict(g=0.02, lr=0.01, decay=0.9, within=0.01)


def _first_steps_answer() -> tuple[float, float, int]:
    s = FIRST_STEPS
    rms = optim.RMSProp(s["lr"], decay=s["decay"])
    w = [np.zeros(1)]
    rms.step(w, [np.array([s["g"]])])
    adam, v = optim.Adam(s["lr"]), [np.zeros(1)]
    adam.step(v, [np.array([s["g"]])])
    # with a constant gradient s_t = (1 - decay^t) g^2: the step is lr / sqrt(1 - decay^t), within 1% from
    t = 1
    while 1 / np.sqrt(1 - s["decay"] ** t) > 1 + s["within"]:
        t += 1
    return float(-w[0][0]), float(-v[0][0]), t


@register("gd.adaptive-first-steps", right=_first_steps_answer(), wrong=(0.01, 0.01, 38))
def _first_steps(rms_step, adam_step, t):
    rms_step, adam_step = number(rms_step, "rms_step"), number(adam_step, "adam_step")
    t = number(t, "t")
    want_rms, want_adam, want_t = _first_steps_answer()
    # eps = 1e-8 changes the steps by 5e-7 of their size: 1e-5 accepts them written as eta / sqrt(1 - rho) and eta
    if not within(rms_step, want_rms, 1e-5):
        if within(rms_step, FIRST_STEPS["lr"], 1e-5):
            return False, ("RMSProp has no bias correction: after one step s is (1 - rho) g^2, not g^2. "
                           "Divide by its root.")
        return False, "after one step s = (1 - rho) g^2 from s = 0; the step is eta g / sqrt(s)."
    if not within(adam_step, want_adam, 1e-5):
        return False, ("work out m-hat and v-hat after one step: the corrections divide by 1 - beta1 and "
                       "1 - beta2.")
    if t != want_t:
        return False, ("with a constant gradient s_t = (1 - rho^t) g^2; find the first whole t at which "
                       "1 / sqrt(1 - rho^t) is at most 1.01.")
    return True, ""


#: The RMSProp-cycle problem: C(w) = lambda w^2 / 2 with lambda = 10 and learning rate 0.05.
CYCLE = dict(curvature=10.0, lr=0.05)


@register("gd.rmsprop-cycle", right=(0.025, 0.003125), wrong=(0.05, 0.0125))
def _rmsprop_cycle(a, cost):
    a, cost = number(a, "a"), number(cost, "cost")
    want = CYCLE["lr"] / 2  # each step has length eta, and it takes a to -a
    if not within(abs(a), want, 1e-3):  # the eps of 1e-8 shifts the cycle by 1e-7 of its size
        if within(abs(a), CYCLE["lr"], 1e-3):
            return False, "a step of length eta takes a to a - eta, and in the cycle that lands on -a."
        return False, "once s has settled, how long is each step? Then ask what takes a to -a."
    if not within(cost, CYCLE["curvature"] * want**2 / 2, 1e-3):
        return False, "the cost at either point of the cycle is C(a) = lambda a^2 / 2."
    return True, ""
