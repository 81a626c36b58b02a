"""What the Python running a chapter can do, so that a cell needing more says so and skips.

The chapters run in a local Jupyter, on Binder or Colab, and in the reader's browser
(JupyterLite's Pyodide kernel: CPython compiled to WebAssembly). The browser kernel
cannot start other processes, and its clock is too coarse for timing: browsers round
``performance.now()`` (to 100 microseconds in Chromium, to a millisecond in Firefox,
unless the page is cross-origin isolated), WebAssembly runs at another speed than
native code, and everything shares the page's one thread. A cell that needs one of
these asks :func:`available` first::

    from mathcore import runtime

    if runtime.available("timing"):
        ...  # the measurement

Everywhere else :func:`available` returns ``True`` and prints nothing, so the cell's
output is what it always was; in the browser it prints one line saying what is
skipped and why, and returns ``False``.
"""

from __future__ import annotations

import sys

__all__ = ["NEEDS", "available", "can_spawn_processes", "in_pyodide", "timings_meaningful"]


def in_pyodide() -> bool:
    """Whether this is Pyodide (CPython compiled to WebAssembly with Emscripten), as in JupyterLite."""
    return sys.platform == "emscripten"


def can_spawn_processes() -> bool:
    """Whether ``subprocess`` can start a program (a kernel, a grader): not in WebAssembly."""
    return sys.platform not in ("emscripten", "wasi")


def timings_meaningful() -> bool:
    """Whether wall-clock measurements here compare code as on a desktop: not in the browser."""
    return not in_pyodide()


#: Each need a cell can ask :func:`available` about: the check, and why it fails where it does.
NEEDS = {
    "processes": (can_spawn_processes, "it cannot start other processes"),
    "timing": (timings_meaningful, "its clock is too coarse for timings"),
}


def available(need: str) -> bool:
    """Whether this kernel has ``need`` (a key of :data:`NEEDS`); if not, print one line saying so.

    Returns ``True`` silently where the need is met, so a cell guarded by it prints
    exactly what it did before the guard.
    """
    if need not in NEEDS:
        raise ValueError(f"unknown need {need!r}: expected one of {', '.join(sorted(NEEDS))}")
    check, reason = NEEDS[need]
    if check():
        return True
    where = "the browser kernel (Pyodide)" if in_pyodide() else f"this Python ({sys.platform})"
    print(f"Skipped in {where}: {reason}.")
    return False
