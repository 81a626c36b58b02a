"""What every section shares: the run's configuration, timing, gradient comparison, optional imports."""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
#: Environment variables that fix the BLAS and OpenMP thread pools; they must be set before NumPy is imported.
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


@dataclass
class Config:
    """One run of the benchmarks.

    quick : a smoke run (under a minute): few repeats, small sizes, the first chapter only.
    threads : BLAS/OpenMP threads of NumPy and PyTorch in the timed sections.
    missing : optional packages treated as not installed (the tests use it to see that
        a missing package is reported, not fatal).
    notebooks : chapter files (relative to the repository) to execute; default all in _toc.yml.
    """

    quick: bool = False
    threads: int = 1
    missing: frozenset = frozenset()
    notebooks: Sequence[str] | None = None
    log: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr, flush=True))


def optional(name: str, config: Config):
    """The module ``name``, or None if it is not installed (or ``config.missing`` names it)."""
    if name in config.missing:
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version as _version

    try:
        return _version(name)
    except PackageNotFoundError:
        return None


# --- timing -------------------------------------------------------------------------------------


def interleaved(funcs: Mapping[str, Callable[[], object]], rounds: int, warmup: int = 3) -> dict[str, np.ndarray]:
    """Seconds per call of each function, measured in rounds that call each one once.

    The order rotates from round to round, so that no function always runs
    first (cold caches) or last; a burst of load from another process hits
    every function of the round alike, which keeps ratios fair on a busy machine.
    """
    names = list(funcs)
    for _ in range(warmup):
        for name in names:
            funcs[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    clock = time.perf_counter
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            f = funcs[name]
            start = clock()
            f()
            times[name].append(clock() - start)
    return {name: np.array(ts) for name, ts in times.items()}


def stats(seconds) -> dict:
    """Median and 95th percentile, in milliseconds, and the number of measurements."""
    s = np.asarray(seconds, dtype=np.float64) * 1e3
    return {"median_ms": float(np.median(s)), "p95_ms": float(np.percentile(s, 95)), "n": int(s.size)}


# --- comparing gradients -----------------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """How closely two lists of arrays agree.

    ``max_error`` is the largest :math:`|a - b|` of an array divided by the largest
    :math:`|b|` of that array (a relative error on the array's own scale);
    ``ok`` is whether every entry meets :math:`|a - b| \\le r|b| + r_a \\max|b|`.
    """

    ok: bool
    max_error: float
    rtol: float
    atol: float

    def as_dict(self) -> dict:
        return {"ok": self.ok, "max_error": self.max_error, "rtol": self.rtol, "atol": self.atol}


def compare(ours: Sequence, reference: Sequence, rtol: float, atol: float) -> Agreement:
    """Compare arrays entry by entry; ``atol`` is relative to each reference array's largest entry."""
    if len(ours) != len(reference):
        raise ValueError(f"{len(ours)} arrays against {len(reference)}")
    ok, worst = True, 0.0
    for a, b in zip(ours, reference):
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
        scale = float(np.max(np.abs(b))) if b.size else 0.0
        err = np.abs(a - b)
        ok &= bool(np.all(err <= rtol * np.abs(b) + atol * scale)) and bool(np.all(np.isfinite(a)))
        worst = max(worst, float(err.max() / scale) if scale > 0 else float(err.max(initial=0.0)))
    return Agreement(ok, worst, rtol, atol)


# --- the machine --------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(config: Config) -> dict:
    """What the numbers were measured on."""
    info = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "numpy": np.__version__,
        "threads": config.threads,
        "quick": config.quick,
    }
    try:
        from threadpoolctl import threadpool_info

        blas = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if blas:
            info["blas"] = f"{blas[0].get('internal_api')} {blas[0].get('version')} ({blas[0].get('architecture')})"
    except ImportError:  # pragma: no cover - scikit-learn brings threadpoolctl
        pass
    for name in ("torch", "scikit-learn", "micrograd"):
        info[name] = version(name) if name not in config.missing else None
    return info
