"""Self-checks say right or wrong without revealing the answer, and tolerate unanswered exercises."""

import math

import numpy as np
import pytest

from mathcore import exercises, neuron
from mathcore.exercises import CHECKS, EXAMPLES, check, is_correct

def test_every_check_has_examples():
    assert set(CHECKS) == set(EXAMPLES) and CHECKS


@pytest.mark.parametrize("label", sorted(CHECKS))
def test_right_and_wrong_answers(label, capsys):
    right, wrong = EXAMPLES[label]
    assert is_correct(label, *right) is True
    assert is_correct(label, *wrong) is False
    check(label, *right)
    assert "✓ correct" in capsys.readouterr().out
    check(label, *wrong)
    out = capsys.readouterr().out
    assert "✗ not yet. Hint:" in out


@pytest.mark.parametrize("label", sorted(CHECKS))
def test_unanswered_is_reported_not_raised(label, capsys):
    n_parts = len(EXAMPLES[label][0])
    assert check(label, *([...] * n_parts)) is None
    out = capsys.readouterr().out
    assert "not answered yet" in out
    # every committed notebook prints this line; the book's text column holds 80 characters
    assert max(len(line) for line in out.splitlines()) <= 80
    assert is_correct(label, *([...] * n_parts)) is None


def test_hints_do_not_leak_the_answer(capsys):
    check("neurons.distance", 3.0)
    assert "2" not in capsys.readouterr().out.replace("||^2", "")
    w, b = neuron.LOGIC_GATES["NAND"]
    check("neurons.nand", np.array([1.0, 1.0]), 0.0)
    out = capsys.readouterr().out
    assert "1.5" not in out and str(w) not in out


def test_malformed_answer_is_reported(capsys):
    check("neurons.nand", "one", 2)
    assert "could not be checked" in capsys.readouterr().out
    check("neurons.vectorised", 3)
    assert "could not be checked" in capsys.readouterr().out


def test_unknown_label():
    with pytest.raises(ValueError, match="unknown exercise label 'nope'; known:"):
        check("nope", 1)


def test_duplicate_registration():
    with pytest.raises(ValueError, match="already has a check"):
        exercises.register("neurons.nand", (1.0,), (2.0,))(lambda: (True, ""))


def _returns_nan(*args):
    return math.nan


def _returns_nan_array(*args):
    return np.full(np.shape(args[0]), np.nan)


def _raises(*args):
    return 1 / 0


#: Parts of an answer that can never be right: no check may grade them correct, or raise on them.
BAD_PARTS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "10**400": 10**400, "None": None,
             "a string": "0.5"}
#: Where the answer is a function, also: functions that return NaN or raise.
BAD_FUNCTIONS = {"returns nan": _returns_nan, "returns an array of nan": _returns_nan_array,
                 "raises": _raises}


def _bad_answers():
    for label in sorted(CHECKS):
        right = EXAMPLES[label][0]
        for i, part in enumerate(right):
            bad = dict(BAD_PARTS)
            if isinstance(part, np.ndarray):
                bad["an array of nan"] = np.full(part.shape, np.nan)
            if callable(part):
                bad.update(BAD_FUNCTIONS)
            for name, value in bad.items():
                yield pytest.param(label, (*right[:i], value, *right[i + 1:]), id=f"{label}-{i}-{name}")


@pytest.mark.parametrize("label, answer", list(_bad_answers()))
def test_bad_answers_get_a_verdict(label, answer, capsys):
    assert is_correct(label, *answer) is False
    check(label, *answer)
    out = capsys.readouterr().out
    assert out.startswith(f"{label}: ✗ ") and out.count("\n") == 1


def test_non_finite_answers_cannot_be_checked(capsys):
    check("gd.largest-stable-lr", math.nan, math.nan)
    assert capsys.readouterr().out == ("gd.largest-stable-lr: ✗ the answer could not be checked: answer 1 of 2 is nan, "
                                       "and a NaN or an infinity is never a right answer.\n")
    check("losses.softmax-gradient", 0.1, np.array([0.1, np.inf, 0.2]))
    assert "could not be checked: answer 2 of 2 holds inf," in capsys.readouterr().out


def test_overflow_cannot_be_checked(capsys):
    check("layers.count", math.inf, (32, 64))
    assert "could not be checked: answer 1 of 2 is inf," in capsys.readouterr().out
    check("neurons.distance", 10**400)
    assert "could not be checked: your answer is an integer too large to compare" in capsys.readouterr().out


def test_a_raising_function_is_named(capsys):
    check("capstone.accuracy", _raises)
    assert capsys.readouterr().out == "capstone.accuracy: ✗ your function raised ZeroDivisionError: division by zero\n"


def test_a_bad_return_value_is_not_blamed_on_the_function(capsys):
    check("layers.forward", lambda X, params: "not an array")
    out = capsys.readouterr().out
    assert "could not be checked" in out and "your function raised" not in out


def test_overflow_inside_the_function_still_gets_its_hint(capsys):
    # the logsumexp check turns overflow into floating-point errors and catches them itself
    check("activations.logsumexp", lambda Z: np.log(np.exp(Z).sum(axis=1)))
    assert "✗ not yet. Hint:" in capsys.readouterr().out


# --- an exercise's definition is the author's: malformed, it is refused by name ----------------

@pytest.mark.parametrize("call, exc, name", [
    (lambda: exercises.register(None, (1.0,), (2.0,)), TypeError, "label"),
    (lambda: exercises.register("t.new", [1.0], (2.0,)), TypeError, "right"),
    (lambda: exercises.register("t.new", (1.0,), ()), TypeError, "wrong"),
    (lambda: exercises.register("t.new", (math.nan,), (2.0,)), ValueError, "right"),
    (lambda: exercises.register("t.new", (1.0,), (np.array([1.0, math.inf]),)), ValueError, "wrong"),
    (lambda: exercises.within(1.0, math.nan, 1e-6), ValueError, "want"),
    (lambda: exercises.within(1.0, "1", 1e-6), TypeError, "want"),
    (lambda: exercises.within(1.0, 1.0, -1.0), ValueError, "tol"),
    (lambda: exercises.within(1.0, 1.0, None), TypeError, "tol"),
    (lambda: exercises.within(True, 1.0, 1e-6), TypeError, "got"),
    (lambda: exercises.within(np.ones(3), 1.0, 1e-6), ValueError, "got"),
    (lambda: exercises.within("1", 1.0, 1e-6), TypeError, "got"),
    (lambda: exercises.number(1.0, None), TypeError, "name"),
    (lambda: exercises.number(math.inf, "w"), ValueError, "w"),
    (lambda: exercises.number(10**400, "w"), ValueError, "w"),
    (lambda: check(None, 1.0), TypeError, "label"),
    (lambda: is_correct(3, 1.0), TypeError, "label"),
])
def test_malformed_definitions_are_refused_by_name(call, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        call()


def test_within_still_says_false_for_a_non_finite_answer():
    assert exercises.within(math.nan, 1.0, 1e-6) is False
    assert exercises.within(np.array([1.0, math.inf]), np.array([1.0, 2.0]), 1e-6) is False
