"""The autograder: right and wrong answers, hidden tests, and every hostile or broken submission.

Chapter 4 (losses) is graded: the cheapest chapter to run (about 6 s), with a
number answer, a number-and-list answer, a function answer, and two answers of two
numbers each (the second that of a problem). One module-scoped
fixture builds the submissions folder and grades it twice (the second run must
give the same bytes); the tests read its results.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from mathcore import grade as g
from mathcore.assign import solution_lines, student_version

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "04_losses.ipynb"
LABELS = ["losses.constant-prediction", "losses.softmax-gradient", "losses.stable-bce", "losses.huber-constant",
          "losses.poisson-fit"]
# Short limits: a cell of this chapter takes at most about 2 s (its imports) on a loaded 2-core machine.
OPTIONS = dict(cell_timeout=10, notebook_timeout=120, memory_mb=1536, jobs=2)

# Each hostile submission is the chapter's title, its imports and its exercises (a student may
# delete cells): a third of the full chapter's running time, with every check cell in place.
CHEAT_BCE = '''\
from mathcore.exercises import CHECKS
from mathcore.losses import LOSSES
seen = {}

def _spy(z, y):  # run the public self-check once, recording its inputs and the right outputs
    seen[z.tobytes(), y.tobytes()] = LOSSES["sigmoid_binary_cross_entropy"](z, y)
    return seen[z.tobytes(), y.tobytes()]

CHECKS["losses.stable-bce"](_spy)

def my_bce(z, y):  # right on exactly the self-check's inputs, a lookup table
    return seen.get((np.asarray(z, float).tobytes(), np.asarray(y, float).tobytes()), 0.0)

check("losses.stable-bce", my_bce)
'''
PATCHES = '''\
import json
import mathcore.exercises as ex

def check(label, *answer):
    print(f"{label}: ✓ correct.")

ex.check = check
for k in list(ex.CHECKS):
    ex.CHECKS[k] = lambda *a: (True, "")
np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: True
np.mean = lambda *a, **k: 0.0
'''
WRONG_ANSWERS = {
    "losses.constant-prediction": "c_mae, c_mse = 1.0, 1.0\ncheck(\"losses.constant-prediction\", c_mae, c_mse)",
    "losses.softmax-gradient": "loss_value, gradient = 1.0, [0.0, 0.0, 0.0]\n"
                               "check(\"losses.softmax-gradient\", loss_value, gradient)",
    "losses.stable-bce": "my_bce = lambda z, y: 0.0\ncheck(\"losses.stable-bce\", my_bce)",
    "losses.huber-constant": "c_delta1, c_delta2 = 3.3, 3.3\ncheck(\"losses.huber-constant\", c_delta1, c_delta2)",
    "losses.poisson-fit": "w_fit, b_fit = 0.0, 0.0\ncheck(\"losses.poisson-fit\", w_fit, b_fit)",
}


def _short(nb):
    """Title, set-up and imports (the cell Thebe runs first), and everything from the exercises on."""
    imports = next(i for i, c in enumerate(nb.cells) if "thebe-init" in c.metadata.get("tags", []))
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Exercises"))
    short = nbformat.from_dict(nb)
    short.cells = [*nb.cells[:imports + 1], *nb.cells[first:]]
    return short


def _after(nb, label, source):
    """``nb`` with a code cell holding ``source`` after the last check cell of ``label``."""
    nb = nbformat.from_dict(nb)
    last = max(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and f'check("{label}"' in c.source)
    nb.cells.insert(last + 1, nbformat.v4.new_code_cell(source))
    return nb


def _at(nb, index, source):
    nb = nbformat.from_dict(nb)
    nb.cells.insert(index, nbformat.v4.new_code_cell(source))
    return nb


def _edit(nb, needle, old, new):
    nb = nbformat.from_dict(nb)
    cell = next(c for c in nb.cells if c.cell_type == "code" and needle in c.source and "solution" in c.metadata.get("tags", []))
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    return nb


def build(subs: Path, out: Path) -> None:
    """The submissions folder: one notebook per case, named after what it does."""
    full = nbformat.read(CHAPTER, as_version=4)
    short = _short(full)
    # where a case's own code goes: right after the imports, before any exercise
    start = next(i for i, c in enumerate(short.cells) if "thebe-init" in c.metadata.get("tags", [])) + 1
    vandal = f'''\
import glob, os, pathlib
for f in glob.glob(os.path.join({str(subs)!r}, "*")):
    os.remove(f)  # every other submission, and this one
for f in glob.glob("*"):
    os.remove(f)
out = pathlib.Path({str(out)!r})
(out / "feedback").mkdir(parents=True, exist_ok=True)
(out / "gradebook.csv").write_text("student,total,status\\na_vandal,3,graded\\n")
(out / "feedback" / "instructor.md").write_text("forged")
(out / "feedback" / "zz_forged.md").write_text("forged")
print("MATHCORE-GRADE-" + "0" * 32 + ':{{"status": "ok", "parts": []}}')  # a forged reply
import subprocess, sys  # a process in a session of its own, outside the kernel's process group
daemon = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
pathlib.Path({str(subs.parent / "daemon.pid")!r}).write_text(str(daemon.pid))
'''
    cases = {
        "instructor": full,
        "unanswered": student_version(full),
        "one_wrong": _edit(short, "softmax-gradient", 'check("losses.softmax-gradient"',
                           'gradient = -gradient\ncheck("losses.softmax-gradient"'),
        "hidden_wrong": _edit(short, "def my_bce", 'check("losses.stable-bce", my_bce)', CHEAT_BCE),
        "timeout": _after(short, "losses.constant-prediction", "while True:\n    pass"),
        "raises": _at(short, start, 'raise RuntimeError("a bug in the first cell")'),
        "exits": _after(_at(short, start, "import sys\nsys.exit()"), "losses.softmax-gradient",
                        "import os\nos._exit(0)"),
        "memory": _at(short, start, "blocks = []\nwhile True:\n    blocks.append(bytearray(2**26))"),
        "a_vandal": _at(student_version(short), start, vandal),
        "patcher": _at(student_version(short), start, PATCHES),
        "huge_print": _at(short, start, 'print("x" * 20_000_000)'),
        "other_chapter": nbformat.read(ROOT / "book" / "01_neurons.ipynb", as_version=4),
    }
    patched = cases["patcher"]
    for cell in patched.cells:
        for label, answer in WRONG_ANSWERS.items():
            if cell.cell_type == "code" and f'check("{label}"' in cell.source:
                cell.source = answer
    subs.mkdir(parents=True, exist_ok=True)
    for name, nb in cases.items():
        nbformat.write(nb, subs / f"{name}.ipynb")
    (subs / "invalid_json.ipynb").write_text('{"cells": [', encoding="utf-8")
    (subs / "empty.ipynb").write_bytes(b"")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("grade")
    key = g.read_key(g.make_key(root / "grading.key"))
    subs, out = root / "submissions", root / "out"
    runs = []
    for _ in range(2):  # the vandal deletes the submissions: build them again for the rerun
        build(subs, out)
        start = time.perf_counter()
        text = g.grade("04_losses", subs, out, key=key, **OPTIONS)
        runs.append(((out / "gradebook.csv").read_bytes(), time.perf_counter() - start))
        assert text.encode() == runs[-1][0]
    feedback = {p.stem: p.read_text() for p in (out / "feedback").iterdir()}
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(runs[0][0].decode()))}
    print(f"graded {len(rows)} submissions in {runs[0][1]:.1f} s and {runs[1][1]:.1f} s")
    print(runs[0][0].decode())
    return rows, feedback, runs, out


EXPECTED = {  # name: (scores of the five exercises, in LABELS order, status)
    "instructor": ((1, 1, 1, 1, 1), "graded"),
    "unanswered": ((0, 0, 0, 0, 0), "graded"),
    "one_wrong": ((1, 0, 1, 1, 1), "graded"),
    "hidden_wrong": ((1, 1, 0, 1, 1), "graded"),
    "timeout": ((1, 0, 0, 0, 0), "timeout"),  # stuck after the first exercise: the rest never run
    "raises": ((1, 1, 1, 1, 1), "error"),
    "exits": ((1, 1, 0, 0, 0), "error"),  # the kernel dies after the second exercise
    "memory": ((1, 1, 1, 1, 1), "error"),
    "a_vandal": ((0, 0, 0, 0, 0), "graded"),
    "patcher": ((0, 0, 0, 0, 0), "graded"),
    "huge_print": ((1, 1, 1, 1, 1), "graded"),
    "other_chapter": ((0, 0, 0, 0, 0), "wrong chapter"),
    "invalid_json": ((0, 0, 0, 0, 0), "not a notebook"),
    "empty": ((0, 0, 0, 0, 0), "not a notebook"),
}


def test_every_score_and_status(graded):
    rows, _, _, _ = graded
    assert sorted(rows) == sorted(EXPECTED)
    for name, (scores, status) in EXPECTED.items():
        row = rows[name]
        assert tuple(int(row[label]) for label in LABELS) == scores, name
        assert int(row["total"]) == sum(scores), name
        assert row["status"] == status, name


def test_gradebook_layout_and_rerun(graded):
    rows, _, runs, _ = graded
    first, second = runs[0][0], runs[1][0]
    assert first == second  # byte for byte
    lines = first.decode().splitlines()
    assert lines[0] == "student," + ",".join(LABELS) + ",total,status"
    assert [line.split(",")[0] for line in lines[1:]] == sorted(EXPECTED)


def test_feedback_says_what_passed_and_hints(graded):
    _, feedback, _, out = graded
    assert sorted(feedback) == sorted(EXPECTED)  # the vandal's forged files are gone
    assert not any(p.name.startswith(".grade-") for p in out.iterdir())
    assert "Score: 5 of 5" in feedback["instructor"] and feedback["instructor"].count("✓ correct.") == 5
    assert "forged" not in feedback["instructor"]
    assert feedback["unanswered"].count("not answered yet") == 5
    assert "the gradient has the wrong sign" in feedback["one_wrong"]
    assert "hidden tests" in feedback["hidden_wrong"]
    assert "ran past the time limit" in feedback["timeout"]
    assert "raised RuntimeError" in feedback["raises"]
    assert "raised SystemExit" in feedback["exits"] and "kernel died" in feedback["exits"]
    assert "MemoryError" in feedback["memory"]
    assert "not the chapter" in feedback["other_chapter"]
    assert "empty" in feedback["empty"]
    for hint in ("c_mae does not minimise", "the loss is off", "your function is finite but gives a different value",
                 "c_delta1 is the mean", "the mean predicted rate is not the mean count"):
        assert hint in feedback["patcher"]


def test_feedback_never_holds_an_answer(graded):
    _, feedback, _, _ = graded
    secret = solution_lines(nbformat.read(CHAPTER, as_version=4))
    # the right numbers, as a student would write them: 2 and 3.3, the loss 0.1698, p - y; the Huber
    # minimiser 2.375 for delta = 2; the Poisson fit w = 1.252, b = 0.803
    numbers = ["3.3", "0.169", "0.170", "-0.15", "0.844", "0.114", "0.042", "2.375", "1.252", "0.803"]
    for name, text in feedback.items():
        assert not [line for line in secret if line in text], name
        assert not [n for n in numbers if n in text], name


def test_the_grader_read_nothing_a_kernel_wrote(graded):
    _, _, _, out = graded
    pid = int((out.parent / "daemon.pid").read_text())
    with pytest.raises(ProcessLookupError):  # killed with the kernel, though it left its session
        for _ in range(50):
            os.kill(pid, 0)
            time.sleep(0.1)
    assert sorted(p.name for p in out.iterdir()) == ["feedback", "gradebook.csv"]
    assert b"a_vandal,0,0,0,0,0,0,graded" in (out / "gradebook.csv").read_bytes()


def test_memory_limit_reaches_the_kernel(tmp_path):
    """The wrapper sets RLIMIT_AS in the kernel process: it reports the limit it runs under."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Cost functions"),
                nbformat.v4.new_code_cell("import resource\nlimit = resource.getrlimit(resource.RLIMIT_AS)[0]\n"
                                          "from mathcore.exercises import check\n"
                                          "check('losses.constant-prediction', 2.0, 3.3 if limit == 1234 * 2**20 else 0)")]
    exercises = g._exercises(LABELS, None)
    status, note, captured = g._run(nb, exercises, g._Options(30, 60, 1234))
    assert status == "graded", note
    assert g._score(LABELS[0], exercises[LABELS[0]], captured[LABELS[0]], "")[0] == 1


