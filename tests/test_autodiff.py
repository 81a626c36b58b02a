"""The scalar autodiff engine: every rule against central differences, and a network against MLP's backprop."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from mathcore import MLP
from mathcore.autodiff import Value, gradients, parameters

H = 1e-6  # central differences of O(1) smooth scalar functions: error ~ h^2 + eps/h ~ 1e-10


def _numeric(f, xs, k):
    up, down = list(xs), list(xs)
    up[k] += H
    down[k] -= H
    return (f(*up) - f(*down)) / (2 * H)


# Each case: a function written once, run on Values (the engine) and on floats (for central differences).
CASES = {
    "add-mul": (lambda a, b: a * b + a + 3.0 * b, (1.3, -0.7)),
    "sub-neg": (lambda a, b: -(a - b) - (2.0 - a), (0.4, 2.2)),
    "div": (lambda a, b: a / b + 1.0 / b, (1.5, -0.8)),
    "pow": (lambda a, b: a**3 + b**-2.0 + (a * a) ** 0.5, (1.2, 0.9)),
    "exp-log": (lambda a, b: (a * b).exp() + (a * a + 1.0).log(), (0.3, -1.1)),
    "tanh": (lambda a, b: (a * b - 0.5).tanh() * a, (0.8, 1.7)),
    "sigmoid": (lambda a, b: (a - 2.0 * b).sigmoid() ** 2, (0.5, -0.3)),
    "relu": (lambda a, b: (a * b).relu() + (a - b).relu(), (1.5, -0.5)),
    "reused": (lambda a, b: (a * a * a + a * b) * a, (0.7, 0.2)),  # a reached by several paths: grads add up
}


class _F(float):
    """A float with the Value methods, so one lambda serves both the engine and the finite differences."""
    def exp(self): return _F(math.exp(self))
    def log(self): return _F(math.log(self))
    def tanh(self): return _F(math.tanh(self))
    def sigmoid(self): return _F(1 / (1 + math.exp(-self)))
    def relu(self): return _F(max(self, 0.0))
    def __add__(self, o): return _F(float(self) + o)
    __radd__ = __add__
    def __sub__(self, o): return _F(float(self) - o)
    def __rsub__(self, o): return _F(o - float(self))
    def __mul__(self, o): return _F(float(self) * o)
    __rmul__ = __mul__
    def __truediv__(self, o): return _F(float(self) / o)
    def __rtruediv__(self, o): return _F(o / float(self))
    def __pow__(self, k): return _F(float(self) ** k)
    def __neg__(self): return _F(-float(self))


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_rule_matches_central_differences(name):
    f, xs = CASES[name]
    vals = [Value(x, f"x{k}") for k, x in enumerate(xs)]
    out = f(*vals)
    assert out.data == pytest.approx(float(f(*map(_F, xs))), rel=1e-14)
    out.backward()
    for k, v in enumerate(vals):
        # |error| of h = 1e-6 central differences on these O(1) functions is below 1e-8
        assert v.grad == pytest.approx(_numeric(lambda *a: float(f(*map(_F, a))), xs, k), rel=1e-7, abs=1e-8)


def test_backward_twice_gives_the_same_gradients():
    a, b = Value(0.3), Value(-1.2)
    c = (a * b).tanh() + a * a
    c.backward()
    first = (a.grad, b.grad)
    c.backward()
    assert (a.grad, b.grad) == first


def test_graph_is_topological_and_handles_long_chains():
    x = Value(0.5, "x")
    y = x
    for _ in range(5000):  # deeper than Python's recursion limit
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**5000, rel=1e-10)
    order = y.graph()
    position = {id(n): i for i, n in enumerate(order)}
    assert all(position[id(p)] < position[id(n)] for n in order for p in n.parents)
    assert order[-1] is y and order[0] is x


def test_relu_kink_and_stable_sigmoid():
    z = Value(0.0)
    out = z.relu()
    out.backward()
    assert z.grad == 0.0  # relu'(0) = 0, the library's convention
    for big in (-1000.0, 1000.0):
        u = Value(big)
        s = u.sigmoid()
        s.backward()
        assert math.isfinite(s.data) and u.grad == 0.0
    t = Value(800.0)
    t.tanh().backward()
    assert t.grad == 0.0


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="data must be a real number"):
        Value("1.0")
    with pytest.raises(ValueError, match="data must be finite"):
        Value(float("nan"))
    with pytest.raises(TypeError, match="unsupported operand for \\+ with a Value: str"):
        Value(1.0) + "2"
    with pytest.raises(TypeError, match="exponent must be a plain number"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(ValueError, match="log needs a positive number"):
        Value(-1.0).log()
    with pytest.raises(ZeroDivisionError, match="division by a Value equal to 0"):
        Value(1.0) / Value(0.0)
    with pytest.raises(ValueError, match="negative base"):
        Value(-2.0) ** 0.5
    with pytest.raises(OverflowError, match="exp\\(1000\\) overflows"):
        Value(1000.0).exp()
    with pytest.raises(TypeError, match="label must be a string"):
        Value(1.0, label=3)
    with pytest.raises(ValueError, match="W must have 1 or 2 dimension"):
        parameters(np.zeros((2, 2, 2)), "W")
    with pytest.raises(TypeError, match="values must be a Value"):
        gradients([1.0])
    for bad in (None, "abc", True):
        with pytest.raises(TypeError, match="values"):
            gradients(bad)
    with pytest.raises(ValueError, match="values must be nested lists of equal lengths"):
        gradients([[Value(1.0)], [Value(1.0), Value(2.0)]])


def test_parameters_and_gradients_keep_shapes_and_labels():
    W = parameters(np.arange(6.0).reshape(2, 3), "W")
    assert W[1][2].label == "W_23" and W[1][2].data == 5.0
    b = parameters([1.0, 2.0], "b")
    assert [v.label for v in b] == ["b_1", "b_2"]
    assert gradients(W).shape == (2, 3) and gradients(b).shape == (2,)


@pytest.mark.parametrize("activation, output, loss", [
    ("sigmoid", "sigmoid", "mse"),
    ("tanh", "identity", "mse"),
    ("relu", "sigmoid", "binary_cross_entropy"),
])
def test_network_gradients_match_mlp_backprop(activation, output, loss):
    net = MLP([3, 4, 2], activation=activation, output=output, seed=1)
    rng = np.random.default_rng(5)
    X = rng.normal(size=(4, 3))  # (4, 3)
    Y = rng.uniform(size=(4, 2)) if loss == "mse" else rng.integers(0, 2, size=(4, 2)).astype(float)
    value, grads = net.loss_and_gradients(X, Y, loss=loss)

    W1, b1, W2, b2 = (parameters(p, n) for p, n in zip(net.params, ("W1", "b1", "W2", "b2")))
    total = Value(0.0)
    for x, y in zip(X, Y):
        h = [getattr(sum((w * xi for w, xi in zip(row, x)), bj), activation)() for row, bj in zip(W1, b1)]
        z = [sum((w * hi for w, hi in zip(row, h)), bj) for row, bj in zip(W2, b2)]
        a = [zj.sigmoid() for zj in z] if output == "sigmoid" else z
        for aj, yj in zip(a, y):
            total = total + ((aj - yj) ** 2 if loss == "mse" else -(yj * aj.log() + (1 - yj) * (1 - aj).log()))
    C = total / Y.size  # both losses: the mean over all n x K elements
    C.backward()
    assert C.data == pytest.approx(value, rel=1e-12)
    for p, g in zip((W1, b1, W2, b2), grads):
        # the same arithmetic in a different order: agreement to round-off
        assert_allclose(gradients(p), g, rtol=1e-10, atol=1e-13)
