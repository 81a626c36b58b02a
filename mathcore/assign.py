"""Student versions of the chapters: every solution removed, a marked answer cell in its place.

Usage::

    python -m mathcore.assign book/01_neurons.ipynb [more.ipynb ...] --out student/
    python -m mathcore.assign book/04_losses.ipynb --out source/ps04/ --format nbgrader --key grading.key
    python -m mathcore.assign book/04_losses.ipynb --out otter/ --format otter --key grading.key

``--format nbgrader`` and ``--format otter`` write the instructor's source notebook of
those tools (see :func:`nbgrader_version` and :func:`otter_version`): it holds the
solutions and hidden tests, so it is never handed out; the tool makes the student version.

What counts as solution material in a chapter:

* every cell tagged ``solution``;
* every cell from one whose Markdown opens a gated ``solution-start`` directive
  through the one holding the matching ``solution-end`` (sphinx-exercise's
  gated form, which wraps the prose and the code of a solution);
* a plain ``{solution}`` directive block inside a Markdown cell.

Each solution block becomes one clearly marked cell for the student's answer:
a code cell when the solution held code, a Markdown cell otherwise. Outputs of
solutions go with them; everything else is kept as it was, and the notebook's
metadata is reduced to the kernelspec and language.

The removal is done with nbconvert's ``TagRemovePreprocessor`` after the
solution blocks are tagged, so the rule that drops cells is nbconvert's own.
Nothing is written unless every input is a readable, well-formed notebook
(every solution directive parsed and closed) and every output can be written
without touching an input: a symbolic link or a hard link to a chapter in the
output folder is refused, not written through. Each file is written to a
temporary file and renamed into place, so a failure leaves no partial output.
Errors are one line on stderr, with exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert.preprocessors import TagRemovePreprocessor

__all__ = ["AssignError", "solution_cells", "solution_lines", "student_version", "nbgrader_version", "otter_version",
           "main", "ANSWER_CODE", "ANSWER_MARKDOWN", "FORMATS"]

#: What ``--format`` writes: our student version, or the instructor's source notebook of nbgrader or Otter-Grader.
FORMATS = ("student", "nbgrader", "otter")

SOLUTION_TAG = "solution"
_REMOVE_TAG = "mathcore-remove-solution"
ANSWER_CODE = "# ✏️ Your answer here. (The solution is not part of the student version.)\n"
ANSWER_MARKDOWN = "✏️ **Your answer here.** *(The solution is not part of the student version.)*"


class AssignError(Exception):
    """A problem with the inputs or the output folder; nothing has been written."""


@dataclass(frozen=True)
class _Directive:
    """One directive of a Markdown cell: its name and the lines (from 0) of its opening and closing fences."""

    name: str
    first: int
    last: int


# The directives that decide what is removed, and the exercises a gated solution must not swallow.
# Indentation, a quote (">") or a list marker before the fence is captured so that it can be
# refused: such a directive still renders as a solution in the book.
_OPENING = re.compile(r"^(?P<indent>(?:[ \t>*+-]|\d+[.)])*)(?P<fence>`{3,}|:{3,})"
                      r"\{(?P<name>solution(?:-start|-end)?|exercise(?:-start)?)\}")


def _where(i: int, cell) -> str:
    return f"cell {i} (id {cell.get('id', 'none')})"


def _directives(src: str) -> list[_Directive]:
    """The solution and exercise directives of one Markdown cell's source, in order.

    A solution directive must start its line and be closed by a fence of the
    same character, at least as long (CommonMark's rule, which MyST follows);
    AssignError says what is wrong otherwise. Exercise directives are recorded
    by their opening line only.
    """
    lines = src.splitlines()
    found, k = [], 0
    while k < len(lines):
        m = _OPENING.match(lines[k])
        if m is None:
            k += 1
            continue
        name, fence = m["name"], m["fence"]
        if name.startswith("exercise"):
            found.append(_Directive(name, k, k))
            k += 1
            continue
        if m["indent"]:
            raise AssignError(f"its {{{name}}} directive on line {k + 1} is indented, quoted or in a list; "
                              f"start the line with its fence {fence}")
        closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        # a code block opened with the same fence inside would close the directive early
        nested = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}[^{re.escape(fence[0])}\s]")
        for j in range(k + 1, len(lines)):
            if closing.match(lines[j]):
                break
            if nested.match(lines[j]):
                raise AssignError(f"its {{{name}}} directive on line {k + 1} holds a block opened with "
                                  f"{fence} on line {j + 1}, which would close it early; open the directive "
                                  f"with a longer fence ({fence[0] * (len(fence) + 1)})")
        else:
            other = ":::" if fence[0] == "`" else "```"
            raise AssignError(f"its {{{name}}} directive opened with {fence} on line {k + 1} is never closed: "
                              f"no {fence} line follows it (a {other} line does not close it)")
        found.append(_Directive(name, k, j))
        k = j + 1
    return found


def _cell_directives(i: int, cell) -> list[_Directive]:
    if cell.cell_type != "markdown":
        return []
    try:
        return _directives(cell.source)
    except AssignError as exc:
        raise AssignError(f"{_where(i, cell)}: {exc}") from None


def _check_notebook(nb, kind: type, how: str) -> None:
    if not (isinstance(nb, kind) and isinstance(nb.get("cells"), list)):
        raise TypeError(f"nb must be a notebook with a list of cells (from {how}), got {type(nb).__name__}")


def solution_cells(nb) -> list[list[int]]:
    """Indices of the solution material of ``nb``, grouped in blocks (one block per solution).

    Every directive of every cell is parsed first, and a malformed notebook is
    refused (AssignError naming the cell by index and id) rather than guessed
    at: a gated solution's ``solution-start`` must open its Markdown cell and
    its ``solution-end`` must close one, each ``solution-start`` needs its
    ``solution-end`` before the next exercise or solution starts, no
    ``solution-end`` may stand alone, and every ``{solution}`` block must be
    closed. Removing a block's cells then removes exactly the solution.
    """
    _check_notebook(nb, nbformat.NotebookNode, "nbformat.read")
    blocks: list[list[int]] = []
    opened = None  # the cell whose solution-start awaits its solution-end

    def unclosed(before: str) -> AssignError:
        return AssignError(f"{_where(opened, nb.cells[opened])}: its solution-start has no matching "
                           f"solution-end {before}; close the solution with a solution-end cell")

    for i, cell in enumerate(nb.cells):
        lines = cell.source.splitlines()  # as _directives splits them: its line numbers index these
        in_block = opened is not None
        for d in _cell_directives(i, cell):
            if d.name == "solution-start":
                if opened is not None:
                    raise unclosed(f"before the next solution-start, in {_where(i, cell)}")
                if any(line.strip() for line in lines[:d.first]):
                    raise AssignError(f"{_where(i, cell)}: text before its solution-start directive; "
                                      "put the directive at the top of its own Markdown cell")
                opened, in_block = i, True
            elif d.name == "solution-end":
                if opened is None:
                    raise AssignError(f"{_where(i, cell)}: a solution-end with no solution-start before it; "
                                      "remove it, or open the solution with a solution-start")
                if any(line.strip() for line in lines[d.last + 1:]):
                    raise AssignError(f"{_where(i, cell)}: text after its solution-end directive; "
                                      "end the cell with the directive and start a new cell for what follows")
                blocks.append(list(range(opened, i + 1)))
                opened = None
            elif opened is not None:  # an exercise directive: the solution-end went missing
                raise unclosed(f"before the exercise in {_where(i, cell)}")
        if not in_block and SOLUTION_TAG in cell.metadata.get("tags", []):
            blocks.append([i])
    if opened is not None:
        raise unclosed("before the end of the notebook")
    return blocks


def _split_blocks(cell) -> tuple[str, list[str]]:
    """A cell's source with each ``{solution}`` block replaced by a marker line, and the blocks' lines.

    For a cell that :func:`solution_cells` has accepted; the marker is
    ``ANSWER_MARKDOWN``.
    """
    if cell.cell_type != "markdown":
        return cell.source, []
    lines = cell.source.splitlines(keepends=True)
    hidden = []
    for d in reversed([d for d in _directives(cell.source) if d.name == "solution"]):
        hidden += lines[d.first:d.last + 1]
        lines[d.first:d.last + 1] = [ANSWER_MARKDOWN + "\n"]
    return "".join(lines), hidden


#: Lines this short ("```", ")", "])") say nothing of a solution; longer ones are checked for leaks.
MIN_LEAK_CHARS = 4
_FENCE_LINE = re.compile(r"^(```+|:::+)(\{solution(-start|-end)?\}.*)?$")


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def _lines(cells) -> set[str]:
    return {line.strip() for cell in cells
            for text in [cell["source"], *_strings(cell.get("outputs", []))] for line in text.splitlines()}


def solution_lines(nb) -> set[str]:
    """The lines of ``nb`` that only its solutions hold (sources and outputs), for leak checks.

    Lines that also stand outside the solutions (``check(...)`` calls shared
    with the answer cells, say), directive fences, short lines and base64
    image data are left out: finding them elsewhere reveals nothing.
    """
    in_solution = {i for block in solution_cells(nb) for i in block}
    solution = _lines(nb.cells[i] for i in in_solution)
    # a {solution} block's lines are secret, the rest of its cell is not
    shared = set()
    for i, cell in enumerate(nb.cells):
        if i not in in_solution:
            source, hidden = _split_blocks(cell)
            solution.update(line.strip() for line in hidden)
            shared |= _lines([{"source": source, "outputs": cell.get("outputs", [])}])
    return {line for line in solution - shared
            if len(line) >= MIN_LEAK_CHARS and not _FENCE_LINE.match(line) and not line.startswith(("data:", "iVBOR"))}


def student_version(nb):
    """A new notebook: ``nb`` with every solution replaced by an answer cell."""
    _check_notebook(nb, dict, "nbformat.read, or its JSON as a dict")
    nb = nbformat.from_dict(nb)  # a deep copy: the original is left untouched
    new_cells = []
    blocks = {b[0]: b for b in solution_cells(nb)}
    skip: set[int] = set()
    for i, cell in enumerate(nb.cells):
        if i in skip:
            continue
        if i in blocks:
            block = blocks[i]
            skip.update(block)
            for j in block:
                nb.cells[j].metadata.setdefault("tags", []).append(_REMOVE_TAG)
                new_cells.append(nb.cells[j])
            has_code = any(nb.cells[j].cell_type == "code" for j in block)
            new_cells.append(nbformat.v4.new_code_cell(ANSWER_CODE) if has_code
                             else nbformat.v4.new_markdown_cell(ANSWER_MARKDOWN))
            continue
        cell.source = _split_blocks(cell)[0]
        new_cells.append(cell)
    nb.cells = new_cells
    nb, _ = TagRemovePreprocessor(remove_cell_tags={_REMOVE_TAG}, enabled=True).preprocess(nb, {})
    for k, cell in enumerate(nb.cells):
        cell.id = f"cell-{k}"  # stable ids, none revealing where a solution stood
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    nb.metadata = nbformat.from_dict({k: nb.metadata[k] for k in ("kernelspec", "language_info") if k in nb.metadata})
    return nb


# --------------------------------------------------------------------------------------------
# Exports for nbgrader and Otter-Grader: the instructor's source notebook of each tool
# --------------------------------------------------------------------------------------------
#
# Both start from the student version (so no prose solution and no solution output is in them:
# the tools would hand those to students) and give each gradable exercise, in place of its
# answer cell, the tool's solution cell (the stub the student sees, then the instructor's code
# between the tool's markers, then the self-check call) and one hidden test worth one point.
# The hidden test calls mathcore.grade.grade_answer: the exercise's checker and, for a function
# answer, the hidden inputs of mathcore.grade.HIDDEN made from the seed that the instructor's
# key gives that exercise. The seed is written into the export, which is therefore the
# instructor's file: each tool removes hidden tests from what it releases to students.


def _check_statements(source: str, label: str) -> list[tuple[int, int]]:
    """Line spans (from 1, inclusive) of the top-level ``check("label", ...)`` statements of a cell."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    spans = []
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "check" and call.args
                and isinstance(call.args[0], ast.Constant) and call.args[0].value == label):
            spans.append((node.lineno, node.end_lineno))
    return spans


