"""Chapter 4, Cost functions: its interactive figures."""

from __future__ import annotations

__all__: list[str] = []
