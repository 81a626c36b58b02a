"""Student versions: nothing of a solution leaks, they run, and bad input changes nothing."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import tempfile
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
    # a title after the directive is allowed: ":::{exercise} Problem" marks a problem
    exercises = re.findall(r"\{exercise\}[^\n]*\n:label: (\S+)", text)
    solved = re.findall(r"\{solution(?:-start)?\} (\S+)", text)
    assert exercises, f"{path.name} has no exercises"
    assert sorted(exercises) == sorted(solved), f"{path.name}: exercises {exercises}, solutions {solved}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_six_exercises_of_several_kinds_one_a_problem(path):
    """At least six exercises a chapter, each with a kind and a difficulty, and at least one problem:
    written ':::{exercise} Problem' with a kind that starts "problem:", and only then."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for cell in nb.cells:
        m = re.search(r"\{exercise\}([^\n]*)\n:label: (\S+)", cell.source) if cell.cell_type == "markdown" else None
        if m:
            meta = cell.metadata.get("exercise", {})
            found.append((m.group(2), m.group(1).strip(), meta.get("kind", ""), meta.get("difficulty")))
    assert len(found) >= 6, f"{path.name}: {len(found)} exercises"
    for label, title, kind, difficulty in found:
        assert difficulty in ("easy", "medium", "hard"), (label, difficulty)
        assert kind, f"{label}: no kind"
        assert (title == "Problem") == kind.startswith("problem:"), (label, title, kind)
    assert any(kind.startswith("problem:") for _, _, kind, _ in found), f"{path.name}: no problem"
    assert len({kind.removeprefix("problem: ").split(",")[0] for _, _, kind, _ in found}) >= 3, \
        f"{path.name}: fewer than three kinds of exercise"


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


# --- malformed solution directives, made from copies of Chapter 1 -------------------------------

def _index(cells, text: str, start: int = 0) -> int:
    """The index of the first cell at or after ``start`` whose source holds ``text``."""
    return next(i for i in range(start, len(cells)) if text in cells[i].source)


def _nand_solution(cells) -> tuple[int, int]:
    """The first and last cell of the gated solution of the exercise ex-neurons-nand."""
    start = _index(cells, "{solution-start} ex-neurons-nand")
    return start, _index(cells, "{solution-end}", start)


def _drop_nand_end(cells):
    del cells[_nand_solution(cells)[1]]


def _drop_last_end(cells):
    last = cells[max(i for i, c in enumerate(cells) if "{solution-end}" in c.source)]
    last.source = last.source[:last.source.index("```{solution-end}")]


def _drop_nand_end_and_next_exercise(cells):
    _, end = _nand_solution(cells)
    del cells[end:_index(cells, "{exercise}", end) + 1]


def _as_solution_block(closing: str):
    """The gated solution of ex-neurons-nand as one {solution} block in Markdown, closed by ``closing``."""
    def edit(cells):
        start, end = _nand_solution(cells)
        prose = cells[start].source.split("```\n", 1)[1]
        code = cells[start + 1].source
        source = f"```{{solution}} ex-neurons-nand\n:class: dropdown\n\n{prose}\n\n{code}\n{closing}"
        cells[start:end + 1] = [nbformat.v4.new_markdown_cell(source, id="the-block")]
    return edit


def _indent_nand_start(cells):
    start, _ = _nand_solution(cells)
    cells[start].source = "   " + cells[start].source


def _orphan_end(cells):
    _, end = _nand_solution(cells)
    cells.insert(end + 1, nbformat.v4.new_markdown_cell("```{solution-end}\n```", id="the-orphan"))


def _nested_fence(cells):
    _as_solution_block("```")(cells)
    block = cells[_index(cells, "{solution} ex-neurons-nand")]
    block.source = block.source.replace("w_nand, b_nand", "```python\nw_nand, b_nand", 1)


