"""Losses: value and gradient against the SymPy total, central differences, edges, reductions, bad input.

Parametrised over ``LOSSES``: a new loss is checked against its own
``symbolic_total`` as soon as it is registered. The symbolic total is evaluated
by mpmath at 50 digits, because the twin of the fused sigmoid loss,
``log(1 - 1/(1 + e^{-z}))``, cancels badly in float64 (it is the very
expression the fused kernel exists to avoid) and would make the reference, not
the code, the inaccurate side.
"""

from __future__ import annotations

import functools
import math
import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp
from numpy.testing import assert_allclose

from mathcore import gradcheck, losses
from mathcore.activations import _sigmoid, softmax
from mathcore.losses import LOSSES, one_hot

NAMES = sorted(LOSSES)
N_POINTS = 4  # seeded points per loss and shape

# Value and gradient are sums of at most 9 logs/exps of O(1) numbers divided by
# a count: float64 agrees with the 50-digit reference to a few eps per term
# (measured <= 6e-16 relative); 1e-13 leaves margin and catches any wrong term,
# factor or reduction (those are off by 1e-2 or more).
SYMBOLIC_TOL = dict(rtol=1e-13, atol=1e-15)


def _shapes(loss):
    # samples-reduced losses need a class axis; elementwise ones take (n,) and (n, K)
    return [(3, 3), (2, 4)] if loss.reduction == "samples" else [(3, 2), (4,)]


def _valid_point(loss, shape, rng):
    """Seeded inputs inside the loss's domain."""
    if loss.probabilities:
        # strictly inside (0, 1), and > h = 1e-5 from the ends for central differences
        p = rng.uniform(0.02, 0.98, size=shape)
    elif loss.on_logits:
        p = rng.normal(scale=3.0, size=shape)
    else:
        p = rng.normal(size=shape)
    if loss.reduction == "samples":
        y = rng.dirichlet(np.ones(shape[-1]), size=shape[0])  # rows on the simplex
    else:
        y = rng.uniform(0.0, 1.0, size=shape)
    return p, y


@functools.lru_cache(maxsize=None)
def _symbolic(name, shape):
    L, Pm, Ym = LOSSES[name].symbolic_total(shape)
    ps, ys = list(Pm), list(Ym)  # row-major, like ravel()
    value = sp.lambdify(ps + ys, L, modules="mpmath")
    grads = [sp.lambdify(ps + ys, sp.diff(L, s), modules="mpmath") for s in ps]
    return value, grads


def _evaluate(name, shape, p, y):
    value, grads = _symbolic(name, shape)
    args = [mpmath.mpf(float(v)) for v in np.concatenate([p.ravel(), y.ravel()])]
    with mpmath.workdps(50):
        return float(value(*args)), np.array([float(g(*args)) for g in grads]).reshape(p.shape)


CASES = [(name, shape) for name in NAMES for shape in _shapes(LOSSES[name])]
CASE_IDS = [f"{name}-{'x'.join(map(str, shape))}" for name, shape in CASES]


@pytest.mark.parametrize("name, shape", CASES, ids=CASE_IDS)
def test_value_and_gradient_match_symbolic_total(name, shape):
    loss = LOSSES[name]
    rng = np.random.default_rng([*name.encode(), *shape])  # a stable seed per case
    for _ in range(N_POINTS):
        p, y = _valid_point(loss, shape, rng)
        expected_value, expected_grad = _evaluate(name, shape, p, y)
        assert_allclose(loss(p, y), expected_value, **SYMBOLIC_TOL)
        g = loss.gradient(p, y)
        assert g.shape == p.shape
        assert_allclose(g, expected_grad, **SYMBOLIC_TOL)