def _without_lines(source: str, spans: list[tuple[int, int]]) -> str:
    lines = source.splitlines()
    drop = {k for a, b in spans for k in range(a - 1, b)}
    return "\n".join(line for k, line in enumerate(lines) if k not in drop).strip("\n")


@dataclass(frozen=True)
class _Graded:
    """One gradable exercise: its label, the answer expression of its check, the stub and the solution code."""

    label: str
    expr: str  # "(c_mae, c_mse, )"
    stub: str  # the student's lines before the check call
    checks: str  # the check call(s), as the student version has them
    solution: str  # the instructor's code, check calls removed


def _export_parts(nb, key):
    """The student version of ``nb``, with every gradable exercise's answer cell known: (student, {index: _Graded})."""
    from .grade import _check_calls, exercise_labels

    if key is not None and (not isinstance(key, bytes) or not key):
        raise TypeError(f"key must be None or non-empty bytes (from mathcore.grade.read_key), got {type(key).__name__}")
    _check_notebook(nb, dict, "nbformat.read, or its JSON as a dict")
    nb = nbformat.from_dict(nb)
    blocks = solution_cells(nb)
    in_solution = {i for b in blocks for i in b}
    student = student_version(nb)
    # student_version puts one marker cell where each block stood, in order
    markers = [k for k, c in enumerate(student.cells) if c.source in (ANSWER_CODE, ANSWER_MARKDOWN)]
    if len(markers) != len(blocks):
        raise AssignError("a cell outside the solutions holds the answer marker itself; remove it")
    graded: dict[int, _Graded] = {}
    drop: set[int] = set()
    for label in exercise_labels(nb):
        solved = [(i, c) for i, c in enumerate(nb.cells)
                  if i in in_solution and c.cell_type == "code" and _check_statements(c.source, label)]
        stubs = [k for k, c in enumerate(student.cells)
                 if c.cell_type == "code" and _check_statements(c.source, label)]
        if not solved or not stubs:
            where = "no solution cell" if not solved else "no answer cell outside the solutions"
            raise AssignError(f"exercise {label}: {where} calls check({label!r}, ...) at its top level; "
                              "an export needs both")
        calls = [expr for lab, expr in _check_calls(student.cells[stubs[0]].source) if lab == label]
        cell = student.cells[stubs[0]]
        spans = _check_statements(cell.source, label)
        lines = cell.source.splitlines()
        graded[stubs[0]] = _Graded(
            label, calls[0], _without_lines(cell.source, spans),
            "\n".join("\n".join(lines[a - 1:b]) for a, b in spans),
            "\n\n".join(_without_lines(c.source, _check_statements(c.source, label)) for _, c in solved))
        # the marker of each block that held this solution: the answer goes in the tool's solution cell
        drop |= {markers[n] for n, b in enumerate(blocks) if any(i in b for i, _ in solved)}
    return student, graded, drop


