"""The nbgrader and Otter-Grader exports, graded by the real tools: the same scores as ours.

``python -m mathcore.assign --format nbgrader`` and ``--format otter`` write the
instructor's source notebook of each tool. Here each tool makes its student version
from it (nbgrader ``generate_assignment``; ``otter assign``), which must hold no
solution and no hidden test; four submissions are made from that student version
(the instructor's answers, one wrong answer, a function that passes the public
self-check but not the hidden inputs, nothing answered) and graded by the tool
(nbgrader ``autograde``; ``otter run``, which runs locally without Docker) and by
``mathcore.grade`` with the same key: the scores must agree exercise by exercise.

The tools live in their own virtual environment, ``.venv-grading`` (``make
.venv-grading``, from ``requirements-grading.txt``), and are run by path; mathcore
reaches them and their kernels through PYTHONPATH. Their kernels start over Unix
sockets (tools/ipc_kernels.py, through a ``sitecustomize`` on that path), as every
kernel of the test suite does.

Two more things are shown here. A submission that replaces ``grade_answer`` in its kernel
gets full marks from both tools, which run the hidden tests in the student's kernel, and
nothing from ours: the weaker threat model the instructors' page describes, as a test.
And every chapter goes through both tools: each chapter's instructor notebook, submitted
through each tool's student version, earns full marks from the tool and from ours, and
its unanswered student version earns nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from mathcore import grade as g
from mathcore.assign import solution_lines

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "04_losses.ipynb"
LABELS = g.exercise_labels(nbformat.read(CHAPTER, as_version=4))
VENV = ROOT / ".venv-grading" / "bin"
ASSIGNMENT = "ps04"
TOOL_TIMEOUT_S = 300  # one tool command; each takes under 30 s on a loaded 2-core machine
OPTIONS = dict(cell_timeout=30, notebook_timeout=120, memory_mb=2048, jobs=2)

# A function right on exactly the self-check's inputs (a lookup table): passes the public
# self-check, fails the hidden inputs (as in tests/test_grade.py).
CHEAT_BCE = '''\
from mathcore.exercises import CHECKS
from mathcore.losses import LOSSES
seen = {}

def _spy(z, y):
    seen[z.tobytes(), y.tobytes()] = LOSSES["sigmoid_binary_cross_entropy"](z, y)
    return seen[z.tobytes(), y.tobytes()]

CHECKS["losses.stable-bce"](_spy)

def my_bce(z, y):
    return seen.get((np.asarray(z, float).tobytes(), np.asarray(y, float).tobytes()), 0.0)
'''

EXPECTED = {  # submission: its score on each exercise of LABELS
    "instructor": tuple(1 for label in LABELS),
    "one_wrong": tuple(int(label != "losses.softmax-gradient") for label in LABELS),
    "hidden_wrong": tuple(int(label != "losses.stable-bce") for label in LABELS),
    "unanswered": tuple(0 for label in LABELS),
}
# Nothing answered, and the hidden tests' judge replaced in the kernel, in the first answer cell.
PATCH = ("import mathcore.grade\n"
         "mathcore.grade.grade_answer = lambda *args, **kwargs: (True, 'patched')\n")
PATCHED = {"ours": EXPECTED["unanswered"], "tools": EXPECTED["instructor"]}

_SITE = '''\
import os
import sys

# Only in the tool's own process (the marker is removed, so its kernels do not inherit it).
if os.environ.pop("MATHCORE_IPC_KERNELS", None):
    sys.path.insert(0, {tools!r})
    from ipc_kernels import use_ipc_kernels
    use_ipc_kernels()
'''


def _env(tmp: Path) -> dict[str, str]:
    site = tmp / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(_SITE.format(tools=str(ROOT / "tools")))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "JUPYTER", "VIRTUAL_ENV"))}
    env.update(PATH=f"{VENV}{os.pathsep}{env.get('PATH', '')}",  # nbgrader runs `alembic` from its venv
               PYTHONPATH=f"{ROOT}{os.pathsep}{site}", MATHCORE_IPC_KERNELS="1", MPLBACKEND="Agg",
               JUPYTER_PLATFORM_DIRS="1", HOME=str(tmp / "home"), OPENBLAS_NUM_THREADS="1")
    return env


def _run(cmd: list, cwd: Path, env: dict) -> str:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TOOL_TIMEOUT_S)
    assert proc.returncode == 0, f"{cmd[:2]} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout + proc.stderr


def _code(cell) -> str:
    return cell.source if cell.cell_type == "code" else ""


def _answer_index(nb, label: str) -> int:
    return next(k for k, c in enumerate(nb.cells) if f'check("{label}"' in _code(c))


def _answers(source, labels=LABELS) -> dict[str, str]:
    """label -> the instructor's answer cell, the tool's solution markers removed (from the nbgrader export)."""
    out = {}
    for label in labels:
        cell = source.cells[_answer_index(source, label)]
        out[label] = "\n".join(line for line in cell.source.splitlines() if "### " not in line)
    return out


def _short(nb):
    """The title, the imports and every cell from the exercises on: a third of the chapter's time."""
    first = next(k for k, c in enumerate(nb.cells)
                 if c.cell_type == "markdown" and "## Exercises" in c.source.splitlines())
    short = nbformat.from_dict(nb)  # a deep copy: each submission edits cells of its own
    short.cells = [*short.cells[:3], *short.cells[first:]]
    return short


