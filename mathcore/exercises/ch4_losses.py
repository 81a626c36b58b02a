"""Self-checks for Chapter 4, Cost functions."""

from __future__ import annotations
