"""Self-checks for Chapter 3, Activation functions."""

from __future__ import annotations