def _answered(student, answers: dict[str, str], changes: dict[str, str] = {}):
    """The tool's student version ``student`` with every answer cell given (``changes`` first, then ``answers``)."""
    nb = nbformat.from_dict(student)  # a deep copy: each submission edits cells of its own
    for label in answers:
        nb.cells[_answer_index(nb, label)].source = changes.get(label, answers[label])
    return nb


def _submissions(student, answers: dict[str, str]) -> dict[str, object]:
    """Each case of EXPECTED, and the patched one, made from the tool's student version ``student``."""
    def answered(changes: dict[str, str]):
        return _answered(_short(student), answers, changes)

    patched = _short(student)
    cell = patched.cells[_answer_index(patched, LABELS[0])]
    cell.source = PATCH + cell.source

    wrong_gradient = answers["losses.softmax-gradient"].replace(
        'check("losses.softmax-gradient"', 'gradient = -gradient\ncheck("losses.softmax-gradient"')
    assert wrong_gradient != answers["losses.softmax-gradient"]
    return {
        "instructor": answered({}),
        "one_wrong": answered({"losses.softmax-gradient": wrong_gradient}),
        "hidden_wrong": answered({"losses.stable-bce": CHEAT_BCE + 'check("losses.stable-bce", my_bce)'}),
        "unanswered": _short(student),
        "patched": patched,
    }


def _ours(subs: dict, folder: Path, key: bytes, chapter: Path = CHAPTER,
          labels=LABELS) -> dict[str, tuple[int, ...]]:
    folder.mkdir()
    for name, nb in subs.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    text = g.grade(chapter, folder, folder.parent / f"{folder.name}-graded", key=key, **OPTIONS)
    rows = [line.split(",") for line in text.splitlines()]
    assert rows[0][1:-2] == list(labels), rows[0]
    return {row[0]: tuple(int(v) for v in row[1:-2]) for row in rows[1:]}


def _leaks(nb, secrets: set[str], seeds: list[str]) -> list[str]:
    text = "\n".join(c.source for c in nb.cells)
    found = [line for line in secrets if line in text]
    found += [marker for marker in ("grade_answer", "SOLUTION", "HIDDEN TESTS", *seeds) if marker in text]
    return found


def _nbgrader(tmp: Path, env: dict, sources: dict[str, Path]) -> tuple[Path, dict]:
    """nbgrader's course folder: each export (assignment -> file) as source, generate_assignment.

    Returns the course folder and, per assignment, the student version nbgrader released.
    """
    course = tmp / "course"
    (course / "nbgrader_config.py").parent.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'mathcore'\nc.CourseDirectory.root = '.'\n"
        "c.ExecutePreprocessor.timeout = 60\n")
    released = {}
    for assignment, source in sources.items():
        (course / "source" / assignment).mkdir(parents=True)
        (course / "source" / assignment / source.name).write_bytes(source.read_bytes())
        _run([VENV / "nbgrader", "generate_assignment", assignment, "--force"], course, env)
        released[assignment] = nbformat.read(course / "release" / assignment / source.name, as_version=4)
    return course, released


