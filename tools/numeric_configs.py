#!/usr/bin/env python3
"""Numeric configurations: this machine made to compute like other CPUs.

The last bits of a floating-point result depend on the CPU: OpenBLAS picks
its kernels for the processor it finds (``Haswell`` on an AVX2 machine,
``SkylakeX`` on one with AVX-512, each summing in its own order, with or
without fused multiply-adds), and NumPy dispatches its loops (``exp``,
``sum``, ...) to the widest SIMD instructions available. A committed
notebook output must not depend on either, so the book's notebooks are
re-executed under configurations that change both, and every output must
equal the committed one (``tests/test_portability.py``).

Two environment variables, read when the process (a notebook's kernel
included: it inherits them) loads NumPy:

``OPENBLAS_CORETYPE``
    forces OpenBLAS's kernels: ``Prescott`` gives its generic SSE3 kernels
    (threadpoolctl reports them as ``Katmai``), ``Sandybridge`` AVX without
    FMA, ``Haswell`` AVX2 with FMA. An unknown name falls back silently to
    the CPU's own choice, and a kernel the CPU cannot run must not be forced:
    so each configuration is checked by what it reports, not by what it asks.
``NPY_DISABLE_CPU_FEATURES``
    switches off NumPy's dispatch targets (the names that
    ``numpy.show_runtime()`` lists as found, such as ``X86_V3``, ``X86_V4``,
    ``AVX512_ICL``), down to the baseline NumPy was compiled for.

Each configuration is defined relative to the machine it runs on, and one
that turns out to compute exactly like the default (``haswell`` on an AVX2
machine, where it changes nothing) is reported as such and skipped.

Usage::

    python tools/numeric_configs.py                  # each configuration: its variables and what it runs
    python tools/execute_notebooks.py --check --numeric generic
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import subprocess
import sys

VARIABLES = ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES")

# Prints what NumPy and OpenBLAS run in this environment (and what the machine could run).
_PROBE = """
import json
import numpy
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
from threadpoolctl import threadpool_info
blas = [i.get("architecture") for i in threadpool_info() if i.get("user_api") == "blas"]
print(json.dumps({"blas": blas, "dispatch": [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]}))
"""


@dataclasses.dataclass(frozen=True)
class Probe:
    """What a process computes with: OpenBLAS's kernels and NumPy's enabled dispatch targets."""

    blas: tuple[str, ...]
    dispatch: tuple[str, ...]

    def __str__(self) -> str:
        return f"OpenBLAS {'/'.join(self.blas) or 'not found'}, NumPy {' '.join(self.dispatch) or 'baseline only'}"


def probe(env: dict[str, str] | None = None) -> Probe:
    """Run a fresh interpreter with ``env`` (default: this environment) and report what it computes with."""
    out = subprocess.run([sys.executable, "-c", _PROBE], env=dict(os.environ) if env is None else env,
                         capture_output=True, text=True, timeout=120, check=True)
    info = json.loads(out.stdout)
    return Probe(tuple(info["blas"]), tuple(info["dispatch"]))


@dataclasses.dataclass(frozen=True)
class Config:
    name: str
    description: str
    variables: dict[str, str]  # set on top of this environment

    def env(self) -> dict[str, str]:
        return {**os.environ, **self.variables}


@functools.cache
def _default_probe() -> Probe:
    # the environment a process starts with does not change under it: one subprocess is enough
    return probe()


def configs(default: Probe | None = None) -> list[Config]:
    """The numeric configurations other than the default, for this machine."""
    default = _default_probe() if default is None else default
    # NumPy's dispatch names for AVX-512 and above (x86-64); absent names are ignored by NumPy
    avx512 = [f for f in default.dispatch if f == "X86_V4" or f.startswith("AVX512")]
    return [
        Config("generic", "OpenBLAS's generic kernels and NumPy's baseline loops: an old or unknown x86-64 CPU",
               {"OPENBLAS_CORETYPE": "Prescott", "NPY_DISABLE_CPU_FEATURES": " ".join(default.dispatch)}),
        Config("sandybridge", "OpenBLAS's AVX kernels without FMA, NumPy up to AVX2: another summation order",
               {"OPENBLAS_CORETYPE": "Sandybridge", "NPY_DISABLE_CPU_FEATURES": " ".join(avx512)}),
        Config("haswell", "OpenBLAS's AVX2 kernels and NumPy without AVX-512: an AVX2 machine "
               "(the same as the default on one)",
               {"OPENBLAS_CORETYPE": "Haswell", "NPY_DISABLE_CPU_FEATURES": " ".join(avx512)}),
    ]


def by_name(name: str) -> Config:
    found = {c.name: c for c in configs()}
    if name not in found:
        raise ValueError(f"unknown numeric configuration {name!r}; choose from {', '.join(found)}")
    return found[name]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    default = probe()
    print(f"default: {default}")
    for config in configs(default):
        got = probe(config.env())
        same = " (the same as the default here: skipped)" if got == default else ""
        settings = " ".join(f"{k}={v!r}" for k, v in config.variables.items())
        print(f"{config.name}: {got}{same}\n    {config.description}\n    {settings}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