@pytest.mark.parametrize("name", [n for n in NAMES if LOSSES[n].reduction == "samples"])
def test_samples_losses_match_symbolic_total_off_the_simplex(name):
    # Targets in [0, 1] whose rows do not sum to 1 are accepted, so the gradient must be
    # the true one there too (for softmax cross-entropy p*sum(y) - y, not p - y).
    loss = LOSSES[name]
    rng = np.random.default_rng(77)
    for _ in range(2):
        p, _ = _valid_point(loss, (3, 3), rng)
        y = rng.uniform(size=(3, 3))  # (3, 3), rows sum anywhere in [0, 3]
        expected_value, expected_grad = _evaluate(name, (3, 3), p, y)
        assert_allclose(loss(p, y), expected_value, **SYMBOLIC_TOL)
        assert_allclose(loss.gradient(p, y), expected_grad, **SYMBOLIC_TOL)


@pytest.mark.parametrize("name, shape", CASES, ids=CASE_IDS)
def test_gradient_matches_central_differences(name, shape):
    loss = LOSSES[name]
    p, y = _valid_point(loss, shape, np.random.default_rng(99))
    result = gradcheck.check_gradients(lambda: loss(p, y), [p], [loss.gradient(p, y)])
    # gradcheck's docstring: a right gradient agrees to ~1e-9, a wrong one is off by >= 1e-2
    assert result.max_relative_error < 1e-7, result


@pytest.mark.parametrize("name", NAMES)
def test_returns_python_float_and_does_not_modify_inputs(name):
    loss = LOSSES[name]
    p, y = _valid_point(loss, _shapes(loss)[0], np.random.default_rng(5))
    p0, y0 = p.copy(), y.copy()
    assert type(loss(p, y)) is float
    loss.gradient(p, y)
    assert_allclose(p, p0, rtol=0, atol=0)  # exact: inputs are read only
    assert_allclose(y, y0, rtol=0, atol=0)


@pytest.mark.parametrize("name", NAMES)
def test_lookup(name):
    assert losses.get(name) is LOSSES[name] and LOSSES[name].name == name


def test_get_unknown_lists_known_names():
    with pytest.raises(ValueError, match="unknown loss 'hinge'") as info:
        losses.get("hinge")
    assert all(n in str(info.value) for n in NAMES)
    with pytest.raises(TypeError, match="loss name must be a string"):
        losses.get(None)


# --- edges: probabilities of exactly 0 and 1 ------------------------------------------


def _no_warnings(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args)