def _nbgrader_scores(course: Path, env: dict, subs: dict, assignment: str = ASSIGNMENT,
                     chapter: Path = CHAPTER, labels=LABELS) -> dict[str, tuple[float, ...]]:
    for name, nb in subs.items():
        folder = course / "submitted" / name / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / chapter.name)
    _run([VENV / "nbgrader", "autograde", assignment, "--create"], course, env)
    # the gradebook, read with nbgrader's own API in its environment: one score per test cell
    script = (
        "import json\nfrom nbgrader.api import Gradebook\n"
        "with Gradebook('sqlite:///gradebook.db') as gb:\n"
        f"    print(json.dumps({{s: {{r.name: r.score for r in gb.find_submission_notebook("
        f"{chapter.stem!r}, {assignment!r}, s).grades}} for s in {sorted(subs)!r}}}))\n")
    scores = json.loads(_run([VENV / "python", "-c", script], course, env).strip().splitlines()[-1])
    return {name: tuple(by_id[re.sub("[^A-Za-z0-9_-]", "_", label) + "-test"] for label in labels)
            for name, by_id in scores.items()}


def _otter(tmp: Path, env: dict, source: Path) -> tuple[Path, object]:
    """otter assign on the export; returns (the autograder zip, the student version)."""
    work = tmp / f"otter-assign-{source.stem}"
    work.mkdir()
    (work / source.name).write_bytes(source.read_bytes())
    _run([VENV / "otter", "assign", source.name, "dist"], work, env)
    (zipfile,) = (work / "dist" / "autograder").glob("*.zip")
    return zipfile, nbformat.read(work / "dist" / "student" / source.name, as_version=4)


def _otter_scores(zipfile: Path, env: dict, subs: dict, tmp: Path,
                  labels=LABELS) -> dict[str, tuple[float, ...]]:
    def one(name):
        folder = tmp / name
        folder.mkdir(parents=True)
        nbformat.write(subs[name], folder / f"{name}.ipynb")
        _run([VENV / "otter", "run", "-a", zipfile, "-o", folder, f"{name}.ipynb"], folder, env)
        tests = {t["name"]: t for t in json.loads((folder / "results.json").read_text())["tests"]}
        return name, tuple(tests[re.sub(r"\W", "_", label)]["score"] for label in labels)

    with ThreadPoolExecutor(2) as pool:  # two cores: one otter run (one kernel) on each
        return dict(pool.map(one, subs))


def _tools_or_skip() -> None:
    if not (VENV / "nbgrader").exists() or not (VENV / "otter").exists():
        message = f"{VENV.parent} is missing: `make grading-venv` installs nbgrader and Otter-Grader"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _workspace(tmp_path_factory, name: str):
    """The tools checked, then a fresh folder, the tools' environment, a key file and its key."""
    _tools_or_skip()
    tmp = tmp_path_factory.mktemp(name)
    key_file = g.make_key(tmp / "grading.key")
    return tmp, _env(tmp), key_file, g.read_key(key_file)


def _export(chapter: Path, tmp: Path, key_file: Path) -> dict[str, Path]:
    """format -> the file ``python -m mathcore.assign`` wrote for ``chapter``."""
    out = {}
    for fmt in ("nbgrader", "otter"):
        _run([sys.executable, "-m", "mathcore.assign", chapter, "--out", tmp / fmt, "--format", fmt,
              "--key", key_file], tmp, dict(os.environ, PYTHONPATH=str(ROOT)))
        out[fmt] = tmp / fmt / chapter.name
    return out


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    start = time.perf_counter()
    tmp, env, key_file, key = _workspace(tmp_path_factory, "exports")
    files = _export(CHAPTER, tmp, key_file)
    source = nbformat.read(files["nbgrader"], as_version=4)
    answers = _answers(source)
    course, released = _nbgrader(tmp, env, {ASSIGNMENT: files["nbgrader"]})
    nbgrader_student = released[ASSIGNMENT]
    zipfile, otter_student = _otter(tmp, env, files["otter"])
    subs = {"nbgrader": _submissions(nbgrader_student, answers), "otter": _submissions(otter_student, answers)}
    # the tools and ours side by side: the tools' kernels and ours share the two cores
    with ThreadPoolExecutor(2) as pool:
        ours = {tool: pool.submit(_ours, subs[tool], tmp / f"ours-{tool}", key) for tool in subs}
        theirs = {"nbgrader": pool.submit(_nbgrader_scores, course, env, subs["nbgrader"]),
                  "otter": pool.submit(_otter_scores, zipfile, env, subs["otter"], tmp / "otter-runs")}
        result = {"ours": {t: f.result() for t, f in ours.items()}, "tools": {t: f.result() for t, f in theirs.items()}}
    result.update(students={"nbgrader": nbgrader_student, "otter": otter_student}, source=source, key=key,
                  otter_source=nbformat.read(tmp / "otter" / CHAPTER.name, as_version=4))
    print(f"exported, graded by nbgrader, Otter and ours in {time.perf_counter() - start:.1f} s")
    for tool in ("nbgrader", "otter"):
        for name in [*EXPECTED, "patched"]:
            print(f"{tool:8} {name:12} ours {result['ours'][tool][name]}  {tool} {result['tools'][tool][name]}")
    return result


