"""The nbgrader and Otter-Grader exports of Chapter 4, graded by the real tools: the same scores as ours.

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
LABELS = ["losses.constant-prediction", "losses.softmax-gradient", "losses.stable-bce", "losses.huber-constant",
          "losses.poisson-fit"]
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

EXPECTED = {  # submission: scores of the five exercises, in LABELS order
    "instructor": (1, 1, 1, 1, 1),
    "one_wrong": (1, 0, 1, 1, 1),
    "hidden_wrong": (1, 1, 0, 1, 1),
    "unanswered": (0, 0, 0, 0, 0),
}

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


def _answers(source) -> dict[str, str]:
    """label -> the instructor's answer cell, the tool's solution markers removed (from the nbgrader export)."""
    out = {}
    for label in LABELS:
        cell = source.cells[_answer_index(source, label)]
        out[label] = "\n".join(line for line in cell.source.splitlines() if "### " not in line)
    return out


def _short(nb):
    """The title, the imports and every cell from the exercises on: a third of the chapter's time."""
    first = next(k for k, c in enumerate(nb.cells)
                 if c.cell_type == "markdown" and c.source.startswith("## Exercises"))
    short = nbformat.from_dict(nb)  # a deep copy: each submission edits cells of its own
    short.cells = [*short.cells[:3], *short.cells[first:]]
    return short


def _submissions(student, answers: dict[str, str]) -> dict[str, object]:
    """Each case of EXPECTED, made from the tool's student version ``student``."""
    def answered(changes: dict[str, str]):
        nb = _short(student)
        for label in LABELS:
            nb.cells[_answer_index(nb, label)].source = changes.get(label, answers[label])
        return nb

    wrong_gradient = answers["losses.softmax-gradient"].replace(
        'check("losses.softmax-gradient"', 'gradient = -gradient\ncheck("losses.softmax-gradient"')
    assert wrong_gradient != answers["losses.softmax-gradient"]
    return {
        "instructor": answered({}),
        "one_wrong": answered({"losses.softmax-gradient": wrong_gradient}),
        "hidden_wrong": answered({"losses.stable-bce": CHEAT_BCE + 'check("losses.stable-bce", my_bce)'}),
        "unanswered": _short(student),
    }


def _ours(subs: dict, folder: Path, key: bytes) -> dict[str, tuple[int, ...]]:
    folder.mkdir()
    for name, nb in subs.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    text = g.grade("04_losses", folder, folder.parent / f"{folder.name}-graded", key=key, **OPTIONS)
    rows = [line.split(",") for line in text.splitlines()]
    return {row[0]: tuple(int(row[1 + LABELS.index(label)]) for label in LABELS) for row in rows[1:]}


def _leaks(nb, secrets: set[str], seeds: list[str]) -> list[str]:
    text = "\n".join(c.source for c in nb.cells)
    found = [line for line in secrets if line in text]
    found += [marker for marker in ("grade_answer", "SOLUTION", "HIDDEN TESTS", *seeds) if marker in text]
    return found


def _nbgrader(tmp: Path, env: dict, source: Path) -> tuple[object, dict]:
    """nbgrader's course folder: the export as source, generate_assignment; returns (release, submit)."""
    course = tmp / "course"
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    (course / "source" / ASSIGNMENT / CHAPTER.name).write_bytes(source.read_bytes())
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'mathcore'\nc.CourseDirectory.root = '.'\n"
        "c.ExecutePreprocessor.timeout = 60\n")
    _run([VENV / "nbgrader", "generate_assignment", ASSIGNMENT, "--force"], course, env)
    return course, nbformat.read(course / "release" / ASSIGNMENT / CHAPTER.name, as_version=4)


def _nbgrader_scores(course: Path, env: dict, subs: dict) -> dict[str, tuple[float, ...]]:
    for name, nb in subs.items():
        folder = course / "submitted" / name / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / CHAPTER.name)
    _run([VENV / "nbgrader", "autograde", ASSIGNMENT, "--create"], course, env)
    # the gradebook, read with nbgrader's own API in its environment: one score per test cell
    script = (
        "import json\nfrom nbgrader.api import Gradebook\n"
        "with Gradebook('sqlite:///gradebook.db') as gb:\n"
        f"    print(json.dumps({{s.id: {{r.name: r.score for r in gb.find_submission_notebook("
        f"{CHAPTER.stem!r}, {ASSIGNMENT!r}, s.id).grades}} for s in gb.students}}))\n")
    scores = json.loads(_run([VENV / "python", "-c", script], course, env).strip().splitlines()[-1])
    return {name: tuple(by_id[re.sub("[^A-Za-z0-9_-]", "_", label) + "-test"] for label in LABELS)
            for name, by_id in scores.items()}


def _otter(tmp: Path, env: dict, source: Path) -> tuple[Path, object]:
    """otter assign on the export; returns (the autograder zip, the student version)."""
    work = tmp / "otter-assign"
    work.mkdir()
    (work / CHAPTER.name).write_bytes(source.read_bytes())
    _run([VENV / "otter", "assign", CHAPTER.name, "dist"], work, env)
    (zipfile,) = (work / "dist" / "autograder").glob("*.zip")
    return zipfile, nbformat.read(work / "dist" / "student" / CHAPTER.name, as_version=4)


