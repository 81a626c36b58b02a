"""Shared fixtures: the book built once per test run; xdist scheduling."""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from ipc_kernels import use_ipc_kernels  # noqa: E402

# Every kernel this process starts (nbval, nbclient) on Unix sockets: two workers
# starting kernels side by side lost the race for TCP ports (tools/ipc_kernels.py).
use_ipc_kernels()
BUILD_ROOT = ROOT / "_build" / "test"  # the tested build, kept for humans to inspect
BUILD_TIMEOUT_S = 1800  # the whole book, every notebook executed, on 2 cores

# Tests that use the built book run on one xdist worker (see
# pytest_xdist_make_scheduler) while the other runs unit tests and nbval.
BOOK_GROUP = "book-build"
BOOK_MODULES = {"tests/test_book.py", "tests/test_browser.py", "tests/test_lite.py"}
PORTABILITY_MODULE = "tests/test_portability.py"

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Sphinx's own messages; the kernel's "[IPKernelApp] WARNING | ..." is not one.
_SPHINX_PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL|SEVERE):")


def toc_files() -> list[str]:
    """Every document named in _toc.yml, root first, in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return files


@dataclasses.dataclass(frozen=True)
class BuiltBook:
    returncode: int
    html: Path  # _build/test/_build/html
    executed: Path  # the notebooks as executed for this build (jupyter_execute/)
    log: str
    problems: list[str]  # Sphinx warning and error lines
    seconds: float


def _build(run_id: str) -> dict:
    """Build the book from scratch with the static widget twins, as `make book` does."""
    shutil.rmtree(BUILD_ROOT, ignore_errors=True)
    BUILD_ROOT.mkdir(parents=True)
    env = dict(os.environ, MATHCORE_STATIC="1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    cmd = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build", str(ROOT), "--path-output", str(BUILD_ROOT),
        "-n", "-W", "--keep-going", "--all",
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT_S)
    seconds = time.perf_counter() - start
    log = _ANSI.sub("", proc.stdout + proc.stderr)
    (BUILD_ROOT / "build.log").write_text(log)
    return {
        "run_id": run_id,
        "returncode": proc.returncode,
        "seconds": seconds,
        "problems": [line for line in log.splitlines() if _SPHINX_PROBLEM.search(line)],
    }


@pytest.fixture(scope="session")
def built_book() -> BuiltBook:
    """The book built once per test run, shared by all xdist workers through a lock."""
    # Every worker of one xdist run shares PYTEST_XDIST_TESTRUNUID; a plain run builds.
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
    BUILD_ROOT.parent.mkdir(parents=True, exist_ok=True)
    result_file = BUILD_ROOT / "result.json"
    with open(BUILD_ROOT.parent / "test-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            result = json.loads(result_file.read_text())
        except (OSError, ValueError):
            result = {}
        if result.get("run_id") != run_id:
            result = _build(run_id)
            result_file.write_text(json.dumps(result, indent=1))
    return BuiltBook(
        returncode=result["returncode"],
        html=BUILD_ROOT / "_build" / "html",
        executed=BUILD_ROOT / "_build" / "jupyter_execute",
        log=(BUILD_ROOT / "build.log").read_text(),
        problems=result["problems"],
        seconds=result["seconds"],
    )


CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(message: str):
    """Under CI a missing tool is a failure; on a developer's machine a skip."""
    if CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, one per test process, for test_browser.py and test_lite.py alike:
    Playwright's sync API cannot start a second time in the same thread."""
    from lite_browser import CHROMIUM, chromium

    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} not found: install it with `apt-get install -y chromium`")
    with chromium() as shared:
        yield shared


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With `--dist loadgroup` (as `make test` runs), schedule units of work so that:

    - each notebook's nbval cells stay together, in order, on one worker (they
      share one kernel), and so do the tests of each other module;
    - test_book.py and test_browser.py, which share one book build, run on one
      worker, handed out first, while the other worker runs unit tests and nbval.

    Grouping is done here, on node ids, because xdist 3.8's own loadgroup
    (renaming node ids after `xdist_group` marks) has no effect under pytest 9.2
    (pytest-dev/pytest-xdist#1386).
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class BookScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.rfind("@") > nodeid.rfind("]"):  # a working xdist_group suffix
                return super()._split_scope(nodeid)
            path = nodeid.split("::", 1)[0]
            if path == PORTABILITY_MODULE and "[" in nodeid:
                # one unit per numeric configuration (the first parameter), so that
                # the configurations' re-executions share out between the workers
                return f"{path}::{nodeid.split('[', 1)[1].split('-', 1)[0]}"
            # one unit per test module or notebook: far fewer round trips than
            # one per test, which left a worker idle between thousands of tiny units
            return BOOK_GROUP if path in BOOK_MODULES else path

        def _assign_work_unit(self, node) -> None:
            if BOOK_GROUP in self.workqueue:  # the longest unit starts first
                self.workqueue.move_to_end(BOOK_GROUP, last=False)
            super()._assign_work_unit(node)

    return BookScheduling(config, log)
