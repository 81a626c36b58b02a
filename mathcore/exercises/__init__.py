"""Self-checks for the exercises: right or wrong, with a hint, never the answer.

Each exercise that has a computable answer registers a checker under its
label in :data:`CHECKS`, with one right and one wrong example answer that the
tests feed it (so a new check cannot go untested). Checkers live in one module
per chapter, ``chNN_<topic>.py``. A learner calls ``check(label, answer...)``; an answer
still left as ``...`` reports "not answered yet" instead of raising, so a
student notebook runs top to bottom before anything is filled in.
"""

from __future__ import annotations

from typing import Callable

from .._validate import lookup

__all__ = ["CHECKS", "EXAMPLES", "check", "is_correct", "register"]

#: label -> checker(``*answer``) returning (correct, hint shown when wrong)
#:
#: :meta hide-value:
CHECKS: dict[str, Callable[..., tuple[bool, str]]] = {}
#: label -> (a right answer, a wrong answer), each a tuple of arguments, for the tests
#:
#: :meta hide-value:
EXAMPLES: dict[str, tuple[tuple, tuple]] = {}


def register(label: str, right: tuple, wrong: tuple):
    """Decorator: register a checker under ``label`` with a right and a wrong example answer."""
    def add(fn):
        if label in CHECKS:
            raise ValueError(f"exercise {label!r} already has a check")
        CHECKS[label] = fn
        EXAMPLES[label] = (right, wrong)
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


# Importing a chapter's module registers its checks.
from . import (  # noqa: E402, F401
    ch1_neurons, ch2_layers, ch3_activations, ch4_losses, ch5_gradient_descent, ch6_backprop,
    ch7_regularization, ch8_capstone,
)