def _slug(label: str, allowed: str) -> str:
    return re.sub(f"[^{allowed}]", "_", label)


def _hidden_test(g: _Graded, key) -> str:
    from .grade import HIDDEN, hidden_seed

    seed = hidden_seed(key, g.label) if key is not None and g.label in HIDDEN else None
    return (f"from mathcore.grade import grade_answer\n"
            f"_correct, _why = grade_answer({g.label!r}, {g.expr}, seed={seed!r})\n"
            f"assert _correct, _why")


def _tool_version(nb, key, cells_for) -> object:
    student, graded, drop = _export_parts(nb, key)
    cells = []
    for k, cell in enumerate(student.cells):
        if k in drop:
            continue
        cells += cells_for(graded[k]) if k in graded else [cell]
    student.cells = cells
    for k, cell in enumerate(student.cells):
        cell.id = f"cell-{k}"
    return student


def nbgrader_version(nb, key=None):
    """A new notebook: ``nb`` as nbgrader's source (instructor's) notebook, with hidden tests.

    Each gradable exercise becomes an autograded answer cell (``### BEGIN SOLUTION`` /
    ``### END SOLUTION`` around the instructor's code) and an autograded test cell worth
    one point whose test lies between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``;
    their ``grade_id`` is the exercise's label. ``key`` (bytes, from
    :func:`mathcore.grade.read_key`) gives function answers hidden inputs, as
    :func:`mathcore.grade.grade` with that key; without it they meet the self-check's only.
    """
    def cells(g: _Graded):
        gid = _slug(g.label, "A-Za-z0-9_-")
        answer = nbformat.v4.new_code_cell("\n".join(filter(None, [
            g.stub, "### BEGIN SOLUTION", g.solution, "### END SOLUTION", g.checks])))
        answer.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "task": False,
                                       "grade_id": gid, "schema_version": 3}
        test = nbformat.v4.new_code_cell(f"# The hidden test of {g.label} (1 point).\n### BEGIN HIDDEN TESTS\n"
                                         f"{_hidden_test(g, key)}\n### END HIDDEN TESTS")
        test.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "task": False, "points": 1,
                                     "grade_id": f"{gid}-test", "schema_version": 3}
        return [answer, test]
    return _tool_version(nb, key, cells)


