"""The chapters in the browser kernel (JupyterLite + Pyodide), timed: medians per chapter.

    python benchmarks/lite.py                         # every chapter of _build/html/lite/, 3 runs each
    python benchmarks/lite.py --repeat 5 --html _build/test/_build/html 01_neurons 04_losses

Needs a built book (``make book``) and Chromium at /usr/bin/chromium. Each run opens the chapter in a
fresh browser context, as a reader pressing the launch entry does (nothing cached), on a local server
that refuses every other host (tools/lite_browser.py, the same code as tests/test_lite.py). Prints one
row per chapter: the seconds until the kernel is ready, the seconds to run every cell, and the MB the
browser received; the issue's targets are 15 s and 60 s. Times depend on the machine's load: the
load average is printed with the table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from lite_browser import chromium, run_chapter, serve  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("chapters", nargs="*", help="notebook names without .ipynb (default: every one in lite/files/)")
    p.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="the built book (default _build/html)")
    p.add_argument("--repeat", type=int, default=3, help="runs per chapter (default 3)")
    args = p.parse_args(argv)
    files = args.html / "lite" / "files"
    if not files.is_dir():
        p.error(f"{files} not found: build the book first (make book)")
    if args.repeat < 1:
        p.error("--repeat must be >= 1")
    chapters = args.chapters or sorted(f.stem for f in files.glob("*.ipynb"))
    unknown = [c for c in chapters if not (files / f"{c}.ipynb").is_file()]
    if unknown:
        p.error(f"not in {files}: {', '.join(unknown)}")

    rows, failed = [], False
    with serve(args.html) as site, chromium() as browser:
        for chapter in chapters:
            runs = [run_chapter(browser, site, f"{chapter}.ipynb") for _ in range(args.repeat)]
            errors = [e for r in runs for e in r["errors"] + r["blocked"]]
            failed |= bool(errors)
            median = lambda key: statistics.median(r[key] for r in runs if r[key] is not None)  # noqa: E731
            rows.append((chapter, median("kernel_ready_s"), median("run_all_s") if not errors else None,
                         median("bytes") / 1e6, "" if not errors else errors[0].splitlines()[-1][:80]))
            print(f"{chapter}: done", file=sys.stderr, flush=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nThe chapters in the browser kernel: medians of {args.repeat} runs (load average {load})\n")
    print("| chapter | kernel ready (s) | run all cells (s) | received (MB) | failure |")
    print("|---|---:|---:|---:|---|")
    for chapter, ready, run, mb, failure in rows:
        print(f"| {chapter} | {ready:.1f} | {'—' if run is None else f'{run:.1f}'} | {mb:.1f} | {failure} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
