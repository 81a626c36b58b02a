"""The kernel's capabilities: silent here, one line and a skip in a simulated Pyodide."""

import subprocess
import sys

import pytest

from mathcore import runtime


@pytest.fixture
def pyodide(monkeypatch):
    """Pyodide as its documentation says to recognise it: ``sys.platform == "emscripten"``."""
    monkeypatch.setattr(sys, "platform", "emscripten")


def test_this_python_has_everything(capsys):
    assert not runtime.in_pyodide()
    assert runtime.can_spawn_processes() and runtime.timings_meaningful()
    assert all(runtime.available(need) for need in runtime.NEEDS)
    # a guarded cell prints what it printed before the guard
    assert capsys.readouterr() == ("", "")


def test_the_processes_check_agrees_with_subprocess():
    assert runtime.can_spawn_processes()
    assert subprocess.run([sys.executable, "-c", "pass"], check=False).returncode == 0


def test_pyodide_lacks_processes_and_timing(pyodide, capsys):
    assert runtime.in_pyodide()
    assert not runtime.can_spawn_processes() and not runtime.timings_meaningful()
    assert runtime.available("timing") is False
    assert runtime.available("processes") is False
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Skipped in the browser kernel (Pyodide): its clock is too coarse for timings.",
        "Skipped in the browser kernel (Pyodide): it cannot start other processes.",
    ]
    # the book's text column holds 80 characters
    assert max(map(len, lines)) <= 80


def test_wasi_lacks_processes_but_is_not_pyodide(monkeypatch, capsys):
    monkeypatch.setattr(sys, "platform", "wasi")
    assert not runtime.in_pyodide() and runtime.timings_meaningful()
    assert runtime.available("processes") is False
    assert capsys.readouterr().out == "Skipped in this Python (wasi): it cannot start other processes.\n"


def test_the_check_runs_at_each_call(monkeypatch):
    assert runtime.available("timing")
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert not runtime.available("timing")


@pytest.mark.parametrize("need", ["", "Timing", "torch", 3])
def test_an_unknown_need_is_refused(need, capsys):
    with pytest.raises(ValueError, match="unknown need .*expected one of processes, timing"):
        runtime.available(need)
    assert capsys.readouterr().out == ""