def otter_version(nb, key=None, name: str = "assignment"):
    """A new notebook: ``nb`` in Otter-Grader's v1 assign format (the master notebook ``otter assign`` reads).

    An ``# ASSIGNMENT CONFIG`` raw cell first (assignment ``name``; no init, check-all
    or export cell, so the notebook runs without Otter installed); each gradable
    exercise in ``# BEGIN QUESTION`` / ``# END QUESTION`` (its name the label, 1 point),
    its answer cell between raw ``# BEGIN SOLUTION`` / ``# END SOLUTION`` cells with the
    instructor's code between the same markers as lines inside it, and one
    test, ``hidden: true``, in ``# BEGIN TESTS`` / ``# END TESTS``. ``key`` as in
    :func:`nbgrader_version`.
    """
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}", name):
        raise ValueError(f"name must be letters, digits, '_', '.' or '-' (an assignment's name), got {name!r}")
    raw = nbformat.v4.new_raw_cell

    def cells(g: _Graded):
        answer = nbformat.v4.new_code_cell("\n".join(filter(None, [
            g.stub, "# BEGIN SOLUTION", g.solution, "# END SOLUTION", g.checks])))
        test = nbformat.v4.new_code_cell(f'""" # BEGIN TEST CONFIG\nhidden: true\npoints: 1\n""" # END TEST CONFIG\n'
                                         f"{_hidden_test(g, key)}")
        # the raw BEGIN/END SOLUTION cells mark the answer cell as a solution cell; only in such a
        # cell does otter assign replace the BEGIN/END SOLUTION lines (elsewhere they reach students)
        return [raw(f"# BEGIN QUESTION\nname: {_slug(g.label, 'A-Za-z0-9_')}\npoints: 1"),
                raw("# BEGIN SOLUTION"), answer, raw("# END SOLUTION"),
                raw("# BEGIN TESTS"), test, raw("# END TESTS"), raw("# END QUESTION")]
    nb = _tool_version(nb, key, cells)
    config = (f"# ASSIGNMENT CONFIG\nname: {name}\ninit_cell: false\ncheck_all_cell: false\nexport_cell: false\n"
              "run_tests: false\nsolutions_pdf: false\ngenerate: true\n")
    nb.cells.insert(0, raw(config))
    for k, cell in enumerate(nb.cells):
        cell.id = f"cell-{k}"
    return nb


