"""Do what Binder does: a fresh environment from binder/ alone, then every chapter run top to bottom."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        m = _PIN.match(line.strip())
        if m:
            pins[_name(m.group(1))] = m.group(2)
    return pins


def _supported_pythons() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    prefix = "Programming Language :: Python :: 3."
    return [c.rsplit(" ", 1)[1] for c in project["classifiers"] if c.startswith(prefix)]  # "3.11", ...


def test_the_lock_pins_every_package_with_hashes():
    lock = (ROOT / "requirements.txt").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 2)[2])  # one per package, after the header
    assert len(entries) > 100
    for entry in entries:
        assert _PIN.match(entry), f"not pinned with ==: {entry.splitlines()[0]}"
        assert "--hash=sha256:" in entry, f"no hash: {entry.splitlines()[0]}"
    # every top-level requirement is locked at the version it asks for
    wanted, locked = _pins(ROOT / "requirements.in"), _pins(ROOT / "requirements.txt")
    assert wanted and {k: v for k, v in wanted.items() if locked.get(k) != v} == {}


def test_binder_pins_match_the_book():
    binder, book = _pins(BINDER / "requirements.txt"), _pins(ROOT / "requirements.txt")
    assert binder, "binder/requirements.txt pins nothing"
    assert {k: v for k, v in binder.items() if book.get(k) != v} == {}
    assert not {"jupyter-book", "pytest", "nbval", "playwright"} & set(binder)
    for wanted in _pins(BINDER / "requirements.in") or [
            _name(line.strip()) for line in (BINDER / "requirements.in").read_text().splitlines()
            if line.strip() and not line.startswith("#")]:
        assert wanted in binder, f"binder/requirements.in asks for {wanted}, which its lock does not pin"
    assert (BINDER / "requirements.txt").read_text().splitlines()[-1] == "."  # mathcore itself


def test_binder_runtime_is_a_python_the_book_supports():
    supported = _supported_pythons()
    assert supported == ["3.11", "3.12", "3.13"]  # the README's "Python 3.11 to 3.13"
    runtime = (BINDER / "runtime.txt").read_text().strip()
    # the oldest supported: the lock is resolved from it up (Makefile: --python-version)
    assert runtime == f"python-{supported[0]}"
    makefile = (ROOT / "Makefile").read_text()
    assert f"--python-version {supported[0]}" in makefile


@pytest.fixture(scope="module")
def binder_kernels(tmp_path_factory) -> KernelSpecManager:
    """A fresh virtual environment from binder/requirements.txt, registered as a kernel."""
    env_dir = tmp_path_factory.mktemp("binder-env")
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    start = time.perf_counter()
    # cwd is the repository root, as for repo2docker, so the "." line installs mathcore
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(BINDER / "requirements.txt")], cwd=ROOT, check=True)
    print(f"binder environment installed in {time.perf_counter() - start:.1f} s")
    kernels = tmp_path_factory.mktemp("kernels")
    (kernels / "binder-test").mkdir()
    (kernels / "binder-test" / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "binder test", "language": "python"}))
    # Matplotlib's first import builds its font cache and says so on stderr: do it now, as Binder's build does
    subprocess.run([str(python), "-c", "import matplotlib.pyplot"], check=True, capture_output=True,
                   env={**os.environ, "MPLBACKEND": "Agg"})
    return KernelSpecManager(kernel_dirs=[str(kernels)])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_in_the_binder_environment(path, binder_kernels, monkeypatch):
    monkeypatch.delenv("MATHCORE_STATIC", raising=False)  # a learner's kernel: live widgets
    nb = nbformat.read(path, as_version=4)
    km = KernelManager(kernel_name="binder-test", kernel_spec_manager=binder_kernels)
    start = time.perf_counter()
    NotebookClient(nb, km=km, timeout=120, resources={"metadata": {"path": str(path.parent)}}).execute()
    print(f"{path.name}: {time.perf_counter() - start:.1f} s in the Binder environment")
    stderr = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.get("name") == "stderr"]
    assert not stderr, f"{path.name} wrote to stderr: {stderr[:2]}"
