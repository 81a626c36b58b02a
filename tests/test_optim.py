"""Optimisers and training: updates by hand, the 2/lambda stability threshold, divergence reporting."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from mathcore import MLP, optim
from mathcore.optim import SGD, Adam, DivergenceError, Momentum, RMSProp, minibatches, minimize, train


# --- single steps by hand --------------------------------------------------------------


def test_sgd_step_by_hand_in_place():
    p = [np.array([1.0, 2.0]), np.array([[0.5]])]
    ids = [id(a) for a in p]
    SGD(0.25).step(p, [np.array([0.5, -1.0]), np.array([[2.0]])])
    # exact: binary fractions
    assert_allclose(p[0], [1.0 - 0.125, 2.0 + 0.25], rtol=0, atol=0)
    assert_allclose(p[1], [[0.0]], rtol=0, atol=0)
    assert [id(a) for a in p] == ids  # updated in place, as the MLP's params must be


def test_momentum_steps_by_hand():
    opt = Momentum(0.5, beta=0.5)
    p = [np.array([1.0])]
    opt.step(p, [np.array([2.0])])  # v = 2, p = 1 - 0.5*2 = 0
    assert_allclose(p[0], [0.0], rtol=0, atol=0)  # exact arithmetic on binary fractions
    opt.step(p, [np.array([1.0])])  # v = 0.5*2 + 1 = 2, p = 0 - 1 = -1
    assert_allclose(p[0], [-1.0], rtol=0, atol=0)
    opt.step(p, [np.array([0.0])])  # v = 1, p = -1.5
    assert_allclose(p[0], [-1.5], rtol=0, atol=0)
    assert_allclose(opt.velocity[0], [1.0], rtol=0, atol=0)


def test_momentum_zero_beta_is_sgd():
    rng = np.random.default_rng(0)
    p1 = [rng.normal(size=3)]
    p2 = [p1[0].copy()]
    a, b = Momentum(0.1, beta=0.0), SGD(0.1)
    for _ in range(5):
        g = [rng.normal(size=3)]
        a.step(p1, g)
        b.step(p2, g)
    assert_allclose(p1[0], p2[0], rtol=0, atol=0)  # v = 0*v + g = g exactly


@pytest.mark.parametrize("make, exc, message", [
    (lambda: SGD(0.0), ValueError, "lr must be > 0"),
    (lambda: SGD(-1.0), ValueError, "lr must be > 0"),
    (lambda: SGD("0.1"), TypeError, "lr must be a real number"),
    (lambda: Momentum(0.1, beta=1.0), ValueError, "beta must be < 1"),
    (lambda: Momentum(0.1, beta=1.5), ValueError, "beta must be <= 1"),
    (lambda: Momentum(0.1, beta=-0.1), ValueError, "beta must be >= 0"),
    (lambda: Momentum(float("nan")), ValueError, "lr must be finite"),
], ids=["sgd-zero", "sgd-neg", "sgd-str", "beta-1", "beta-big", "beta-neg", "lr-nan"])
def test_bad_hyperparameters(make, exc, message):
    with pytest.raises(exc, match=message):
        make()


# --- minimize on the quadratic 0.5 * lam * w^2: stable iff lr < 2 / lam ------------------

LAM = 4.0  # threshold 2 / LAM = 0.5


def _quadratic():
    return (lambda w: 0.5 * LAM * float(w @ w)), (lambda w: LAM * w)


@pytest.mark.parametrize("lr", [0.05, 0.25, 0.4, 0.49])
def test_minimize_converges_below_threshold(lr):
    f, g = _quadratic()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = minimize(f, g, [1.0, -2.0], lr=lr, steps=400)
    assert not path.diverged and path.message == ""
    assert path.points.shape == (401, 2) and path.values.shape == (401,)
    k = np.arange(401)[:, None]
    # the iterates are exactly w_k = (1 - lr lam)^k w_0; 400 roundings of one multiply each
    assert_allclose(path.points, (1 - lr * LAM) ** k * np.array([1.0, -2.0]), rtol=1e-12, atol=1e-300)
    assert path.values[-1] < 1e-12 * path.values[0]  # |1 - 0.49*4|^800 = 8e-12 at worst
    assert np.all(np.diff(path.values) <= 0)


@pytest.mark.parametrize("lr", [0.51, 0.6, 1.0, 10.0])
def test_minimize_diverges_above_threshold(lr):
    f, g = _quadratic()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings: divergence is detected first
        path = minimize(f, g, [1.0, -2.0], lr=lr, steps=100_000)
    assert path.diverged
    assert "diverged at step" in path.message and "learning rate" in path.message and f"{lr:g}" in path.message
    assert np.isfinite(path.points).all() and np.isfinite(path.values).all()
    assert len(path.points) < 100_001  # stopped early
    # |w| grows like |1 - lr lam|^k: the last recorded value is still below the threshold
    assert path.values[-1] <= optim.DIVERGENCE_THRESHOLD


def test_minimize_at_threshold_oscillates_without_diverging():
    f, g = _quadratic()
    path = minimize(f, g, [1.0], lr=0.5, steps=50)  # 1 - lr lam = -1: w flips sign forever
    assert not path.diverged
    assert_allclose(path.points[:, 0], (-1.0) ** np.arange(51), rtol=0, atol=0)  # exact


def test_minimize_with_momentum_matches_hand_iteration():
    f, g = _quadratic()
    lr, beta = 0.1, 0.8
    path = minimize(f, g, [1.0], lr=lr, steps=20, momentum=beta)
    w, v, expected = 1.0, 0.0, [1.0]
    for _ in range(20):
        v = beta * v + LAM * w
        w = w - lr * v
        expected.append(w)
    assert_allclose(path.points[:, 0], expected, rtol=0, atol=0)  # same operations in the same order


def test_minimize_does_not_modify_x0_and_validates():
    f, g = _quadratic()
    x0 = np.array([1.0, 1.0])
    minimize(f, g, x0, lr=0.1, steps=3)
    assert_allclose(x0, [1.0, 1.0], rtol=0, atol=0)
    with pytest.raises(ValueError, match="x0 must have 1 dimension"):
        minimize(f, g, [[1.0]], lr=0.1, steps=3)
    with pytest.raises(ValueError, match="lr must be > 0"):
        minimize(f, g, [1.0], lr=0.0, steps=3)
    with pytest.raises(TypeError, match="steps must be an integer"):
        minimize(f, g, [1.0], lr=0.1, steps=3.0)


# --- minibatches ---------------------------------------------------------------------


@pytest.mark.parametrize("n, batch_size", [(1, 1), (10, 3), (12, 4), (7, 100), (50, 1)])
def test_minibatches_cover_every_index_once(n, batch_size):
    batches = minibatches(n, batch_size, np.random.default_rng(0))
    allidx = np.concatenate(batches)
    assert sorted(allidx.tolist()) == list(range(n))
    assert all(len(b) == batch_size for b in batches[:-1]) and 1 <= len(batches[-1]) <= batch_size
    assert len(batches) == -(-n // batch_size)


def test_minibatches_shuffle_and_seed():
    a = minibatches(20, 5, np.random.default_rng(1))
    b = minibatches(20, 5, np.random.default_rng(1))
    c = minibatches(20, 5, np.random.default_rng(2))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))
    assert not np.array_equal(np.concatenate(a), np.arange(20))  # shuffled


@pytest.mark.parametrize("n, batch_size, exc, message", [
    (0, 1, ValueError, "n must be >= 1"), (5, 0, ValueError, "batch_size must be >= 1"),
    (5.0, 1, TypeError, "n must be an integer"),
])
def test_minibatches_bad_arguments(n, batch_size, exc, message):
    with pytest.raises(exc, match=message):
        minibatches(n, batch_size, np.random.default_rng(0))


# --- train ---------------------------------------------------------------------------


def _blobs(n=40, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat([0.0, 1.0], n // 2)  # (n,)
    X = rng.normal(scale=0.5, size=(n, 2)) + np.where(y[:, None] == 1, 1.5, -1.5)  # (n, 2), separable
    return X, y


@pytest.mark.parametrize("optimizer, batch_size", [(SGD(0.5), None), (Momentum(0.1), None), (SGD(0.2), 8),
                                               (RMSProp(0.01), None), (Adam(0.05), 8)],
                         ids=["gd", "momentum", "minibatch-sgd", "rmsprop", "minibatch-adam"])
def test_train_decreases_loss_on_separable_problem(optimizer, batch_size):
    X, y = _blobs()
    model = MLP([2, 4, 1], activation="tanh", output="sigmoid", seed=0)
    before = model.loss(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = train(model, X, y, optimizer, epochs=60, batch_size=batch_size)
    assert not hist.diverged and hist.message == ""
    assert len(hist.loss) == 60
    assert hist.loss[-1] < 0.2 * before
    assert hist.loss[-1] == model.loss(X, y)  # the record is the model's cost after the last epoch
    assert_allclose(model.predict(X), y, rtol=0, atol=0)  # separable: every point right
    if batch_size is None and isinstance(optimizer, SGD):
        assert np.all(np.diff(hist.loss) < 0)  # small-step full-batch GD on a smooth cost


def test_train_records_validation_and_calls_back():
    X, y = _blobs()
    seen = []
    model = MLP([2, 3, 1], activation="tanh", output="sigmoid", seed=1)
    hist = train(model, X[:30], y[:30], SGD(0.5), epochs=5, l2=0.01, validation=(X[30:], y[30:]),
                 callback=lambda epoch, h: seen.append((epoch, len(h.loss))))
    assert seen == [(e, e) for e in range(1, 6)]
    assert len(hist.val_loss) == 5
    assert hist.val_loss[-1] == model.loss(X[30:], y[30:])  # data loss only, no penalty


HUGE = [("relu", "identity", "mse"), ("identity", "identity", "sigmoid_binary_cross_entropy"),
        ("relu", "identity", "softmax_cross_entropy"), ("leaky_relu", "sigmoid", "binary_cross_entropy"),
        ("relu", "softmax", "cross_entropy"), ("gelu", "identity", "mse")]


@pytest.mark.parametrize("hidden, output, loss", HUGE, ids=["-".join(h) for h in HUGE])
@pytest.mark.parametrize("make", [lambda: SGD(1e6), lambda: Momentum(1e6)], ids=["sgd", "momentum"])
@pytest.mark.parametrize("batch_size", [None, 7])
def test_train_huge_lr_reports_divergence_without_warnings(hidden, output, loss, make, batch_size):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 2))
    k = 3 if "softmax" in (output, loss.split("_")[0]) else 1
    Y = np.eye(k)[rng.integers(0, k, 20)] if k == 3 else rng.integers(0, 2, (20, 1)).astype(float)
    model = MLP([2, 8, k], activation=hidden, output=output, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = train(model, X, Y, make(), epochs=200, loss=loss, batch_size=batch_size)
    assert hist.diverged
    assert hist.message.startswith("training diverged in epoch") and "smaller learning rate" in hist.message
    assert len(hist.loss) < 200 and all(np.isfinite(hist.loss))


def test_train_on_divergence_raise():
    X, y = _blobs()
    model = MLP([2, 8, 1], activation="relu", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DivergenceError, match="training diverged in epoch"):
            train(model, X, y, SGD(1e6), epochs=100, on_divergence="raise")
    assert issubclass(DivergenceError, ArithmeticError)


def test_train_bad_arguments():
    X, y = _blobs()
    model = MLP([2, 3, 1], output="sigmoid")
    with pytest.raises(ValueError, match="on_divergence must be 'stop' or 'raise'"):
        train(model, X, y, SGD(0.1), epochs=1, on_divergence="ignore")
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        train(model, X, y, SGD(0.1), epochs=0)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        train(model, X, y, SGD(0.1), epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="X must have 2 features"):
        train(model, X[:, :1], y, SGD(0.1), epochs=1)
    with pytest.raises(ValueError, match="Y must have shape"):
        train(model, X, y[:-1], SGD(0.1), epochs=1)


def test_train_is_deterministic_given_seed():
    X, y = _blobs(seed=4)
    runs = []
    for seed in (5, 5, 6):
        model = MLP([2, 4, 1], activation="tanh", output="sigmoid", seed=0)
        hist = train(model, X, y, Momentum(0.05), epochs=10, batch_size=6, seed=seed)
        runs.append((hist.loss, [p.copy() for p in model.params]))
    assert runs[0][0] == runs[1][0]  # identical floats, not merely close
    for a, b in zip(runs[0][1], runs[1][1]):
        assert_allclose(a, b, rtol=0, atol=0)
    assert runs[0][0] != runs[2][0]  # the seed drives the shuffle


# --- quadratic_rate: the factor per step on a quadratic; step_decay ------------------------


@pytest.mark.parametrize("lr, momentum", [(0.05, 0.0), (0.19, 0.0), (0.21, 0.0), (0.1, 0.5), (0.3, 0.9),
                                          (0.4, 0.9), (0.02, 0.8), (0.39, 0.95)])
def test_quadratic_rate_is_the_spectral_radius_of_the_iteration(lr, momentum):
    lam = np.array([1.0, 10.0])
    want = max(np.abs(np.linalg.eigvals(np.array([[momentum, l], [-lr * momentum, 1.0 - lr * l]]))).max()
               for l in lam)
    # eigvals of a 2x2 matrix agree with the closed-form roots to ~1e-15; a double root (beta = (1 - sqrt(eta
    # lam))^2) is ill-conditioned for eigvals, which then errs by ~sqrt(eps) = 1e-8
    assert optim.quadratic_rate(lr, lam, momentum) == pytest.approx(want, rel=1e-7)


def test_quadratic_rate_without_momentum_by_hand_and_threshold():
    assert optim.quadratic_rate(0.1, [1.0, 10.0]) == pytest.approx(0.9, rel=1e-15)
    assert optim.quadratic_rate(0.25, [4.0]) == 0.0  # eta = 1/lambda: one step to the minimum
    lam = np.array([0.5, 2.0, 8.0])
    for lr in np.linspace(0.01, 0.5, 50):
        # stable exactly when lr < 2 / lambda_max = 0.25 (the boundary itself excluded from the grid)
        assert (optim.quadratic_rate(lr, lam) < 1.0) == (lr < 0.25)
    for beta in (0.3, 0.9):
        for lr in np.linspace(0.01, 0.5, 50):
            if abs(lr * 8.0 - 2 * (1 + beta)) > 1e-9:
                assert (optim.quadratic_rate(lr, lam, beta) < 1.0) == (lr * 8.0 < 2 * (1 + beta))


def test_quadratic_rate_predicts_minimize():
    lam = np.array([1.0, 10.0])
    f = lambda w: 0.5 * float(w @ (lam * w))
    g = lambda w: lam * w
    for lr, beta in [(0.15, 0.0), (0.1, 0.6)]:
        path = minimize(f, g, [1.0, 1.0], lr=lr, steps=400, momentum=beta)
        rho = optim.quadratic_rate(lr, lam, beta)
        # the error norm shrinks like rho^t up to a bounded factor: compare slopes of log |w_t| over 200 steps
        norms = np.linalg.norm(path.points, axis=1)
        assert (norms[400] / norms[200]) ** (1 / 200) == pytest.approx(rho, rel=0.02)


def test_quadratic_rate_extremes_and_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(optim.quadratic_rate(1e300, [10.0], 0.5))
        assert optim.quadratic_rate(1e-300, [1.0], 0.3) == pytest.approx(1.0)
        assert optim.quadratic_rate(0.1, [-1.0]) > 1.0  # negative curvature: never stable
    with pytest.raises(ValueError, match="lr must be > 0"):
        optim.quadratic_rate(0.0, [1.0])
    with pytest.raises(ValueError, match="momentum must be < 1"):
        optim.quadratic_rate(0.1, [1.0], 1.0)
    with pytest.raises(ValueError, match="curvatures must not be empty"):
        optim.quadratic_rate(0.1, [])
    with pytest.raises(ValueError, match="curvatures must be finite"):
        optim.quadratic_rate(0.1, [np.nan])


def test_step_decay_by_hand_and_errors():
    assert [optim.step_decay(t, 0.8, 0.5, 3) for t in range(7)] == [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2]
    assert optim.step_decay(10**6, 1.0, 0.5, 1) == 0.0  # underflows to 0, no warning, no error
    for args, exc, message in [((-1, 0.1), ValueError, "step must be >= 0"), ((1.5, 0.1), TypeError, "step must be an integer"),
                               ((0, 0.0), ValueError, "lr0 must be > 0"), ((0, 0.1, 0.0), ValueError, "drop must be > 0"),
                               ((0, 0.1, 1.5), ValueError, "drop must be <= 1"), ((0, 0.1, 0.5, 0), ValueError, "every must be >= 1")]:
        with pytest.raises(exc, match=message):
            optim.step_decay(*args)


# --- robustness (issue 17): targets, bounds, seeds, divergence, bad gradients, updates ---------------

from mathcore._validate import MAX_ITERATIONS  # noqa: E402


def _tiny(output="sigmoid"):
    return MLP([2, 3, 1], activation="tanh", output=output, seed=0), np.array([[0.0, 1.0], [1.0, 0.0]])


def test_train_refuses_targets_outside_the_output_range():
    # sigmoid targets {0, 2} used to give a loss history [0.403, -0.0167]: a negative cross-entropy
    model, X = _tiny()
    before = [p.copy() for p in model.params]
    with pytest.raises(ValueError, match=r"binary_cross_entropy needs Y in \[0, 1\], found 2.0"):
        train(model, X, np.array([0.0, 2.0]), SGD(0.5), epochs=2)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.params))  # refused before any update


def test_a_python_int_too_large_for_a_float_is_a_value_error():
    with pytest.raises(ValueError, match="lr must be a finite real number.*400 digits"):
        SGD(10**400)


@pytest.mark.parametrize("call, message", [
    (lambda: minimize(lambda v: float(v @ v), lambda v: 2 * v, [1.0], 0.1, 10**12), "steps must be <= "),
    (lambda: train(*_tiny(), np.array([0.0, 1.0]), SGD(0.1), epochs=10**400), "epochs must be <= "),
    (lambda: train(*_tiny(), np.array([0.0, 1.0]), SGD(0.1), epochs=10**12), "epochs must be <= "),
], ids=["minimize-steps", "train-epochs-huge", "train-epochs-1e12"])
def test_iteration_counts_beyond_the_bound_are_refused_at_once(call, message):
    # these used to run until killed
    with pytest.raises(ValueError, match=message + str(MAX_ITERATIONS)):
        call()


@pytest.mark.parametrize("seed, exc", [(-1, ValueError), (1.5, TypeError), (None, TypeError), (True, TypeError),
                                       ([0], TypeError), (2**63, ValueError)])
def test_train_validates_seed(seed, exc):
    model, X = _tiny()
    with pytest.raises(exc, match="seed"):
        train(model, X, np.array([0.0, 1.0]), SGD(0.1), epochs=1, batch_size=1, seed=seed)


def test_divergence_with_a_bounded_loss_is_detected_from_the_parameters():
    # mse of a sigmoid output is at most 1, so the cost never shows the parameters running off to 1e299
    model, X = _tiny()
    with pytest.raises(DivergenceError, match="training diverged in epoch 1: an entry of the parameters became"):
        train(model, X, np.array([0.0, 1.0]), SGD(1e300), epochs=3, loss="mse", on_divergence="raise")
    history = train(MLP([2, 3, 1], "tanh", "sigmoid"), X, np.array([0.0, 1.0]), SGD(1e300), epochs=3, loss="mse")
    assert history.diverged and history.loss == [] and "parameter" in history.message


def test_a_non_finite_gradient_is_divergence_even_when_the_cost_is_finite():
    model, X = _tiny()
    original = model.loss_and_gradients

    def nan_gradients(*args, **kwargs):  # a finite cost whose last gradient is NaN
        value, grads = original(*args, **kwargs)
        return value, grads[:-1] + [np.full_like(grads[-1], np.nan)]

    model.loss_and_gradients = nan_gradients
    history = train(model, X, np.array([0.0, 1.0]), SGD(0.1), epochs=3)
    assert history.diverged and "an entry of the parameters became nan" in history.message


def test_minimize_reports_a_bad_gradient_naming_grad():
    f = lambda v: float(v @ v)  # noqa: E731
    with pytest.raises(TypeError, match=r"grad\(x\) must be an array of real numbers, got NoneType"):
        minimize(f, lambda v: None, [1.0, 2.0], 0.1, 3)
    with pytest.raises(ValueError, match=r"grad\(x\) must have the shape of x, \(2,\), got \(\)"):
        minimize(f, lambda v: 1.0, [1.0, 2.0], 0.1, 3)  # used to be broadcast silently
    with pytest.raises(ValueError, match=r"grad\(x\) must be finite"):
        minimize(f, lambda v: v * np.nan, [1.0, 2.0], 0.1, 3)  # used to be blamed on the learning rate
    with pytest.raises(TypeError, match="f must return a real number"):
        minimize(lambda v: None, lambda v: 2 * v, [1.0, 2.0], 0.1, 3)
    with pytest.raises(TypeError, match="grad must be a function"):
        minimize(f, 2.0, [1.0, 2.0], 0.1, 3)


def test_minimize_refuses_momentum_one_like_momentum_and_quadratic_rate():
    with pytest.raises(ValueError, match="momentum must be < 1"):
        minimize(lambda v: float(v @ v), lambda v: 2 * v, [1.0], 0.1, 3, momentum=1.0)


def test_minimize_checks_leave_the_printed_source_and_the_path_unchanged():
    import inspect

    assert inspect.getsource(minimize).startswith("def minimize(")  # Chapter 5 prints this source
    path = minimize(lambda v: float(v @ v), lambda v: 2 * v, [1.0, -2.0], 0.25, 4, momentum=0.5)
    x, v = np.array([1.0, -2.0]), np.zeros(2)
    for _ in range(4):  # the update by hand, in the same order of operations
        v = 0.5 * v + 2 * x
        x = x - 0.25 * v
    assert_allclose(path.points[-1], x, rtol=0, atol=0)


@pytest.mark.parametrize("opt", [SGD(0.1), Momentum(0.1), RMSProp(0.1), Adam(0.1)],
                         ids=["SGD", "Momentum", "RMSProp", "Adam"])
@pytest.mark.parametrize("params, grads, exc, message", [
    ([np.ones(2), np.ones(3)], [np.ones(2)], ValueError, "params has 2 arrays but grads has 1"),
    ([np.ones(2)], [np.ones(2), np.ones(3)], ValueError, "params has 1 arrays but grads has 2"),
    ([np.ones(2)], [np.ones(1)], ValueError, r"grads\[0\] has shape \(1,\) but params\[0\] has shape \(2,\)"),
    ([np.ones(2)], [np.ones((3, 2))], ValueError, r"grads\[0\] has shape \(3, 2\)"),
    ([[1.0, 2.0]], [np.ones(2)], TypeError, r"params\[0\] must be a float NumPy array, updated in place"),
    ([np.arange(2)], [np.ones(2)], TypeError, r"params\[0\] must be a float NumPy array"),
    (np.ones(2), [np.ones(2)], TypeError, "params and grads must be lists of arrays"),
], ids=["fewer-grads", "more-grads", "wrong-shape", "broadcastable", "list-param", "int-param", "bare-array"])
def test_optimizer_step_refuses_what_it_cannot_update(opt, params, grads, exc, message):
    with pytest.raises(exc, match=message):
        opt.step(params, grads)


def test_momentum_refuses_parameters_of_another_model():
    opt = Momentum(0.1)
    opt.step([np.ones(2)], [np.ones(2)])
    with pytest.raises(ValueError, match="velocity was built for"):
        opt.step([np.ones(3)], [np.ones(3)])


def test_step_accepts_a_list_gradient_and_float32_parameters():
    p = [np.ones(2, dtype=np.float32)]
    SGD(0.5).step(p, [[1.0, 2.0]])
    assert p[0].dtype == np.float32 and p[0].tolist() == [0.5, 0.0]  # exact: binary fractions


@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(validation=np.ones((2, 2))), TypeError, r"validation must be a pair \(X_val, Y_val\), got ndarray"),
    (dict(validation=(np.ones((2, 3)), np.ones(2))), ValueError, r"validation\[0\] must have 2 features"),
    (dict(validation=(np.ones((2, 2)), np.array([0.0, 3.0]))), ValueError, r"needs validation\[1\] in \[0, 1\]"),
    (dict(callback=1), TypeError, "callback must be callable"),
    (dict(on_divergence=np.array(["stop"])), ValueError, "on_divergence must be 'stop' or 'raise'"),
], ids=["validation-array", "validation-X", "validation-Y", "callback", "on_divergence-array"])
def test_train_checks_its_arguments_before_the_first_update(kwargs, exc, message):
    model, X = _tiny()
    before = [p.copy() for p in model.params]
    with pytest.raises(exc, match=message):
        train(model, X, np.array([0.0, 1.0]), SGD(0.5), epochs=2, **kwargs)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.params))


@pytest.mark.parametrize("call, exc, name", [
    (lambda: minibatches(10**400, 2, np.random.default_rng(0)), ValueError, "n"),
    (lambda: minibatches(10, 10**400, np.random.default_rng(0)), ValueError, "batch_size"),
    (lambda: minibatches(10, 2, None), TypeError, "rng"),
    (lambda: minibatches(10, 2, 0), TypeError, "rng"),
    (lambda: optim.step_decay(10**400, 0.1), ValueError, "step"),
    (lambda: optim.step_decay(3, 0.1, every=10**400), ValueError, "every"),
    (lambda: train(None, np.ones((2, 2)), np.ones((2, 2)), SGD(0.1), 1), TypeError, "model"),
    (lambda: train("net", np.ones((2, 2)), np.ones((2, 2)), SGD(0.1), 1), TypeError, "model"),
    (lambda: train(MLP([2, 2], seed=0), np.ones((2, 2)), np.ones((2, 2)), SGD(0.1), 1, batch_size=10**400),
     ValueError, "batch_size"),
])
def test_bad_arguments_are_refused_by_name(call, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        call()


def test_step_decay_prints_the_schedule_not_its_bounds():
    # Chapter 5 prints this source: the bounds live in a wrapper that inspect sees through
    import inspect

    assert inspect.getsource(optim.step_decay).startswith("def step_decay(")
    assert optim.step_decay(13, 0.5, drop=0.5, every=6) == 0.125


# --- RMSProp and Adam ------------------------------------------------------------------------


def _adam_by_hand(lr, beta1, beta2, eps, p, grads):
    """Adam written out as Kingma and Ba's Algorithm 1, on one array."""
    m, v = np.zeros_like(p), np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        p = p - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return p