def _read(path: Path):
    try:
        if path.is_dir():
            raise AssignError(f"{path}: is a directory, not a notebook")
        if not path.is_file():
            raise AssignError(f"{path}: no such file")
        data = path.read_bytes()
    except OSError as exc:  # a name too long, a file not readable
        raise AssignError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several unrelated types for "not a notebook"
        raise AssignError(f"{path}: not a Jupyter notebook ({type(exc).__name__}: {exc})") from None
    return nb


def _check_inputs(notebooks: list[Path]) -> None:
    """Refuse a notebook given twice, and two notebooks whose student versions would share a name."""
    first: dict[Path, Path] = {}
    for path in notebooks:
        key = path.resolve()
        if key in first:
            raise AssignError(f"{path} is the notebook {first[key]} given twice; refused: give each notebook once")
        first[key] = path
    if len({p.name for p in first}) != len(first):
        raise AssignError("two notebooks have the same file name and would overwrite each other in --out")


def _existing_ancestor(path: Path) -> Path:
    """``path`` (absolute) or its deepest ancestor that exists; at worst the root."""
    for candidate in (path, *path.parents[:-1]):
        try:
            os.stat(candidate)
            return candidate
        except OSError:  # absent, under a regular file, or a name too long
            continue
    return Path(path.anchor)