@pytest.mark.parametrize("tool", ["nbgrader", "otter"])
def test_the_tool_and_ours_agree_exercise_by_exercise(exported, tool):
    ours, theirs = exported["ours"][tool], exported["tools"][tool]
    assert sorted(theirs) == sorted(ours) == sorted([*EXPECTED, "patched"])
    for name, scores in EXPECTED.items():
        assert ours[name] == scores, (tool, name, "ours")
        assert tuple(int(s) for s in theirs[name]) == scores, (tool, name)
        assert all(s == int(s) for s in theirs[name])  # one point an exercise, all or nothing


@pytest.mark.parametrize("tool", ["nbgrader", "otter"])
def test_a_patched_judge_fools_the_tool_not_ours(exported, tool):
    """The tools run the hidden tests in the student's kernel; ours scores outside it."""
    assert exported["ours"][tool]["patched"] == PATCHED["ours"]
    assert tuple(int(s) for s in exported["tools"][tool]["patched"]) == PATCHED["tools"]


@pytest.mark.parametrize("tool", ["nbgrader", "otter"])
def test_the_tools_student_version_holds_no_solution_and_no_hidden_test(exported, tool):
    secrets = solution_lines(nbformat.read(CHAPTER, as_version=4))
    seeds = [str(g.hidden_seed(exported["key"], label)) for label in g.HIDDEN]
    assert not _leaks(exported["students"][tool], secrets, seeds)
    # and every exercise is still there, with its self-check
    for label in LABELS:
        _answer_index(exported["students"][tool], label)


def test_the_exports_hold_the_hidden_tests_with_the_keys_seed(exported):
    seeds = [str(g.hidden_seed(exported["key"], label)) for label in LABELS if label in g.HIDDEN]
    assert seeds  # Chapter 4 has a function answer
    answers = {line.strip() for text in _answers(exported["source"]).values() for line in text.splitlines()}
    prose = solution_lines(nbformat.read(CHAPTER, as_version=4)) - answers  # written solutions, eq(...) cells
    for nb in (exported["source"], exported["otter_source"]):
        text = "\n".join(c.source for c in nb.cells)
        assert text.count("grade_answer(") == len(LABELS)
        assert all(text.count(seed) == 1 for seed in seeds)  # in that exercise's hidden test only
        assert not [line for line in prose if line in text]  # the tools would hand them to students
    ids = [c.metadata["nbgrader"]["grade_id"] for c in exported["source"].cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)) == 2 * len(LABELS)
    assert exported["otter_source"].cells[0].source.startswith("# ASSIGNMENT CONFIG")


# --------------------------------------------------------------------------------------------
# Every chapter through both tools: the instructor's answers earn full marks, nothing answered none
# --------------------------------------------------------------------------------------------

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
CASES = ("instructor", "unanswered")


