"""The built HTML book as one zip archive, to download and read offline (``make archive``).

Usage: ``python tools/archive.py HTML_DIR ARCHIVE.zip``

Every file of HTML_DIR goes under one top folder, ``mathcore-book/``, in sorted order with
a fixed timestamp, so the same build gives the same bytes. The archive opens from disk:
unzip it and open ``mathcore-book/index.html`` (the pages load nothing from the network;
tests/test_browser.py reads the chapters from ``file://``). ``.buildinfo`` and Sphinx's
pickled ``.doctrees`` are build state, not pages, and are left out; so is ``lite/``, the
chapters in JupyterLite (85 MB), which needs a web server for its service worker and so
cannot run from disk anyway (serve the build: ``python3 -m http.server -d _build/html``).
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

TOP = "mathcore-book"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)
LEFT_OUT = {".buildinfo", ".doctrees"}
LEFT_OUT_AT_TOP = {"lite"}


def files_of(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*")
                  if p.is_file() and not LEFT_OUT & set(p.relative_to(html).parts)
                  and p.relative_to(html).parts[0] not in LEFT_OUT_AT_TOP)


def archive(html, out) -> Path:
    html, out = Path(html), Path(out)
    if not (html / "index.html").is_file():
        raise FileNotFoundError(f"{html}: no index.html; build the book first (make book)")
    if out.resolve().is_relative_to(html.resolve()):
        raise ValueError(f"{out}: the archive cannot go inside the folder it archives")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in files_of(html):
            info = zipfile.ZipInfo(f"{TOP}/{path.relative_to(html).as_posix()}", FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        out = archive(*args)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MB); unzip it and open {TOP}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
