"""The edition without solutions: no solution line anywhere in the built folder."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mathcore.assign import solution_cells, solution_lines

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
TEXT_SUFFIXES = {".html", ".js", ".ipynb", ".md", ".txt", ".json", ".css", ".inv"}
_TAG = re.compile(r"<[^>]+>")


def _is_book_text(relative: Path) -> bool:
    # _static holds the theme's minified scripts (where `return A` is just code), not the book's
    # text; lite/ is JupyterLab's application (18 MB of scripts and package indexes), whose only
    # text of the book is the chapters it opens (lite/files/*.ipynb)
    if "_static" in relative.parts:
        return False
    if relative.parts[0] == "lite":
        return relative.parts[1] == "files" and relative.suffix == ".ipynb"
    return relative.suffix in TEXT_SUFFIXES


def _corpus(folder: Path) -> str:
    """Every text file of a built book, as a reader sees it: HTML tags dropped (syntax
    highlighting splits a line of code into many spans), entities decoded."""
    parts = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and _is_book_text(path.relative_to(folder)):
            text = path.read_text(errors="replace")
            parts += [text, html.unescape(_TAG.sub("", text))]
    return "\n".join(parts)


def _secrets() -> set[str]:
    """Lines only solutions hold, book-wide: a line of one chapter's solution that another
    chapter shows openly (a generic `return A`) is no secret."""
    notebooks = [nbformat.read(p, as_version=4) for p in CHAPTERS]
    secret = set().union(*(solution_lines(nb) for nb in notebooks))
    in_solution = [{i for block in solution_cells(nb) for i in block} for nb in notebooks]
    open_lines = {line.strip() for nb, hidden in zip(notebooks, in_solution)
                  for i, cell in enumerate(nb.cells) if i not in hidden
                  for text in [cell.source, *(o.get("text", "") for o in cell.get("outputs", []))]
                  for line in text.splitlines()}
    # a bare keyword line (`try:`) says nothing of the answer, and prose ("Things to try:") has it
    return {line for line in secret - open_lines if not re.fullmatch(r"[a-z]+:?", line)}


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("nosolutions")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build_edition.py"), "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "_build" / "html"


_WORD = re.compile(r"\w")


def _found(line: str, corpus: str) -> bool:
    # as a whole: the solution line `try:` is not leaked by the word "entry:". str.find, then
    # a look at the characters on either side: a regular expression with look-arounds took
    # 150 s over the built book's 19 MB for the 828 lines.
    start = corpus.find(line)
    while start != -1:
        end = start + len(line)
        if not (start and _WORD.match(corpus[start - 1])) and not (end < len(corpus) and _WORD.match(corpus[end])):
            return True
        start = corpus.find(line, start + 1)
    return False


def test_no_solution_anywhere_in_the_edition(edition):
    corpus = _corpus(edition)
    leaked = sorted(line for line in _secrets() if _found(line, corpus))
    assert not leaked, f"solution text in the edition without solutions: {leaked[:5]}"


def test_every_chapter_and_its_download_are_there(edition):
    for chapter in CHAPTERS:
        assert (edition / "book" / f"{chapter.stem}.html").is_file()
        download = edition / "_sources" / "book" / chapter.name
        assert download.is_file(), f"no .ipynb download for {chapter.name}"
        assert "not part of the student version" in download.read_text()
        # the browser kernel's copy, searched for solutions with the rest
        assert (edition / "lite" / "files" / chapter.name).is_file(), f"no {chapter.name} in lite/"


def test_the_full_book_does_show_the_solutions(built_book):
    # The control: the same search finds the solutions in the ordinary build,
    # so the test above would fail if the edition leaked them.
    corpus = _corpus(built_book.html)
    found = [line for line in _secrets() if _found(line, corpus)]
    assert len(found) >= len(CHAPTERS)