def _otter_scores(zipfile: Path, env: dict, subs: dict, tmp: Path) -> dict[str, tuple[float, ...]]:
    def one(name):
        folder = tmp / "otter-runs" / name
        folder.mkdir(parents=True)
        nbformat.write(subs[name], folder / f"{name}.ipynb")
        _run([VENV / "otter", "run", "-a", zipfile, "-o", folder, f"{name}.ipynb"], folder, env)
        tests = {t["name"]: t for t in json.loads((folder / "results.json").read_text())["tests"]}
        return name, tuple(tests[re.sub(r"\W", "_", label)]["score"] for label in LABELS)

    with ThreadPoolExecutor(2) as pool:  # two cores: one otter run (one kernel) on each
        return dict(pool.map(one, subs))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    if not (VENV / "nbgrader").exists() or not (VENV / "otter").exists():
        message = f"{VENV.parent} is missing: `make .venv-grading` installs nbgrader and Otter-Grader"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    start = time.perf_counter()
    tmp = tmp_path_factory.mktemp("exports")
    env = _env(tmp)
    key_file = g.make_key(tmp / "grading.key")
    key = g.read_key(key_file)
    for fmt in ("nbgrader", "otter"):
        _run([sys.executable, "-m", "mathcore.assign", CHAPTER, "--out", tmp / fmt, "--format", fmt,
              "--key", key_file], tmp, dict(os.environ, PYTHONPATH=str(ROOT)))
    source = nbformat.read(tmp / "nbgrader" / CHAPTER.name, as_version=4)
    answers = _answers(source)
    course, nbgrader_student = _nbgrader(tmp, env, tmp / "nbgrader" / CHAPTER.name)
    zipfile, otter_student = _otter(tmp, env, tmp / "otter" / CHAPTER.name)
    subs = {"nbgrader": _submissions(nbgrader_student, answers), "otter": _submissions(otter_student, answers)}
    # the tools and ours side by side: the tools' kernels and ours share the two cores
    with ThreadPoolExecutor(2) as pool:
        ours = {tool: pool.submit(_ours, subs[tool], tmp / f"ours-{tool}", key) for tool in subs}
        theirs = {"nbgrader": pool.submit(_nbgrader_scores, course, env, subs["nbgrader"]),
                  "otter": pool.submit(_otter_scores, zipfile, env, subs["otter"], tmp)}
        result = {"ours": {t: f.result() for t, f in ours.items()}, "tools": {t: f.result() for t, f in theirs.items()}}
    result.update(students={"nbgrader": nbgrader_student, "otter": otter_student}, source=source, key=key,
                  otter_source=nbformat.read(tmp / "otter" / CHAPTER.name, as_version=4))
    print(f"exported, graded by nbgrader, Otter and ours in {time.perf_counter() - start:.1f} s")
    for tool in ("nbgrader", "otter"):
        for name in EXPECTED:
            print(f"{tool:8} {name:12} ours {result['ours'][tool][name]}  {tool} {result['tools'][tool][name]}")
    return result


@pytest.mark.parametrize("tool", ["nbgrader", "otter"])
def test_the_tool_and_ours_agree_exercise_by_exercise(exported, tool):
    ours, theirs = exported["ours"][tool], exported["tools"][tool]
    assert sorted(theirs) == sorted(EXPECTED)
    for name, scores in EXPECTED.items():
        assert ours[name] == scores, (tool, name, "ours")
        assert tuple(int(s) for s in theirs[name]) == scores, (tool, name)
        assert all(s == int(s) for s in theirs[name])  # one point an exercise, all or nothing


@pytest.mark.parametrize("tool", ["nbgrader", "otter"])
def test_the_tools_student_version_holds_no_solution_and_no_hidden_test(exported, tool):
    secrets = solution_lines(nbformat.read(CHAPTER, as_version=4))
    seeds = [str(g.hidden_seed(exported["key"], label)) for label in g.HIDDEN]
    assert not _leaks(exported["students"][tool], secrets, seeds)
    # and every exercise is still there, with its self-check
    for label in LABELS:
        _answer_index(exported["students"][tool], label)


def test_the_exports_hold_the_hidden_tests_with_the_keys_seed(exported):
    seed = str(g.hidden_seed(exported["key"], "losses.stable-bce"))
    answers = {line.strip() for text in _answers(exported["source"]).values() for line in text.splitlines()}
    prose = solution_lines(nbformat.read(CHAPTER, as_version=4)) - answers  # written solutions, eq(...) cells
    for nb in (exported["source"], exported["otter_source"]):
        text = "\n".join(c.source for c in nb.cells)
        assert text.count("grade_answer(") == len(LABELS)
        assert text.count(seed) == 1  # the only function answer of the chapter
        assert not [line for line in prose if line in text]  # the tools would hand them to students
    ids = [c.metadata["nbgrader"]["grade_id"] for c in exported["source"].cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)) == 2 * len(LABELS)
    assert exported["otter_source"].cells[0].source.startswith("# ASSIGNMENT CONFIG")


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
