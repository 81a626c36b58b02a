"""Self-checks for Chapter 1, Neurons."""

import numpy as np

from .. import data, neuron
from . import register, within


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
