"""Optimisers and training: updates by hand, the 2/lambda stability threshold, divergence reporting."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from mathcore import MLP, optim
from mathcore.optim import SGD, DivergenceError, Momentum, minibatches, minimize, train


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


@pytest.mark.parametrize("optimizer, batch_size", [(SGD(0.5), None), (Momentum(0.1), None), (SGD(0.2), 8)],
                         ids=["gd", "momentum", "minibatch-sgd"])
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
