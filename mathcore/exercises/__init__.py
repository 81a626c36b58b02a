"""Self-checks for the exercises: right or wrong, with a hint, never the answer.

Each exercise that has a computable answer registers a checker under its
label in :data:`CHECKS`, with one right and one wrong example answer that the
tests feed it (so a new check cannot go untested). Checkers live in one module
per chapter, ``chNN_<topic>.py``. A learner calls ``check(label, answer...)``; an answer
still left as ``...`` reports "not answered yet" instead of raising, so a
student notebook runs top to bottom before anything is filled in.
"""

from __future__ import annotations

import math
import numbers
from typing import Callable

import numpy as np

from .._validate import as_float_array, check_scalar, lookup, text

__all__ = ["CHECKS", "EXAMPLES", "check", "is_correct", "number", "register", "within"]

#: label -> checker(``*answer``) returning (correct, hint shown when wrong)
#:
#: :meta hide-value:
CHECKS: dict[str, Callable[..., tuple[bool, str]]] = {}
#: label -> (a right answer, a wrong answer), each a tuple of arguments, for the tests
#:
#: :meta hide-value:
EXAMPLES: dict[str, tuple[tuple, tuple]] = {}


def register(label: str, right: tuple, wrong: tuple):
    """Decorator: register a checker under ``label`` with a right and a wrong example answer.

    ``right`` and ``wrong`` are tuples of the checker's arguments; a NaN or an infinity in
    either is refused, since no answer holding one is ever right.
    """
    text(label, "label")
    for name, example in (("right", right), ("wrong", wrong)):
        if not isinstance(example, tuple) or not example:
            raise TypeError(f"{name} must be a non-empty tuple of the checker's arguments, "
                            f"got {type(example).__name__}")
        for i, part in enumerate(example):
            reason = _not_finite(part)
            if reason:
                raise ValueError(f"{name}[{i}] {reason}")

    def add(fn):
        if not callable(fn):
            raise TypeError(f"register({label!r}) decorates a checker function, got {type(fn).__name__}")
        if label in CHECKS:
            raise ValueError(f"exercise {label!r} already has a check")
        CHECKS[label] = fn
        EXAMPLES[label] = (right, wrong)
        return fn
    return add


def number(value, name: str) -> float:
    """``value`` as a float, for a checker whose answer is one real number.

    Parameters
    ----------
    value : int or float
        A part of the learner's answer (a bool is not a number here).
    name : str
        Its name in the exercise, used in the error message.

    Raises
    ------
    TypeError
        When ``value`` is not a real number; :func:`check` reports the message.
    ValueError
        When ``value`` is a NaN, an infinity, or an integer beyond the float range.
    """
    text(name, "name")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    return check_scalar(value, name)


def within(got, want, tol: float) -> bool:
    """True when every entry of ``got`` is finite and at most ``tol`` from ``want``.

    The comparison every checker uses. Written the other way round,
    ``abs(got - want) > tol`` is False for a NaN, which then passes as right.

    Parameters
    ----------
    got : array_like
        The learner's number or array (or what their function returned).
    want : array_like
        The right value, broadcastable to ``got``.
    tol : float
        The largest absolute difference still counted as right.

    Raises
    ------
    TypeError, ValueError
        When ``got`` is not real numbers (a bool is not a number here) or has another shape than
        ``want``, or ``want`` and ``tol`` are not what a checker means (``want`` finite, ``tol`` >= 0).
    """
    got = _real_array(got, "got", finite=False)
    want = _real_array(want, "want", finite=True)
    tol = check_scalar(tol, "tol", low=0.0)
    # broadcasting would compare a scalar answer with every entry of an array, or the reverse
    if got.shape != want.shape:
        raise ValueError(f"got must have the shape of want, {want.shape}, got shape {got.shape}")
    return bool(np.isfinite(got).all() and (np.abs(got - want) <= tol).all())


def _real_array(x, name: str, finite: bool) -> np.ndarray:
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number or an array of them, got bool {x}")
    return as_float_array(x, name, finite=finite)


_NEVER = "and a NaN or an infinity is never a right answer"


def _not_finite(value) -> str | None:
    """Why ``value`` (a number, an array, or lists and tuples of them) cannot be compared, or None."""
    if isinstance(value, (list, tuple)):
        return next(filter(None, map(_not_finite, value)), None)
    if isinstance(value, np.ndarray) and value.dtype == object:
        return next(filter(None, map(_not_finite, value.flat)), None)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc" and not np.isfinite(value).all():
            return f"holds {value[~np.isfinite(value)][0]}, {_NEVER}"
        return None
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            return None if math.isfinite(value) else f"is {value}, {_NEVER}"
        except OverflowError:
            return "is an integer too large to compare (beyond the float range, about 1.8e308)"
    return None


def _watched(fn, raised: list):
    """``fn``, recording every exception that leaves it in ``raised``."""
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raised.append(exc)
            raise
    return call


def _grade(label: str, answer: tuple) -> tuple[bool | None, str]:
    """(correct, the line :func:`check` prints); correct is None while the answer is still ``...``."""
    text(label, "label")
    checker = lookup(CHECKS, label, "exercise label")
    if not answer or any(a is Ellipsis for a in answer):
        # One short line (at most 80 characters with the longest label): the book's column
        # shows no more.
        return None, f"{label}: not answered yet. Replace ... with your answer."
    for i, part in enumerate(answer):
        reason = _not_finite(part)
        if reason:
            which = "your answer" if len(answer) == 1 else f"answer {i + 1} of {len(answer)}"
            return False, f"{label}: ✗ the answer could not be checked: {which} {reason}."
    raised: list[Exception] = []
    answer = tuple(_watched(a, raised) if callable(a) else a for a in answer)
    try:
        correct, hint = checker(*answer)
    # A learner gets a verdict, never a traceback: a checker raises on answers it cannot compare.
    except Exception as exc:
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if any(exc is e for e in raised):
            return False, f"{label}: ✗ your function raised {what}"
        reason = str(exc) if isinstance(exc, (TypeError, ValueError)) and str(exc) else what
        return False, f"{label}: ✗ the answer could not be checked: {reason}"
    if correct:
        return True, f"{label}: ✓ correct."
    return False, f"{label}: ✗ not yet. Hint: {hint}"


def is_correct(label: str, *answer) -> bool | None:
    """True or False, or None while any part of ``answer`` is still ``...``.

    An answer that cannot be checked (a NaN, a string where a number belongs, a
    function that raises) is False.
    """
    return _grade(label, answer)[0]


def check(label: str, *answer) -> None:
    """Print whether ``answer`` is right, with a hint when it is not; never print the answer.

    An answer that cannot be checked gets a verdict saying why, and a function
    that raises gets one naming the exception, instead of a traceback.
    Returns nothing, so a notebook cell that ends with ``check(...)`` shows only the verdict.
    """
    print(_grade(label, answer)[1])


# Importing a chapter's module registers its checks.
from . import (  # noqa: E402, F401
    ch1_neurons, ch2_layers, ch3_activations, ch4_losses, ch5_gradient_descent, ch6_backprop,
    ch7_regularization, ch8_capstone,
)
