"""Every committed notebook output is what any CPU computes.

Each notebook is re-executed in a fresh kernel under the default numeric
configuration and under others that make this machine compute like other
CPUs (tools/numeric_configs.py: OpenBLAS's generic or AVX kernels, NumPy's
SIMD loops switched off), and must come out exactly as committed, byte for
byte after the normalisation of tools/execute_notebooks.py: printed numbers,
figures, stored widget state. nbval compares the same cells under the
default only, and with its sanitisers; this is the stricter check.
"""

from __future__ import annotations

import functools
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import execute_notebooks  # noqa: E402
import numeric_configs  # noqa: E402

NOTEBOOKS = execute_notebooks.default_notebooks()
CONFIGS = ["default"] + [c.name for c in numeric_configs.configs()]
CELL_TIMEOUT_S = 300


@functools.cache
def _probe(name: str) -> numeric_configs.Probe:
    if name == "default":
        return numeric_configs._default_probe()
    return numeric_configs.probe(numeric_configs.by_name(name).env())


def test_at_least_two_other_configurations_differ_from_the_default():
    default = _probe("default")
    others = {_probe(name) for name in CONFIGS if name != "default"} - {default}
    assert len(others) >= 2, (
        f"on this machine ({default}) only {len(others)} configuration(s) compute differently from the default: "
        + "; ".join(f"{name}: {_probe(name)}" for name in CONFIGS))


def test_a_configuration_changes_what_numpy_and_openblas_run():
    generic = _probe("generic")
    assert generic.blas == ("Katmai",)  # OpenBLAS's name for its generic (Prescott) kernels
    assert generic.dispatch == ()  # NumPy's baseline loops only


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
@pytest.mark.parametrize("config", CONFIGS)
def test_outputs_are_the_committed_ones(config, path, monkeypatch):
    if config != "default" and _probe(config) == _probe("default"):
        pytest.skip(f"{config} computes exactly like the default on this machine ({_probe(config)})")
    monkeypatch.delenv("MATHCORE_STATIC", raising=False)  # a learner's kernel: live widgets
    if config != "default":
        for name, value in numeric_configs.by_name(config).variables.items():
            monkeypatch.setenv(name, value)  # the kernel inherits this process's environment
    committed = path.read_text(encoding="utf-8")
    nb = execute_notebooks.load(path)
    fresh = execute_notebooks.dumps(execute_notebooks.normalise(execute_notebooks.execute(nb, path, CELL_TIMEOUT_S)))
    changed = execute_notebooks.differences(committed, fresh, limit=5)
    assert not changed, (f"{path.name} under {config} ({_probe(config)}) differs from the committed notebook:\n  "
                         + "\n  ".join(changed))
