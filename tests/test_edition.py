"""The edition without solutions: no solution line anywhere in the built folder."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mathcore.assign import solution_lines

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
TEXT_SUFFIXES = {".html", ".js", ".ipynb", ".md", ".txt", ".json", ".css", ".inv"}
_TAG = re.compile(r"<[^>]+>")


def _corpus(folder: Path) -> str:
    """Every text file of a built book, as a reader sees it: HTML tags dropped (syntax
    highlighting splits a line of code into many spans), entities decoded."""
    parts = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            text = path.read_text(errors="replace")
            parts += [text, html.unescape(_TAG.sub("", text))]
    return "\n".join(parts)


def _secrets() -> set[str]:
    return set().union(*(solution_lines(nbformat.read(p, as_version=4)) for p in CHAPTERS))


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("nosolutions")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build_edition.py"), "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "_build" / "html"


def test_no_solution_anywhere_in_the_edition(edition):
    corpus = _corpus(edition)
    leaked = sorted(line for line in _secrets() if line in corpus)
    assert not leaked, f"solution text in the edition without solutions: {leaked[:5]}"


def test_every_chapter_and_its_download_are_there(edition):
    for chapter in CHAPTERS:
        assert (edition / "book" / f"{chapter.stem}.html").is_file()
        download = edition / "_sources" / "book" / chapter.name
        assert download.is_file(), f"no .ipynb download for {chapter.name}"
        assert "not part of the student version" in download.read_text()


def test_the_full_book_does_show_the_solutions(built_book):
    # The control: the same search finds the solutions in the ordinary build,
    # so the test above would fail if the edition leaked them.
    corpus = _corpus(built_book.html)
    found = [line for line in _secrets() if line in corpus]
    assert len(found) >= len(CHAPTERS)