def test_adam_matches_the_algorithm_written_out():
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=(2, 3)) for _ in range(6)]
    p = [rng.normal(size=(2, 3))]
    expected = _adam_by_hand(0.01, 0.8, 0.99, 1e-8, p[0].copy(), grads)
    opt = Adam(0.01, beta1=0.8, beta2=0.99)
    for g in grads:
        opt.step(p, [g])
    # the same operations in another order: a few roundings of 1e-16 on numbers of order 1
    assert_allclose(p[0], expected, rtol=1e-13, atol=1e-15)
    assert opt.t == 6


def test_rmsprop_steps_by_hand():
    opt = RMSProp(0.1, decay=0.75, eps=1e-300)  # eps far below the roundings checked
    p = [np.array([1.0, -1.0])]
    opt.step(p, [np.array([2.0, -4.0])])  # s = 0.25 g^2, sqrt(s) = |g| / 2: each coordinate moves by 0.2
    assert_allclose(p[0], [0.8, -0.8], rtol=1e-15)
    opt.step(p, [np.array([2.0, 0.0])])  # s = 0.75 * 1 + 0.25 * 4 = 1.75 and 0.75 * 4 = 3
    assert_allclose(p[0], [0.8 - 0.2 / np.sqrt(1.75), -0.8], rtol=1e-15)
    assert_allclose(opt.square_avg[0], [1.75, 3.0], rtol=1e-15)


