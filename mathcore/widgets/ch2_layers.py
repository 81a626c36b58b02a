"""Chapter 2, Layers and forward propagation: its interactive figures."""

from __future__ import annotations

__all__: list[str] = []
