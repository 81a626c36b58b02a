"""Student versions of the chapters: every solution removed, a marked answer cell in its place.

Usage::

    python -m mathcore.assign book/01_neurons.ipynb [more.ipynb ...] --out student/

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
Nothing is written unless every input is a readable notebook and the output
folder holds none of the inputs.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import TagRemovePreprocessor

__all__ = ["AssignError", "solution_cells", "solution_lines", "student_version", "main", "ANSWER_CODE", "ANSWER_MARKDOWN"]

SOLUTION_TAG = "solution"
_REMOVE_TAG = "mathcore-remove-solution"
ANSWER_CODE = "# ✏️ Your answer here. (The solution is not part of the student version.)\n"
ANSWER_MARKDOWN = "✏️ **Your answer here.** *(The solution is not part of the student version.)*"
_START = re.compile(r"^(```+|:::+)\{solution-start\}", re.MULTILINE)
_END = re.compile(r"^(```+|:::+)\{solution-end\}", re.MULTILINE)
_END_DIRECTIVE = re.compile(r"^(?P<fence>```+|:::+)\{solution-end\}[^\n]*\n(?:.*\n)*?(?P=fence)[ \t]*$", re.MULTILINE)
# A whole {solution} directive: an opening fence, anything, the same fence closing it.
_BLOCK = re.compile(r"^(?P<fence>```+|:::+)\{solution\}.*?^(?P=fence)[ \t]*$\n?", re.MULTILINE | re.DOTALL)


class AssignError(Exception):
    """A problem with the inputs or the output folder; nothing has been written."""


def _check_alone(i: int, src: str, starts, ends) -> None:
    # A block is removed whole, cells and all: text before solution-start or after
    # solution-end in the same cell (the next exercise's prompt, say) would go with it.
    if starts and src[:starts.start()].strip():
        raise AssignError(f"cell {i}: text before its solution-start directive; "
                          "put the directive at the top of its own Markdown cell")
    if ends:
        after = _END_DIRECTIVE.search(src)
        if after is None or src[after.end():].strip():
            raise AssignError(f"cell {i}: text after its solution-end directive; "
                              "end the cell with the directive and start a new cell for what follows")


def solution_cells(nb) -> list[list[int]]:
    """Indices of the solution material of ``nb``, grouped in blocks (one block per solution).

    A gated solution's ``solution-start`` must open its Markdown cell and its
    ``solution-end`` must close one (AssignError otherwise), so that removing
    the block's cells removes exactly the solution.
    """
    blocks, current, inside = [], [], False
    for i, cell in enumerate(nb.cells):
        src = cell.source
        starts = cell.cell_type == "markdown" and _START.search(src)
        ends = cell.cell_type == "markdown" and _END.search(src)
        if starts or ends:
            _check_alone(i, src, starts, ends)
        if starts and not inside:
            inside, current = True, []
        if inside:
            current.append(i)
            if ends:
                blocks.append(current)
                inside = False
            continue
        if SOLUTION_TAG in cell.metadata.get("tags", []):
            blocks.append([i])
    if inside:
        raise AssignError(f"a solution-start at cell {current[0]} has no matching solution-end")
    return blocks


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
            for text in [cell.source, *_strings(cell.get("outputs", []))] for line in text.splitlines()}


def solution_lines(nb) -> set[str]:
    """The lines of ``nb`` that only its solutions hold (sources and outputs), for leak checks.

    Lines that also stand outside the solutions (``check(...)`` calls shared
    with the answer cells, say), directive fences, short lines and base64
    image data are left out: finding them elsewhere reveals nothing.
    """
    in_solution = {i for block in solution_cells(nb) for i in block}
    solution = _lines(nb.cells[i] for i in in_solution)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for m in _BLOCK.finditer(cell.source):
                solution.update(line.strip() for line in m.group(0).splitlines())
    shared = _lines(c for i, c in enumerate(nb.cells) if i not in in_solution)
    return {line for line in solution - shared
            if len(line) >= MIN_LEAK_CHARS and not _FENCE_LINE.match(line) and not line.startswith(("data:", "iVBOR"))}


def student_version(nb):
    """A new notebook: ``nb`` with every solution replaced by an answer cell."""
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
        if cell.cell_type == "markdown" and _BLOCK.search(cell.source):
            cell.source = _BLOCK.sub(ANSWER_MARKDOWN + "\n", cell.source)
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


def _read(path: Path):
    if not path.is_file():
        raise AssignError(f"{path}: no such file")
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several unrelated types for "not a notebook"
        raise AssignError(f"{path}: not a Jupyter notebook ({type(exc).__name__}: {exc})") from None
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mathcore.assign", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="chapter notebooks (.ipynb)")
    parser.add_argument("--out", required=True, type=Path, help="folder for the student versions")
    args = parser.parse_args(argv)
    try:
        out = args.out.resolve()
        sources = {p.resolve() for p in args.notebooks}
        if out.exists() and not out.is_dir():
            raise AssignError(f"--out {args.out} exists and is not a folder")
        clashes = [p for p in sources if p.parent == out]
        if clashes:
            raise AssignError(f"--out {args.out} is the folder of {clashes[0].name}: writing there would "
                              "overwrite the chapter with its student version; choose another folder")
        if len({p.name for p in sources}) != len(sources):
            raise AssignError("two notebooks have the same file name and would overwrite each other in --out")
        students = [(path, student_version(_read(path))) for path in args.notebooks]  # all read before any write
    except AssignError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    for path, nb in students:
        target = out / path.name
        nbformat.write(nb, target)
        print(f"{path} -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
