"""The PDF edition (make pdf, make pdf-student): built once per module, then read back as text.

Needs TeX Live and poppler-utils (the Makefile's `texlive` target installs them): without
them these tests skip, except under CI=true, where they fail (.ci/run installs them).

Under CI=true only the instructor's PDF is built (the student's, 7 to 10 more minutes, would
not fit CI's budget): the student's PDF is typeset from the same student sources as the HTML edition
without solutions (tools/build_edition.py), whose every file tests/test_edition.py searches
for solution lines. MATHCORE_TEST_STUDENT_PDF=1 builds and checks it under CI too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, toc_files
from mathcore.assign import solution_cells

TOOLS = ("xelatex", "latexmk", "pdftotext", "pdfinfo", "pdfimages")
BUILD_TIMEOUT_S = 1800
# The book is about 200 pages; a missing part or a runaway table would leave these bounds.
MIN_PAGES, MAX_PAGES = 120, 400
# Raw LaTeX that would mean an equation or a command reached the page untypeset: looked for
# in the LaTeX source, where text that prints a backslash or a dollar has it escaped, outside
# code, in blocks and inline (a docstring shown from its source may hold `.. math::` and
# \frac, as it should).
RAW_LATEX = re.compile(r"\\textbackslash\{\}(begin|end|frac|mathbf|sum|partial|sigma|left|right)\b|\\\$\\\$")
CODE = re.compile(r"\\begin\{sphinxVerbatim\}.*?\\end\{sphinxVerbatim\}|\\sphinxcode\{\\sphinxupquote\{.*?\}\}", re.S)
# LaTeX's own words for a reference or citation it could not resolve.
UNRESOLVED = re.compile(r"(Reference|Citation|Hyper reference) .* undefined|There were undefined references")


def _require_texlive() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"TeX Live / poppler-utils missing ({', '.join(missing)}): run `make texlive`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _run_build(cmd: list[str], out: Path) -> tuple[Path, str]:
    env = dict(os.environ, MATHCORE_STATIC="print")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    log = proc.stdout + proc.stderr
    (out / "build.log").write_text(log)
    (out / "seconds.txt").write_text(f"{time.perf_counter() - start:.0f}\n")
    assert proc.returncode == 0, f"the PDF build failed (log in {out / 'build.log'}):\n{log[-3000:]}"
    pdf = out / "_build" / "latex" / "book.pdf"
    assert pdf.is_file(), f"no PDF at {pdf}"
    return pdf, (pdf.parent / "book.log").read_text(errors="replace")


def _prose(pdf: Path) -> str:
    """The LaTeX source of ``pdf`` without its code."""
    return CODE.sub("", pdf.with_suffix(".tex").read_text())


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _images(pdf: Path) -> int:
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return len(listing.splitlines()) - 2  # a two-line header, then one line per image drawn


def _figure_outputs() -> int:
    """Figures the committed chapters display: each must be an image in the PDF, not its alt text."""
    count = 0
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                count += ("image/png" in data or "<img" in data.get("text/html", "")
                          or "application/vnd.jupyter.widget-view+json" in data)
    return count


def _squeeze(text: str) -> str:
    # Line breaks, hyphenation-free wrapping and code indentation differ between the
    # sources and the PDF's text: compare without any whitespace.
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def instructor_pdf():
    _require_texlive()
    out = ROOT / "_build" / "test-pdf"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--builder", "pdflatex",
           "--path-output", str(out), "-n", "-W", "--keep-going", "--all"]
    pdf, log = _run_build(cmd, out)
    return pdf, log, _text(pdf)


@pytest.fixture(scope="module")
def student_pdf():
    _require_texlive()
    if os.environ.get("CI") == "true" and os.environ.get("MATHCORE_TEST_STUDENT_PDF") != "1":
        pytest.skip("the student's PDF is not built under CI (see the module docstring)")
    out = ROOT / "_build" / "test-pdf-student"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    cmd = [sys.executable, str(ROOT / "tools" / "build_edition.py"), "--pdf", "--out", str(out)]
    pdf, log = _run_build(cmd, out)
    return pdf, log, _text(pdf)


def _title(doc: str) -> str:
    """The first heading of a page of _toc.yml: its title in the PDF."""
    path = ROOT / doc
    if path.with_suffix(".ipynb").exists():
        nb = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
        source = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    else:
        source = path.with_suffix(".md").read_text()
    return re.search(r"^# (.+)$", source, re.M).group(1).replace("`", "").strip()


def _solution_phrases() -> list[str]:
    """Code lines that only the chapters' solutions hold: each must be in one PDF and not the other."""
    phrases = []
    for path in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        everything_else = "\n".join(c.source for i, c in enumerate(nb.cells)
                                    if i not in {j for block in solution_cells(nb) for j in block})
        for block in solution_cells(nb):
            for line in (l.strip() for i in block if nb.cells[i].cell_type == "code"
                         for l in nb.cells[i].source.splitlines()):
                if 25 <= len(line) <= 70 and not line.startswith("#") and line not in everything_else:
                    phrases.append(line)
                    break  # one line per solution
    return phrases


def _pdf_cleanly_built(pdf: Path, log: str, text: str) -> None:
    assert not UNRESOLVED.search(log), UNRESOLVED.search(log).group(0)
    pages = _pages(pdf)
    assert MIN_PAGES <= pages <= MAX_PAGES, f"{pages} pages"
    prose = _prose(pdf)
    raw = RAW_LATEX.search(prose)
    assert raw is None, f"untypeset LaTeX in the PDF: ...{prose[max(raw.start() - 200, 0):raw.end() + 80]}..."
    assert "$$" not in text
    assert "??" not in text, f"an unresolved reference: ...{text[text.index('??') - 80:text.index('??') + 20]}..."
    # a widget printed as its text repr instead of its small multiples
    assert "<interactive figure" not in text
    squeezed = _squeeze(text)
    missing = [t for t in map(_title, toc_files()) if _squeeze(t) not in squeezed]
    assert not missing, f"chapter titles not in the PDF: {missing}"


def test_instructor_pdf_is_complete(instructor_pdf):
    _pdf_cleanly_built(*instructor_pdf)


def test_instructor_pdf_shows_every_figure(instructor_pdf):
    # plotting.show's figures and the widgets' small multiples print as images
    expected = _figure_outputs()
    assert expected >= 40, expected
    assert _images(instructor_pdf[0]) >= expected


def test_instructor_pdf_holds_the_solutions(instructor_pdf):
    phrases = _solution_phrases()
    assert len(phrases) >= 8 * 3, phrases  # the phrase check below must have material to work on
    squeezed = _squeeze(instructor_pdf[2])
    missing = [p for p in phrases if _squeeze(p) not in squeezed]
    assert not missing, f"solutions missing from the instructor's PDF: {missing}"


def test_student_pdf_has_no_solutions(student_pdf):
    _pdf_cleanly_built(*student_pdf)
    squeezed = _squeeze(student_pdf[2])
    leaked = [p for p in _solution_phrases() if _squeeze(p) in squeezed]
    assert not leaked, f"solution lines in the student's PDF: {leaked}"
