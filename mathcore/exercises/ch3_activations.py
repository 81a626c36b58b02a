"""Self-checks for Chapter 3, Activation functions."""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import activations
from . import number, register, within


@register("activations.softmax-jacobian",
          right=(np.array([[2.0, -2.0], [-2.0, 2.0]]) / 9,),
          wrong=(np.array([[2.0, 0.0], [0.0, 2.0]]) / 9,))
def _softmax_jacobian(J):
    J = np.asarray(J, dtype=float)
    if J.shape != (2, 2):
        return False, f"with two classes the Jacobian is a 2 x 2 matrix; yours has shape {J.shape}."
    want = activations.softmax.jacobian(np.array([math.log(2.0), 0.0]))  # (2, 2)
    if np.allclose(J, want, rtol=1e-6, atol=1e-9):
        return True, ""
    if not np.allclose(J.sum(axis=0), 0.0, atol=1e-9):
        return False, ("the probabilities always sum to 1, so moving any logit changes them by amounts that sum "
                       "to 0: each column of the Jacobian must sum to 0. Check the off-diagonal entries -p_i p_j.")
    return False, "first find p = softmax(z) (e^(log 2) = 2), then use dp_i/dz_j = p_i (delta_ij - p_j)."


@register("activations.sigmoid-depth", right=(10,), wrong=(9,))
def _sigmoid_depth(L):
    if isinstance(L, bool) or not float(L).is_integer():
        return False, "the number of layers is a whole number."
    L = int(L)
    if L == 10:
        return True, ""
    if 0.25**L < 1e-6:
        return False, "that many layers works, but a smaller number already does: find the smallest."
    return False, "with that many layers the bound (1/4)^L is still at least 1e-6: solve (1/4)^L < 1e-6 for L."


@register("activations.logsumexp",
          right=(lambda Z: Z.max(axis=1) + np.log(np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=1)),),
          wrong=(lambda Z: np.log(np.exp(Z).sum(axis=1)),))
def _logsumexp(fn):
    if not callable(fn):
        raise TypeError(f"expected your function, got {type(fn).__name__}")
    rng = np.random.default_rng(3)
    cases = [
        rng.normal(size=(4, 3)),  # ordinary logits
        rng.normal(scale=300.0, size=(6, 5)),  # large: exp overflows beyond 709.8
        np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1002.0]]),  # all large, all very negative
    ]
    for Z in cases:
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            warnings.simplefilter("error", RuntimeWarning)
            try:
                got = np.asarray(fn(Z.copy()), dtype=float)
            except (FloatingPointError, RuntimeWarning):
                return False, (f"on rows like {Z[0, :2].round(1)} ... your function overflows (or takes log 0): "
                               "subtract the row maximum before exponentiating, and add it back after the log.")
        want = activations.logsumexp(Z)  # (n,)
        if got.shape != want.shape:
            return False, f"for Z of shape {Z.shape} the result should have shape {want.shape}, not {got.shape}."
        # both are m + log(sum of K terms in [e^-large, 1]): a few eps relative to |m|
        if not np.allclose(got, want, rtol=1e-12, atol=1e-12):
            return False, "some rows differ from log(sum(exp(z))): check that you add back the same maximum."
    return True, ""


@register("activations.softplus-gap", right=(math.log(2.0),), wrong=(1.0,))
def _softplus_gap(gap):
    gap = float(gap)
    if within(gap, math.log(2.0), 1e-6):
        return True, ""
    return False, ("softplus(x) - relu(x) is softplus(-|x|), which decreases as |x| grows: "
                   "evaluate it where |x| is smallest.")


@register("activations.tanh-glorot-decay", right=(0.5,), wrong=(1.0,))
def _tanh_glorot_decay(limit):
    limit = number(limit, "limit")
    if within(limit, 0.5, 1e-3):
        return True, ""
    if within(limit, 1.0, 1e-3) or within(limit, 0.0, 1e-3):
        return False, ("l q_l tends to neither 0 nor 1: write the recursion for 1/q_l, using "
                       "1/(q - 2q²) ≈ (1/q)(1 + 2q) for small q, and see how much 1/q grows per layer.")
    return False, ("expand tanh(z)² to the z⁴ term, take its mean with E[z²] = q and E[z⁴] = 3q², and follow "
                   "1/q_l from layer to layer.")


@register("activations.leaky-relu-gain", right=(1.6,), wrong=(2.0,))
def _leaky_relu_gain(gain):
    gain = number(gain, "leaky_gain")
    if within(gain, 1.6, 1e-6):
        return True, ""
    if within(gain, 2.0, 1e-6):
        return False, ("that is He's value, right for ReLU, whose left half outputs 0. With slope 0.5 the left half "
                       "keeps part of the second moment: recompute E[f(u)²] for a symmetric u.")
    return False, ("split E[f(u)²] into the halves u > 0 and u < 0; by symmetry each holds half of Var(u), and on "
                   "the left f(u)² = α²u². Then choose n_in Var(w) so that the layer keeps the variance.")