@pytest.mark.parametrize("scale", [1e-6, 1e-2, 1.0, 1e3])
def test_adams_first_step_has_length_lr_in_every_coordinate_whatever_the_gradients_scale(scale):
    # m_hat = g and v_hat = g^2 after one step, so the step is lr g / (|g| + eps): lr times the sign
    g = scale * np.array([3.0, -0.5, 1.0])
    p = [np.zeros(3)]
    Adam(0.1, eps=1e-12).step(p, [g])
    assert_allclose(p[0], -0.1 * np.sign(g), rtol=1e-5)  # eps / |g| <= 1e-12 / 5e-7 = 2e-6


def test_adam_with_beta1_zero_is_rmsprop_with_bias_correction():
    rng = np.random.default_rng(2)
    grads = [rng.normal(size=4) for _ in range(5)]
    a, b = [np.ones(4)], [np.ones(4)]
    adam, rms = Adam(0.05, beta1=0.0, beta2=0.9), RMSProp(0.05, decay=0.9)
    for t, g in enumerate(grads, start=1):
        adam.step(a, [g])
        rms.lr = 0.05 * np.sqrt(1 - 0.9**t)  # the correction of v, moved into the learning rate (eps aside)
        rms.step(b, [g])
    assert_allclose(a[0], b[0], rtol=1e-7)  # eps = 1e-8 enters the two differently


