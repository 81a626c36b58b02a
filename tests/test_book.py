"""The built HTML book: a clean build, every page present, outputs without errors,
and widget state embedded wherever a chapter shows a widget.

The build itself is the `built_book` fixture (conftest.py): `jupyter-book build`
with MATHCORE_STATIC=1 and `-n -W --keep-going`, exactly as `make book`.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from conftest import BOOK_GROUP, ROOT, toc_files

pytestmark = pytest.mark.xdist_group(BOOK_GROUP)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
ERROR_TEXT = re.compile(r"Traceback \(most recent call last\)|\b[A-Z]\w*(Error|Exception)\b:")


def notebooks_in_toc() -> list[str]:
    return [f for f in toc_files() if (ROOT / f"{f}.ipynb").exists()]


class _Outputs(HTMLParser):
    """Collects the text inside cell-output blocks and the classes of output blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # > 0 while inside a cell_output div
        self.texts: list[str] = []
        self.output_classes: list[str] = []
        self.widget_states: list[str] = []
        self._in_state = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "script" and attrs.get("type") == WIDGET_STATE:
            self._in_state = True
            self.widget_states.append("")
        if self.depth:
            if tag not in ("br", "img", "hr", "input"):
                self.depth += 1
            if "output" in classes:
                self.output_classes.append(" ".join(classes))
        elif tag == "div" and "cell_output" in classes:
            self.depth = 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_state = False
        if self.depth and tag not in ("br", "img", "hr", "input"):
            self.depth -= 1

    def handle_data(self, data):
        if self._in_state:
            self.widget_states[-1] += data
        elif self.depth:
            self.texts.append(data)


def parse_page(path: Path) -> _Outputs:
    parser = _Outputs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_build_succeeds_without_warnings(built_book):
    assert built_book.returncode == 0, f"jupyter-book build failed; log tail:\n{built_book.log[-4000:]}"
    assert built_book.problems == [], "Sphinx warnings/errors:\n" + "\n".join(built_book.problems)


def test_build_kernels_use_unix_sockets(built_book):
    """The chapters were executed over IPC (tools/ipc_kernels.py), so no build can lose a TCP port race.

    ipykernel says "Kernel is running over TCP" on stderr for every kernel started over TCP.
    """
    assert "running over TCP" not in built_book.log


@pytest.mark.parametrize("docname", toc_files())
def test_every_toc_entry_has_a_page(built_book, docname):
    sources = [ROOT / f"{docname}{suffix}" for suffix in (".md", ".ipynb")]
    assert any(p.exists() for p in sources), f"_toc.yml lists {docname} but no .md/.ipynb exists"
    page = built_book.html / f"{docname}.html"
    assert page.is_file(), f"no page built for {docname}"


@pytest.mark.parametrize("docname", toc_files())
def test_pages_show_no_errors(built_book, docname):
    page = parse_page(built_book.html / f"{docname}.html")
    bad_blocks = [c for c in page.output_classes if "traceback" in c.split() or "stderr" in c.split()]
    assert bad_blocks == [], f"{docname}: error/stderr output blocks {bad_blocks}"
    text = "".join(page.texts)
    match = ERROR_TEXT.search(text)
    assert match is None, f"{docname}: cell output shows an error: ...{text[max(0, match.start() - 200):match.end() + 200]}..."


@pytest.mark.parametrize("docname", notebooks_in_toc() or [pytest.param(None, marks=pytest.mark.skip("no notebooks in _toc.yml yet"))])
def test_widget_state_embedded(built_book, docname):
    """Every widget view on a page has its model in the page's embedded state."""
    executed = nbformat.read(built_book.executed / f"{docname}.ipynb", as_version=4)
    views = [
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in executed.cells if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]
    page = parse_page(built_book.html / f"{docname}.html")
    if not views:
        pytest.skip(f"{docname} shows no widgets")
    assert len(page.widget_states) == 1, f"{docname}: expected one {WIDGET_STATE} script, found {len(page.widget_states)}"
    state = json.loads(page.widget_states[0])
    assert state.get("version_major") == 2, "ipywidgets 8 state (version_major 2) expected"
    missing = [m for m in views if m not in state["state"]]
    assert missing == [], f"{docname}: widget views without embedded state: {missing}"
