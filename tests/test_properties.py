"""Properties over random shapes and values in [-1000, 1000], found by hypothesis.

``derandomize=True`` makes every run draw the same examples, so CI is
deterministic; ``database=None`` stops hypothesis from replaying stored
examples (it still caches constants under the git-ignored ``.hypothesis/``).
Shrinking is off: the examples are small by construction (at most 6 per
side), and a failing run then costs no more than a passing one (shrinking one
loss failure took 8 s).
"""

from __future__ import annotations

import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from mathcore import MLP
from mathcore.activations import ACTIVATIONS, softmax
from mathcore.losses import LOSSES
from mathcore.network import COMPATIBLE_LOSSES, OUTPUTS

SETTINGS = settings(derandomize=True, max_examples=40, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=[HealthCheck.too_slow])

FLOATS = st.floats(min_value=-1000.0, max_value=1000.0, allow_nan=False, allow_infinity=False)
ANY_ARRAY = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5), elements=FLOATS)
ROWS = hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6), elements=FLOATS)
PROB = st.floats(min_value=0.0, max_value=1.0, exclude_min=True, exclude_max=True)  # valid, strictly inside
UNIT = st.floats(min_value=0.0, max_value=1.0)


def _quiet(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):  # underflow to 0 is the right answer, not an error
            return fn(*args)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@SETTINGS
@given(z=ANY_ARRAY)
def test_activation_and_derivative_keep_shape_and_stay_finite(name, z):
    act = ACTIVATIONS[name]
    for fn in (act, act.derivative):
        out = _quiet(fn, z)
        assert out.shape == z.shape and out.dtype == np.float64
        assert np.isfinite(out).all()


@SETTINGS
@given(z=ANY_ARRAY)
def test_sigmoid_in_unit_interval_and_monotone(z):
    s = _quiet(ACTIVATIONS["sigmoid"], z)
    assert ((s >= 0.0) & (s <= 1.0)).all()
    flat = np.sort(z.ravel())
    assert (np.diff(_quiet(ACTIVATIONS["sigmoid"], flat)) >= 0).all()
    # sigma(-z) = 1 - sigma(z): both sides rounded once near 1, so eps absolute
    assert_allclose(ACTIVATIONS["sigmoid"](-z), 1.0 - s, rtol=0, atol=2.3e-16)


@SETTINGS
@given(z=ROWS, c=FLOATS)
def test_softmax_rows_sum_to_one_and_shift_invariant(z, c):
    p = _quiet(softmax, z)
    assert p.shape == z.shape and ((p >= 0) & (p <= 1)).all()
    # at most 6 terms each rounded once, plus the division: a few eps
    assert_allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-14)
    # z + c rounds each exponent by up to ulp(2000)/2 = 1.1e-13, which moves each p_k by
    # that much relatively; 1e-11 leaves margin. atol covers entries that underflow to
    # subnormals, where float64 has no relative precision left.
    assert_allclose(_quiet(softmax, z + c), p, rtol=1e-11, atol=1e-300)


def _loss_inputs(draw, loss):
    n, k = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    shape = (n, k) if loss.reduction == "samples" or draw(st.booleans()) else (n,)
    if loss.probabilities:
        p = draw(hnp.arrays(np.float64, shape, elements=PROB))
    else:
        p = draw(hnp.arrays(np.float64, shape, elements=FLOATS))
    if loss.reduction == "samples":
        w = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.0, 1.0)))
        w[:, 0] += 1e-3  # never an all-zero row
        y = w / w.sum(axis=1, keepdims=True)  # rows on the simplex
    elif loss.name == "mse":
        y = draw(hnp.arrays(np.float64, shape, elements=FLOATS))
    else:
        y = draw(hnp.arrays(np.float64, shape, elements=UNIT))
    return p, y


@pytest.mark.parametrize("name", sorted(LOSSES))
@SETTINGS
@given(data=st.data())
def test_losses_finite_for_valid_inputs(name, data):
    loss = LOSSES[name]
    p, y = _loss_inputs(data.draw, loss)
    value = _quiet(loss, p, y)
    assert np.isfinite(value) and value >= -1e-12 * max(1.0, float(np.abs(p).max()))  # losses are >= 0 up to rounding
    g = _quiet(loss.gradient, p, y)
    assert g.shape == p.shape and not np.isnan(g).any()


@SETTINGS
@given(data=st.data())
def test_mlp_forward_shape_and_finite(data):
    sizes = data.draw(st.lists(st.integers(1, 5), min_size=2, max_size=4))
    hidden = data.draw(st.sampled_from(sorted(ACTIVATIONS)))
    output = data.draw(st.sampled_from(OUTPUTS))
    n = data.draw(st.integers(1, 6))
    X = data.draw(hnp.arrays(np.float64, (n, sizes[0]), elements=FLOATS))
    model = MLP(sizes, activation=hidden, output=output, seed=data.draw(st.integers(0, 2**16)))
    out = _quiet(model.forward, X)
    assert out.shape == (n, sizes[-1]) and np.isfinite(out).all()
    if output == "softmax":
        assert_allclose(out.sum(axis=1), 1.0, rtol=0, atol=1e-14)  # a few eps, as above
    pred = model.predict(X)
    assert pred.shape[0] == n


@SETTINGS
@given(data=st.data())
def test_mlp_loss_and_gradients_shapes_and_finite(data):
    output = data.draw(st.sampled_from(OUTPUTS))
    loss = data.draw(st.sampled_from(COMPATIBLE_LOSSES[output]))
    hidden = data.draw(st.sampled_from(sorted(ACTIVATIONS)))
    k = data.draw(st.integers(1, 3))
    n = data.draw(st.integers(1, 5))
    model = MLP([2, 3, k], activation=hidden, output=output, seed=0)
    X = data.draw(hnp.arrays(np.float64, (n, 2), elements=FLOATS))
    if LOSSES[loss].reduction == "samples":
        Y = np.eye(k)[data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, k - 1)))]
    else:
        Y = data.draw(hnp.arrays(np.float64, (n, k), elements=UNIT))
    value, grads = _quiet(model.loss_and_gradients, X, Y, loss, 0.01, 0.01)
    assert np.isfinite(value)
    assert [g.shape for g in grads] == [p.shape for p in model.params]
    assert all(np.isfinite(g).all() for g in grads)
