"""The book's contents against its registries: nothing registered goes unshown or undocumented.

Fast checks on the sources (no build): every verified equation a chapter
registers is displayed by that chapter, and every public module of
``mathcore`` is on the API reference page, so a new entry or module cannot
slip past the reader.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import nbformat
import pytest

import mathcore
from conftest import ROOT
from mathcore.derivations import DERIVATIONS

BOOK = ROOT / "book"
#: where each appendix's equations are shown
APPENDIX_NOTEBOOKS = {"A": "appendix_matrix_calculus.ipynb"}
#: the status line under every displayed equation (Derivation.show) names its label
SHOWN = re.compile(r"[✓?] `([\w.\-]+)`:")


def notebook_for(chapter) -> str:
    if chapter in APPENDIX_NOTEBOOKS:
        return APPENDIX_NOTEBOOKS[chapter]
    matches = sorted(p.name for p in BOOK.glob(f"{chapter:02d}_*.ipynb"))
    assert len(matches) == 1, f"chapter {chapter}: expected one notebook book/{chapter:02d}_*.ipynb, got {matches}"
    return matches[0]


def shown_labels(name: str) -> set[str]:
    """Labels of the equations in the committed outputs (a loop of ``eq(...).show()`` counts too)."""
    nb = nbformat.read(BOOK / name, as_version=4)
    return {label for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
            for label in SHOWN.findall(out.get("data", {}).get("text/markdown", ""))}


CHAPTERS = sorted({d.chapter for d in DERIVATIONS.values()}, key=str)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=str)
def test_every_registered_equation_is_shown_by_its_chapter(chapter):
    registered = {k for k, d in DERIVATIONS.items() if d.chapter == chapter}
    missing = sorted(registered - shown_labels(notebook_for(chapter)))
    assert missing == [], f"registered for chapter {chapter} but never shown there: {missing}"


def test_every_equation_a_chapter_shows_is_registered():
    for path in sorted(BOOK.glob("*.ipynb")):
        unknown = sorted(shown_labels(path.name) - set(DERIVATIONS))
        assert unknown == [], f"{path.name} shows unregistered equations {unknown}"


def public_modules() -> list[str]:
    """Modules a reader can import: top-level ones, and any with a non-empty ``__all__``."""
    names = []
    for info in pkgutil.walk_packages(mathcore.__path__, "mathcore."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        if info.name.count(".") == 1 or getattr(module, "__all__", None):
            names.append(info.name)
    return names


def test_public_modules_found():
    assert {"mathcore.network", "mathcore.derivations", "mathcore.widgets.ch1_neurons"} <= set(public_modules())


@pytest.mark.parametrize("module", public_modules())
def test_every_public_module_is_in_the_api_reference(module):
    page = (BOOK / "appendix_api.md").read_text(encoding="utf-8")
    assert re.search(rf"^\.\. automodule:: {re.escape(module)}$", page, re.M), \
        f"{module} is missing from book/appendix_api.md"
