"""The book's contents against its registries: nothing registered goes unshown or undocumented.

Fast checks on the sources (no build): every verified equation a chapter
registers is displayed by that chapter, and every public module of
``mathcore`` is on the API reference page, so a new entry or module cannot
slip past the reader.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
import sys

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


# --- every display equation a reader sees comes from the registry --------------------------------------

#: a display in Markdown: $$ ... $$ (MyST's dollarmath), or an amsmath environment on its own
DISPLAY = re.compile(r"\$\$(.+?)\$\$|\\begin\{(equation|align|gather|multline)\*?\}(.+?)\\end\{\2\*?\}", re.S)
#: spacing, sizing and punctuation that change how an equation looks, not what it says
COSMETIC = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)(?![a-zA-Z])|\\[,;:! ]|\\q?quad(?![a-zA-Z])"
                      r"|\\(?:displaystyle|textstyle)(?![a-zA-Z])|[{}\s&]")


def normalise(latex: str) -> str:
    """``latex`` without what only affects its look, and without a closing comma or full stop."""
    out = COSMETIC.sub("", re.sub(r"\\\\(\[[^\]]*\])?", "\n", latex))  # a line break, with or without extra space
    return out.rstrip(".,;:")


@functools.lru_cache(maxsize=1)  # the registry is fixed once imported; every notebook's test asks
def registered_displays() -> dict[str, str]:
    """Normalised LaTeX -> label, for every registered entry and every definition an entry uses.

    A definition in an entry's ``definitions`` (its "where" line, such as
    :math:`\\kappa = \\lambda_{\\max}/\\lambda_{\\min}`) is registered with the entry and
    substituted when the entry is checked, so a display of it is a copy of a registered object.
    """
    known = {}
    for label, d in DERIVATIONS.items():
        known[normalise(d.latex)] = label
        for line in d.where:
            known.setdefault(normalise(line), label)
    return known


def displays(nb) -> list[tuple[int, str, str]]:
    """(cell index, "markdown" or "output", LaTeX) of every display equation a reader sees in ``nb``."""
    found = []
    for index, cell in enumerate(nb.cells):
        texts = []
        if cell.cell_type == "markdown":
            texts.append(("markdown", cell.source))
        elif cell.cell_type == "code":
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                for mime in ("text/markdown", "text/latex"):
                    texts += [("output", data[mime])] if mime in data else []
        for where, text in texts:
            for m in DISPLAY.finditer(text):
                found.append((index, where, (m.group(1) or m.group(3)).strip()))
    return found


@pytest.mark.parametrize("name", sorted(p.name for p in BOOK.glob("*.ipynb")))
def test_every_display_equation_is_registered(name):
    """A display is the typeset form of a registered entry, or an exact copy of one (up to spacing).

    The book's promise: every equation the reader sees was checked, by a proof, by
    seeded points, or, for a definition, against the code that computes it.
    """
    known = registered_displays()
    nb = nbformat.read(BOOK / name, as_version=4)
    unregistered = [f"cell {index} ({where}): {latex[:120]}" for index, where, latex in displays(nb)
                    if normalise(latex) not in known]
    assert unregistered == [], (f"{name}: display equations that are not a registered entry's typeset form "
                                f"(register them in mathcore.derivations and show them, or copy the entry's "
                                f".latex exactly):\n  " + "\n  ".join(unregistered))


def test_normalise_ignores_looks_not_content():
    assert normalise(r"\left( a \right) \, + \quad b ,") == normalise("(a)+b")
    assert normalise(r"\begin{aligned} a &= b \\[8pt] c &= d \end{aligned}") == normalise(
        r"\begin{aligned}a = b \\ c = d\end{aligned}")
    assert normalise("a + b") != normalise("a - b")
    assert normalise(r"W^\top x") != normalise(r"W x")


# --- code and printed output fit the text column ----------------------------------------------
#: The theme's text column at 1280 px holds about 85 characters of its monospace code font;
#: 80 leaves a margin (tests/test_browser.py measures the real overflow in the built pages).
MAX_LINE = 80


def _shown_text(output) -> str:
    """What a cell output shows as monospace text: printed streams, and plain-text results that
    have no richer form (an image, HTML or Markdown is what the page shows instead)."""
    if output.get("output_type") == "stream":
        return output.get("text", "")
    data = output.get("data", {})
    if output.get("output_type") in ("execute_result", "display_data") and not (
            set(data) & {"image/png", "image/svg+xml", "text/html", "text/markdown", "text/latex",
                         "application/vnd.jupyter.widget-view+json"}):
        return data.get("text/plain", "")
    return ""


def long_lines(nb) -> list[str]:
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for what, text in [("code", cell.source)] + [("output", _shown_text(o)) for o in cell.get("outputs", [])]:
            found += [f"cell {index} {what}, {len(line)} chars: {line[:60]}..."
                      for line in text.splitlines() if len(line) > MAX_LINE]
    return found


@pytest.mark.parametrize("name", sorted(p.name for p in BOOK.glob("*.ipynb")))
def test_code_and_printed_lines_fit_the_column(name):
    """No code line and no printed line wider than the column: the page would cut it off."""
    lines = long_lines(nbformat.read(BOOK / name, as_version=4))
    assert lines == [], f"{name}: {len(lines)} lines over {MAX_LINE} characters:\n  " + "\n  ".join(lines)


# --- the set-up cell: Colab installs mathcore on first run ------------------------------------
def _repository() -> tuple[str, str]:
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    return config["url"], config["branch"]


#: every notebook a launch button opens: the chapters and the appendix notebooks
LAUNCHED = sorted([p.name for p in BOOK.glob("[0-9][0-9]_*.ipynb")] + list(APPENDIX_NOTEBOOKS.values()))


@pytest.mark.parametrize("name", LAUNCHED)
def test_the_first_code_cell_installs_mathcore_only_where_it_is_missing(name):
    """Colab opens the notebook from the branch of ``_config.yml`` and installs mathcore from that branch.

    Hidden from the page (``remove-cell``), silent where mathcore is installed (locally, on
    Binder, in the browser kernel), so its stored output is empty.
    """
    url, branch = _repository()
    cell = next(c for c in nbformat.read(BOOK / name, as_version=4).cells if c.cell_type == "code")
    assert cell.source == (
        "try:\n"
        "    import mathcore\n"
        "except ImportError:  # on Colab: install the book's package once\n"
        f'    repo = "{url}"\n'
        f'    %pip install --quiet "mathcore @ git+{{repo}}@{branch}"')
    assert cell.metadata.get("tags") == ["remove-cell"]
    assert cell.outputs == []


def test_the_set_up_cell_installs_from_the_repository_when_mathcore_is_missing(monkeypatch):
    """Run in IPython with ``import mathcore`` failing: ``%pip`` gets the repository's URL, expanded."""
    from IPython.core.interactiveshell import InteractiveShell

    url, branch = _repository()
    cell = next(c for c in nbformat.read(BOOK / LAUNCHED[0], as_version=4).cells if c.cell_type == "code")
    shell = InteractiveShell.instance()
    try:
        asked = []
        shell.register_magic_function(asked.append, "line", "pip")
        assert shell.run_cell(cell.source).success
        assert asked == []  # mathcore is installed here
        monkeypatch.setitem(sys.modules, "mathcore", None)  # import mathcore now raises ImportError
        assert shell.run_cell(cell.source).success
        assert asked == [f'install --quiet "mathcore @ git+{url}@{branch}"']
    finally:
        InteractiveShell.clear_instance()
