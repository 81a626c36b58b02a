#!/usr/bin/env python3
"""Build the edition of the book without solutions, for instructors to publish to students.

    python tools/build_edition.py [--out _build/nosolutions] [--pdf]

It builds the book from the *student versions* of the chapters (written by
``python -m mathcore.assign`` into ``OUT/src``, beside copies of the other
sources), so no page, page source or ".ipynb" download can hold a solution:
there is none in what is built. The configuration is derived from
``_config.yml`` at build time, so the two editions cannot drift:

- sphinx-exercise's ``hide_solutions: true``, for any solution written outside
  the gated form;
- no launch buttons and no edit button: they open the full notebooks in the
  repository.

Why not ``hide_solutions`` on the full sources alone: with gated solutions
(``solution-start``/``solution-end``, which the chapters use to wrap code
cells) sphinx-exercise 1.2.1 drops the start node but keeps the end node, and
the HTML writer fails with "departing unknown node type: solution_end_node".

The HTML lands in ``OUT/_build/html``; with ``--pdf`` the student's PDF
(Sphinx's LaTeX builder, interactive figures printed as small multiples, see
``make pdf``) in ``OUT/_build/latex/book.pdf``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def edition_config(config: dict) -> dict:
    """``_config.yml`` turned into the configuration of the edition without solutions."""
    config = dict(config)
    sphinx = dict(config.get("sphinx", {}))
    sphinx_config = dict(sphinx.get("config", {}))
    sphinx_config["hide_solutions"] = True
    sphinx["config"] = sphinx_config
    # Jupyter Book resolves these folders from the configuration file's folder, a copy elsewhere
    sphinx["local_extensions"] = {name: str(ROOT / path) for name, path in sphinx.get("local_extensions", {}).items()}
    config["sphinx"] = sphinx
    config["launch_buttons"] = {"binderhub_url": "", "colab_url": "", "thebe": False}
    config["html"] = {**config.get("html", {}), "use_edit_page_button": False}
    config["title"] = f"{config.get('title', '')} (edition without solutions)".strip()
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "nosolutions")
    parser.add_argument("--pdf", action="store_true", help="build the PDF instead of the HTML")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    src = out / "src"
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(ROOT / "book", src / "book", ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
    for folder in ("_static",):
        if (ROOT / folder).exists():
            shutil.copytree(ROOT / folder, src / folder)
    shutil.copy2(ROOT / "_toc.yml", src / "_toc.yml")
    # the benchmarks appendix includes the measured results from outside book/
    (src / "benchmarks").mkdir()
    shutil.copy2(ROOT / "benchmarks" / "results.md", src / "benchmarks" / "results.md")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    (src / "_config.yml").write_text(yaml.safe_dump(edition_config(config), sort_keys=False))
    chapters = sorted((ROOT / "book").glob("*.ipynb"))
    assign = subprocess.run([sys.executable, "-m", "mathcore.assign", *map(str, chapters), "--out", str(src / "book")])
    if assign.returncode != 0:
        return assign.returncode
    env = {**os.environ, "MATHCORE_STATIC": "print" if args.pdf else "1"}
    bin_dir = Path(sys.executable).parent
    builder = ["--builder", "pdflatex"] if args.pdf else []
    build = subprocess.run([str(bin_dir / "jupyter-book"), "build", str(src), "--path-output", str(out), *builder,
                            "-n", "-W", "--keep-going", "--all"], env=env)
    if build.returncode != 0:
        return build.returncode
    built = out / "_build" / ("latex/book.pdf" if args.pdf else "html/index.html")
    print(f"The edition without solutions: {built}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
