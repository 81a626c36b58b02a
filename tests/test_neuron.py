"""A single neuron: weighted sum, logic gates, the perceptron rule, XOR, and the decision boundary."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import linprog

from mathcore import neuron
from mathcore.activations import ACTIVATIONS
from mathcore.data import logic_gate
from mathcore.neuron import LOGIC_GATES, boundary_distance, boundary_line, perceptron_learn

GATES = sorted(LOGIC_GATES)
SEPARABLE = ["AND", "OR", "NAND", "NOR"]


# --- weighted sum and neuron -----------------------------------------------------------


def test_weighted_sum_single_input_and_batch():
    w = np.array([0.5, -2.0, 1.0])
    x = np.array([1.0, 2.0, 3.0])
    z = neuron.weighted_sum(x, w, 0.25)
    assert np.shape(z) == ()
    assert z == 0.5 - 4.0 + 3.0 + 0.25  # exact: small binary fractions
    X = np.random.default_rng(0).normal(size=(5, 3))  # (5, 3)
    Z = neuron.weighted_sum(X, w, -1.0)
    assert Z.shape == (5,)
    expected = np.array([sum(wi * xi for wi, xi in zip(w, row)) - 1.0 for row in X])
    assert_allclose(Z, expected, rtol=1e-14, atol=1e-15)  # 3-term dot products, rounding only


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_neuron_applies_activation_to_weighted_sum(name):
    X = np.random.default_rng(1).normal(size=(4, 2))  # (4, 2)
    w, b = np.array([1.5, -0.5]), 0.3
    out = neuron.neuron(X, w, b, activation=name)
    assert out.shape == (4,)
    # the same kernel on the same z: identical
    assert_allclose(out, ACTIVATIONS[name](neuron.weighted_sum(X, w, b)), rtol=0, atol=0)
    assert np.shape(neuron.neuron(X[0], w, b, activation=name)) == ()


def test_neuron_default_is_step_with_step_of_zero_one():
    assert neuron.neuron([1.0, 1.0], [1.0, -1.0], 0.0) == 1.0  # z = 0 exactly -> 1
    assert neuron.neuron([0.0, 1.0], [1.0, -1.0], 0.0) == 0.0


def test_neuron_rejects_softmax_and_unknown_activation():
    with pytest.raises(ValueError, match="softmax"):
        neuron.neuron([1.0, 1.0], [1.0, 1.0], 0.0, activation="softmax")
    with pytest.raises(ValueError, match="unknown activation 'sign'"):
        neuron.neuron([1.0, 1.0], [1.0, 1.0], 0.0, activation="sign")


# --- logic gates ------------------------------------------------------------------------


@pytest.mark.parametrize("gate", GATES)
def test_logic_gate_reproduces_logic_gate(gate):
    X, y = logic_gate(gate)
    w, b = LOGIC_GATES[gate]
    out = neuron.neuron(X, w, b, activation="step")
    assert_allclose(out, y, rtol=0, atol=0)  # exact: 0/1 outputs


# --- the perceptron rule ----------------------------------------------------------------


def test_perceptron_does_not_converge_on_xor():
    X, y = logic_gate("XOR")
    run = perceptron_learn(X, y, epochs=50)
    assert run.converged is False
    assert len(run.errors) == 50 and min(run.errors) > 0
    assert not np.array_equal(neuron.neuron(X, run.w, run.b), y)


@pytest.mark.parametrize("gate", SEPARABLE)
def test_perceptron_converges_on_separable_gates(gate):
    X, y = logic_gate(gate)
    run = perceptron_learn(X, y, epochs=50)
    assert run.converged is True
    assert run.errors[-1] == 0 and all(e > 0 for e in run.errors[:-1])
    assert_allclose(neuron.neuron(X, run.w, run.b), y, rtol=0, atol=0)  # exact 0/1 outputs


def test_perceptron_update_by_hand():
    # AND from w = 0, b = 0, lr = 1: input (0,0) is predicted 1 (step(0) = 1) -> b = -1;
    # (0,1), (1,0) then predicted 0, right; (1,1): z = -1 -> 0, wrong -> w = (1,1), b = 0.
    X, y = logic_gate("AND")
    run = perceptron_learn(X, y, epochs=1)
    assert_allclose(run.w, [1.0, 1.0], rtol=0, atol=0)  # exact: integer updates
    assert run.b == 0.0 and run.errors == [2] and run.converged is False


def test_perceptron_does_not_modify_w0():
    X, y = logic_gate("OR")
    w0 = np.array([0.1, -0.2])
    perceptron_learn(X, y, w0=w0)
    assert_allclose(w0, [0.1, -0.2], rtol=0, atol=0)


@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(lr=0.0), ValueError, "lr must be > 0"),
    (dict(lr="1"), TypeError, "lr must be a real number"),
    (dict(epochs=0), ValueError, "epochs must be >= 1"),
    (dict(epochs=2.5), TypeError, "epochs must be an integer"),
    (dict(w0=[0.0, 0.0, 0.0]), ValueError, "w0"),  # 3 weights for 2 features
    (dict(b0=None), TypeError, "b0 must be a real number"),
], ids=["lr-zero", "lr-string", "epochs-zero", "epochs-float", "w0-wrong-length", "b0-None"])
def test_perceptron_bad_hyperparameters(kwargs, exc, message):
    X, y = logic_gate("AND")
    with pytest.raises(exc, match=message):
        perceptron_learn(X, y, **kwargs)


@pytest.mark.parametrize("X, y, exc, message", [
    (np.zeros((4, 2)), [0, 1, 2, 0], ValueError, "y must hold labels 0 and 1"),
    (np.zeros((4, 2)), [0, 1, 1], ValueError, "X has 4 rows but y has 3"),
    (np.zeros(4), [0, 1, 1, 0], ValueError, "X must have 2 dimension"),
    (np.zeros((4, 2)), [[0, 1, 1, 0]], ValueError, "y must have 1 dimension"),
    ([[0, 0], [1]], [0, 1], TypeError, "X must be an array of real numbers"),
    (np.zeros((4, 2)), [0, 1, np.nan, 0], ValueError, "y must be finite"),
])
def test_perceptron_bad_data(X, y, exc, message):
    with pytest.raises(exc, match=message):
        perceptron_learn(X, y)


# --- XOR is not linearly separable: two independent proofs by computation ---------------


@pytest.mark.parametrize("gate", GATES + ["XOR"])
def test_linear_program_finds_a_separator_iff_not_xor(gate):
    # Find (w1, w2, b) with w.x + b >= 1 where y = 1 and <= -1 where y = 0 (margin 1;
    # any strict separator can be scaled to this). Infeasible iff not separable.
    X, y = logic_gate(gate)
    sign = np.where(y == 1, 1.0, -1.0)  # (4,)
    A = -sign[:, None] * np.hstack([X, np.ones((4, 1))])  # (4, 3): -s (w.x + b) <= -1
    res = linprog(c=np.zeros(3), A_ub=A, b_ub=-np.ones(4), bounds=[(None, None)] * 3, method="highs")
    if gate == "XOR":
        assert res.status == 2, res.message  # 2: infeasible
    else:
        assert res.status == 0, res.message
        w, b = res.x[:2], res.x[2]
        assert_allclose(neuron.neuron(X, w, b), y, rtol=0, atol=0)


def test_brute_force_no_step_neuron_computes_xor():
    # Every (w1, w2, b) on a grid, with the step(0) = 1 convention: none matches XOR,
    # while AND is matched by many (a control that the search can succeed).
    grid = np.linspace(-3.0, 3.0, 25)  # includes 0 and the half-integers
    W1, W2, B = (a.ravel() for a in np.meshgrid(grid, grid, grid, indexing="ij"))  # (15625,) each
    X, _ = logic_gate("XOR")
    Z = X[:, :1] * W1 + X[:, 1:] * W2 + B  # (4, 15625)
    out = (Z >= 0).astype(float)  # (4, 15625)
    for gate, expect_some in (("XOR", False), ("AND", True)):
        _, y = logic_gate(gate)
        matches = (out == y[:, None]).all(axis=0)
        assert matches.any() == expect_some, gate


# --- the decision boundary --------------------------------------------------------------


def test_boundary_distance_values_and_sign():
    assert boundary_distance([3.0, 4.0], -10.0) == 2.0  # -b/||w|| = 10/5
    assert boundary_distance([3.0, 4.0], 10.0) == -2.0
    assert boundary_distance([0.0, -2.0], 0.0) == 0.0
    w, b = np.array([1.0, -2.0, 2.0]), 4.5
    d = boundary_distance(w, b)
    closest = -b * w / (w @ w)  # (3,) the boundary point nearest the origin
    assert_allclose(closest @ w + b, 0.0, rtol=0, atol=1e-14)  # it lies on the boundary (rounding)
    assert_allclose(closest @ w / np.linalg.norm(w), d, rtol=1e-15, atol=0)  # signed, along w


@pytest.mark.parametrize("w, b", [([1.0, 1.0], -1.5), ([-3.0, 0.5], 2.0), ([0.0, 2.0], -1.0),
                                  ([1e-3, 7.0], 0.2), ([5.0, -1e-6], 1.0)])
def test_boundary_line_points_satisfy_equation(w, b):
    x1s, x2s = boundary_line(w, b, x1_limits=(-3.0, 3.0))
    assert x1s.shape == (2,) and x2s.shape == (2,)
    z = w[0] * x1s + w[1] * x2s + b
    # w.x + b at points computed from w and b: rounding relative to the sizes of the terms
    scale = abs(w[0] * x1s).max() + abs(w[1] * x2s).max() + abs(b)
    assert_allclose(z, 0.0, rtol=0, atol=1e-14 * scale)
    assert_allclose(x1s, [-3.0, 3.0], rtol=0, atol=0)  # the requested x1 range


@pytest.mark.parametrize("w, b, x1", [([2.0, 0.0], -1.0, 0.5), ([-4.0, 0.0], -2.0, -0.5), ([1.0, 1e-15], 3.0, -3.0)])
def test_boundary_line_vertical(w, b, x1):
    x1s, x2s = boundary_line(w, b, x1_limits=(-2.0, 2.0))
    assert_allclose(x1s, [x1, x1], rtol=1e-15, atol=0)  # one division
    assert_allclose(x2s, [-2.0, 2.0], rtol=0, atol=0)


@pytest.mark.parametrize("fn", [boundary_distance, boundary_line])
def test_zero_weights_have_no_boundary(fn):
    with pytest.raises(ValueError, match="w is zero, so there is no decision boundary"):
        fn([0.0, 0.0], 1.0)


@pytest.mark.parametrize("call, exc, message", [
    (lambda: boundary_line([1.0, 2.0, 3.0], 0.0), ValueError, r"w must have shape \(2,\)"),
    (lambda: boundary_line([1.0, 2.0], "0"), TypeError, "b must be a real number"),
    (lambda: boundary_line([1.0, 2.0], 0.0, x1_limits=(0.0, "a")), TypeError, "x1_limits"),
    (lambda: boundary_distance([[1.0, 2.0]], 0.0), ValueError, "w must have 1 dimension"),
    (lambda: boundary_distance([1.0, np.nan], 0.0), ValueError, "w must be finite"),
    (lambda: boundary_distance([1.0, 2.0], float("inf")), ValueError, "b must be finite"),
    (lambda: neuron.weighted_sum(np.ones((3, 2)), np.ones(3), 0.0), ValueError, "X has 2 features.*w has 3"),
    (lambda: neuron.weighted_sum(np.ones((3, 2)), np.ones((1, 2)), 0.0), ValueError, "w must have 1 dimension"),
    (lambda: neuron.weighted_sum(np.ones((1, 3, 2)), np.ones(2), 0.0), ValueError, "X must have 1 or 2"),
    (lambda: neuron.weighted_sum(np.ones(2), np.ones(2), None), TypeError, "b must be a real number"),
    (lambda: neuron.weighted_sum(np.ones(2), np.ones(2), np.array([1.0])), TypeError, "b must be a real number"),
    (lambda: neuron.weighted_sum("ab", np.ones(2), 0.0), TypeError, "X must be an array"),
    (lambda: neuron.neuron(np.ones(2), [1 + 2j, 0], 0.0), TypeError, "w must be real"),
])
def test_bad_inputs_name_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_gates_are_all_binary_inputs():
    # the four rows of every truth table are exactly {0,1}^2 in the same order
    X0, _ = logic_gate("AND")
    assert [tuple(r) for r in X0] == list(itertools.product([0.0, 1.0], repeat=2))


@pytest.mark.parametrize("limits, exc", [(None, TypeError), ((), ValueError), ((1.0, 2.0, 3.0), ValueError),
                                         ((0.0, float("inf")), ValueError)])
def test_boundary_line_refuses_bad_limits(limits, exc):
    with pytest.raises(exc, match="x1_limits"):
        neuron.boundary_line([1.0, 1.0], 0.0, limits)


def test_perceptron_learn_bounds_epochs():
    with pytest.raises(ValueError, match="epochs"):
        neuron.perceptron_learn(*logic_gate("AND"), epochs=10**400)
