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


def test_a_notebook_does_not_record_which_supported_python_ran_it():
    # executed on 3.11, 3.12 or 3.13, a notebook must come out the same (tests/test_portability.py)
    for path in execute_notebooks.default_notebooks():
        info = json.loads(path.read_text(encoding="utf-8"))["metadata"]["language_info"]
        assert "version" not in info and info["name"] == "python", path.name


def test_differences_name_the_cell_and_the_metadata_that_changed():
    before = _notebook("0.55 s", "97.33%")
    after = json.loads(_notebook("0.55 s", "97.11%"))
    after["metadata"] = {"language_info": {"version": "3.13"}}
    found = execute_notebooks.differences(before, json.dumps(after))
    assert found[0].startswith("cell 1 (nbval Cell 1): ") and "97.33%" in found[0] and "97.11%" in found[0]
    assert found[1] == "notebook metadata: language_info"
