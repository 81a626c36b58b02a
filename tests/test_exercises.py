"""Self-checks say right or wrong without revealing the answer, and tolerate unanswered exercises."""

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
    assert "not answered yet" in capsys.readouterr().out
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
    with pytest.raises(ValueError, match="unknown exercise 'nope'; known:"):
        check("nope", 1)


def test_duplicate_registration():
    with pytest.raises(ValueError, match="already has a check"):
        exercises.register("neurons.nand", (), ())(lambda: (True, ""))
