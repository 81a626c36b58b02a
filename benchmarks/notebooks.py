"""The book itself: every chapter in a fresh kernel, every slider of every live figure, and the whole build.

Each notebook listed in ``_toc.yml`` is copied, with the table of contents and
configuration, into a temporary folder (the committed notebooks are never
touched) and executed there top to bottom in a fresh ``python3`` kernel by
nbclient, as a learner runs it: live widgets (``MATHCORE_STATIC`` unset), the
BLAS thread pools left at their defaults. Its time, kernel start included, is
the chapter's time.

Then, in the same kernel, every live interactive figure is found (every
:class:`mathcore.widgets.FigureBox` in live mode, and any
``ipywidgets.interactive``; nothing is listed by hand, so a new chapter's
figures are timed as soon as the chapter is in the table of contents) and each
of its sliders is moved through its positions, up and back down. Setting a
slider's value runs the figure's update synchronously in the kernel: the new
frame is rendered to PNG and sent to the front end (nbclient here) over the
widget's comm, as it is for a learner. Each move is timed, by the wall clock
(what the learner waits) and by the kernel's CPU time (what the update costs
when the kernel has a core to itself: on a busy machine the two differ).

The book build runs ``jupyter-book build`` with ``MATHCORE_STATIC=1``, the
flags of ``make book`` and ``--path-output`` in a temporary folder, so it
starts from nothing (no ``_build``, no cache) and every static twin is rendered.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._common import ROOT, Config, stats

#: Issue #7's targets.
SLIDER_MEDIAN_MS = 50.0
SLIDER_P95_MS = 100.0
CHAPTER_S = 10.0
BUILD_S = 180.0

#: Runs in the kernel after the notebook's last cell; prints one JSON line.
_PROBE = r'''
import gc as _gc, json as _json, time as _time
import numpy as _np
import ipywidgets as _w
from mathcore.widgets import FigureBox as _FigureBox

def _positions(control, count):
    """Slider positions to visit: indices of a selection slider, values of a numeric one."""
    if hasattr(control, "index") and hasattr(control, "options"):
        n = len(control.options)
        picks = sorted(set(_np.linspace(0, n - 1, min(n, count)).round().astype(int).tolist()))
        return "index", picks
    lo, hi, step = control.min, control.max, getattr(control, "step", None) or (control.max - control.min) / 20
    values = _np.linspace(lo, hi, count)
    values = lo + _np.round((values - lo) / step) * step
    cast = int if isinstance(control, (_w.IntSlider,)) else float
    return "value", [cast(v) for v in dict.fromkeys(_np.clip(values, lo, hi).tolist())]

def _sweep(control, count):
    trait, picks = _positions(control, count)
    start = getattr(control, trait)
    order = picks + picks[-2::-1]  # up, then back down
    seconds, cpu = [], []
    for p in order:
        if p == getattr(control, trait):
            continue
        t, c = _time.perf_counter(), _time.process_time()
        setattr(control, trait, p)  # the figure's update runs here, synchronously
        seconds.append(_time.perf_counter() - t)
        cpu.append(_time.process_time() - c)
    setattr(control, trait, start)
    return seconds, cpu

def _title(box):
    for child in getattr(box, "children", ()):
        if isinstance(child, _w.HTML) and child.value.startswith("<strong>"):
            return child.value[8:-9]
    return ""

_found = []
for _obj in _gc.get_objects():
    if isinstance(_obj, _FigureBox) and _obj.mode == "live":
        _controls = dict(_obj.controls)
    elif isinstance(_obj, _w.interactive):
        _controls = {c.description or f"slider {i}": c for i, c in enumerate(_obj.kwargs_widgets)}
    else:
        continue
    _found.append((_obj, _controls))
_result = []
for _box, _controls in sorted(_found, key=lambda bc: bc[0].model_id or ""):
    _entry = {"model_id": _box.model_id, "title": _title(_box), "kind": type(_box).__name__, "sliders": {}}
    for _name, _control in _controls.items():
        if isinstance(_control, (_w.FloatSlider, _w.IntSlider, _w.SelectionSlider, _w.FloatLogSlider,
                                 _w.SelectionRangeSlider, _w.Dropdown, _w.ToggleButtons, _w.RadioButtons)):
            _entry["sliders"][_name] = _sweep(_control, __POSITIONS__)
    _result.append(_entry)
print("__BENCH__" + _json.dumps(_result))
'''

_BUILDER = re.compile(r"\b(?:widgets|mw)\.(\w+)\(")


def toc_notebooks() -> list[str]:
    """Notebook files of ``_toc.yml``, in its order, relative to the repository."""
    files = re.findall(r"^\s*-?\s*(?:file|root):\s*(\S+)", (ROOT / "_toc.yml").read_text(), flags=re.M)
    return [f + ".ipynb" for f in files if (ROOT / (f + ".ipynb")).exists()]


def _kernel_env(config_env: dict | None) -> dict:
    env = dict(config_env if config_env is not None else os.environ)
    env.pop("MATHCORE_STATIC", None)  # a learner's kernel: live widgets
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _copy_book(dest: Path) -> None:
    for name in ("_toc.yml", "_config.yml"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "book", dest / "book", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_build"))


def _figure_cells(nb) -> dict[str, tuple[int, str]]:
    """model id of each displayed widget -> (cell index, the builder called in that cell)."""
    where = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        builder = _BUILDER.search(cell.source)
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view:
                where[view["model_id"]] = (index, builder.group(1) if builder else "")
    return where


def execute(path: Path, positions: int, env: dict, timeout: int = 600) -> dict:
    """Run one notebook in a fresh kernel, then time every slider of its live figures."""
    import nbformat
    from nbclient import NotebookClient

    from tools.ipc_kernels import use_ipc_kernels

    use_ipc_kernels()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            store_widget_state=True, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel(env=env):
        started = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        done = time.perf_counter()
        probe = nbformat.v4.new_code_cell(_PROBE.replace("__POSITIONS__", str(positions)))
        nb.cells.append(probe)
        client.execute_cell(probe, len(nb.cells) - 1)
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
    payload = next(line for line in text.splitlines() if line.startswith("__BENCH__"))
    where = _figure_cells(nb)
    figures = []
    for k, entry in enumerate(json.loads(payload[len("__BENCH__"):]), start=1):
        cell, builder = where.get(entry["model_id"], (None, ""))
        name = builder or entry["title"] or f"figure {k}"
        sliders = {slider: {**stats(seconds), "cpu_median_ms": stats(cpu)["median_ms"]}
                   for slider, (seconds, cpu) in entry["sliders"].items() if seconds}
        figures.append({"figure": name, "cell": cell, "title": entry["title"], "sliders": sliders})
    return {"seconds": done - start, "kernel_start_s": started - start, "cells_s": done - started,
            "figures": figures}


def run_notebooks(config: Config, kernel_env: dict | None = None) -> dict:
    """Execute each chapter once; returns per-chapter times and slider timings."""
    names = list(config.notebooks) if config.notebooks else toc_notebooks()
    if config.quick and not config.notebooks:
        names = names[:1]
    positions = 3 if config.quick else 12
    env = _kernel_env(kernel_env)
    chapters = []
    with tempfile.TemporaryDirectory(prefix="mathcore-bench-") as tmp:
        _copy_book(Path(tmp))
        for name in names:
            config.log(f"  notebooks: {name}")
            try:
                result = execute(Path(tmp) / name, positions, env)
                chapters.append({"notebook": name, **result})
            except Exception as exc:  # a chapter being written may fail: report it, time the rest
                chapters.append({"notebook": name, "error": f"{type(exc).__name__}: {str(exc)[-300:]}"})
    return {"positions": positions, "chapters": chapters}


def sliders_section(notebooks: dict) -> dict:
    rows = []
    for chapter in notebooks["chapters"]:
        for figure in chapter.get("figures", []):
            for slider, s in figure["sliders"].items():
                rows.append({"notebook": chapter["notebook"], "figure": figure["figure"], "slider": slider, **s,
                             "ok": s["median_ms"] <= SLIDER_MEDIAN_MS and s["p95_ms"] <= SLIDER_P95_MS})
    return {"positions": notebooks["positions"], "rows": rows,
            "errors": {c["notebook"]: c["error"] for c in notebooks["chapters"] if "error" in c}}


def chapters_section(notebooks: dict) -> dict:
    rows = []
    for chapter in notebooks["chapters"]:
        if "error" in chapter:
            rows.append({"notebook": chapter["notebook"], "error": chapter["error"]})
        else:
            rows.append({"notebook": chapter["notebook"], "seconds": chapter["seconds"],
                         "kernel_start_s": chapter["kernel_start_s"], "cells_s": chapter["cells_s"],
                         "ok": chapter["seconds"] <= CHAPTER_S})
    return {"rows": rows}


def build(config: Config, kernel_env: dict | None = None) -> dict:
    """``make book``'s command from scratch, into a temporary folder; its wall time."""
    env = _kernel_env(kernel_env)
    env["MATHCORE_STATIC"] = "1"
    jb = Path(sys.executable).parent / "jupyter-book"
    with tempfile.TemporaryDirectory(prefix="mathcore-bench-build-") as tmp:
        command = [str(jb), "build", str(ROOT), "--path-output", tmp, "-n", "-W", "--keep-going", "--all"]
        config.log("  build: " + " ".join(command[1:]))
        start = time.perf_counter()
        proc = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    result = {"seconds": seconds, "ok": seconds <= BUILD_S,  # a failed build is reported beside its time
              "returncode": proc.returncode, "command": "jupyter-book build . -n -W --keep-going --all"}
    if proc.returncode != 0:
        text = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)  # without colours
        result["error"] = text.replace(str(ROOT) + os.sep, "")[-1500:]
    return result
