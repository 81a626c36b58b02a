"""Self-checks for Chapter 2, Layers and forward propagation."""

from __future__ import annotations