@pytest.mark.parametrize("make, exc, message", [
    (lambda: RMSProp(0.0), ValueError, "lr must be > 0"),
    (lambda: RMSProp(0.1, decay=1.0), ValueError, "decay must be < 1"),
    (lambda: RMSProp(0.1, eps=0.0), ValueError, "eps must be > 0"),
    (lambda: RMSProp(0.1, eps=float("inf")), ValueError, "eps must be finite"),
    (lambda: Adam(0.1, beta1=1.0), ValueError, "beta1 must be < 1"),
    (lambda: Adam(0.1, beta2=-0.5), ValueError, "beta2 must be >= 0"),
    (lambda: Adam(0.1, eps=-1e-8), ValueError, "eps must be > 0"),
    (lambda: Adam("fast"), TypeError, "lr must be a real number"),
], ids=["rms-lr", "rms-decay", "rms-eps", "rms-eps-inf", "adam-beta1", "adam-beta2", "adam-eps", "adam-lr"])
def test_adaptive_optimizers_refuse_bad_hyperparameters(make, exc, message):
    with pytest.raises(exc, match=message):
        make()


@pytest.mark.parametrize("opt, state", [(RMSProp(0.1), "square_avg"), (Adam(0.1), "m")])
def test_adaptive_optimizers_refuse_parameters_of_another_model(opt, state):
    opt.step([np.ones(2)], [np.ones(2)])
    with pytest.raises(ValueError, match=f"{state} was built for"):
        opt.step([np.ones(3)], [np.ones(3)])