# case -> (how to break Chapter 1, the cell the message must name (a function of the broken cells), what it says)
MALFORMED = {
    "missing solution-end": (_drop_nand_end, lambda cells: _index(cells, "{solution-start} ex-neurons-nand"),
                             "has no matching solution-end before the exercise in cell"),
    "last solution-end missing": (_drop_last_end, lambda cells: max(
        i for i, c in enumerate(cells) if "{solution-start}" in c.source), "before the end of the notebook"),
    "two solution-starts in a row": (_drop_nand_end_and_next_exercise,
                                     lambda cells: _index(cells, "{solution-start} ex-neurons-nand"),
                                     "before the next solution-start, in cell"),
    "unclosed {solution}": (_as_solution_block(""), lambda cells: _index(cells, "{solution} ex-neurons-nand"),
                            "is never closed"),
    "{solution} closed by the other fence": (_as_solution_block(":::"),
                                             lambda cells: _index(cells, "{solution} ex-neurons-nand"),
                                             "a ::: line does not close it"),
    "code fence inside a {solution}": (_nested_fence, lambda cells: _index(cells, "{solution} ex-neurons-nand"),
                                       "which would close it early"),
    "indented solution-start": (_indent_nand_start, lambda cells: _index(cells, "{solution-start} ex-neurons-nand"),
                                "is indented, quoted or in a list"),
    "orphan solution-end": (_orphan_end, lambda cells: next(i for i, c in enumerate(cells) if c.id == "the-orphan"),
                            "a solution-end with no solution-start before it"),
}


