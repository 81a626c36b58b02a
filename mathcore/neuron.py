r"""A single artificial neuron: weighted sum, bias, activation; the perceptron.

A neuron with weights :math:`\mathbf w` and bias :math:`b` computes
:math:`z = \mathbf w \cdot \mathbf x + b` and outputs :math:`a = f(z)`. With the
step activation it is Rosenblatt's perceptron, whose decision boundary
:math:`\mathbf w\cdot\mathbf x + b = 0` is a hyperplane with normal
:math:`\mathbf w` at signed distance :math:`-b/\lVert\mathbf w\rVert` from the origin.

References: McCulloch and Pitts, "A logical calculus of the ideas immanent in
nervous activity" (1943); Rosenblatt, "The perceptron" (1958); Minsky and
Papert, *Perceptrons* (1969).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activations
from ._validate import MAX_ITERATIONS, as_float_array, check_scalar

__all__ = ["weighted_sum", "neuron", "boundary_distance", "boundary_line", "LOGIC_GATES",
           "perceptron_learn", "PerceptronRun"]


def _inputs(X, w):
    w = as_float_array(w, "w", ndim=1)
    X = as_float_array(X, "X", ndim=(1, 2))
    if X.shape[-1] != w.shape[0]:
        raise ValueError(f"X has {X.shape[-1]} features (shape {X.shape}) but w has {w.shape[0]} weights")
    return X, w


def weighted_sum(X, w, b) -> np.ndarray:
    """:math:`z = \\mathbf w\\cdot\\mathbf x + b` for one input or each row of a batch.

    Shapes
    ------
    ``X``: (d,) or (n, d); ``w``: (d,); ``b``: scalar -> ``z``: () or (n,).
    """
    X, w = _inputs(X, w)
    b = check_scalar(b, "b")
    return X @ w + b  # (n,)


def neuron(X, w, b, activation: str = "step") -> np.ndarray:
    """:math:`a = f(\\mathbf w\\cdot\\mathbf x + b)`. Shapes as in :func:`weighted_sum`."""
    act = activations.get(activation)
    if act is activations.softmax:
        raise ValueError("a single neuron has one output; softmax needs a layer of several")
    return act._fn(np.asarray(weighted_sum(X, w, b)))


def boundary_distance(w, b) -> float:
    """Signed distance :math:`-b/\\lVert\\mathbf w\\rVert` from the origin to :math:`\\mathbf w\\cdot\\mathbf x + b = 0`.

    Positive when the origin lies on the negative side, i.e. the boundary is
    displaced from the origin in the direction of :math:`\\mathbf w`.
    """
    w = as_float_array(w, "w", ndim=1)
    b = check_scalar(b, "b")
    norm = float(np.linalg.norm(w))
    if norm == 0.0:
        raise ValueError("w is zero, so there is no decision boundary: every input gets the same output")
    return -b / norm


def boundary_line(w, b, x1_limits=(-2.0, 2.0)) -> tuple[np.ndarray, np.ndarray]:
    """Two points ``(x1s, x2s)`` of the line :math:`w_1x_1 + w_2x_2 + b = 0`, for plotting.

    A vertical line (:math:`w_2 = 0`) is returned as two points with equal
    :math:`x_1`. ValueError when ``w`` is zero (no boundary).
    """
    w = as_float_array(w, "w", ndim=1)
    if w.shape != (2,):
        raise ValueError(f"boundary_line draws in the plane: w must have shape (2,), got {w.shape}")
    boundary_distance(w, b)  # raises for w = 0
    limits = as_float_array(x1_limits, "x1_limits", ndim=1)
    if limits.shape != (2,):
        raise ValueError(f"x1_limits must be a pair (low, high), got shape {limits.shape}")
    lo, hi = float(limits[0]), float(limits[1])
    if abs(w[1]) < 1e-12 * abs(w[0]):
        x1 = -b / w[0]
        return np.array([x1, x1]), np.array([lo, hi])
    x1s = np.array([lo, hi])  # (2,)
    return x1s, -(w[0] * x1s + b) / w[1]  # (2,)


#: Weights and biases of step neurons computing logic gates on inputs in {0, 1}
#: (the truth tables themselves are :func:`mathcore.data.logic_gate`).
#: Each is one choice among infinitely many: any line separating the same points works.
#:
#: :meta hide-value:
LOGIC_GATES: dict[str, tuple[np.ndarray, float]] = {
    "AND": (np.array([1.0, 1.0]), -1.5),
    "OR": (np.array([1.0, 1.0]), -0.5),
    "NAND": (np.array([-1.0, -1.0]), 1.5),
    "NOR": (np.array([-1.0, -1.0]), 0.5),
}

@dataclass(frozen=True)
class PerceptronRun:
    """Result of :func:`perceptron_learn`."""

    w: np.ndarray
    b: float
    errors: list[int]  # misclassified inputs in each epoch
    converged: bool


def perceptron_learn(X, y, lr: float = 1.0, epochs: int = 20, w0=None, b0: float = 0.0) -> PerceptronRun:
    """Rosenblatt's rule: for each misclassified input, :math:`\\mathbf w \\leftarrow \\mathbf w + \\eta (y - \\hat y)\\mathbf x`.

    Stops after the first epoch with no mistakes. On linearly separable data it
    converges in finitely many updates (Novikoff, 1962); on XOR it never does,
    which the result reports as ``converged=False``.

    Shapes
    ------
    ``X``: (n, d); ``y``: (n,) of 0/1 -> ``w``: (d,).
    """
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} labels")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y must hold labels 0 and 1 only")
    lr = check_scalar(lr, "lr", low=0.0, low_open=True)
    epochs = check_scalar(epochs, "epochs", low=1, high=MAX_ITERATIONS, integer=True)
    w = np.zeros(X.shape[1]) if w0 is None else as_float_array(w0, "w0", ndim=1).copy()  # (d,)
    if w.shape != (X.shape[1],):
        raise ValueError(f"w0 must have shape ({X.shape[1]},), one weight per feature of X, got {w.shape}")
    b = check_scalar(b0, "b0")
    errors: list[int] = []
    for _ in range(epochs):
        mistakes = 0
        for xi, yi in zip(X, y):
            yhat = 1.0 if xi @ w + b >= 0 else 0.0
            if yhat != yi:
                w += lr * (yi - yhat) * xi
                b += lr * (yi - yhat)
                mistakes += 1
        errors.append(mistakes)
        if mistakes == 0:
            return PerceptronRun(w, b, errors, True)
    return PerceptronRun(w, b, errors, False)
