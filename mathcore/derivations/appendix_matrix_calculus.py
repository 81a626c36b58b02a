r"""Appendix A, Matrix calculus: the identities the chapters use, each checked entry by entry.

Every entry is a :class:`~mathcore.derivations.MatrixDerivation`: typeset
index-free from ``MatrixSymbol`` expressions, checked by replacing each matrix
with explicit scalar symbols and differentiating one entry at a time. Shapes are
deliberately non-square (``W`` is 2 x 3, a batch ``X`` is 4 x 3) so that a
misplaced transpose fails the check instead of passing by symmetry.
"""

from __future__ import annotations

import sympy as sp

from ._core import MatrixDerivation, ones, register

__all__ = ["SHAPES"]

def _vector(name: str, n: int) -> sp.MatrixSymbol:
    """A column vector, typeset bold as in the chapters' text."""
    return sp.MatrixSymbol(rf"\mathbf{{{name}}}", n, 1)


x, a, w = _vector("x", 3), _vector("a", 3), _vector("w", 3)
u, t, b = _vector("u", 2), _vector("t", 2), _vector("b", 2)  # t: a target for W x; b: a bias
yb = _vector("y", 4)                      # one target per sample of a batch
A, B = sp.MatrixSymbol("A", 3, 3), sp.MatrixSymbol("B", 2, 3)
W = sp.MatrixSymbol("W", 2, 3)
X = sp.MatrixSymbol("X", 4, 3)            # a batch: 4 samples, 3 features
G = sp.MatrixSymbol("G", 4, 2)            # the upstream gradient dC/dZ of a batch
D = sp.MatrixSymbol("D", 2, 3)            # a constant matrix shaped like W
one = ones(4)

#: The shape of every matrix and vector in the checks, by its name in the text.
SHAPES = {m.name.removeprefix("\\mathbf{").removesuffix("}"): m.shape
          for m in (x, a, w, u, t, b, yb, A, B, W, X, G, D)}


def _entry(name, title, lhs, rhs, assumptions=""):
    register(MatrixDerivation(f"matrix.{name}", "A", title, lhs, rhs, assumptions=assumptions))


def _d(f, v):
    return sp.Derivative(f, v)


def _sq(r):
    """r^T r, the squared Euclidean norm, written so it typesets as (...)^T (...)."""
    return sp.MatMul(sp.Transpose(r), r, evaluate=False)


# --- scalar functions of a vector: gradients -------------------------------------------------
_entry("linear", "the gradient of a linear function", _d(a.T * x, x), a)
_entry("squared_norm", "the gradient of the squared norm", _d(x.T * x, x), 2 * x)
_entry("quadratic_form", "the gradient of a quadratic form", _d(x.T * A * x, x), (A + A.T) * x)
_entry("least_squares", "the gradient of least squares (Chapter 7's ridge regression)",
       _d(_sq(sp.MatAdd(X * w, -yb, evaluate=False)), w),
       sp.MatMul(2, X.T, sp.MatAdd(X * w, -yb, evaluate=False), evaluate=False))
_entry("product_rule", "the product rule for an inner product of two linear maps",
       _d(sp.MatMul(sp.Transpose(B * x), W * x, evaluate=False), x), B.T * W * x + W.T * B * x)

# --- vector functions of a vector: Jacobians ---------------------------------------------------
_entry("jacobian_linear", "the Jacobian of a linear map", _d(W * x, x), W)
_entry("jacobian_affine", "the Jacobian of an affine map, a layer's pre-activation", _d(W * x + u, x), W)

# --- scalar functions of a matrix: gradients with the shape of the matrix ---------------------
_entry("bilinear", "the gradient of a bilinear form by its matrix", _d(u.T * W * x, W), u * x.T)
_entry("trace_linear", "the gradient of a linear function of a matrix, written as a trace",
       _d(sp.Trace(D.T * W), W), D)
_entry("frobenius", "the gradient of the squared Frobenius norm (the L2 penalty)",
       _d(sp.Trace(W.T * W), W), 2 * W)
_entry("squared_error_weights", "the gradient of a squared error by the weights of a layer",
       _d(_sq(sp.MatAdd(W * x, -t, evaluate=False)), W),
       sp.MatMul(2, sp.MatAdd(W * x, -t, evaluate=False), x.T, evaluate=False))

# --- a dense layer over a batch, Z = X W^T + 1 b^T, with upstream gradient G = dC/dZ ----------
# C = tr(G^T Z) is the first-order change of any cost through Z, so its gradients are the
# layer's backward pass (mathcore.layers.dense_backward) for every cost at once.
_Z = sp.MatAdd(X * W.T, one * b.T, evaluate=False)
_entry("batch_weights", "a dense layer's weight gradient over a batch", _d(sp.Trace(G.T * _Z), W), G.T * X)
_entry("batch_bias", "a dense layer's bias gradient over a batch: the column sums of G",
       _d(sp.Trace(G.T * _Z), b), G.T * one)
_entry("batch_input", "the gradient passed back to a dense layer's input", _d(sp.Trace(G.T * _Z), X), G * W)