@pytest.mark.parametrize("name, p, y", [
    ("binary_cross_entropy", [0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0]),
    ("binary_cross_entropy", [[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [1.0, 0.0]]),
    ("cross_entropy", [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
    ("mse", [0.0, 1.0], [0.0, 1.0]),
])
def test_perfect_predictions_cost_exactly_zero(name, p, y):
    loss = LOSSES[name]
    assert _no_warnings(loss, p, y) == 0.0  # 0 log 0 = 0 and 1 log 1 = 0 exactly
    g = _no_warnings(loss.gradient, p, y)
    assert np.isfinite(g).all()


def test_bce_gradient_at_the_ends_is_the_one_sided_limit():
    # y = 0, p = 0: dL/dp = (1 - y)/(1 - p) / N = 1/2; y = 1, p = 1: -y/p / N = -1/2
    g = _no_warnings(LOSSES["binary_cross_entropy"].gradient, [0.0, 1.0], [0.0, 1.0])
    assert_allclose(g, [0.5, -0.5], rtol=0, atol=0)  # exact: 1/2 is a float


def test_ce_gradient_at_the_ends():
    g = _no_warnings(LOSSES["cross_entropy"].gradient, [[1.0, 0.0]], [[1.0, 0.0]])
    assert_allclose(g, [[-1.0, 0.0]], rtol=0, atol=0)  # -y/p for the true class, 0 where y = 0


@pytest.mark.parametrize("name, p, y", [
    ("binary_cross_entropy", [0.0, 0.5], [1.0, 0.5]),
    ("binary_cross_entropy", [1.0, 0.5], [0.0, 0.5]),
    ("cross_entropy", [[0.0, 1.0]], [[1.0, 0.0]]),
    ("cross_entropy", [[0.0, 1.0]], np.array([0])),
])
def test_confident_wrong_prediction_is_inf_without_warning(name, p, y):
    loss = LOSSES[name]
    assert _no_warnings(loss, p, y) == math.inf
    g = _no_warnings(loss.gradient, p, y)
    assert not np.isnan(g).any()
    assert np.isinf(g).any()


@pytest.mark.parametrize("name, p, y", [
    ("binary_cross_entropy", [1e-320, 0.5], [1.0, 0.5]),
    ("binary_cross_entropy", [5e-324], [0.25]),
    ("cross_entropy", [[1e-320, 1.0]], [[1.0, 0.0]]),
    ("cross_entropy", [[1e-310, 0.5]], np.array([0])),
], ids=["bce-1e-320", "bce-min-subnormal", "ce-1e-320", "ce-labels-1e-310"])
def test_subnormal_probability_finite_loss_and_no_warning(name, p, y):
    # p = sigmoid(-740) = 4e-322 is a valid probability that a saturated network produces;
    # -log p is an ordinary number (< 745) and the gradient -y/p is beyond float64,
    # so -inf, as at p = 0, and without an overflow warning.
    loss = LOSSES[name]
    value = _no_warnings(loss, p, y)
    assert np.isfinite(value) and value > 100
    g = _no_warnings(loss.gradient, p, y)
    assert not np.isnan(g).any()
    assert np.ravel(g)[0] < -1e300


# --- fused losses on logits -----------------------------------------------------------


@pytest.mark.parametrize("z, y, expected", [
    ([1000.0], [0.0], 1000.0),  # -log(1 - sigma(1000)) = 1000 + log(1 + e^-1000)
    ([-1000.0], [1.0], 1000.0),
    ([1000.0], [1.0], 0.0),  # log1p(e^-1000) underflows to exactly 0
    ([-1000.0], [0.0], 0.0),
    ([1000.0, -1000.0], [0.0, 0.0], 500.0),  # mean of 1000 and 0
    ([[0.0]], [[1.0]], math.log(2.0)),
])
def test_sigmoid_bce_closed_forms_at_extreme_logits(z, y, expected):
    loss = LOSSES["sigmoid_binary_cross_entropy"]
    # the closed forms are exact in float64 up to one rounding of log(2)
    assert_allclose(_no_warnings(loss, z, y), expected, rtol=1e-15, atol=0)
    assert np.isfinite(_no_warnings(loss.gradient, z, y)).all()


@pytest.mark.parametrize("z, y, expected", [
    ([[1000.0, -1000.0]], np.array([1]), 2000.0),  # -log softmax = 1000 - (-1000)
    ([[1000.0, -1000.0]], [[0.0, 1.0]], 2000.0),
    ([[1000.0, -1000.0]], np.array([0]), 0.0),
    ([[1000.0, 1000.0]], np.array([0]), math.log(2.0)),
    ([[-1000.0, 0.0, 1000.0], [5.0, 5.0, 5.0]], np.array([0, 2]), (2000.0 + math.log(3.0)) / 2),
])
def test_softmax_ce_closed_forms_at_extreme_logits(z, y, expected):
    loss = LOSSES["softmax_cross_entropy"]
    # exact up to one rounding of each log and of the mean
    assert_allclose(_no_warnings(loss, z, y), expected, rtol=1e-15, atol=0)
    assert np.isfinite(_no_warnings(loss.gradient, z, y)).all()


def test_sigmoid_bce_gradient_is_sigmoid_minus_y_over_n():
    rng = np.random.default_rng(21)
    z = np.concatenate([rng.normal(scale=5, size=4), [-1000.0, 1000.0]]).reshape(3, 2)  # (3, 2)
    y = rng.uniform(size=(3, 2))
    expected = (_sigmoid(z) - y) / z.size  # mean over all 6 elements
    assert_allclose(LOSSES["sigmoid_binary_cross_entropy"].gradient(z, y), expected, rtol=1e-15, atol=0)  # same ops


def test_softmax_ce_gradient_is_softmax_minus_y_over_n():
    rng = np.random.default_rng(22)
    z = rng.normal(scale=5, size=(4, 3))  # (4, 3)
    z[0] = [1000.0, -1000.0, 0.0]
    y = rng.dirichlet(np.ones(3), size=4)  # rows sum to 1
    expected = (softmax(z) - y) / 4  # mean over the 4 samples
    # p * sum(y) - y with sum(y) = 1 up to rounding: a few eps of the O(1) entries
    assert_allclose(LOSSES["softmax_cross_entropy"].gradient(z, y), expected, rtol=0, atol=1e-16)


@pytest.mark.parametrize("name", ["cross_entropy", "softmax_cross_entropy"])
def test_integer_labels_equal_one_hot(name):
    loss = LOSSES[name]
    rng = np.random.default_rng(23)
    labels = np.array([2, 0, 1, 2, 0])
    p = softmax(rng.normal(size=(5, 3)))  # valid probabilities and logits alike
    Y = one_hot(labels, 3)
    assert_allclose(Y, np.eye(3)[labels], rtol=0, atol=0)
    # exact: the labels become exactly this one-hot matrix before any arithmetic
    assert loss(p, labels) == loss(p, Y)
    assert_allclose(loss.gradient(p, labels), loss.gradient(p, Y), rtol=0, atol=0)
    for dtype in (np.int32, np.int64, np.uint8):
        assert loss(p, labels.astype(dtype)) == loss(p, Y)


# --- reductions, written out as PyTorch defines them ------------------------------------

_P = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]
_Y = [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]
_Z = [[2.0, -1.0], [0.5, 0.0], [-3.0, 1.0]]
L = math.log


def _lse(row):
    return L(sum(math.exp(v) for v in row))


@pytest.mark.parametrize("name, p, y, expected", [
    # MSELoss(reduction="mean"): mean over all 6 elements
    ("mse", _P, _Y, (0.01 + 0.01 + 0.04 + 0.04 + 0.16 + 0.16) / 6),
    # BCELoss: mean over all 6 elements
    ("binary_cross_entropy", _P, _Y, -(L(0.9) + L(0.9) + L(0.8) + L(0.8) + L(0.6) + L(0.6)) / 6),
    ("binary_cross_entropy", [0.25, 0.5], [0.5, 1.0], -(0.5 * L(0.25) + 0.5 * L(0.75) + L(0.5)) / 2),
    # NLLLoss(log p) / CrossEntropyLoss with class targets: mean over the 3 samples
    ("cross_entropy", _P, _Y, -(L(0.9) + L(0.8) + L(0.6)) / 3),
    ("cross_entropy", _P, np.array([0, 1, 0]), -(L(0.9) + L(0.8) + L(0.6)) / 3),
    # soft targets: -sum_k y_k log p_k per sample, mean over samples
    ("cross_entropy", [[0.5, 0.5]], [[0.25, 0.75]], -(0.25 * L(0.5) + 0.75 * L(0.5))),
    # BCEWithLogitsLoss: mean over all 6 elements of log(1 + e^z) - y z
    ("sigmoid_binary_cross_entropy", _Z, _Y,
     sum(L(1 + math.exp(z)) - yy * z for zr, yr in zip(_Z, _Y) for z, yy in zip(zr, yr)) / 6),
    # CrossEntropyLoss on logits: mean over the 3 samples of lse(z) - z_label
    ("softmax_cross_entropy", _Z, np.array([0, 1, 0]),
     ((_lse(_Z[0]) - 2.0) + (_lse(_Z[1]) - 0.0) + (_lse(_Z[2]) + 3.0)) / 3),
])
def test_reduction_matches_pytorch_definition(name, p, y, expected):
    # a handful of logs and a mean: agreement to a few eps
    assert_allclose(LOSSES[name](p, y), expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("name", NAMES)
def test_mean_is_invariant_to_repeating_the_batch(name):
    # doubling the batch by repeating it leaves any mean unchanged
    loss = LOSSES[name]
    p, y = _valid_point(loss, _shapes(loss)[0], np.random.default_rng(31))
    assert_allclose(loss(np.concatenate([p, p]), np.concatenate([y, y])), loss(p, y), rtol=1e-14, atol=0)  # rounding


# --- bad input -----------------------------------------------------------------------


def _good(name):
    return _valid_point(LOSSES[name], _shapes(LOSSES[name])[0], np.random.default_rng(41))


def _bad_cases(name):
    loss = LOSSES[name]
    p, y = _good(name)
    nan_p = p.copy()
    nan_p[0, 0] = np.nan
    inf_y = y.copy()
    inf_y[-1, -1] = np.inf
    cases = [
        ("shape mismatch", p, y[:-1], ValueError, "y_pred and y_true must have the same shape"),
        ("nan y_pred", nan_p, y, ValueError, r"y_pred must be finite, but y_pred\[0, 0\] is nan"),
        ("inf y_true", p, inf_y, ValueError, "y_true must be finite"),
        ("string y_pred", "0.5", y, TypeError, "y_pred must be an array of real numbers"),
        ("string y_true", p, "abc", TypeError, "y_true must be an array of real numbers"),
        ("None y_pred", None, y, TypeError, "y_pred must be an array of real numbers"),
        ("3-d y_pred", p[None], y[None], ValueError, "y_pred must have"),
        ("empty", p[:0], y[:0], ValueError, "y_pred must not be empty"),
    ]
    if name != "mse":  # every other loss needs targets in [0, 1]
        cases += [("y_true above 1", p, y + 1.5, ValueError, r"needs y_true in \[0, 1\]"),
                  ("y_true below 0", p, y - 1.5, ValueError, r"needs y_true in \[0, 1\]")]
    if loss.probabilities:
        cases += [("y_pred above 1", p + 1.0, y, ValueError, r"needs y_pred in \[0, 1\]"),
                  ("y_pred below 0", p - 1.0, y, ValueError, r"needs y_pred in \[0, 1\]")]
    if loss.reduction == "samples":
        k = p.shape[1]
        cases += [
            ("label too large", p, np.full(p.shape[0], k), ValueError, "y_true"),
            ("label negative", p, np.full(p.shape[0], -1), ValueError, "y_true"),
            ("too few labels", p, np.zeros(p.shape[0] - 1, dtype=int), ValueError, "y_true has"),
            ("1-d y_pred", p[0], np.array([0]), ValueError, "y_pred must have 2 dimension"),
        ]
    return cases


BAD = [(name, *case) for name in NAMES for case in _bad_cases(name)]


@pytest.mark.parametrize("name, what, p, y, exc, message", BAD, ids=[f"{b[0]}-{b[1]}" for b in BAD])
@pytest.mark.parametrize("method", ["__call__", "gradient"])
def test_bad_input_names_the_argument(name, what, p, y, exc, message, method):
    fn = getattr(LOSSES[name], method)
    with pytest.raises(exc, match=message):
        fn(p, y)


# --- one sigmoid neuron over the (w, b) plane (Chapter 4's cost surface) ----------------------


def _neuron_data(n=12, seed=5):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, n)  # (n,)
    return x, (rng.uniform(size=n) < _sigmoid(1.5 * x)).astype(float)  # (n,)


@pytest.mark.parametrize("name", losses.NEURON_LOSSES)
def test_sigmoid_neuron_cost_is_the_registry_loss_of_the_neuron(name):
    x, y = _neuron_data()
    rng = np.random.default_rng(6)
    W, B = rng.normal(scale=3.0, size=(2, 4, 3))  # (4, 3) each
    C = losses.sigmoid_neuron_cost(x, y, W, B, name)  # (4, 3)
    assert C.shape == (4, 3)
    for w, b, c in zip(W.ravel(), B.ravel(), C.ravel()):
        z = w * x + b
        want = LOSSES["mse"](_sigmoid(z), y) if name == "mse" else LOSSES["sigmoid_binary_cross_entropy"](z, y)
        assert c == pytest.approx(want, rel=1e-13)  # the same per-element terms and mean, summed in another order


def test_sigmoid_neuron_cost_broadcasts_and_is_finite_for_huge_weights():
    x, y = _neuron_data()
    ws = np.linspace(-1000.0, 1000.0, 5)  # (5,)
    C = _no_warnings(losses.sigmoid_neuron_cost, x, y, ws[:, None], np.zeros(3))  # (5, 3)
    assert C.shape == (5, 3) and np.isfinite(C).all()
    # at w = 1000 (b = 0) each example costs max(z, 0) - z y + log1p(e^-|z|), about 1000 |x| when misclassified
    z = 1000.0 * x
    assert C[-1, 0] == pytest.approx(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))), rel=1e-15)
    assert losses.sigmoid_neuron_cost(x, y, 0.5, -0.25).shape == ()