def test_refuses_out_inside_submissions(tmp_path):
    (tmp_path / "subs").mkdir()
    with pytest.raises(g.GradeError, match="inside the submissions folder"):
        g.grade("04_losses", tmp_path / "subs", tmp_path / "subs" / "out")
    with pytest.raises(g.GradeError, match="inside the submissions folder"):
        g.grade("04_losses", tmp_path / "subs", tmp_path)
    assert list((tmp_path / "subs").iterdir()) == []


def test_refuses_where_no_kernel_can_start(tmp_path, monkeypatch):
    """In the browser kernel (Pyodide) grading would fail on the first submission: say why at once."""
    (tmp_path / "subs").mkdir()
    monkeypatch.setattr(sys, "platform", "emscripten")
    with pytest.raises(g.GradeError, match=r"this Python \(emscripten\) cannot start processes"):
        g.grade("04_losses", tmp_path / "subs", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_make_key_and_errors(tmp_path, capsys):
    assert g.main(["--make-key", str(tmp_path / "k")]) == 0
    assert oct(os.stat(tmp_path / "k").st_mode & 0o777) == "0o600"
    assert len(g.read_key(tmp_path / "k")) == 32
    assert g.main(["--make-key", str(tmp_path / "k")]) == 2  # never overwritten
    (tmp_path / "subs").mkdir()
    assert g.main(["no_such_chapter", str(tmp_path / "subs"), "--out", str(tmp_path / "o")]) == 2
    (tmp_path / "bad").write_text("not a key")
    assert g.main(["04_losses", str(tmp_path / "subs"), "--out", str(tmp_path / "o"), "--key", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert "refusing to overwrite" in err and "no such notebook" in err and "not a key" in err


def test_an_empty_folder_gives_a_header_only(tmp_path):
    (tmp_path / "subs").mkdir()
    text = g.grade("04_losses", tmp_path / "subs", tmp_path / "out")
    assert text == "student," + ",".join(LABELS) + ",total,status\n"


@pytest.mark.parametrize("label", sorted(g.HIDDEN))
def test_hidden_tests_pass_the_right_function_and_fail_the_wrong_one(label):
    from mathcore.exercises import EXAMPLES

    right, wrong = (EXAMPLES[label][k][0] for k in (0, 1))
    test = g.HIDDEN[label]
    key = bytes(range(32))
    assert len(test.make(g._hidden_rng(key, label))) >= 2

    def results(fn):
        out = []
        for args in test.make(g._hidden_rng(key, label)):
            with np.errstate(all="ignore"):
                try:
                    out.append((args, fn(*args)))
                except Exception:
                    out.append((args, None))
        return out

    assert all(test.judge(a, r) for a, r in results(right)), label
    assert not all(test.judge(a, r) if r is not None else False for a, r in results(wrong)), label


def test_hidden_inputs_depend_on_the_key():
    label = "losses.stable-bce"
    one = g.HIDDEN[label].make(g._hidden_rng(b"a" * 32, label))
    two = g.HIDDEN[label].make(g._hidden_rng(b"b" * 32, label))
    again = g.HIDDEN[label].make(g._hidden_rng(b"a" * 32, label))
    assert all(np.array_equal(x[0], y[0]) for x, y in zip(one, again))
    assert not all(x[0].shape == y[0].shape and np.array_equal(x[0], y[0]) for x, y in zip(one, two))


def test_arguments_are_validated():
    with pytest.raises(TypeError, match="chapter"):
        g.grade(None, "a", "b")
    with pytest.raises(TypeError, match="key"):
        g.grade("04_losses", "a", "b", key="secret")
    with pytest.raises(ValueError, match="cell_timeout"):
        g.grade("04_losses", "a", "b", cell_timeout=float("nan"))
    with pytest.raises(ValueError, match="jobs"):
        g.grade("04_losses", "a", "b", jobs=0)
    with pytest.raises(TypeError, match="nb"):
        g.exercise_labels([1, 2])
    with pytest.raises(TypeError, match="path"):
        g.make_key(3)
    assert g.exercise_labels(nbformat.read(CHAPTER, as_version=4)) == LABELS


@pytest.mark.parametrize("label", sorted(__import__("mathcore.exercises", fromlist=["CHECKS"]).CHECKS))
def test_every_exercise_survives_the_round_trip(label):
    """The capture code, run here on each exercise's right and wrong example: right scores 1, wrong 0.

    The same code the grader sends into a kernel (the codec, a function answer called on the
    self-check's and the hidden inputs), then the grader's scoring, for every chapter's exercises.
    """
    import contextlib

    from mathcore.exercises import EXAMPLES

    exercise = g._exercises([label], bytes(range(32)))[label]
    for example, want in zip(EXAMPLES[label], (1, 0)):
        namespace = {f"answer_{i}": part for i, part in enumerate(example)}
        expr = "(" + "".join(f"answer_{i}, " for i in range(len(example))) + ")"
        out = io.StringIO()
        with contextlib.redirect_stdout(out), np.errstate(all="ignore"):
            exec(g._capture_source(exercise, expr, "NONCE:"), namespace)  # noqa: S102
        assert set(namespace) == {*(f"answer_{i}" for i in range(len(example))), "__builtins__"}  # nothing left
        score, line = g._score(label, exercise, g._parse_reply(out.getvalue(), "NONCE:"), "")
        assert score == want, (label, line)


# --- kernels under an account of their own (--user) ------------------------------------------


def _nobody_or_skip():
    """The account 'nobody', when this process may start kernels as it and it can run this Python."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("only root can start kernels as another account")
    try:
        return g._account("nobody")
    except g.GradeError as exc:  # e.g. a pyenv Python under /root, which no other account can run
        pytest.skip(str(exc))


def test_a_kernel_under_another_account_reads_none_of_the_graders_files(tmp_path):
    account = _nobody_or_skip()
    secret = tmp_path / "secret.txt"
    secret.write_text("the grader's")
    secret.chmod(0o600)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Cost functions"),
                nbformat.v4.new_code_cell(
                    "import os\nfrom mathcore.exercises import check\n"
                    f"try:\n    open({str(secret)!r}).read()\n    refused = False\n"
                    "except PermissionError:\n    refused = True\n"
                    f"check('losses.constant-prediction', 2.0, 3.3 if refused and os.getuid() == {account[1]} else 0)")]
    exercises = g._exercises(LABELS, None)
    status, note, captured = g._run(nb, exercises, g._Options(30, 60, 1536, account))
    assert status == "graded", note
    assert g._score(LABELS[0], exercises[LABELS[0]], captured[LABELS[0]], "")[0] == 1
    assert secret.read_text() == "the grader's"


@pytest.mark.parametrize("user, error, match", [
    (5, TypeError, "user must be None or an account's name"),
    ("", TypeError, "user must be None or an account's name"),
    ("no-such-account-here", g.GradeError, "no such account"),
    ("root", g.GradeError, "is root"),
])
def test_user_is_refused_by_name(tmp_path, user, error, match):
    (tmp_path / "subs").mkdir()
    with pytest.raises(error, match=match):
        g.grade("04_losses", tmp_path / "subs", tmp_path / "out", user=user)
    assert not (tmp_path / "out").exists()


def test_user_needs_root(tmp_path, monkeypatch):
    (tmp_path / "subs").mkdir()
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(g.GradeError, match="only root"):
        g.grade("04_losses", tmp_path / "subs", tmp_path / "out", user="nobody")