def _check_outputs(out_arg: Path, out: Path, notebooks: list[Path]) -> None:
    """Refuse (AssignError) any output that could not be written or would write onto an input.

    Checked before anything is written: the folder can be made and written in,
    its names fit the file system, and no target is a folder, a symbolic link
    or (through a hard link) one of the inputs.
    """
    base = _existing_ancestor(out)
    if not base.is_dir():
        if base == out:
            raise AssignError(f"--out {out_arg} exists and is not a folder")
        raise AssignError(f"--out {out_arg}: {base} is a file, not a folder")
    sources = {p.resolve() for p in notebooks}
    clashes = [p for p in sources if p.parent == out]
    if clashes:
        raise AssignError(f"--out {out_arg} is the folder of {clashes[0].name}: writing there would "
                          "overwrite the chapter with its student version; choose another folder")
    name_max, path_max = os.pathconf(base, "PC_NAME_MAX"), os.pathconf(base, "PC_PATH_MAX")
    for name in [*out.relative_to(base).parts, *(p.name for p in notebooks)]:
        if len(os.fsencode(name)) > name_max:
            raise AssignError(f"--out {out_arg}: the name {name[:40]}... is {len(os.fsencode(name))} bytes long; "
                              f"this file system allows {name_max}")
    longest = max((out / p.name for p in notebooks), key=lambda t: len(os.fsencode(t)))
    if len(os.fsencode(longest)) >= path_max:
        raise AssignError(f"--out {out_arg}: the path {longest} is longer than the {path_max} bytes "
                          "this file system allows")
    try:
        with tempfile.TemporaryFile(dir=base):
            pass
    except OSError as exc:
        raise AssignError(f"--out {out_arg}: cannot write in {base} ({exc.strerror or exc})") from None
    inputs = {(st.st_dev, st.st_ino) for st in (os.stat(p) for p in notebooks)}
    for path in notebooks:
        target = out / path.name
        try:
            st = os.lstat(target)
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(st.st_mode):
            raise AssignError(f"--out {out_arg}: {target} is a symbolic link; refusing to write through it "
                              "(remove the link first)")
        if stat.S_ISDIR(st.st_mode):
            raise AssignError(f"--out {out_arg}: {target} is a folder, not a file")
        if (st.st_dev, st.st_ino) in inputs:
            raise AssignError(f"--out {out_arg}: {target} is the same file as an input notebook (a hard link); "
                              "writing it would overwrite the chapter")


