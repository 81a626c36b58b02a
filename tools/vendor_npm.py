"""Sphinx extension: the pages' JavaScript (MathJax, the widget manager) served from the build itself.

The built book loads no script, font or style sheet from a CDN: it opens from disk, on
an intranet and offline, and what the browser tests load is what readers get. Each npm
package listed in the Sphinx setting ``vendor_npm`` is fetched once from the npm registry
into ``.cache/npm/`` (beside the book, excluded from it), checked against the
``integrity`` pinned with it (the registry's ``dist.integrity``, a SHA-512 of the
tarball: a changed or corrupted file fails the build, by name), and the files its
``files`` patterns select are copied to ``_static/npm/<name>@<version>/`` of every
HTML build. ``mathjax_path`` and ``nb_ipywidgets_js`` in ``_config.yml`` then name paths
relative to ``_static/``. Each entry::

    - name: mathjax
      version: 3.2.2
      integrity: sha512-...        # npm view mathjax@3.2.2 dist.integrity
      files: ["es5/*"]             # fnmatch patterns on paths relative to the package ("*" crosses "/")

Bumping a version means updating its integrity, from ``npm view NAME@VERSION dist.integrity``.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import shutil
import tarfile
import tempfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
FETCH_TIMEOUT_S = 120


class VendorError(Exception):
    """A vendored package that cannot be fetched, does not match its pin, or is malformed."""


def tarball_url(name: str, version: str) -> str:
    # the registry's layout: @scope/pkg's tarball is @scope/pkg/-/pkg-1.0.0.tgz
    return f"{REGISTRY}/{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def safe_extract(tar: tarfile.TarFile, dest: Path) -> None:
    """Unpack regular files and folders only, each inside ``dest``."""
    if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later: the standard library checks
        tar.extractall(dest, filter="data")
        return
    # Python 3.11.0 to 3.11.3 (Debian 12 ships 3.11.2): the same checks by hand
    root = dest.resolve()
    members = tar.getmembers()
    for member in members:
        target = (root / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not target.is_relative_to(root):
            raise VendorError(f"refusing to unpack {member.name!r} from {tar.name}: not a plain file inside the package")
    tar.extractall(dest, members=members)


def _entry(raw) -> tuple[str, str, str, list[str]]:
    if not isinstance(raw, dict) or set(raw) != {"name", "version", "integrity", "files"}:
        raise VendorError(f"vendor_npm: each entry needs exactly name, version, integrity and files, got {raw!r}")
    name, version, integrity, files = (raw[k] for k in ("name", "version", "integrity", "files"))
    if not all(isinstance(v, str) and v for v in (name, version, integrity)):
        raise VendorError(f"vendor_npm: name, version and integrity must be non-empty strings, got {raw!r}")
    if not integrity.startswith("sha512-"):
        raise VendorError(f"vendor_npm: {name}@{version}: integrity must be the registry's sha512-... value")
    if not isinstance(files, list) or not files or not all(isinstance(f, str) and f for f in files):
        raise VendorError(f"vendor_npm: {name}@{version}: files must be a non-empty list of patterns")
    return name, str(version), integrity, files


def fetch(name: str, version: str, integrity: str, cache: Path) -> Path:
    """The package's folder, unpacked from its checked tarball (fetched into ``cache`` on first use)."""
    folder = cache / f"{name.replace('/', '__')}@{version}"
    if (folder / "integrity").is_file() and (folder / "integrity").read_text() == integrity:
        return folder / "package"
    url = tarball_url(name, version)
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310 -- a fixed https URL
            data = response.read()
    except OSError as exc:
        raise VendorError(f"{name}@{version}: cannot fetch {url} ({exc}); the build needs the npm registry "
                          "once, then works offline from .cache/npm/") from None
    got = integrity_of(data)
    if got != integrity:
        raise VendorError(f"{name}@{version}: the tarball from {url} has integrity {got}, "
                          f"not the pinned {integrity}: refusing it")
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=cache))
    try:
        (tmp / "package.tgz").write_bytes(data)
        with tarfile.open(tmp / "package.tgz") as tar:
            safe_extract(tar, tmp)
        (tmp / "package.tgz").unlink()
        (tmp / "integrity").write_text(integrity)  # written last: a folder without it is incomplete
        shutil.rmtree(folder, ignore_errors=True)
        try:
            tmp.rename(folder)  # atomic; another build may have got there first, with the same files
        except OSError:
            if not (folder / "integrity").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder / "package"


def selected(package: Path, patterns: list[str]) -> list[Path]:
    """The package's files (relative paths) that some pattern matches; each pattern must match one."""
    files = sorted(p.relative_to(package) for p in package.rglob("*") if p.is_file())
    chosen = set()
    for pattern in patterns:
        hits = [f for f in files if fnmatch.fnmatch(f.as_posix(), pattern)]
        if not hits:
            raise VendorError(f"{package.parent.name}: the pattern {pattern!r} matches no file of the package")
        chosen.update(hits)
    return sorted(chosen)


def _plan(app) -> list[tuple[str, Path, list[Path]]]:
    """(folder name under _static/vendor, package folder, files to copy) for each entry of vendor_npm."""
    cache = Path(app.srcdir) / ".cache" / "npm"
    plan = []
    for name, version, integrity, patterns in map(_entry, app.config.vendor_npm):
        package = fetch(name, version, integrity, cache)
        plan.append((f"{name}@{version}", package, selected(package, patterns)))
    return plan


def _fetch_all(app) -> None:
    if app.builder.format != "html":
        return
    try:
        app.builder.vendor_npm_plan = _plan(app)  # at the start: a bad pin fails before any notebook runs
    except VendorError as exc:
        from sphinx.errors import ExtensionError

        raise ExtensionError(str(exc)) from None


def _copy_all(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for folder, package, files in app.builder.vendor_npm_plan:
        dest = Path(app.outdir) / "_static" / "npm" / folder
        shutil.rmtree(dest, ignore_errors=True)
        for rel in files:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(package / rel, dest / rel)


def setup(app):
    app.add_config_value("vendor_npm", [], "html")
    app.connect("builder-inited", _fetch_all)
    app.connect("build-finished", _copy_all)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
