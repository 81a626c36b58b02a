"""Self-checks for Chapter 6, Backpropagation."""

from __future__ import annotations

import numpy as np

from .. import layers
from ..network import MLP
from . import number, register, within

#: The worked example's 2-2-1 network (sigmoid units): [W1, b1, W2, b2], and its input.
HAND_PARAMS = (np.array([[0.4, -0.3], [0.2, 0.6]]), np.array([0.1, -0.2]), np.array([[0.7, -0.5]]),
               np.array([0.3]))
HAND_X = np.array([0.5, -1.0])
#: The exercise's target (the worked example uses 1).
EXERCISE_TARGET = 0.0
#: Widths of the network whose finite-difference cost the counting exercise asks for.
COUNT_SIZES = (784, 100, 10)


def _hand_deltas(y: float) -> tuple[float, np.ndarray]:
    net = MLP([2, 2, 1], activation="sigmoid", output="sigmoid")
    for p, q in zip(net.params, HAND_PARAMS):
        p[...] = q
    _, grads = net.loss_and_gradients(HAND_X[None, :], np.array([[y]]), loss="mse")
    return float(grads[3][0]), grads[1].copy()  # one example: dC/db = delta


@register("backprop.delta-by-hand", right=(_hand_deltas(EXERCISE_TARGET)[0], _hand_deltas(EXERCISE_TARGET)[1]),
          wrong=(_hand_deltas(1.0)[0], _hand_deltas(1.0)[1]))
def _delta_by_hand(delta2, delta1):
    delta2 = number(delta2, "delta2")
    delta1 = np.asarray(delta1, dtype=float)
    if delta1.shape != (2,):
        raise ValueError(f"delta1 must hold one error per hidden unit, shape (2,), got shape {delta1.shape}")
    want2, want1 = _hand_deltas(EXERCISE_TARGET)
    # four decimals of a hand calculation are enough; the errors here are of order 0.01 to 0.2
    if not within(delta2, want2, 5e-4):
        if within(delta2, want2 / 2, 5e-4):
            return False, "delta2 is off by a factor of 2: the cost is (a - y)^2, whose derivative is 2(a - y)."
        if within(delta2, -want2, 5e-4):
            return False, "delta2 has the wrong sign: it is dC/da times sigma'(z), with dC/da = 2(a - y)."
        return False, ("delta2 is off. Recompute the forward pass with the same weights, then "
                       "delta2 = 2(a - y) sigma'(z) with sigma'(z) = a(1 - a) and the new target.")
    if not within(delta1, want1, 5e-4):
        return False, ("delta2 is right but delta1 is off: each hidden error is the output error times the "
                       "weight from that hidden unit to the output, times sigma'(z) = h(1 - h) of that unit.")
    return True, ""


def _reference_backward(dA, Z, A_prev, W):
    s = 1.0 / (1.0 + np.exp(-Z))  # (n, n_out)
    dZ = dA * s * (1.0 - s)  # (n, n_out)
    dX, dW, db = layers.dense_backward(dZ, A_prev, W)
    return dX, dW, db


def _wrong_backward(dA, Z, A_prev, W):
    s = 1.0 / (1.0 + np.exp(-Z))
    dZ = dA * s * (1.0 - s)
    return dZ @ W, dZ.T @ A_prev / len(Z), dZ.mean(axis=0)  # averages again: the 1/n is already in dA


@register("backprop.layer-backward", right=(_reference_backward,), wrong=(_wrong_backward,))
def _layer_backward(fn):
    if not callable(fn):
        raise TypeError(f"expected your function, got {type(fn).__name__}")
    rng = np.random.default_rng(6)
    for n, n_in, n_out in ((1, 2, 1), (5, 3, 4), (8, 4, 2)):
        A_prev = rng.normal(size=(n, n_in))  # (n, n_in)
        W = rng.normal(size=(n_out, n_in))  # (n_out, n_in)
        Z = A_prev @ W.T + rng.normal(size=n_out)  # (n, n_out)
        dA = rng.normal(size=(n, n_out)) / n  # (n, n_out), the 1/n of a mean cost already inside
        got = fn(dA, Z, A_prev, W)
        if not isinstance(got, tuple) or len(got) != 3:
            return False, "return a tuple of three arrays: (dA_prev, dW, db)."
        want = _reference_backward(dA, Z, A_prev, W)
        for name, g, w in zip(("dA_prev", "dW", "db"), got, want):
            g = np.asarray(g, dtype=float)
            if g.shape != w.shape:
                return False, f"{name} must have shape {w.shape} for a batch of {n}, got {g.shape}."
            # the same arithmetic in another order: round-off only
            if not np.allclose(g, w, rtol=1e-9, atol=1e-12):
                hints = {"dA_prev": "dA_prev is delta times W (shape (n, n_in)), with delta = dA * sigma'(Z).",
                         "dW": "dW is delta transposed times A_prev, a sum over the batch; dA already holds "
                               "the 1/n of the mean, so do not divide again.",
                         "db": "db is the sum of delta over the rows of the batch (not the mean: the 1/n is "
                               "already in dA)."}
                return False, hints[name]
    return True, ""