@pytest.mark.parametrize("name", losses.NEURON_LOSSES)
def test_sigmoid_neuron_gradient_matches_central_differences(name):
    x, y = _neuron_data()
    for w0, b0 in [(0.3, -0.2), (-2.0, 1.5), (4.0, 0.5)]:
        w, b = np.array(w0), np.array(b0)
        dw, db = losses.sigmoid_neuron_gradient(x, y, w, b, name)
        num = gradcheck.numerical_gradient(lambda: losses.sigmoid_neuron_cost(x, y, w, b, name), [w, b])
        # see mathcore.gradcheck: right gradients agree to ~1e-9, wrong ones are off by 1e-2 or more
        assert gradcheck.relative_error(np.array([dw, db]), np.array([num[0], num[1]])) < 1e-7


@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(loss="hinge"), ValueError, r"loss must be one of \('mse', 'binary_cross_entropy'\), got 'hinge'"),
    (dict(x=[[1.0, 2.0]]), ValueError, "x must have 1 dimension"),
    (dict(y=[0.0, 1.0, 1.0]), ValueError, "x and y must have the same shape"),
    (dict(y=[0.0, 2.0]), ValueError, "y must hold targets in \\[0, 1\\], found 2.0"),
    (dict(w=np.zeros(3), b=np.zeros(2)), ValueError, "w and b must broadcast together"),
    (dict(w="big"), TypeError, "w must be an array of real numbers"),
    (dict(b=np.nan), ValueError, "b must be finite"),
])
@pytest.mark.parametrize("fn", [losses.sigmoid_neuron_cost, losses.sigmoid_neuron_gradient])
def test_sigmoid_neuron_bad_input_names_the_argument(fn, kwargs, exc, message):
    args = dict(x=[0.5, -1.0], y=[1.0, 0.0], w=1.0, b=0.0, loss="mse")
    args.update(kwargs)
    with pytest.raises(exc, match=message):
        fn(args["x"], args["y"], args["w"], args["b"], args["loss"])


