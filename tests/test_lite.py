"""Every chapter run in the reader's browser, offline: the built book's JupyterLite (``lite/``, written by
tools/lite.py) in headless Chromium, with the Pyodide kernel and mathcore's wheel from the build itself.

One server and one Chromium for all chapters; each chapter opens in a fresh browser context, as the
launch entry opens it. A chapter fails on any error or stderr output, on any request that tried to
leave 127.0.0.1, or on a slider whose move did not change its figure (the kernel did not recompute).
Per chapter the report gives the seconds until the kernel was ready, the seconds to run every cell
and the bytes received; it goes to _build/screenshots/lite.json, with a screenshot of each chapter
after its run (sliders moved). ``python benchmarks/lite.py`` times the same runs (medians).
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import BOOK_GROUP, ROOT, toc_files

pytestmark = pytest.mark.xdist_group(BOOK_GROUP)

SCREENSHOTS = ROOT / "_build" / "screenshots"
LITE_DOC = re.compile(r"book/(\d\d_\w+|appendix_\w+)")
NOTEBOOKS = [d.rsplit("/", 1)[1] for d in toc_files() if LITE_DOC.fullmatch(d) and (ROOT / f"{d}.ipynb").is_file()]


@pytest.fixture(scope="session")
def lite_site(built_book):
    from lite_browser import serve

    assert (built_book.html / "lite" / "notebooks" / "index.html").is_file(), "the build has no lite/ site"
    with serve(built_book.html) as site:
        yield site


@pytest.fixture(scope="session")
def lite_report():
    rows: dict[str, dict] = {}
    yield rows
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "lite.json").write_text(json.dumps(rows, indent=1))
    print("\nchapter: kernel ready (s), run all (s), MB received, sliders moved")
    for name, row in rows.items():
        print(f"{name}: {row['kernel_ready_s']}, {row['run_all_s']}, {row['bytes'] / 1e6:.1f}, {row['sliders']}"
              f"{'  FAILED' if row['errors'] else ''}")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_chapter_runs_in_the_browser_kernel(name, browser, lite_site, lite_report):
    from lite_browser import run_chapter

    row = run_chapter(browser, lite_site, f"{name}.ipynb", SCREENSHOTS / f"lite__{name}.png")
    lite_report[name] = row
    assert row["blocked"] == [], f"{name}: requests that left the site: {row['blocked']}"
    assert row["errors"] == [], f"{name}: " + "\n\n".join(e[-3000:] for e in row["errors"])
    assert row["sliders_unchanged"] == [], \
        f"{name}: moving the slider of interactive figure(s) {row['sliders_unchanged']} left the figure unchanged"


def test_every_shipped_notebook_has_a_launch_entry(built_book):
    """Each chapter page links to its notebook in lite/; the link target exists in the site."""
    for name in NOTEBOOKS:
        html = (built_book.html / "book" / f"{name}.html").read_text()
        assert f'href="../lite/notebooks/index.html?path={name}.ipynb"' in html, f"{name}: no launch entry"
        assert (built_book.html / "lite" / "files" / f"{name}.ipynb").is_file(), f"{name}: not in lite/files/"


def test_the_site_loads_nothing_from_elsewhere(built_book):
    """The kernel's settings name the site's own Pyodide, and the lock lists only files the site holds."""
    lite = built_book.html / "lite"
    config = json.loads((lite / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js" and kernel["disablePyPIFallback"] is True
    assert all(url.startswith("./") for url in kernel.get("pipliteUrls", [])), kernel
    lock = json.loads((lite / "static" / "pyodide" / "pyodide-lock.json").read_text())
    missing = [p["file_name"] for p in lock["packages"].values()
               if not (lite / "static" / "pyodide" / p["file_name"]).is_file()]
    assert missing == [], f"the site's pyodide-lock.json lists files it does not ship: {missing}"
    assert "scipy" not in lock["packages"]["mathcore"]["depends"], "SciPy would load with every chapter"
