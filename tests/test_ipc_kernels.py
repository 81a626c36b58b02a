"""tools/ipc_kernels.py: every kernel the book and its tests start talks over Unix sockets.

Over TCP, jupyter_client picks a kernel's ports before the kernel binds them, and
a kernel started beside others can lose them ("Address already in use"); CI lost
that race once. These tests make sure no path back to TCP goes unnoticed.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
import yaml
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from traitlets.config import Config

from ipc_kernels import use_ipc_kernels

ROOT = Path(__file__).resolve().parents[1]
# sun_path holds 108 bytes on Linux, 104 on macOS; the sockets are "<ip>-1" ... "<ip>-5"
SOCKET_PATH_LIMIT = 104 - len("-5")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pyzmq has no IPC transport on Windows")


def test_managers_default_to_ipc_with_a_socket_name_of_their_own():
    assert use_ipc_kernels() is True
    assert use_ipc_kernels() is True  # idempotent: not wrapped twice
    managers = [KernelManager(kernel_name="python3") for _ in range(3)]
    assert {km.transport for km in managers} == {"ipc"}
    ips = [km.ip for km in managers]
    assert len(set(ips)) == 3
    for ip in ips:
        assert os.path.isabs(ip) and os.path.dirname(ip) == tempfile.gettempdir()
        assert len(ip.encode()) <= SOCKET_PATH_LIMIT


def test_an_explicit_transport_or_address_wins():
    assert KernelManager(transport="tcp").transport == "tcp"
    assert KernelManager(config=Config({"KernelManager": {"transport": "tcp"}})).transport == "tcp"
    km = KernelManager(ip="127.0.0.1")
    assert (km.transport, km.ip) == ("tcp", "127.0.0.1")


def test_a_kernel_runs_over_ipc_and_leaves_no_socket_files():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    client = NotebookClient(nb, kernel_name="python3", timeout=60)
    with client.setup_kernel():
        info = json.loads(Path(client.km.connection_file).read_text())
        sockets = [Path(f"{info['ip']}-{info[name]}") for name in
                   ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]
        assert info["transport"] == "ipc"
        assert all(s.is_socket() for s in sockets)
        client.execute_cell(nb.cells[0], 0)
    assert nb.cells[0].outputs[0]["text"] == "42\n"
    assert not [s for s in sockets if s.exists()]


def test_the_book_build_loads_the_extension():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["local_extensions"].get("ipc_kernels") == "tools/"