# --- robustness (issue 17) -----------------------------------------------------------------


@pytest.mark.parametrize("n_classes, exc, message", [
    (0, ValueError, "n_classes must be >= 1"), (2.0, TypeError, "n_classes must be an integer"),
    (None, TypeError, "n_classes must be an integer"), (10**9, ValueError, "n_classes must be <= 10000"),
])
def test_one_hot_validates_n_classes(n_classes, exc, message):
    with pytest.raises(exc, match=message):
        one_hot(np.array([0, 1]), n_classes)


def test_one_hot_refuses_a_matrix_beyond_the_element_bound():
    with pytest.raises(ValueError, match=r"labels has 20000 labels of 10000 classes"):
        one_hot(np.zeros(20_000, dtype=np.int64), 10_000)


@pytest.mark.parametrize("name", ["cross_entropy", "softmax_cross_entropy"])
def test_float_labels_say_labels_must_be_integers(name):
    with pytest.raises(TypeError, match=r"y_true of shape \(3,\) must hold class labels as integers"):
        LOSSES[name](np.full((3, 3), 1 / 3), np.array([0.0, 1.0, 2.0]))


def _quietly(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args)


@pytest.mark.parametrize("name, p, y, expected", [
    # errors of 1e300: the true mean square, 1e600, is beyond float64, so inf (without a warning)
    ("mse", [1e300, -1e300], [-1e300, 1e300], math.inf),
    # 1.2e154 squared is 1.44e308, a float, though the squares overflow on the way in a naive sum
    ("mse", [1.2e154] * 4, [0.0] * 4, 1.2e154**2),
    ("mse", [1e300, 5.0], [1e300, 3.0], 2.0),
    # each term is 1.5e308; their sum overflows but their mean is a float
    ("sigmoid_binary_cross_entropy", [1.5e308, 1.5e308], [0.0, 0.0], 1.5e308),
    ("sigmoid_binary_cross_entropy", [1e300, -1e300], [1.0, 0.0], 0.0),
    # logits 3e308 apart: log-softmax -inf on the class with weight 0, which contributes 0, not NaN
    ("softmax_cross_entropy", [[1.5e308, -1.5e308]], [[1.0, 0.0]], 0.0),
    # half the weight on a log-probability of -2e308: 1e308, a float
    ("softmax_cross_entropy", [[1e308, -1e308]], [[0.5, 0.5]], 1e308),
    ("softmax_cross_entropy", [[1e308, -1e308]], [[0.0, 1.0]], math.inf),
])
def test_extreme_finite_inputs_give_the_true_value_without_a_warning(name, p, y, expected):
    value = _quietly(LOSSES[name], np.array(p), np.array(y))
    if math.isinf(expected) or expected == 0.0:
        assert value == expected
    else:  # rtol 1e-15: the exact kernels rescale by the largest entry, a few roundings from the true value
        assert math.isclose(value, expected, rel_tol=1e-15)


