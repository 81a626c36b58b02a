"""Chapter 3, Activation functions: its interactive figures."""

from __future__ import annotations

__all__: list[str] = []
