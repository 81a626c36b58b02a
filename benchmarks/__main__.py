"""``python -m benchmarks``: run the benchmarks, print one table per section, write the results.

Examples::

    python -m benchmarks                      # everything (about 10 minutes), writes benchmarks/results.{json,md}
    python -m benchmarks --update-readme      # ... and rewrites the README's results
    python -m benchmarks --only step,digits   # some sections; the others keep their last results
    python -m benchmarks --quick              # a smoke run (under a minute); writes nothing unless --output

The BLAS and OpenMP thread pools of the timed sections are fixed (``--threads``,
default 1) by environment variables set here, before NumPy is imported; PyTorch
gets the same number through ``torch.set_num_threads``. The notebooks' kernels
and the book build run with the environment as it was, as a learner's would.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path

from . import SECTIONS


def _sections(text: str) -> list[str]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in names if s not in SECTIONS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown section(s) {', '.join(unknown)}; sections: {', '.join(SECTIONS)}")
    return names


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="a smoke run: few repeats, first chapter only, no build")
    p.add_argument("--only", type=_sections, default=None, help=f"comma-separated sections of {', '.join(SECTIONS)}")
    p.add_argument("--skip", type=_sections, default=[], help="comma-separated sections to leave out")
    p.add_argument("--output", type=Path, default=None,
                   help="folder for results.json and results.md (default benchmarks/; --quick: none)")
    p.add_argument("--update-readme", action="store_true", help="rewrite the README's results from results.md")
    p.add_argument("--render", action="store_true",
                   help="measure nothing: rewrite results.md (and the README, with --update-readme) from results.json")
    p.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP/PyTorch threads in timed sections (default 1)")
    p.add_argument("--notebooks", nargs="+", default=None, help="chapters to execute (default: every one in _toc.yml)")
    p.add_argument("--pretend-missing", type=lambda s: frozenset(x for x in s.split(",") if x), default=frozenset(),
                   help=argparse.SUPPRESS)  # e.g. torch,micrograd: the tests see that a missing package is reported
    args = p.parse_args(argv)
    if args.threads < 1:
        p.error("--threads must be >= 1")
    return args


def main(argv=None) -> int:
    args = parse(argv)
    kernel_env = dict(os.environ)  # before the thread pins: the notebooks run as a learner's would
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    if "numpy" in sys.modules:  # pragma: no cover - only if imported as a library after NumPy
        print("warning: NumPy was imported before the thread counts were set", file=sys.stderr)

    from . import digits, notebooks, optimizers, report, scalar, step
    from ._common import ROOT, Config, machine

    if args.render:
        return render(args.output or ROOT / "benchmarks", args.update_readme)

    chosen = [s for s in (args.only or SECTIONS) if s not in args.skip]
    if args.quick and args.only is None:
        chosen = [s for s in chosen if s != "build"]
    output = args.output if args.output is not None else (None if args.quick else ROOT / "benchmarks")
    missing = args.pretend_missing | {"micrograd.engine" for m in args.pretend_missing if m == "micrograd"}
    config = Config(quick=args.quick, threads=args.threads, missing=frozenset(missing), notebooks=args.notebooks)

    results = {"machine": machine(config), "sections": {}, "errors": {}}
    print(report.machine_line(results["machine"]) + "\n", flush=True)
    runners = {"step": step.run, "digits": digits.run, "optimizers": optimizers.run, "scalar": scalar.run}
    nb_results, nb_measured = None, None
    started = time.perf_counter()
    for name in chosen:
        t0 = time.perf_counter()
        load0, date = os.getloadavg(), time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        config.log(f"[{name}]")
        try:
            if name in runners:
                results["sections"][name] = runners[name](config)
            elif name in ("sliders", "chapters"):
                if nb_results is None:
                    nb_results = notebooks.run_notebooks(config, kernel_env)
                    nb_measured = {"date": date, "seconds": round(time.perf_counter() - t0, 1),
                                   "load_start": round(load0[0], 2), "load_end": round(os.getloadavg()[0], 2)}
                section = notebooks.sliders_section if name == "sliders" else notebooks.chapters_section
                results["sections"][name] = section(nb_results)
            elif name == "build":
                results["sections"]["build"] = notebooks.build(config, kernel_env)
        except Exception:  # report and go on: one broken section must not lose the others
            results["errors"][name] = traceback.format_exc()
            print(f"\n{name}: FAILED\n{results['errors'][name]}", file=sys.stderr, flush=True)
            continue
        results["sections"][name]["measured"] = nb_measured if name in ("sliders", "chapters") else {
            "date": date, "seconds": round(time.perf_counter() - t0, 1),
            "load_start": round(load0[0], 2), "load_end": round(os.getloadavg()[0], 2)}
        if name in runners:
            results["sections"][name]["measured"]["threads"] = args.threads
        config.log(f"[{name}] {time.perf_counter() - t0:.1f} s")
        tables = report.render({"sections": {name: results["sections"][name]}})
        for key, text in tables.items():
            print(f"\n## {report.TITLES[key]}\n\n{text}\n", flush=True)
    results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["machine"]["seconds"] = round(time.perf_counter() - started, 1)

    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        path = output / "results.json"
        merged = {"machine": results["machine"], "sections": {}}
        if path.exists() and args.only is not None:  # keep the sections not run this time
            merged["sections"] = json.loads(path.read_text()).get("sections", {})
        merged["sections"].update(results["sections"])
        path.write_text(json.dumps(merged, indent=1, sort_keys=True) + "\n")
        config.log(f"wrote {path}")
        render(output, args.update_readme)
    return 1 if results["errors"] else 0


def render(output: Path, update_readme: bool) -> int:
    """results.md (and the README's copy) from results.json."""
    from . import report
    from ._common import ROOT

    md = report.markdown(json.loads((output / "results.json").read_text()))
    (output / "results.md").write_text(md)
    print(f"wrote {output / 'results.md'}", file=sys.stderr)
    if update_readme:
        if not report.update_readme(ROOT / "README.md", md):
            print("README.md has no benchmark markers; not updated", file=sys.stderr)
            return 1
        print("updated README.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