def _write_all(out: Path, students: list[tuple[Path, object]]) -> None:
    """Write each student version to ``out / name``, all or none.

    Each goes to a temporary file in ``out`` first and is then renamed over
    its target (``os.replace``, atomic within one folder), so a failed write
    leaves neither a half-written notebook nor a partial set of them.
    """
    created = [d for d in reversed([out, *out.parents]) if not d.exists()]
    temps: list[str] = []
    replaced = 0
    # mkstemp makes a private (0600) file; a student version is for sharing, like any file open() makes
    mode = 0o666 & ~_umask()
    try:
        for folder in created:
            folder.mkdir()
        for _, nb in students:
            fd, tmp = tempfile.mkstemp(dir=out, prefix=".assign-", suffix=".tmp")
            temps.append(tmp)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                nbformat.write(nb, f)
            os.chmod(tmp, mode)
        for tmp, (path, _) in zip(temps, students):
            os.replace(tmp, out / path.name)
            replaced += 1
    except OSError as exc:
        with contextlib.suppress(OSError):
            for tmp in temps[replaced:]:
                Path(tmp).unlink(missing_ok=True)
            if not replaced:
                for folder in reversed(created):
                    folder.rmdir()
        done = f"{replaced} of {len(students)} were written" if replaced else "nothing was written"
        raise AssignError(f"--out {out}: writing failed ({exc.strerror or exc}); {done}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mathcore.assign", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="chapter notebooks (.ipynb)")
    parser.add_argument("--out", required=True, type=Path, help="folder for the student versions")
    # checked below, not by argparse's choices: a refused command line gets one line, not the usage too
    parser.add_argument("--format", default="student", metavar="{" + ",".join(FORMATS) + "}",
                        help="student: our student version (default); nbgrader, otter: the instructor's source "
                             "notebook for that tool, with hidden tests (never hand it out)")
    parser.add_argument("--key", type=Path, help="with nbgrader or otter: the instructor's key (python -m "
                                                 "mathcore.grade --make-key), for function answers' hidden inputs")
    args = parser.parse_args(argv)
    try:
        if args.format not in FORMATS:
            raise AssignError(f"--format {args.format[:40]!r}: unknown; choose one of {', '.join(FORMATS)}")
        out = args.out.resolve()
        _check_inputs(args.notebooks)
        key = None
        if args.key is not None:
            if args.format == "student":
                raise AssignError("--key is for --format nbgrader or otter: a student version holds no tests")
            from .grade import GradeError, read_key
            try:
                key = read_key(args.key)
            except GradeError as exc:
                raise AssignError(str(exc)) from None
        students = []
        for path in args.notebooks:  # every notebook read and parsed before anything is written
            nb = _read(path)
            try:
                if args.format == "nbgrader":
                    students.append((path, nbgrader_version(nb, key)))
                elif args.format == "otter":
                    students.append((path, otter_version(nb, key, name=_slug(path.stem, "A-Za-z0-9_.-") or "nb")))
                else:
                    students.append((path, student_version(nb)))
            except AssignError as exc:
                raise AssignError(f"{path}: {exc}") from None
        _check_outputs(args.out, out, args.notebooks)
        _write_all(out, students)
    except AssignError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path, _ in students:
        print(f"{path} -> {out / path.name}")
    if args.format != "student" and key is None:  # after writing: a refused command line gets one line
        print("warning: no --key: function answers' hidden tests use the self-check's inputs only", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
