r"""A scalar reverse-mode automatic-differentiation engine: backpropagation for any expression.

Every arithmetic operation on :class:`Value` objects returns a new ``Value``
that remembers its inputs and a small closure, ``_backward``, holding the
local derivative of that one operation. :meth:`Value.backward` visits the
graph in reverse topological order and applies the chain rule at every node,

.. math:: \bar u \mathrel{+}= \bar v \,\frac{\partial v}{\partial u}\quad
   \text{for every edge } u \to v,\qquad \bar v = \frac{\partial C}{\partial v},

so one backward sweep gives the derivative of the output with respect to
every input, at a cost of a small multiple of the forward computation
(Griewank and Walther, 2008, the "cheap gradient principle"). Applied to a
network's loss, it computes exactly what the four backpropagation equations
compute, one scalar at a time.

As in micrograd (Karpathy, 2020), the forward and backward rule of each
operation sit side by side. Scalars only: it is for reading, not for speed.

References: Linnainmaa (1976); Griewank and Walther, *Evaluating Derivatives*
(2008), chapter 3; Baydin et al., "Automatic differentiation in machine
learning: a survey" (2018); Karpathy, micrograd (2020).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._validate import as_float_array, check_scalar

__all__ = ["Value", "parameters", "gradients"]


class Value:
    """A real number in a computation graph, with the derivative of the final output with respect to it.

    Parameters
    ----------
    data : float
        The value, a finite real number.
    label : str
        A name for drawing the graph (e.g. ``"w1"``).

    Attributes
    ----------
    grad : float
        :math:`\\partial C/\\partial` (this value), filled in by :meth:`backward` on ``C``.
    op : str
        The operation that produced it (``""`` for an input).
    parents : tuple of Value
        Its inputs, in order.
    """

    __slots__ = ("data", "grad", "label", "op", "parents", "_backward")

    def __init__(self, data, label: str = "", *, _parents: tuple = (), _op: str = ""):
        self.data = check_scalar(data, "data")
        if not isinstance(label, str):
            raise TypeError(f"label must be a string, got {type(label).__name__}")
        self.label = label
        self.grad = 0.0
        self.op = _op
        self.parents = _parents
        self._backward = _no_backward

    def __repr__(self) -> str:
        name = f"{self.label}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # --- arithmetic: each forward rule with its backward rule ----------------------------------
    def __add__(self, other) -> Value:
        other = _as_value(other, "+")
        out = Value(self.data + other.data, _parents=(self, other), _op="+")

        def _backward():
            self.grad += out.grad  # d(u + v)/du = 1
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other) -> Value:
        other = _as_value(other, "*")
        out = Value(self.data * other.data, _parents=(self, other), _op="*")

        def _backward():
            self.grad += other.data * out.grad  # d(uv)/du = v
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, exponent) -> Value:
        if isinstance(exponent, Value):
            raise TypeError("the exponent must be a plain number, not a Value: write (b.log() * e).exp() for b**e")
        k = check_scalar(exponent, "exponent")
        if self.data == 0.0 and k < 1.0 and k != 0.0:
            raise ValueError(f"0 ** {k:g} has no derivative (or no value): the base is 0")
        if self.data < 0.0 and k != int(k):
            raise ValueError(f"a negative base {self.data:g} to the non-integer power {k:g} is not real")
        out = Value(_finite(self.data ** k, f"{self.data:g} ** {k:g}"), _parents=(self,), _op=f"**{k:g}")

        def _backward():
            self.grad += k * self.data ** (k - 1.0) * out.grad  # d(u^k)/du = k u^(k-1)
        out._backward = _backward
        return out

    def exp(self) -> Value:
        out = Value(_finite(_exp(self.data), f"exp({self.data:g})"), _parents=(self,), _op="exp")

        def _backward():
            self.grad += out.data * out.grad  # d e^u/du = e^u
        out._backward = _backward
        return out

    def log(self) -> Value:
        if self.data <= 0.0:
            raise ValueError(f"log needs a positive number, got {self.data:g}")
        out = Value(math.log(self.data), _parents=(self,), _op="log")

        def _backward():
            self.grad += out.grad / self.data  # d log u/du = 1/u
        out._backward = _backward
        return out

    def tanh(self) -> Value:
        out = Value(math.tanh(self.data), _parents=(self,), _op="tanh")

        def _backward():
            self.grad += (1.0 - out.data**2) * out.grad  # tanh' = 1 - tanh^2
        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        # exp(-|u|) never overflows: the two branches are the same function
        e = math.exp(-abs(self.data))
        s = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        out = Value(s, _parents=(self,), _op="σ")

        def _backward():
            self.grad += out.data * (1.0 - out.data) * out.grad  # sigma' = sigma (1 - sigma)
        out._backward = _backward
        return out

    def relu(self) -> Value:
        out = Value(max(self.data, 0.0), _parents=(self,), _op="relu")

        def _backward():
            self.grad += (self.data > 0.0) * out.grad  # relu'(0) = 0, as in mathcore.activations and PyTorch
        out._backward = _backward
        return out

    def __sub__(self, other) -> Value:
        other = _as_value(other, "-")
        out = Value(self.data - other.data, _parents=(self, other), _op="−")

        def _backward():
            self.grad += out.grad  # d(u - v)/du = 1
            other.grad -= out.grad  # d(u - v)/dv = -1
        out._backward = _backward
        return out

    # --- the rest of arithmetic, from the rules above --------------------------------------------
    def __neg__(self) -> Value:
        return self * -1.0

    def __truediv__(self, other) -> Value:
        other = _as_value(other, "/")
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by a Value equal to 0 ({other.label or 'unlabelled'})")
        return self * other**-1.0

    def __radd__(self, other) -> Value:
        return self + other

    def __rmul__(self, other) -> Value:
        return self * other

    def __rsub__(self, other) -> Value:
        return _as_value(other, "-") - self

    def __rtruediv__(self, other) -> Value:
        return _as_value(other, "/") / self

    # --- the backward pass --------------------------------------------------------------------------
    def graph(self) -> list[Value]:
        """Every node this value depends on, itself last, each after all of
        its parents (topological order)."""
        order, seen = [], set()
        stack = [(self, False)]
        # iterative depth-first search: a recursive one would overflow
        # Python's stack on a long chain
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for parent in reversed(node.parents):
                if id(parent) not in seen:
                    stack.append((parent, False))
        return order

    def backward(self) -> None:
        """Fill in ``grad`` of every node of the graph with the derivative of
        this value.

        Gradients are reset first, so calling it twice gives the same result.
        """
        order = self.graph()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0  # dC/dC
        # reverse topological order: a node's grad is complete before it is
        # passed on to its parents
        for node in reversed(order):
            node._backward()


def _no_backward() -> None:
    """An input has no parents to pass its gradient to."""


def _exp(u: float) -> float:
    try:
        return math.exp(u)
    except OverflowError:
        return math.inf


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise OverflowError(f"{what} overflows float64")
    return value


def _as_value(other, op: str) -> Value:
    if isinstance(other, Value):
        return other
    if isinstance(other, numbers.Real) and not isinstance(other, bool):
        return Value(float(other))
    raise TypeError(f"unsupported operand for {op} with a Value: {type(other).__name__} {other!r}")


def parameters(array, name: str) -> list:
    """An array of numbers as nested lists of labelled :class:`Value` s, e.g. ``W[0][1]`` labelled ``"W_12"``.

    Shapes
    ------
    ``array``: (m,) or (m, k) -> a list of m Values, or m lists of k Values.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    arr = as_float_array(array, name, ndim=(1, 2))
    if arr.ndim == 1:
        return [Value(float(v), f"{name}_{i + 1}") for i, v in enumerate(arr)]
    return [[Value(float(v), f"{name}_{i + 1}{j + 1}") for j, v in enumerate(row)] for i, row in enumerate(arr)]


def gradients(values) -> np.ndarray:
    """The ``grad`` of each Value in (nested lists of) Values, as an array of the same shape."""
    def grads(v):
        if isinstance(v, Value):
            return v.grad
        if isinstance(v, (list, tuple)) and v:
            return [grads(u) for u in v]
        raise TypeError(f"values must be a Value or (nested) lists of Values, got {type(v).__name__}")
    try:
        return np.array(grads(values), dtype=np.float64)
    except ValueError:  # NumPy's words for a ragged nesting
        raise ValueError("values must be nested lists of equal lengths, like the array they stand for") from None
