r"""A dense (fully connected) layer as two pure functions, forward and backward.

A batch holds one sample per row, so the textbook's :math:`\mathbf z = W\mathbf x + \mathbf b`
for each sample becomes :math:`Z = X W^\top + \mathbf b` for the batch, the
layout of ``torch.nn.Linear``. Given :math:`\partial L/\partial Z`, the chain
rule gives

.. math::
   \frac{\partial L}{\partial W} = \Big(\frac{\partial L}{\partial Z}\Big)^{\!\top} X,\qquad
   \frac{\partial L}{\partial \mathbf b} = \sum_{\text{rows}} \frac{\partial L}{\partial Z},\qquad
   \frac{\partial L}{\partial X} = \frac{\partial L}{\partial Z}\, W.

Shapes
------
``X``: (n, n_in); ``W``: (n_out, n_in); ``b``: (n_out,); ``Z``: (n, n_out).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array

__all__ = ["dense_forward", "dense_backward", "check_layer"]


def check_layer(X, W, b, X_name: str = "X") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate a layer's arrays and their shapes; return them as float64."""
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    X = as_float_array(X, X_name, ndim=2)
    if b.shape[0] != W.shape[0]:
        raise ValueError(f"b must have shape ({W.shape[0]},) to match W of shape {W.shape}, got {b.shape}")
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"{X_name} has {X.shape[1]} features (shape {X.shape}) but W of shape {W.shape} "
                         f"expects {W.shape[1]}")
    return X, W, b


def _forward(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return X @ W.T + b  # (n, n_out)


def _backward(dZ: np.ndarray, X: np.ndarray, W: np.ndarray, need_dX: bool = True):
    dW = dZ.T @ X  # (n_out, n_in)
    db = dZ.sum(axis=0)  # (n_out,)
    dX = dZ @ W if need_dX else None  # (n, n_in)
    return dX, dW, db


def dense_forward(X, W, b) -> np.ndarray:
    """:math:`Z = XW^\\top + \\mathbf b`. Shapes: (n, n_in), (n_out, n_in), (n_out,) -> (n, n_out)."""
    return _forward(*check_layer(X, W, b))


def dense_backward(dZ, X, W) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dX, dW, db)`` from ``dZ`` = :math:`\\partial L/\\partial Z` and the forward inputs.

    Shapes: ``dZ`` (n, n_out), ``X`` (n, n_in), ``W`` (n_out, n_in) ->
    (n, n_in), (n_out, n_in), (n_out,).
    """
    W = as_float_array(W, "W", ndim=2)
    X, W, _ = check_layer(X, W, np.zeros(W.shape[0]))
    dZ = as_float_array(dZ, "dZ", ndim=2)
    if dZ.shape != (X.shape[0], W.shape[0]):
        raise ValueError(f"dZ must have shape {(X.shape[0], W.shape[0])} (n, n_out), got {dZ.shape}")
    return _backward(dZ, X, W)
