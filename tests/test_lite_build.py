"""tools/lite.py's checks, without a network or a build: a wasm wheel whose sha256 is not the one in
Pyodide's lock is refused by name, a download that does not match its pin is refused, the dependency
closure follows the lock's unnormalised names, the launch entry lands in the theme's menu, and the kernel
preloads only packages the site's lock holds."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest

import lite


def _lock(**files):
    return {name: {"name": name, "version": "1", "file_name": f, "sha256": hashlib.sha256(data).hexdigest(),
                   "depends": deps, "imports": [name]}
            for name, (f, data, deps) in files.items()}


def test_closure_follows_unnormalised_dependencies():
    lock = _lock(ipython=("ipython.whl", b"i", ["prompt_toolkit"]), **{"prompt-toolkit": ("p.whl", b"p", [])})
    assert lite.closure(lock, ["ipython"]) == ["ipython", "prompt-toolkit"]
    with pytest.raises(lite.LiteError, match="nosuch is not in Pyodide"):
        lite.closure(lock, ["nosuch"])


def test_a_wheel_that_is_not_the_official_file_is_refused_by_name(tmp_path, monkeypatch):
    upstream = _lock(numpy=("numpy-2.0.2-wasm32.whl", b"official bytes", []))
    carrier = tmp_path / "carrier.whl"
    with zipfile.ZipFile(carrier, "w") as zf:
        zf.writestr(lite.CARRIER["folder"] + "numpy-2.0.2-wasm32.whl", b"other bytes")
    core = tmp_path / "core"
    core.mkdir()
    for name in lite.PYODIDE_CORE:
        (core / name).write_text(name)
    monkeypatch.setattr(lite, "PYPI", {})
    plan = {"core": core, "upstream": {"info": {}, "packages": upstream}, "carrier": carrier, "pypi": {},
            "from_lock": ["numpy"]}
    with pytest.raises(lite.LiteError, match=r"numpy: numpy-2.0.2-wasm32.whl from carrier.whl has sha256 .* refusing"):
        lite.write_pyodide(plan, tmp_path / "out")


def test_a_download_that_does_not_match_its_pin_is_refused(tmp_path):
    source = tmp_path / "wheel.whl"
    source.write_bytes(b"tampered")
    with pytest.raises(lite.LiteError, match="not the pinned"):
        lite.cached_download(source.as_uri(), "0" * 64, tmp_path / "cache")
    assert not (tmp_path / "cache" / "wheel.whl").exists()
    good = hashlib.sha256(b"tampered").hexdigest()
    assert lite.cached_download(source.as_uri(), good, tmp_path / "cache").read_bytes() == b"tampered"


class _App:
    srcdir = lite.ROOT


def test_the_launch_entry_joins_the_theme_menu_on_chapter_pages_only():
    def context():
        return {"header_buttons": [{"label": "launch-buttons", "buttons": []}],
                "pathto": lambda target, resource: f"../{target}"}

    page = context()
    lite._launch_entry(_App, "book/04_losses", "page.html", page, None)
    (entry,) = page["header_buttons"][0]["buttons"]
    assert entry["url"] == "../lite/notebooks/index.html?path=04_losses.ipynb"
    assert entry["icon"].startswith("fa"), "an image icon would be one more request on every chapter page"
    other = context()
    lite._launch_entry(_App, "book/preface", "page.html", other, None)
    assert other["header_buttons"][0]["buttons"] == []


def _site(tmp_path, preload, locked):
    tmp_path.mkdir()
    kernel = {"pyodideUrl": "./static/pyodide/pyodide.js", "disablePyPIFallback": True,
              "loadPyodideOptions": {"packages": preload}}
    (tmp_path / "jupyter-lite.json").write_text(json.dumps({"jupyter-config-data": {
        "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": kernel}}}))
    pyodide = tmp_path / "static" / "pyodide"
    pyodide.mkdir(parents=True)
    for name in ("pyodide.js", "pyodide.asm.wasm"):
        (pyodide / name).write_text(name)
    (pyodide / "pyodide-lock.json").write_text(json.dumps({"packages": {n: {} for n in locked}}))
    return tmp_path


def test_the_kernel_preloads_only_what_the_site_lock_holds(tmp_path):
    lite.check_site(_site(tmp_path / "a", list(lite.KERNEL_PRELOAD), lite.KERNEL_PRELOAD))
    without_jedi = [n for n in lite.KERNEL_PRELOAD if n != "jedi"]
    with pytest.raises(lite.LiteError, match=r"lacks: \['jedi'\]"):
        lite.check_site(_site(tmp_path / "b", list(lite.KERNEL_PRELOAD), without_jedi))
