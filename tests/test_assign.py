"""Student versions: nothing of a solution leaks, they run, and bad input changes nothing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from mathcore.assign import ANSWER_CODE, ANSWER_MARKDOWN, main, solution_cells, solution_lines, student_version

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
def test_there_are_chapters():
    assert CHAPTERS, "no chapter notebooks found in book/"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_has_a_solution(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    exercises = re.findall(r"\{exercise\}\s*\n:label: (\S+)", text)
    solved = re.findall(r"\{solution(?:-start)?\} (\S+)", text)
    assert exercises, f"{path.name} has no exercises"
    assert sorted(exercises) == sorted(solved), f"{path.name}: exercises {exercises}, solutions {solved}"
    assert len(exercises) >= 3


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_nothing_leaks(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    secret = solution_lines(nb)
    assert secret, f"{path.name}: found no solution text to protect; is the convention followed?"
    assert main([str(path), "--out", str(tmp_path)]) == 0
    raw = (tmp_path / path.name).read_text()
    student = json.loads(raw)
    sources = "\n".join("".join(cell["source"]) for cell in student["cells"])
    leaked = [line for line in secret if line in sources or json.dumps(line, ensure_ascii=False)[1:-1] in raw]
    assert not leaked, f"{path.name}: solution lines in the student version: {leaked[:5]}"
    n_blocks = len(solution_cells(nb))
    answers = [c for c in student["cells"] if "".join(c["source"]) in (ANSWER_CODE, ANSWER_MARKDOWN)]
    assert len(answers) == n_blocks
    assert set(student["metadata"]) <= {"kernelspec", "language_info"}
    assert all(not c.get("outputs") for c in student["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_version_runs_top_to_bottom(path):
    student = student_version(nbformat.read(path, as_version=4))
    NotebookClient(student, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    printed = "\n".join(o.get("text", "") for c in student.cells if c.cell_type == "code" for o in c.outputs)
    assert "not answered yet" in printed
    assert "✓ correct" not in printed  # nothing answered them


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_everything_else_is_kept(path):
    nb = nbformat.read(path, as_version=4)
    in_solution = {i for block in solution_cells(nb) for i in block}
    student = student_version(nb)
    kept = [c.source for c in student.cells]
    originals = [c.source for i, c in enumerate(nb.cells) if i not in in_solution]
    assert [s for s in kept if s not in (ANSWER_CODE, ANSWER_MARKDOWN)] == originals


def test_the_original_is_left_untouched():
    nb = nbformat.read(CHAPTERS[0], as_version=4)
    before = nbformat.writes(nb)
    student_version(nb)
    assert nbformat.writes(nb) == before


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "mathcore.assign", *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize("case", ["missing file", "not a notebook", "out is the source folder", "out is a file"])
def test_bad_input_is_refused_and_changes_nothing(case, tmp_path):
    src = tmp_path / "book"
    src.mkdir()
    (src / "ch.ipynb").write_bytes(CHAPTERS[0].read_bytes())
    (src / "notes.ipynb").write_text("this is not JSON")
    (tmp_path / "afile").write_text("x")
    args, expected = {
        "missing file": (["book/ch.ipynb", "book/nope.ipynb", "--out", "out"], "no such file"),
        "not a notebook": (["book/ch.ipynb", "book/notes.ipynb", "--out", "out"], "not a Jupyter notebook"),
        "out is the source folder": (["book/ch.ipynb", "--out", "book"], "would overwrite the chapter"),
        "out is a file": (["book/ch.ipynb", "--out", "afile"], "is not a folder"),
    }[case]
    before = _listing(tmp_path)
    result = _run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert _listing(tmp_path) == before


def test_solution_start_without_end_is_an_error():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("```{solution-start} ex\n```")])
    with pytest.raises(Exception, match="no matching solution-end"):
        student_version(nb)
