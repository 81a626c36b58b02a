"""The MLP: backpropagation against central differences for every activation, output, loss and penalty;
layout, initialisation, forward pass, predictions and input checks."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from mathcore import MLP, gradcheck
from mathcore import network as mc_network
from mathcore.activations import ACTIVATIONS, _sigmoid, softmax
from mathcore.losses import LOSSES
from mathcore.network import COMPATIBLE_LOSSES, DEFAULT_LOSS, HE_ACTIVATIONS, OUTPUTS, layer_gradient_norms

HIDDEN = sorted(ACTIVATIONS)
PAIRS = [(out, loss) for out, names in COMPATIBLE_LOSSES.items() for loss in names]
PENALTIES = [(0.0, 0.0), (0.1, 0.0), (0.0, 0.05), (0.1, 0.05)]
N = 6  # batch size


def _n_out(output, loss):
    # a softmax (output or fused loss) needs several classes; two units elsewhere
    return 3 if "softmax" in (output, LOSSES[loss].on_logits) else 2


def _targets(loss, n, k, rng):
    """Seeded targets valid for ``loss``: soft simplex rows for cross-entropy, [0, 1] for BCE, reals for MSE."""
    lossfn = LOSSES[loss]
    if lossfn.reduction == "samples":
        return rng.dirichlet(np.ones(k), size=n)  # (n, k)
    if loss == "mse":
        return rng.normal(size=(n, k))  # (n, k)
    return rng.uniform(size=(n, k))  # (n, k)


def _problem(hidden, output, loss, seed=0):
    k = _n_out(output, loss)
    rng = np.random.default_rng([seed, len(hidden), len(output), len(loss)])
    model = MLP([3, 4, 3, k], activation=hidden, output=output, seed=seed)
    X = rng.normal(size=(N, 3))  # (6, 3)
    Y = _targets(loss, N, k, rng)  # (6, k)
    return model, X, Y


@pytest.mark.parametrize("l2, l1", PENALTIES, ids=[f"l2={a}-l1={b}" for a, b in PENALTIES])
@pytest.mark.parametrize("output, loss", PAIRS, ids=[f"{o}-{l}" for o, l in PAIRS])
@pytest.mark.parametrize("hidden", HIDDEN)
def test_backprop_matches_central_differences(hidden, output, loss, l2, l1):
    model, X, Y = _problem(hidden, output, loss)
    value, grads = model.loss_and_gradients(X, Y, loss, l2, l1)
    assert [g.shape for g in grads] == [p.shape for p in model.params]
    assert value == model.loss(X, Y, loss, l2, l1)  # the same computation, bit for bit
    result = gradcheck.check_gradients(lambda: model.loss(X, Y, loss, l2, l1), model.params, grads)
    # mathcore.gradcheck: a right gradient agrees to ~1e-9 at h = 1e-5 (measured
    # <= 6.7e-9 over this very grid), a wrong one is off by >= 1e-2; 1e-7 separates them.
    assert result.max_relative_error < 1e-7, (result, hidden, output, loss, l2, l1)


def test_step_hidden_gradients_vanish_below_the_output_layer():
    # step'(z) = 0: every layer below the last gets an exactly zero gradient,
    # and the check above then passes because the numerical gradient is 0 too
    model, X, Y = _problem("step", "identity", "mse")
    _, grads = model.loss_and_gradients(X, Y)
    for g in grads[:-2]:
        assert_allclose(g, 0.0, rtol=0, atol=0)
    assert np.abs(grads[-2]).max() > 0


@pytest.mark.parametrize("output", OUTPUTS)
def test_default_loss(output):
    model, X, Y = _problem("tanh", output, DEFAULT_LOSS[output])
    assert model.loss(X, Y) == model.loss(X, Y, DEFAULT_LOSS[output])


def test_penalties_apply_to_weights_only():
    model, X, Y = _problem("tanh", "identity", "mse")
    model.params[1][:] = 5.0  # a large bias: must not be penalised
    base = model.loss(X, Y)
    Ws = model.weights
    expected = 0.3 / 2 * sum(np.sum(W * W) for W in Ws) + 0.2 * sum(np.abs(W).sum() for W in Ws)
    # a penalty summed over 30 weights added to an O(1) loss: rounding only
    assert_allclose(model.loss(X, Y, l2=0.3, l1=0.2) - base, expected, rtol=1e-12, atol=0)
    _, g0 = model.loss_and_gradients(X, Y)
    _, g = model.loss_and_gradients(X, Y, l2=0.3, l1=0.2)
    for i, p in enumerate(model.params):
        extra = 0.3 * p + 0.2 * np.sign(p) if i % 2 == 0 else 0.0
        assert_allclose(g[i], g0[i] + extra, rtol=1e-13, atol=1e-15)  # one extra addition each


# --- layout and initialisation -------------------------------------------------------


def test_params_layout_and_shapes():
    model = MLP([3, 5, 4, 2], activation="tanh")
    assert [p.shape for p in model.params] == [(5, 3), (5,), (4, 5), (4,), (2, 4), (2,)]
    assert all(p.dtype == np.float64 for p in model.params)
    assert len(model.weights) == 3 and all(a is b for a, b in zip(model.weights, model.params[0::2]))
    for b in model.params[1::2]:
        assert_allclose(b, 0.0, rtol=0, atol=0)  # biases start at 0
    assert model.n_params == 15 + 5 + 20 + 4 + 8 + 2
    assert repr(model) == "MLP([3, 5, 4, 2], activation='tanh', output='identity')"


def test_init_reproducible_and_seed_dependent():
    a, b, c = (MLP([4, 6, 3], seed=s) for s in (7, 7, 8))
    for pa, pb in zip(a.params, b.params):
        assert_allclose(pa, pb, rtol=0, atol=0)  # same seed, same numbers
    assert not np.array_equal(a.params[0], c.params[0])


@pytest.mark.parametrize("hidden", HIDDEN)
def test_init_variance_he_or_glorot(hidden):
    # He normal N(0, 2/n_in) for the ReLU family, Glorot uniform U(+-sqrt(6/(n_in+n_out)))
    # (variance 2/(n_in+n_out)) otherwise and for the output layer. With 120 000
    # entries the sample variance has relative standard error sqrt(2/N) = 0.4%;
    # a 3% bound is > 7 standard errors, while He and Glorot here differ by 75%.
    n_in, n_h, n_out = 400, 300, 200
    model = MLP([n_in, n_h, n_out], activation=hidden, seed=1)
    W1, W2 = model.weights  # (300, 400), (200, 300)
    glorot2 = np.sqrt(6.0 / (n_h + n_out))
    assert np.abs(W2).max() <= glorot2  # the output layer is always Glorot uniform
    assert_allclose(W2.var(), 2.0 / (n_h + n_out), rtol=0.03)
    kurt = lambda W: np.mean(W**4) / np.mean(W**2) ** 2  # 3 normal, 1.8 uniform; std error ~0.02
    if hidden in HE_ACTIVATIONS:
        assert_allclose(W1.var(), 2.0 / n_in, rtol=0.03)
        assert abs(kurt(W1) - 3.0) < 0.15
    else:
        limit = np.sqrt(6.0 / (n_in + n_h))
        assert np.abs(W1).max() <= limit
        assert_allclose(W1.var(), 2.0 / (n_in + n_h), rtol=0.03)
        assert abs(kurt(W1) - 1.8) < 0.1
    assert abs(W1.mean()) < 5 * np.sqrt(W1.var() / W1.size)  # zero mean, 5 standard errors


def test_he_family_is_documented_set():
    assert set(HE_ACTIVATIONS) == {"relu", "leaky_relu", "elu", "gelu", "silu"}
    assert set(HE_ACTIVATIONS) <= set(ACTIVATIONS)


# --- forward and predict ---------------------------------------------------------------


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_forward_equals_manual_composition(hidden, output):
    model = MLP([3, 5, 4, 3], activation=hidden, output=output, seed=2)
    X = np.random.default_rng(3).normal(size=(7, 3))  # (7, 3)
    W1, b1, W2, b2, W3, b3 = model.params
    f = ACTIVATIONS[hidden]
    A1 = f(np.array([W1 @ x + b1 for x in X]))  # per sample, as the book writes it
    A2 = f(np.array([W2 @ a + b2 for a in A1]))
    Z3 = np.array([W3 @ a + b3 for a in A2])
    out = {"identity": Z3, "sigmoid": _sigmoid(Z3), "softmax": softmax(Z3)}[output]
    # the same products summed in a different order: rounding of 5-term sums, amplified
    # at most by Lipschitz constants <= 1 of the activations
    assert_allclose(model.forward(X), out, rtol=1e-12, atol=1e-14)
    assert_allclose(model(X), model.forward(X), rtol=0, atol=0)
    assert_allclose(model.logits(X), Z3, rtol=1e-12, atol=1e-14)
    assert_allclose(model.forward(X[0]), model.forward(X[:1]), rtol=0, atol=0)  # one sample as (d,)


def test_predict():
    X = np.random.default_rng(4).normal(size=(8, 3))  # (8, 3)
    soft = MLP([3, 4, 3], output="softmax", seed=1)
    assert_allclose(soft.predict(X), soft.forward(X).argmax(axis=1), rtol=0, atol=0)
    sig1 = MLP([3, 4, 1], output="sigmoid", seed=1)
    p = sig1.predict(X)
    assert p.shape == (8,) and set(np.unique(p)) <= {0, 1}
    assert_allclose(p, (sig1.forward(X)[:, 0] >= 0.5).astype(int), rtol=0, atol=0)
    sig2 = MLP([3, 4, 2], output="sigmoid", seed=1)
    assert sig2.predict(X).shape == (8, 2)
    ident = MLP([3, 4, 2], seed=1)
    assert_allclose(ident.predict(X), ident.forward(X), rtol=0, atol=0)


# --- fused and unfused agree ---------------------------------------------------------


@pytest.mark.parametrize("output, loss", [("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy"),
                                          ("sigmoid", "mse"), ("softmax", "mse"), ("identity", "mse")])
def test_network_loss_equals_loss_of_forward_output(output, loss):
    model, X, Y = _problem("tanh", output, loss, seed=5)
    # fused kernels compute log sigma(z) from z; the plain loss takes log of sigma(z):
    # both within a few eps for the O(1) logits of a fresh network
    assert_allclose(model.loss(X, Y, loss), LOSSES[loss](model.forward(X), Y), rtol=1e-12, atol=0)


@pytest.mark.parametrize("output, loss", [("identity", "sigmoid_binary_cross_entropy"),
                                          ("identity", "softmax_cross_entropy")])
def test_network_on_logit_loss_equals_loss_of_logits(output, loss):
    model, X, Y = _problem("relu", output, loss, seed=6)
    assert model.loss(X, Y, loss) == LOSSES[loss](model.forward(X), Y)  # the same kernel on the same logits


def test_integer_labels_and_1d_targets():
    model = MLP([3, 4, 3], output="softmax", seed=0)
    X = np.random.default_rng(8).normal(size=(5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    v1, g1 = model.loss_and_gradients(X, labels)
    v2, g2 = model.loss_and_gradients(X, np.eye(3)[labels])
    assert v1 == v2
    for a, b in zip(g1, g2):
        assert_allclose(a, b, rtol=0, atol=0)  # labels become exactly this one-hot matrix
    one = MLP([3, 4, 1], output="sigmoid", seed=0)
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    assert one.loss(X, y) == one.loss(X, y[:, None])


# --- bad configurations and inputs -----------------------------------------------------


@pytest.mark.parametrize("output, loss", [(o, l) for o in OUTPUTS for l in LOSSES if l not in COMPATIBLE_LOSSES[o]])
def test_incompatible_loss_and_output(output, loss):
    model, X, Y = _problem("tanh", output, "mse")
    with pytest.raises(ValueError, match=f"loss '{loss}' does not fit output '{output}'"):
        model.loss_and_gradients(X, Y, loss)


def test_softmax_hidden_rejected():
    with pytest.raises(ValueError, match="softmax is an output activation"):
        MLP([2, 3, 1], activation="softmax")


@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(sizes=[3]), ValueError, "sizes needs at least"),
    (dict(sizes="34"), TypeError, "sizes must be a list"),
    (dict(sizes=[3, 0, 1]), ValueError, r"sizes\[1\] must be >= 1"),
    (dict(sizes=[3, 2.0, 1]), TypeError, r"sizes\[1\] must be an integer"),
    (dict(sizes=[3, 1], activation="swish"), ValueError, "unknown activation 'swish'"),
    (dict(sizes=[3, 1], output="tanh"), ValueError, "unknown output activation 'tanh'.*identity"),
    (dict(sizes=[3, 1], seed=-1), ValueError, "seed must be >= 0"),
    (dict(sizes=[3, 1], seed=1.5), TypeError, "seed must be an integer"),
], ids=["one-size", "string-sizes", "zero-width", "float-width", "activation", "output", "seed-neg", "seed-float"])
def test_bad_construction(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        MLP(**kwargs)


@pytest.mark.parametrize("X, Y, message", [
    (np.ones((6, 2)), np.ones((6, 2)), r"X must have 3 features"),
    (np.ones((6, 3, 1)), np.ones((6, 2)), "X must have 1 or 2 dimension"),
    (np.ones((6, 3)), np.ones((5, 2)), r"Y must have shape \(6, 2\)"),
    (np.ones((6, 3)), np.ones((6, 3)), r"Y must have shape \(6, 2\)"),
    (np.ones((6, 3)), np.ones(6), r"Y must have shape \(6, 2\)"),
    (np.ones((6, 3)), np.ones((6, 2, 1)), "Y must have 1 or 2 dimension"),
], ids=["X-features", "X-3d", "Y-rows", "Y-cols", "Y-1d-two-outputs", "Y-3d"])
def test_wrong_shapes_name_X_or_Y(X, Y, message):
    model = MLP([3, 4, 2])
    with pytest.raises(ValueError, match=message):
        model.loss_and_gradients(X, Y)


def test_wrong_X_in_forward():
    with pytest.raises(ValueError, match="X must have 3 features"):
        MLP([3, 2]).forward(np.ones((4, 2)))


@pytest.mark.parametrize("labels, message", [(np.array([0, 3, 1]), "Y"), (np.array([0, 1]), "Y has 2 labels but X has 3")])
def test_bad_labels_name_Y(labels, message):
    model = MLP([2, 3], output="softmax")
    with pytest.raises(ValueError, match=message):
        model.loss_and_gradients(np.ones((3, 2)), labels)


@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(l2=-0.1), ValueError, "l2 must be >= 0"), (dict(l1=float("nan")), ValueError, "l1 must be finite"),
    (dict(l2="0.1"), TypeError, "l2 must be a real number"), (dict(loss=3), TypeError, "loss name must be a string"),
])
def test_bad_penalty_and_loss_arguments(kwargs, exc, message):
    model, X, Y = _problem("tanh", "identity", "mse")
    with pytest.raises(exc, match=message):
        model.loss_and_gradients(X, Y, **kwargs)


# --- layer_gradient_norms (mathcore.network) -------------------------------------------------


def test_layer_gradient_norms_match_central_differences():
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))  # (6, 3), (6, 2)
    net = MLP([3, 4, 4, 2], "tanh", seed=2)
    norms = layer_gradient_norms(net, X, Y)
    assert norms.shape == (3,)
    numeric = gradcheck.numerical_gradient(lambda: net.loss(X, Y), net.params[0::2])
    # central differences at h = 1e-5 are accurate to ~1e-10 relative (see mathcore.gradcheck)
    assert_allclose(norms, [np.linalg.norm(g) for g in numeric], rtol=1e-7)


def test_layer_gradient_norms_rejects_a_non_network():
    with pytest.raises(TypeError, match="net must be a mathcore.MLP"):
        layer_gradient_norms("relu", np.zeros((2, 2)), np.zeros((2, 1)))


# --- precision ------------------------------------------------------------------------


def test_float32_network_is_its_float64_twin_rounded():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(9, 5))  # (9, 5)
    y = rng.integers(0, 3, size=9)  # (9,)
    net64 = MLP([5, 7, 3], output="softmax", seed=3)
    net32 = MLP([5, 7, 3], output="softmax", seed=3, dtype="float32")
    assert repr(net32).endswith("dtype='float32')") and "dtype" not in repr(net64)
    assert all(p.dtype == np.float32 for p in net32.params)
    for p32, p64 in zip(net32.params, net64.params):
        assert_allclose(p32, p64.astype(np.float32), rtol=0, atol=0)
    v64, g64 = net64.loss_and_gradients(X, y, l2=0.1, l1=0.01)
    v32, g32 = net32.loss_and_gradients(X.astype(np.float32), y, l2=0.1, l1=0.01)
    assert net32.forward(X).dtype == np.float32  # float64 input is converted to the network's precision
    assert all(g.dtype == np.float32 for g in g32)
    # float32 carries ~7 digits (eps 1.2e-7); a few dozen roundings in a small
    # network stay well within 1e-4 relative, plus 1e-6 absolute for near-zero entries.
    assert_allclose(v32, v64, rtol=1e-5)
    for a, b in zip(g32, g64):
        assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("dtype", ["int64", "float16", "complex128", "banana"])
def test_unsupported_dtype_is_named(dtype):
    with pytest.raises(ValueError, match="dtype must be one of float64, float32"):
        MLP([2, 3, 1], dtype=dtype)


def test_float32_input_checks_name_the_argument():
    net = MLP([2, 3, 1], dtype="float32")
    with pytest.raises(ValueError, match=r"X must be finite, but X\[1, 0\] is nan"):
        net.forward(np.array([[0.0, 1.0], [np.nan, 2.0]], dtype=np.float32))
    with pytest.raises(ValueError, match="X must have 1 or 2 dimension"):
        net.forward(np.zeros((1, 1, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="X must not be empty"):
        net.forward(np.zeros((0, 2), dtype=np.float32))


# --- robustness (issue 17) -----------------------------------------------------------------


@pytest.mark.parametrize("output, Y, message", [
    ("softmax", -np.eye(3)[[0, 1]], r"cross_entropy needs Y in \[0, 1\], found -1.0"),
    ("sigmoid", np.array([[0.0, 2.0, 0.5], [1.0, 0.0, 0.0]]), r"binary_cross_entropy needs Y in \[0, 1\], found 2.0"),
    ("identity", np.array([[0.0, 1.5, 0.0], [1.0, 0.0, 0.0]]), None),
], ids=["softmax", "sigmoid", "identity-mse"])
def test_targets_outside_the_output_range_are_refused(output, Y, message):
    # MLP([2,3,3],"tanh","softmax").loss(ones, -eye) used to return -2.47; losses.get refuses the same targets
    model = MLP([2, 3, 3], "tanh", output)
    X = np.ones((2, 2))
    if message is None:  # mse makes sense for any real target
        assert model.loss(X, Y) >= 0.0
        return
    for call in (model.loss, model.loss_and_gradients):
        with pytest.raises(ValueError, match=message):
            call(X, Y)
    fused_or_plain = LOSSES[DEFAULT_LOSS[output]]
    with pytest.raises(ValueError, match="needs y_true in"):
        fused_or_plain(np.full((2, 3), 0.5), Y)


def test_float_labels_for_a_softmax_output_say_labels_must_be_integers():
    model = MLP([2, 3], output="softmax")
    with pytest.raises(TypeError, match=r"Y of shape \(3,\) must hold class labels as integers"):
        model.loss(np.ones((3, 2)), np.array([0.0, 1.0, 2.0]))
    assert model.loss(np.ones((3, 2)), np.array([0, 1, 2])) > 0.0  # the integer labels themselves are fine


def test_a_network_beyond_the_parameter_bound_is_refused_before_allocating():
    # MLP([2, 10**6, 10**6, 1]) used to ask NumPy for 8 TB
    with pytest.raises(ValueError, match=r"sizes \[2, 1000000, 1000000, 1\] give 1000005000001 parameters, "
                                         r"more than 100000000"):
        MLP([2, 10**6, 10**6, 1])


@pytest.mark.parametrize("seed, exc", [(None, TypeError), (True, TypeError), ([0], TypeError),
                                       (2**63, ValueError)], ids=["None", "bool", "list", "too-large"])
def test_bad_seed_beyond_the_old_checks(seed, exc):
    with pytest.raises(exc, match="seed"):
        MLP([2, 1], seed=seed)


@pytest.mark.parametrize("kwargs", [dict(activation=np.array([1.0])), dict(output=np.array(["identity"]))])
def test_an_array_for_a_name_is_a_type_error(kwargs):
    # used to fail with "The truth value of an array ... is ambiguous"
    with pytest.raises(TypeError, match="name must be a string"):
        MLP([2, 3, 1], **kwargs)


def test_dtype_none_is_refused():
    # np.dtype(None) is float64, so a None passed on by mistake used to pass unnoticed
    with pytest.raises(ValueError, match="dtype"):
        MLP([2, 2], dtype=None)


# --- the initialisations, one function (Chapter 3 shows its source) ------------------------------------

def test_initial_weights_are_what_mlp_draws():
    # MLP draws layer by layer from one generator: the same calls in the same order give the same weights
    net = MLP([30, 20, 10, 1], "relu", seed=4)
    rng = np.random.default_rng(4)
    for W, (n_in, n_out), scheme in zip(net.weights, [(30, 20), (20, 10), (10, 1)], ["he", "he", "glorot"]):
        assert np.array_equal(W, mc_network.initial_weights(n_in, n_out, scheme, rng))


@pytest.mark.parametrize("scheme, variance", [("he", 2 / 400), ("glorot", 2 / (400 + 300))])
def test_initial_weights_have_the_derived_variance(scheme, variance):
    # 120 000 draws: a sample variance within sqrt(2/N) = 0.4% (normal) or sqrt(0.8/N) = 0.26% (uniform) per
    # standard error; 2% is more than 5 of them
    W = mc_network.initial_weights(400, 300, scheme, np.random.default_rng(0))  # (300, 400)
    assert W.shape == (300, 400) and abs(W.mean()) < 0.01 * np.sqrt(variance)
    np.testing.assert_allclose(W.var(), variance, rtol=0.02)
    if scheme == "glorot":
        assert np.abs(W).max() <= np.sqrt(6 / 700)


@pytest.mark.parametrize("args, exc, name", [
    ((0, 3, "he"), ValueError, "n_in"), ((3, 2.5, "he"), TypeError, "n_out"),
    ((3, 3, "lecun"), ValueError, "scheme"),
    ((10**5, 10**5, "he"), ValueError, "n_in"),
])
def test_initial_weights_refuse_bad_arguments_by_name(args, exc, name):
    with pytest.raises(exc, match=name):
        mc_network.initial_weights(*args, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng"):
        mc_network.initial_weights(3, 3, "he", 0)