@pytest.mark.parametrize("name, cls", [("rmsprop", RMSProp), ("adam", Adam)])
def test_minimize_with_an_adaptive_optimizer_takes_its_steps(name, cls):
    lam = np.array([1.0, 10.0])
    path = minimize(lambda w: 0.5 * float(w @ (lam * w)), lambda w: lam * w, [-4.5, 1.5], 0.1, 5, optimizer=name)
    opt, w = cls(0.1), [np.array([-4.5, 1.5])]
    for k in range(1, 6):
        opt.step(w, [lam * w[0]])
        assert_allclose(path.points[k], w[0], rtol=0, atol=0)  # the same operations
    assert path.points.shape == (6, 2) and not path.diverged


def test_minimize_keeps_momentum_as_the_default_and_refuses_unknown_optimizers():
    f, g = (lambda w: float(w @ w)), (lambda w: 2 * w)
    a = minimize(f, g, [1.0, -2.0], 0.1, 5, momentum=0.5)
    b = minimize(f, g, [1.0, -2.0], 0.1, 5, momentum=0.5, optimizer="momentum")
    assert_allclose(a.points, b.points, rtol=0, atol=0)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        minimize(f, g, [1.0], 0.1, 3, optimizer="sgd")
    with pytest.raises(ValueError, match="momentum applies to optimizer='momentum' only"):
        minimize(f, g, [1.0], 0.1, 3, momentum=0.9, optimizer="adam")


def test_adam_does_not_diverge_where_gradient_descent_does():
    # its steps are at most about lr per coordinate, whatever the curvature: no 2 / lambda threshold
    f, g = (lambda w: 50.0 * float(w @ w)), (lambda w: 100.0 * w)
    assert minimize(f, g, [1.0, -1.0], 0.05, 200).diverged  # 0.05 > 2 / 100
    path = minimize(f, g, [1.0, -1.0], 0.05, 200, optimizer="adam")
    assert not path.diverged and np.abs(path.points).max() <= 1.0 + 1e-12
