"""tools/execute_notebooks.py: what counts as a change to a re-executed notebook."""

from __future__ import annotations

import json
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import execute_notebooks  # noqa: E402


def _notebook(timing: str, result: str, tags=("nbval-ignore-output", "volatile-output")) -> str:
    def cell(text, cell_tags):
        return {"cell_type": "code", "metadata": {"tags": list(cell_tags)}, "source": "",
                "outputs": [{"output_type": "stream", "name": "stdout", "text": text}]}
    return json.dumps({"cells": [cell(timing, tags), cell(result, [])]})


def test_volatile_outputs_are_not_a_change():
    before, after = _notebook("0.55 s", "97.33%"), _notebook("0.61 s", "97.33%")
    assert before != after
    assert execute_notebooks.comparable(before) == execute_notebooks.comparable(after)


def test_every_other_output_is_a_change():
    assert execute_notebooks.comparable(_notebook("0.55 s", "97.33%")) != \
        execute_notebooks.comparable(_notebook("0.55 s", "97.11%"))
    # nbval-ignore-output alone (a widget cell) is still compared
    plain = ("nbval-ignore-output",)
    assert execute_notebooks.comparable(_notebook("a", "x", plain)) != \
        execute_notebooks.comparable(_notebook("b", "x", plain))


def test_volatile_cells_are_also_ignored_by_nbval():
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            tags = cell.get("metadata", {}).get("tags", [])
            if execute_notebooks.VOLATILE_TAG in tags:
                assert "nbval-ignore-output" in tags, f"{path.name}: a volatile cell nbval would compare"