def _broken_chapter(tmp_path: Path, edit) -> tuple[Path, list]:
    nb = nbformat.read(CHAPTERS[0], as_version=4)
    edit(nb.cells)
    path = tmp_path / "book" / CHAPTERS[0].name
    path.parent.mkdir(exist_ok=True)
    nbformat.write(nb, path)
    return path, nb.cells


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_solutions_are_refused_naming_the_cell(case, tmp_path, capsys):
    edit, where, says = MALFORMED[case]
    path, cells = _broken_chapter(tmp_path, edit)
    before = _listing(tmp_path)
    assert main([str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    i = where(cells)
    assert err.startswith(f"error: {path}: cell {i} (id {cells[i].id}): ") and says in err
    assert err.count("\n") == 1
    assert _listing(tmp_path) == before and not (tmp_path / "out").exists()


def test_a_closed_solution_block_is_replaced():
    nb = nbformat.read(CHAPTERS[0], as_version=4)
    _as_solution_block("```")(nb.cells)
    secret = solution_lines(nb)
    assert "w_nand, b_nand = np.array([-1.0, -1.0]), 1.5" in secret
    student = student_version(nb)
    text = "\n".join(c.source for c in student.cells)
    assert not [line for line in secret if line in text]
    assert ANSWER_MARKDOWN in text and ":::{exercise}\n:label: ex-neurons-nand" in text


# --- outputs: links, unwritable folders, long names, duplicates ---------------------------------

def _setup(tmp_path: Path) -> Path:
    (tmp_path / "book").mkdir()
    src = tmp_path / "book" / CHAPTERS[0].name
    src.write_bytes(CHAPTERS[0].read_bytes())
    (tmp_path / "out").mkdir()
    return src


def _refused(args, tmp_path, capsys) -> str:
    before = _listing(tmp_path)
    links = {p: os.readlink(p) for p in tmp_path.rglob("*") if p.is_symlink()}
    assert main([str(a) for a in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert _listing(tmp_path) == before
    assert {p: os.readlink(p) for p in tmp_path.rglob("*") if p.is_symlink()} == links
    return err


def test_a_symlink_to_the_chapter_in_out_is_not_written_through(tmp_path, capsys):
    src = _setup(tmp_path)
    (tmp_path / "out" / src.name).symlink_to(src)
    err = _refused([src, "--out", tmp_path / "out"], tmp_path, capsys)
    assert "is a symbolic link; refusing to write through it" in err
    assert src.read_bytes() == CHAPTERS[0].read_bytes()


def test_a_symlink_elsewhere_in_out_is_refused_too(tmp_path, capsys):
    src = _setup(tmp_path)
    (tmp_path / "elsewhere.ipynb").write_text("{}")
    (tmp_path / "out" / src.name).symlink_to(tmp_path / "elsewhere.ipynb")
    assert "is a symbolic link" in _refused([src, "--out", tmp_path / "out"], tmp_path, capsys)


def test_a_hard_link_to_the_chapter_in_out_is_refused(tmp_path, capsys):
    src = _setup(tmp_path)
    os.link(src, tmp_path / "out" / src.name)
    assert "is the same file as an input notebook" in _refused([src, "--out", tmp_path / "out"], tmp_path, capsys)


def test_out_under_a_regular_file(tmp_path, capsys):
    src = _setup(tmp_path)
    (tmp_path / "afile").write_text("x")
    err = _refused([src, "--out", tmp_path / "afile" / "student"], tmp_path, capsys)
    assert f"{tmp_path / 'afile'} is a file, not a folder" in err


def test_out_not_writable(tmp_path, capsys):
    src = _setup(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        if os.access(locked, os.W_OK):  # root ignores permissions
            locked = Path("/sys")
            if not locked.is_dir() or _can_write_in(locked):
                pytest.skip("no folder that this user cannot write in")
        err = _refused([src, "--out", locked / "student"], tmp_path, capsys)
        assert f"cannot write in {locked}" in err and not (locked / "student").exists()
    finally:
        (tmp_path / "locked").chmod(0o755)


def _can_write_in(folder: Path) -> bool:
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def test_very_long_names(tmp_path, capsys):
    src = _setup(tmp_path)
    err = _refused([src, "--out", tmp_path / ("x" * 300)], tmp_path, capsys)
    assert "is 300 bytes long" in err
    err = _refused([tmp_path / ("a" * 300 + ".ipynb"), "--out", tmp_path / "out"], tmp_path, capsys)
    assert "cannot be read (File name too long)" in err


def test_a_folder_given_as_the_notebook(tmp_path, capsys):
    _setup(tmp_path)
    assert "is a directory, not a notebook" in _refused([tmp_path / "book", "--out", tmp_path / "out"],
                                                        tmp_path, capsys)


def test_the_same_notebook_twice_is_refused(tmp_path, capsys):
    src = _setup(tmp_path)
    again = tmp_path / "book" / ".." / "book" / src.name
    err = _refused([src, again, "--out", tmp_path / "out"], tmp_path, capsys)
    assert "given twice; refused" in err


def test_a_failed_write_leaves_nothing(tmp_path, capsys, monkeypatch):
    src = _setup(tmp_path)
    second = tmp_path / "book" / CHAPTERS[1].name
    second.write_bytes(CHAPTERS[1].read_bytes())
    write, calls = nbformat.write, []

    def disk_full_on_the_second(nb, fp, **kwargs):
        calls.append(fp)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(nb, fp, **kwargs)

    monkeypatch.setattr(nbformat, "write", disk_full_on_the_second)
    out = tmp_path / "new" / "student"
    err = _refused([src, second, "--out", out], tmp_path, capsys)
    assert "writing failed (No space left on device); nothing was written" in err
    assert not (tmp_path / "new").exists()


def test_outputs_replace_old_ones_and_leave_no_temporary_files(tmp_path, capsys):
    src = _setup(tmp_path)
    (tmp_path / "out" / src.name).write_text("an old student version")
    assert main([str(src), "--out", str(tmp_path / "out")]) == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == [src.name]
    assert nbformat.read(tmp_path / "out" / src.name, as_version=4).cells
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "out" / src.name).stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize("fn", [solution_cells, solution_lines, student_version])
@pytest.mark.parametrize("bad", [None, "book/01_neurons.ipynb", True, {"metadata": {}}])
def test_a_non_notebook_is_refused_by_name(fn, bad):
    with pytest.raises(TypeError, match=r"\bnb must be a notebook"):
        fn(bad)
