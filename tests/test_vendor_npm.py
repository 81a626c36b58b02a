"""tools/vendor_npm.py: the pages' scripts come from npm tarballs checked against pinned integrities."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from conftest import ROOT
import vendor_npm as v


def _tarball(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class _Registry:
    """urlopen for the registry, offline: serves one tarball and counts the requests."""

    def __init__(self, data: bytes):
        self.data, self.urls = data, []

    def __call__(self, url, timeout):
        self.urls.append(url)
        return io.BytesIO(self.data)


@pytest.fixture
def registry(monkeypatch):
    def serve(data):
        fake = _Registry(data)
        monkeypatch.setattr(v.urllib.request, "urlopen", fake)
        return fake
    return serve


def test_a_checked_tarball_is_unpacked_once_and_reused(registry, tmp_path):
    data = _tarball({"es5/a.js": b"a", "es5/sub/b.js": b"b", "README.md": b"r"})
    fake = registry(data)
    package = v.fetch("@scope/pkg", "1.2.3", v.integrity_of(data), tmp_path)
    assert fake.urls == ["https://registry.npmjs.org/@scope/pkg/-/pkg-1.2.3.tgz"]
    assert v.selected(package, ["es5/*"]) == [Path("es5/a.js"), Path("es5/sub/b.js")]
    assert v.fetch("@scope/pkg", "1.2.3", v.integrity_of(data), tmp_path) == package
    assert len(fake.urls) == 1  # from the cache
    assert sorted(p.name for p in tmp_path.iterdir()) == ["@scope__pkg@1.2.3"]  # no temporary folder left


def test_a_tarball_that_does_not_match_its_pin_is_refused(registry, tmp_path):
    registry(_tarball({"a.js": b"tampered"}))
    pin = v.integrity_of(_tarball({"a.js": b"original"}))
    with pytest.raises(v.VendorError, match="not the pinned"):
        v.fetch("pkg", "1.0.0", pin, tmp_path)
    assert not any(tmp_path.iterdir())


def test_a_cached_folder_for_another_pin_is_fetched_again(registry, tmp_path):
    old, new = _tarball({"a.js": b"1"}), _tarball({"a.js": b"2"})
    registry(old)
    v.fetch("pkg", "1.0.0", v.integrity_of(old), tmp_path)
    registry(new)
    package = v.fetch("pkg", "1.0.0", v.integrity_of(new), tmp_path)
    assert (package / "a.js").read_bytes() == b"2"


@pytest.mark.parametrize("entry, match", [
    ({"name": "m", "version": "1", "integrity": "sha512-x"}, "exactly name, version, integrity and files"),
    ({"name": "m", "version": "1", "integrity": "sha256-x", "files": ["a"]}, "sha512"),
    ({"name": "", "version": "1", "integrity": "sha512-x", "files": ["a"]}, "non-empty strings"),
    ({"name": "m", "version": "1", "integrity": "sha512-x", "files": []}, "non-empty list"),
    ("mathjax@3", "exactly name"),
])
def test_a_malformed_entry_is_refused_by_name(entry, match):
    with pytest.raises(v.VendorError, match=match):
        v._entry(entry)


def test_a_pattern_that_matches_nothing_is_refused(registry, tmp_path):
    data = _tarball({"a.js": b"a"})
    registry(data)
    package = v.fetch("pkg", "1.0.0", v.integrity_of(data), tmp_path)
    with pytest.raises(v.VendorError, match="'dist/b.js' matches no file"):
        v.selected(package, ["a.js", "dist/b.js"])


def test_the_books_pins_are_well_formed():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    entries = [v._entry(e) for e in config["vendor_npm"]]
    names = {f"{name}@{version}" for name, version, _, _ in entries}
    assert config["mathjax_path"].split("/")[1] in names
    assert all(path.split("/")[1] + "/" + path.split("/")[2] in names or path.split("/")[1] in names
               for path in config["nb_ipywidgets_js"])
    assert "://" not in config["mathjax_path"] and not any("://" in p for p in config["nb_ipywidgets_js"])


@pytest.mark.parametrize("stdlib_filter", [True, False], ids=["python>=3.11.4", "python<3.11.4"])
@pytest.mark.parametrize("member", ["../escape.js", "/abs.js", "link"])
def test_unpacking_refuses_what_leaves_the_package(member, stdlib_filter, tmp_path, monkeypatch):
    if not stdlib_filter:
        monkeypatch.delattr(tarfile, "data_filter", raising=False)  # as on Debian 12's Python 3.11.2
    elif not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python has no tarfile.data_filter")
    archive = tmp_path / "bad.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo(member)
        if member == "link":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        else:
            info.size = 2
        tar.addfile(info, io.BytesIO(b"x\n") if info.isfile() else None)
    out = tmp_path / "out"
    out.mkdir()
    with tarfile.open(archive) as tar:
        try:
            v.safe_extract(tar, out)
            refused = False
        except (v.VendorError, tarfile.TarError):
            refused = True
    # the standard library's filter may instead unpack "/abs.js" as out/abs.js: inside, so safe too
    assert refused or (member == "/abs.js" and stdlib_filter)
    assert not (tmp_path / "escape.js").exists() and not Path("/abs.js").exists()
    assert not any(p.is_symlink() for p in out.rglob("*"))
