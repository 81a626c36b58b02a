"""Self-checks for Chapter 1, Neurons."""

import numpy as np

from .. import data, neuron
from . import number, register, within


@register("neurons.nand", right=(np.array([-1.0, -1.0]), 1.5), wrong=(np.array([1.0, 1.0]), -1.5))
def _nand(w, b):
    X, y = data.logic_gate("NAND")
    out = neuron.neuron(X, w, b, "step")
    wrong = [tuple(int(v) for v in X[i]) for i in np.flatnonzero(out != y)]
    return not wrong, (f"your neuron is wrong on input(s) {wrong}. NAND is 0 only for (1, 1): "
                       "b alone must be >= 0, and w1 + w2 + b must be < 0.")


@register("neurons.distance", right=(2.0,), wrong=(2.5,))
def _distance(d):
    d = float(d)
    return within(d, 2.0, 1e-9), ("the closest point of the line to the origin is -b w / ||w||^2; "
                                 "its length is |b| / ||w||.")


@register("neurons.vectorised", right=(lambda X, w, b: (X @ w + b >= 0).astype(float),),
          wrong=(lambda X, w, b: (X @ w > b).astype(float),))
def _vectorised(fn):
    if not callable(fn):
        raise TypeError(f"expected your function, got {type(fn).__name__}")
    rng = np.random.default_rng(7)
    for n, d in [(1, 2), (5, 3), (50, 7)]:
        X, w, b = rng.normal(size=(n, d)), rng.normal(size=d), float(rng.normal())
        got = np.asarray(fn(X, w, b), dtype=float)
        want = neuron.neuron(X, w, b, "step")
        if got.shape != want.shape:
            return False, f"for X of shape {X.shape} the output should have shape {want.shape}, not {got.shape}."
        if not np.array_equal(got, want):
            return False, "some outputs differ: compute z = X @ w + b, then 1 where z >= 0 and 0 elsewhere."
    return True, ""


#: The smallest scale c at which the sigmoid neuron (c w, c b) of the AND gate is within 0.01 of AND on its
#: four inputs: the inputs nearest the boundary have |z| = 0.5, and sigma(0.5 c) = 0.99 at c = 2 ln 99.
SHARP_SCALE = 2.0 * float(np.log(99.0))


@register("neurons.sharpness", right=(SHARP_SCALE,), wrong=(float(np.log(99.0)),))
def _sharpness(c):
    c = number(c, "c")
    # two decimals of a hand calculation are right; a rounder number such as 9 or 10 is not the smallest c
    if within(c, SHARP_SCALE, 0.005):
        return True, ""
    if within(c, SHARP_SCALE / 2, 0.005):
        return False, ("that c makes sigmoid(c z) = 0.99 for |z| = 1, but the AND inputs nearest the boundary "
                       "have smaller |z|.")
    return False, ("the sigmoid neuron is least sure at the inputs whose z is smallest in size: find them, then "
                   "solve sigmoid(c |z|) = 0.99 for c.")


#: The AND neuron (1, 1, -1.5) in the augmented space (x1, x2, 1): margin 0.5 / ||(1, 1, -1.5)||,
#: inputs of length at most sqrt(3), so Novikoff's bound (R / gamma)^2 is 3 * 4.25 / 0.25 = 51.
NOVIKOFF_AND = 51.0


@register("neurons.novikoff", right=(NOVIKOFF_AND,), wrong=(34.0,))
def _novikoff(bound):
    bound = number(bound, "bound")
    if within(bound, NOVIKOFF_AND, 0.05):
        return True, ""
    if within(bound, 2.0 * 4.25 / 0.25, 0.05):
        return False, "R is the length of the augmented input (x1, x2, 1): the appended 1 counts."
    if within(bound, 3.0 / 0.25, 0.05) or within(bound, 2.0 / 0.25, 0.05):
        return False, "the margin gamma is measured with a unit vector u: divide by the length of (1, 1, -1.5)."
    return False, ("gamma is the smallest value of s u . (x1, x2, 1) over the four inputs, with u the unit vector "
                   "along (1, 1, -1.5) and s = +1 or -1 the label; R is the largest length of (x1, x2, 1).")
