#!/usr/bin/env python3
"""Re-execute the book's notebooks in place, in a fresh kernel, with normalised metadata.

Committed notebooks hold their outputs (GitHub, Colab, Binder and nbval read them).
This is the only way those outputs should be produced, so that a re-execution with
unchanged results rewrites every notebook byte for byte:

- each notebook runs top to bottom in a fresh ``python3`` kernel whose working
  directory is the notebook's folder, as a learner would run it;
- widget state is stored (``store_widget_state``), with widget model ids renumbered
  in order of appearance (the kernel draws them at random);
- execution timing and other volatile metadata are dropped, the kernelspec and
  language_info are fixed, execution counts run 1, 2, 3, ..., consecutive stream
  outputs are merged, and cell ids derive from the cell's position (nbformat 4.5).

A cell tagged ``volatile-output`` prints a measurement that differs on every run
(a training time). Its outputs are left out when deciding whether a notebook
changed, so a re-execution that changes only them leaves the file as it is and
``--check`` passes; such a cell is also tagged ``nbval-ignore-output`` for nbval.

MATHCORE_STATIC is removed from the kernel's environment: the committed notebook
holds what a learner sees (live widgets), not the book build's static twins.

Usage::

    python tools/execute_notebooks.py                 # every book/*.ipynb
    python tools/execute_notebooks.py book/01_neurons.ipynb
    python tools/execute_notebooks.py --check         # exit 1 if any would change
    python tools/execute_notebooks.py --check --numeric generic   # as another CPU computes

``--numeric NAME`` runs the kernels under one of the numeric configurations of
``tools/numeric_configs.py`` (OpenBLAS's kernels and NumPy's SIMD loops of
another CPU). Use it with ``--check``: committed outputs come from the default.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNEL_NAME = "python3"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL_NAME}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    # no "version": the book runs on Python 3.11 to 3.13, and the interpreter that executed a
    # notebook must not change it (or make --check fail on another supported Python)
}
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled")
MODEL_ID = re.compile(r"^(IPY_MODEL_)?([0-9a-f]{32})$")


class UsageError(Exception):
    """A problem with the command line's arguments (exit status 2)."""


def load(path: Path):
    import nbformat

    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if path.is_dir() or path.suffix != ".ipynb":
        raise UsageError(f"{path}: not a notebook (expected a .ipynb file)")
    try:
        nb = nbformat.read(path, as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
        raise UsageError(f"{path}: not a valid notebook: {exc}") from exc
    return nb


def execute(nb, path: Path, timeout: int):
    """Run the notebook in a fresh kernel in its own folder; raises on a failing cell."""
    from ipc_kernels import use_ipc_kernels
    from nbclient import NotebookClient

    use_ipc_kernels()
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        resources={"metadata": {"path": str(path.parent.resolve())}},
        store_widget_state=True,
        record_timing=False,
        allow_errors=False,
    ).execute()
    return nb


def _renumber_model_ids(nb) -> None:
    """Replace the kernel's random widget model ids by ids numbered in order of appearance."""
    import nbformat

    mapping: dict[str, str] = {}

    def new_id(old: str) -> str:
        return mapping.setdefault(old, f"{len(mapping) + 1:032x}")

    def walk(value):
        if isinstance(value, dict):
            return {(_sub(k) if isinstance(k, str) else k): walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str):
            return _sub(value)
        return value

    def _sub(text: str) -> str:
        match = MODEL_ID.match(text)
        if not match or match.group(2) not in mapping:
            return text  # not a model id of this notebook
        return (match.group(1) or "") + mapping[match.group(2)]

    for cell in nb.cells:  # views first: their order is the reading order
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view and "model_id" in view:
                new_id(view["model_id"])
    for model_id in nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {}):
        new_id(model_id)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = nbformat.from_dict(walk(cell.outputs))
    if "widgets" in nb.metadata:
        nb.metadata["widgets"] = nbformat.from_dict(walk(nb.metadata["widgets"]))