@register("backprop.fd-count", right=(2 * layers.count_parameters(list(COUNT_SIZES)),),
          wrong=(layers.count_parameters(list(COUNT_SIZES)),))
def _fd_count(n_passes):
    n = number(n_passes, "n_passes")
    P = layers.count_parameters(list(COUNT_SIZES))
    if n == 2 * P:
        return True, ""
    if n == P:
        return False, "that is one pass per parameter: a central difference needs two, f(w + h) and f(w - h)."
    if n in (2 * 784 * 100 + 2 * 100 * 10, 784 * 100 + 100 * 10):
        return False, "the biases are parameters too: count every weight and every bias of both layers."
    return False, "count the parameters first, n_out x (n_in + 1) for each layer, then the passes per parameter."


def _softmax_backward(G, P):
    G, P = np.asarray(G, dtype=float), np.asarray(P, dtype=float)  # (n, K) each
    return P * (G - np.sum(G * P, axis=1, keepdims=True))  # (n, K): J^T g row by row, J never formed


@register("backprop.softmax-backward", right=(_softmax_backward,),
          wrong=(lambda G, P: np.asarray(G, dtype=float) * np.asarray(P, dtype=float),))
def _softmax_backward_check(fn):
    if not callable(fn):
        raise TypeError(f"expected your function, got {type(fn).__name__}")
    from ..activations import softmax

    rng = np.random.default_rng(16)
    for n, K, scale in ((1, 2, 1.0), (4, 3, 2.0), (6, 10, 5.0)):
        P = softmax(rng.normal(scale=scale, size=(n, K)))  # (n, K) rows sum to 1
        G = rng.normal(size=(n, K))  # (n, K) dC/dP
        got = np.asarray(fn(G.copy(), P.copy()), dtype=float)
        if got.shape != (n, K):
            return False, f"for G and P of shape {(n, K)} the result must have that shape too, got {got.shape}."
        want = np.einsum("nkj,nk->nj", softmax.jacobian(np.log(P)), G)  # (n, K) through the full Jacobian
        # the same sums in another order: round-off only
        if np.allclose(got, want, rtol=1e-9, atol=1e-12):
            continue
        if np.allclose(got, G * P, rtol=1e-9, atol=1e-12):
            return False, ("you kept only the diagonal of the Jacobian, pⱼ δₖⱼ: every logit also moves every other "
                           "probability, through the term −pₖ pⱼ.")
        return False, ("the result differs from the product with the softmax Jacobian. Write ∂C/∂zⱼ = Σₖ gₖ "
                       "∂pₖ/∂zⱼ with ∂pₖ/∂zⱼ = pₖ(δₖⱼ − pⱼ), and sum over k before coding it; check that each "
                       "row's sum is over that row only.")
    return True, ""


#: Machine epsilon of float64, the round-off model of the step-size problem.
EPS = float(np.finfo(float).eps)


def _best_steps() -> tuple[float, float]:
    # error models with |f| = |f''| = |f'''| = 1: central h^2/6 + eps/h, forward h/2 + 2 eps/h
    return (3 * EPS) ** (1 / 3), 2 * EPS**0.5


@register("backprop.best-step", right=_best_steps(), wrong=(EPS ** (1 / 3), EPS**0.5))
def _best_step(h_central, h_forward):
    hc, hf = number(h_central, "h_central"), number(h_forward, "h_forward")
    want_c, want_f = _best_steps()
    if hc <= 0 or hf <= 0:
        return False, "a step is a positive number."
    # the model fixes each step exactly; 5% leaves room for rounding eps to 2.2e-16
    if abs(hc / want_c - 1) > 0.05:
        if abs(hc / want_f - 1) <= 0.05:
            return False, "the two steps are swapped: which difference has the larger truncation error?"
        return False, ("h_central is off: minimise E(h) = h²/6 + ε/h. Set E′(h) = 0 and solve for h; the answer "
                       "is a cube root.")
    if abs(hf / want_f - 1) > 0.05:
        return False, ("h_forward is off: the forward difference's error is about h/2 + 2ε/h (two evaluations, "
                       "each off by up to ε, divided by h). Set its derivative to zero.")
    return True, ""
