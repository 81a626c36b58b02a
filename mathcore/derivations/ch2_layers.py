"""Chapter 2, Layers and forward propagation: the matrix form, linear collapse, XOR by hand."""

from __future__ import annotations
