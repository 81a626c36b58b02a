"""Self-checks for the exercises: right or wrong, with a hint, never the answer.

Each exercise that has a computable answer registers a checker under its
label in :data:`CHECKS`. A learner calls ``check(label, answer...)``; an answer
still left as ``...`` reports "not answered yet" instead of raising, so a
student notebook runs top to bottom before anything is filled in.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from . import data, neuron
from ._validate import lookup

__all__ = ["CHECKS", "check", "is_correct", "register"]

#: label -> checker(*answer) returning (correct, hint shown when wrong)
CHECKS: dict[str, Callable[..., tuple[bool, str]]] = {}


def register(label: str):
    """Decorator: register a checker under ``label``."""
    def add(fn):
        if label in CHECKS:
            raise ValueError(f"exercise {label!r} already has a check")
        CHECKS[label] = fn
        return fn
    return add


def is_correct(label: str, *answer) -> bool | None:
    """True or False, or None while any part of ``answer`` is still ``...``."""
    checker = lookup(CHECKS, label, "exercise")
    if not answer or any(a is Ellipsis for a in answer):
        return None
    return checker(*answer)[0]


def check(label: str, *answer) -> None:
    """Print whether ``answer`` is right, with a hint when it is not; never print the answer.

    Returns nothing, so a notebook cell that ends with ``check(...)`` shows only the verdict.
    """
    checker = lookup(CHECKS, label, "exercise")
    if not answer or any(a is Ellipsis for a in answer):
        print(f"{label}: not answered yet. Replace the ... with your answer and run the cell again.")
        return
    try:
        correct, hint = checker(*answer)
    except (TypeError, ValueError) as exc:
        print(f"{label}: ✗ the answer could not be checked: {exc}")
        return
    print(f"{label}: ✓ correct." if correct else f"{label}: ✗ not yet. Hint: {hint}")


# --- Chapter 1 --------------------------------------------------------------------------

@register("neurons.nand")
def _nand(w, b):
    X, y = data.logic_gate("NAND")
    out = neuron.neuron(X, w, b, "step")
    wrong = [tuple(int(v) for v in X[i]) for i in np.flatnonzero(out != y)]
    return not wrong, (f"your neuron is wrong on input(s) {wrong}. NAND is 0 only for (1, 1): "
                       "b alone must be >= 0, and w1 + w2 + b must be < 0.")


@register("neurons.distance")
def _distance(d):
    d = float(d)
    return abs(d - 2.0) < 1e-9, ("the closest point of the line to the origin is -b w / ||w||^2; "
                                 "its length is |b| / ||w||.")


@register("neurons.vectorised")
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