def _merge_streams(outputs: list) -> list:
    """Merge consecutive stream outputs of one stream (the kernel splits them at random)."""
    merged: list = []
    for output in outputs:
        if (output.get("output_type") == "stream" and merged
                and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == output.get("name")):
            merged[-1]["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def normalise(nb):
    """Make the notebook's bytes depend only on its sources and outputs."""
    import nbformat

    nb.nbformat, nb.nbformat_minor = 4, 5
    metadata = {key: value for key, value in nb.metadata.items()
                if key not in ("kernelspec", "language_info", "widgets", "toc-autonumbering")}
    metadata["kernelspec"] = dict(KERNELSPEC)
    metadata["language_info"] = json.loads(json.dumps(LANGUAGE_INFO))
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {})
    if state.get("state"):
        metadata["widgets"] = {WIDGET_STATE: state}
    nb.metadata = nbformat.from_dict(metadata)
    _renumber_model_ids(nb)

    count = 0
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:03d}"
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if "attachments" in cell and not cell.attachments:
            del cell["attachments"]
        if cell.cell_type != "code":
            continue
        cell.outputs = _merge_streams(cell.outputs)
        if cell.source.strip():
            count += 1
            cell.execution_count = count
        else:
            cell.execution_count = None
        for output in cell.outputs:
            if output.get("output_type") == "execute_result":
                output["execution_count"] = cell.execution_count
    return nb


def dumps(nb) -> str:
    import nbformat

    nbformat.validate(nb)
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


VOLATILE_TAG = "volatile-output"


def comparable(text: str) -> dict:
    """The notebook as JSON with the outputs of ``volatile-output`` cells removed."""
    nb = json.loads(text)
    for cell in nb["cells"]:
        if VOLATILE_TAG in cell.get("metadata", {}).get("tags", []):
            cell["outputs"] = []
    return nb


def differences(old: str, new: str, limit: int = 3) -> list[str]:
    """Where two versions of a notebook differ: each changed cell and its first changed line."""
    import difflib

    a, b = comparable(old), comparable(new)
    found = []
    if len(a["cells"]) != len(b["cells"]):
        found.append(f"{len(a['cells'])} cells before, {len(b['cells'])} now")
    code = -1  # nbval's numbering: code cells only
    for index, (x, y) in enumerate(zip(a["cells"], b["cells"])):
        code += x.get("cell_type") == "code"
        if x == y:
            continue
        where = f"cell {index}" + (f" (nbval Cell {code})" if x.get("cell_type") == "code" else "")
        lines = [line for line in difflib.unified_diff(
            json.dumps(x, indent=1).splitlines(), json.dumps(y, indent=1).splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        found.append(f"{where}: " + " | ".join(line.strip()[:160] for line in lines[:2]))
    old_meta, new_meta = a.get("metadata", {}), b.get("metadata", {})
    changed = sorted(k for k in old_meta.keys() | new_meta.keys() if old_meta.get(k) != new_meta.get(k))
    if changed:
        names = {"widgets": "widgets (the stored widget state)"}
        found.append("notebook metadata: " + ", ".join(names.get(k, k) for k in changed))
    return found[:limit] + ([f"... and {len(found) - limit} more"] if len(found) > limit else [])


def default_notebooks() -> list[Path]:
    return sorted((ROOT / "book").glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to execute (default: every book/*.ipynb)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if re-execution would change a notebook")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    parser.add_argument("--numeric", metavar="NAME",
                        help="run under a numeric configuration of tools/numeric_configs.py (with --check)")
    args = parser.parse_args(argv)

    os.environ.pop("MATHCORE_STATIC", None)  # the kernel inherits this environment
    if args.numeric:
        import numeric_configs

        if not args.check:
            print("error: --numeric only with --check: committed outputs come from the default "
                  "configuration", file=sys.stderr)
            return 2
        try:
            config = numeric_configs.by_name(args.numeric)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        os.environ.update(config.variables)
        print(f"numeric configuration {config.name}: {numeric_configs.probe()}", flush=True)
    paths = args.notebooks or default_notebooks()
    if not paths:
        print("no notebooks found in book/", file=sys.stderr)
        return 2
    try:
        notebooks = [(path, load(path)) for path in paths]
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    changed, failed = [], []
    for path, nb in notebooks:
        start = time.perf_counter()
        try:
            text = dumps(normalise(execute(nb, path, args.timeout)))
        except (CellExecutionError, CellTimeoutError) as exc:
            print(f"{path}: FAILED after {time.perf_counter() - start:.1f} s\n{exc}", file=sys.stderr)
            failed.append(path)
            continue
        seconds = time.perf_counter() - start
        old = path.read_text(encoding="utf-8")
        same = old == text or comparable(old) == comparable(text)
        if not same:
            changed.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
        status = "unchanged" if same else ("would change" if args.check else "updated")
        print(f"{path}: executed in {seconds:.1f} s, {status}", flush=True)
        if not same:
            for line in differences(old, text):
                print(f"    {line}", flush=True)

    if failed:
        print(f"{len(failed)} notebook(s) failed: {', '.join(map(str, failed))}", file=sys.stderr)
        return 1
    if args.check and changed:
        print(f"{len(changed)} notebook(s) differ from a fresh execution; run "
              "`make execute` and commit the result: " + ", ".join(map(str, changed)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
