"""Start Jupyter kernels on Unix sockets (IPC) instead of TCP ports.

jupyter_client picks a kernel's five TCP ports by binding to port 0 and
closing the socket again; the kernel process binds them about a second later.
Anything else on the machine that takes one of those ports in between
(another kernel being started, a browser's connection) kills the kernel with
"ZMQError: Address already in use" and the run waits 60 s for a reply that
never comes (jupyter/jupyter_client#487; papermill#511). The test suite starts
dozens of kernels from two workers while a browser test runs, and lost that
race in CI. Over IPC a kernel's sockets are files under a name of its own,
so there is nothing to race for, and no port is opened.

Used in three ways:

- as a Sphinx extension (``_config.yml``, ``local_extensions``), so that
  ``jupyter-book build`` executes the chapters over IPC;
- by ``use_ipc_kernels()`` in the processes that start kernels themselves
  (the test suite's nbval and nbclient runs, ``tools/execute_notebooks.py``,
  the benchmarks);
- nothing changes on Windows, where pyzmq has no IPC transport.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import uuid

_MARK = "_mathcore_ipc_default"


def use_ipc_kernels() -> bool:
    """Make IPC the default transport of every ``KernelManager`` made from now on.

    A transport passed explicitly (argument or traitlets config) still wins.
    Idempotent. Returns whether IPC is in use (False on Windows).
    """
    if sys.platform == "win32":
        return False
    from jupyter_client.manager import KernelManager

    init = KernelManager.__init__
    if getattr(init, _MARK, False):
        return True

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        config = kwargs.get("config")
        configured = config is not None and {"transport", "ip"} & set(config.get("KernelManager", {}))
        if not configured and "transport" not in kwargs and "ip" not in kwargs:
            # The socket files are "<ip>-1" ... "<ip>-5". jupyter_client's own default
            # for ip is "kernel-ipc" in the working directory when the manager is
            # made before its connection file, as nbclient and nbval make it: every
            # kernel would share those names. A name of its own per kernel instead.
            kwargs["transport"] = "ipc"
            kwargs["ip"] = os.path.join(tempfile.gettempdir(), f"kernel-{uuid.uuid4().hex}")
        init(self, *args, **kwargs)

    setattr(__init__, _MARK, True)
    KernelManager.__init__ = __init__
    return True


def setup(app):
    """Sphinx entry point: the book build's kernels (myst-nb, nbclient) over IPC."""
    use_ipc_kernels()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
