"""Sphinx extension: stop inline ``<script>`` bodies from being written twice.

Why: Sphinx 7.4 adds a script registered after the builder starts twice, once
directly (``filename=None``) and once from the registry in
``prepare_writing`` (``filename=''``); the two never compare equal, so both
land in every page. sphinx-thebe registers ``const THEBE_JS_URL = ...`` that
way (at ``env-before-read-docs``), and the second copy makes the browser throw
``SyntaxError: Identifier 'THEBE_JS_URL' has already been declared`` on every
page. sphinx-togglebutton's ``var`` lines are duplicated the same way,
harmlessly.

Fix: just before writing starts, drop the ``filename=None`` copies from the
builder; ``prepare_writing`` then re-adds each of them exactly once from the
registry. Loaded from ``_config.yml`` (``sphinx.local_extensions``).
"""

from __future__ import annotations

from typing import Any


def _drop_unregistered_copies(app: Any, builder: Any) -> None:
    """Remove the builder's ``filename=None`` script copies (the registry re-adds them)."""
    scripts = getattr(builder, "_js_files", None)
    if scripts is None:  # not an HTML builder
        return
    scripts[:] = [js for js in scripts if js.filename is not None]


def setup(app: Any) -> dict[str, Any]:
    app.connect("write-started", _drop_unregistered_copies)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