def test_extreme_mse_gradient_is_finite_where_the_true_gradient_is():
    # 2 (p - y) / N with p - y = 3e308 overflows, though the gradient, 2 * 3e308 / 4 = 1.5e308, is a float
    p, y = np.array([1.5e308, 0.0, 0.0, 0.0]), np.array([-1.5e308, 0.0, 0.0, 0.0])
    g = _quietly(LOSSES["mse"].gradient, p, y)
    assert_allclose(g, [1.5e308, 0.0, 0.0, 0.0], rtol=1e-15)  # a few roundings


def test_argument_checks_name_the_argument():
    from mathcore.losses import LOSSES, one_hot, sigmoid_neuron_cost, sigmoid_neuron_gradient

    for bad in (None, "p", True, float("nan")):
        with pytest.raises((TypeError, ValueError), match=r"\bp\b"):
            LOSSES["mse"].symbolic(bad)
        with pytest.raises((TypeError, ValueError), match=r"\by\b"):
            LOSSES["mse"].symbolic(sp.Symbol("p"), bad)
    with pytest.raises(TypeError, match=r"\bname\b"):
        one_hot([0, 1], 2, name=None)
    with pytest.raises(TypeError, match=r"\btargets must be a 1-D integer array, got a ragged"):
        one_hot([[0, 1], [1]], 2, name="targets")
    x, y = np.array([0.0, 1.0]), np.array([0.0, 1.0])
    for fn in (sigmoid_neuron_cost, sigmoid_neuron_gradient):
        with pytest.raises(TypeError, match=r"\bw\b"):
            fn(x, y, True, 0.0)
        with pytest.raises(TypeError, match=r"\bb\b"):
            fn(x, y, 1.0, np.bool_(False))
