"""Do what Binder does: a fresh environment from binder/ alone, then every chapter run top to bottom."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
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
_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)$")


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        m = _PIN.match(line.strip())
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins


def test_binder_pins_match_the_book():
    binder, book = _pins(BINDER / "requirements.txt"), _pins(ROOT / "requirements.txt")
    assert binder, "binder/requirements.txt pins nothing"
    assert {k: v for k, v in binder.items() if book.get(k) != v} == {}
    assert not {"jupyter-book", "pytest", "nbval", "playwright"} & set(binder)
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert runtime == f"python-{sys.version_info.major}.{sys.version_info.minor}"


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