@pytest.fixture(scope="module")
def every_chapter(tmp_path_factory):
    """chapter -> labels, each tool's student version, and the scores of CASES by each tool and by ours.

    The instructor's submission is the whole student version with the instructor's answers
    (an exercise may use what the chapter computed before it); the unanswered one is the short
    form of the student version, as above.
    """
    start = time.perf_counter()
    tmp, env, key_file, key = _workspace(tmp_path_factory, "every-chapter")

    def export(chapter):
        (tmp / chapter.stem).mkdir()
        files = _export(chapter, tmp / chapter.stem, key_file)
        labels = g.exercise_labels(nbformat.read(chapter, as_version=4))
        answers = _answers(nbformat.read(files["nbgrader"], as_version=4), labels)
        zipfile, otter_student = _otter(tmp / chapter.stem, env, files["otter"])
        return chapter, dict(labels=labels, answers=answers, files=files, zipfile=zipfile,
                             students={"otter": otter_student})

    with ThreadPoolExecutor(2) as pool:  # each step is a short process: two at a time
        result = dict(pool.map(export, CHAPTERS))
    course, released = _nbgrader(tmp, env, {f"ps{c.stem[:2]}": r["files"]["nbgrader"] for c, r in result.items()})
    for chapter, r in result.items():
        r["students"]["nbgrader"] = released[f"ps{chapter.stem[:2]}"]
        r["subs"] = {tool: {"instructor": _answered(student, r["answers"]), "unanswered": _short(student)}
                     for tool, student in r["students"].items()}

    # one nbgrader at a time (its gradebook is one SQLite file), Otter's runs and ours beside it
    def nbgrader_all():
        return {c: _nbgrader_scores(course, env, r["subs"]["nbgrader"], f"ps{c.stem[:2]}", c, r["labels"])
                for c, r in result.items()}

    def otter_all():
        return {c: _otter_scores(r["zipfile"], env, r["subs"]["otter"], tmp / c.stem / "otter-runs", r["labels"])
                for c, r in result.items()}

    def ours_all():
        return {c: {tool: _ours(r["subs"][tool], tmp / c.stem / f"ours-{tool}", key, c, r["labels"])
                    for tool in r["subs"]} for c, r in result.items()}

    with ThreadPoolExecutor(3) as pool:
        nbgrader, otter, ours = pool.submit(nbgrader_all), pool.submit(otter_all), pool.submit(ours_all)
        for c, r in result.items():
            r["ours"] = ours.result()[c]
            r["tools"] = {"nbgrader": nbgrader.result()[c], "otter": otter.result()[c]}
    result["key"] = key
    print(f"{len(CHAPTERS)} chapters exported, graded by nbgrader, Otter and ours "
          f"in {time.perf_counter() - start:.1f} s")
    return result


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_full_marks_for_the_instructor_none_unanswered(every_chapter, chapter):
    r = every_chapter[chapter]
    n = len(r["labels"])
    assert n, f"{chapter.name} has no gradable exercise"
    want = {"instructor": (1,) * n, "unanswered": (0,) * n}
    for tool in ("nbgrader", "otter"):
        assert r["ours"][tool] == want, (tool, "ours")
        assert {case: tuple(int(s) for s in scores) for case, scores in r["tools"][tool].items()} == want, tool


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapters_student_versions_leak_nothing(every_chapter, chapter):
    r = every_chapter[chapter]
    secrets = solution_lines(nbformat.read(chapter, as_version=4))
    seeds = [str(g.hidden_seed(every_chapter["key"], label)) for label in g.HIDDEN]
    for tool, student in r["students"].items():
        assert not _leaks(student, secrets, seeds), tool
        for label in r["labels"]:
            _answer_index(student, label)


# --------------------------------------------------------------------------------------------
# Without the tools: the hidden test the exports call, and the command line
# --------------------------------------------------------------------------------------------


def test_grade_answer_is_the_graders_judgement():
    from mathcore.exercises import EXAMPLES

    label = "losses.stable-bce"
    seed = g.hidden_seed(bytes(range(32)), label)
    namespace = {"np": __import__("numpy")}
    exec(CHEAT_BCE, namespace)  # noqa: S102 -- the test's own lookup-table answer
    right, wrong = EXAMPLES[label][0], EXAMPLES[label][1]
    assert g.grade_answer(label, right, seed=seed)[0] is True
    assert g.grade_answer(label, wrong, seed=seed)[0] is False
    assert g.grade_answer(label, (namespace["my_bce"],))[0] is True  # the self-check alone is fooled
    ok, why = g.grade_answer(label, (namespace["my_bce"],), seed=seed)
    assert not ok and "hidden tests" in why
    assert g.grade_answer("losses.constant-prediction", (..., ...))[0] is False  # not answered
    with pytest.raises(TypeError, match="answer"):
        g.grade_answer(label, right[0])
    with pytest.raises(ValueError, match="seed"):
        g.grade_answer(label, right, seed=-1)
    with pytest.raises(TypeError, match="key"):
        g.hidden_seed("a key", label)


def test_assign_format_on_the_command_line(tmp_path, capsys):
    from mathcore.assign import main, nbgrader_version

    assert main([str(CHAPTER), "--out", str(tmp_path / "a"), "--format", "moodle"]) == 2
    assert main([str(CHAPTER), "--out", str(tmp_path / "b"), "--key", str(tmp_path / "k")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "unknown" in err[0] and "--key is for" in err[1]
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    assert main([str(CHAPTER), "--out", str(tmp_path / "c"), "--format", "otter"]) == 0
    assert "no --key" in capsys.readouterr().err  # a warning, after writing
    with pytest.raises(TypeError, match="key"):
        nbgrader_version(nbformat.read(CHAPTER, as_version=4), key="secret")
