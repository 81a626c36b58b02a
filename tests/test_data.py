"""Seeded synthetic data sets and the digits: shapes, dtypes, determinism, labels, leakage, errors."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from mathcore import data

GENERATORS = {
    "two_moons": lambda seed: data.two_moons(n=101, noise=0.1, seed=seed),
    "spirals": lambda seed: data.spirals(n_per_class=30, n_classes=3, noise=0.2, seed=seed),
    "regression_curve": lambda seed: data.regression_curve(n=25, noise=0.1, seed=seed),
}


# --- logic gates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, outputs",
    [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("NAND", [1, 1, 1, 0]), ("NOR", [1, 0, 0, 0]),
     ("XOR", [0, 1, 1, 0])],
)
def test_logic_gate_truth_tables(name, outputs):
    X, y = data.logic_gate(name)
    assert X.dtype == np.float64 and X.shape == (4, 2)
    assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])  # exact 0.0 and 1.0
    assert np.issubdtype(y.dtype, np.integer) and y.shape == (4,)
    assert y.tolist() == outputs


@pytest.mark.parametrize("labels", [lambda: data.logic_gate("XOR")[1], lambda: data.two_moons()[1],
                                    lambda: data.spirals()[1], lambda: data.digits(split=False)[1],
                                    lambda: data.digits().y_test],
                         ids=["logic_gate", "two_moons", "spirals", "digits", "digits split"])
def test_labels_are_index_integers(labels):
    """``np.intp``, so that ``np.bincount`` takes them in the browser's 32-bit WebAssembly too,
    where int64 labels fail ("Cannot cast array data from dtype('int64') to dtype('int32')")."""
    y = labels()
    assert y.dtype == np.intp
    assert np.bincount(y).sum() == y.size


def test_logic_gate_ignores_letter_case_and_returns_fresh_arrays():
    X, y = data.logic_gate("xor")
    X[0, 0] = 7.0
    assert data.logic_gate("XOR")[0][0, 0] == 0.0


def test_logic_gate_errors_name_the_argument():
    with pytest.raises(ValueError, match="XNOR.*known: AND, NAND, NOR, OR, XOR"):
        data.logic_gate("XNOR")
    with pytest.raises(TypeError, match="name"):
        data.logic_gate(3)


# --- synthetic sets: shapes, dtypes, determinism ------------------------------------------


def test_two_moons_shapes_labels_and_balance():
    X, y = data.two_moons(n=101, noise=0.1, seed=0)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and np.issubdtype(y.dtype, np.integer)
    assert np.bincount(y).tolist() == [51, 50]


def test_two_moons_without_noise_lie_on_their_half_circles():
    X, y = data.two_moons(n=60, noise=0.0, seed=3)
    upper, lower = X[y == 0], X[y == 1]
    assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-12)  # radius 1 about (0, 0)
    assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-12)  # radius 1 about (1, 0.5)
    assert (upper[:, 1] >= -1e-12).all() and (lower[:, 1] <= 0.5 + 1e-12).all()


def test_spirals_shapes_labels_and_unit_disk():
    X, y = data.spirals(n_per_class=30, n_classes=4, noise=0.2, seed=0)
    assert X.shape == (120, 2) and X.dtype == np.float64
    assert np.bincount(y).tolist() == [30] * 4
    # Noise is in the angle only, so every point keeps its radius r <= 1.
    assert (np.hypot(*X.T) <= 1.0 + 1e-12).all()


def test_regression_curve_matches_true_curve_without_noise():
    X, y = data.regression_curve(n=25, noise=0.0, seed=4)
    assert X.shape == (25, 1) and X.dtype == np.float64
    assert y.shape == (25,) and y.dtype == np.float64
    assert ((X >= 0) & (X <= 1)).all()
    assert (np.diff(X[:, 0]) >= 0).all()  # sorted, for line plots
    assert_allclose(y, np.sin(2 * np.pi * X[:, 0]), rtol=0, atol=1e-15)
    assert_allclose(data.true_curve([0.25, 0.75]), [1.0, -1.0], atol=1e-15)


def test_regression_noise_has_the_requested_spread():
    X, y = data.regression_curve(n=4000, noise=0.3, seed=0)
    residual = y - data.true_curve(X[:, 0])
    # Standard error of a sample std from 4000 normals is 0.3/sqrt(8000) = 0.0034: 5 of them.
    assert abs(residual.std() - 0.3) < 0.017


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_same_seed_same_data_other_seed_other_data(name):
    make = GENERATORS[name]
    X0, y0 = make(0)
    X0_again, y0_again = make(0)
    assert_array_equal(X0, X0_again)
    assert_array_equal(y0, y0_again)
    X1, _ = make(1)
    assert not np.array_equal(X0, X1)


# --- bad arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, exc, name",
    [
        (lambda: data.two_moons(n=0), ValueError, "n"),
        (lambda: data.two_moons(n=-5), ValueError, "n"),
        (lambda: data.two_moons(n=10.5), TypeError, "n"),
        (lambda: data.two_moons(n="200"), TypeError, "n"),
        (lambda: data.two_moons(noise=-0.1), ValueError, "noise"),
        (lambda: data.two_moons(noise="low"), TypeError, "noise"),
        (lambda: data.two_moons(seed=-1), ValueError, "seed"),
        (lambda: data.two_moons(seed=1.5), TypeError, "seed"),
        (lambda: data.spirals(n_per_class=0), ValueError, "n_per_class"),
        (lambda: data.spirals(n_classes=1), ValueError, "n_classes"),
        (lambda: data.spirals(noise=-1.0), ValueError, "noise"),
        (lambda: data.regression_curve(n=0), ValueError, "n"),
        (lambda: data.regression_curve(noise=float("nan")), ValueError, "noise"),
        (lambda: data.digits(test_size=0.0), ValueError, "test_size"),
        (lambda: data.digits(test_size=1.0), ValueError, "test_size"),
        (lambda: data.digits(split="yes"), TypeError, "split"),
        (lambda: data.digits(standardize=1), TypeError, "standardize"),
        (lambda: data.digits(seed=None), TypeError, "seed"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(call, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        call()


def test_test_size_too_small_for_a_class_is_refused():
    with pytest.raises(ValueError, match="test_size"):
        data.digits(test_size=0.001)


# --- digits ------------------------------------------------------------------------------------


def test_digits_has_1797_images_of_64_pixels():
    X, y = data.digits(split=False, standardize=False)
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and np.issubdtype(y.dtype, np.integer)
    assert set(np.unique(y)) == set(range(10))
    assert X.min() == 0.0 and X.max() == 16.0  # 4-bit intensities, as scikit-learn ships them


def test_digits_split_is_stratified():
    split = data.digits(test_size=0.25, seed=0)
    n_train, n_test = len(split.y_train), len(split.y_test)
    assert (n_train, n_test) == (1347, 450)  # a quarter of each class, rounded
    assert split.X_train.shape == (n_train, 64) and split.X_test.shape == (n_test, 64)
    _, y = data.digits(split=False)
    overall = np.bincount(y) / len(y)
    # Rounding each class's test count moves a proportion by about 0.5 / 450 = 0.0011
    # (measured: 0.0013 test, 0.0004 train). An unstratified random split of the same
    # size strays by 0.022 in the median and by 0.008 at the least (200 seeded trials).
    assert np.abs(np.bincount(split.y_test) / n_test - overall).max() < 0.003
    assert np.abs(np.bincount(split.y_train) / n_train - overall).max() < 0.003


def test_digits_split_is_a_partition_of_the_data():
    split = data.digits(standardize=False, seed=0)
    X, y = data.digits(split=False, standardize=False)
    rows = {tuple(r) + (int(t),) for r, t in zip(X, y)}
    got = [tuple(r) + (int(t),) for r, t in zip(np.vstack([split.X_train, split.X_test]),
                                                np.concatenate([split.y_train, split.y_test]))]
    assert len(got) == 1797 and set(got) == rows  # (the digits hold duplicate images: compare as sets)


def test_digits_standardisation_uses_training_statistics_only():
    raw = data.digits(standardize=False, seed=0)
    split = data.digits(standardize=True, seed=0)
    assert_array_equal(split.y_train, raw.y_train)  # same seed, same split
    mean = raw.X_train.mean(axis=0)  # (64,)
    std = raw.X_train.std(axis=0)  # (64,)
    scale = np.where(std > 0, std, 1.0)  # (64,)
    assert_allclose(split.mean, mean, rtol=0, atol=1e-12)
    assert_allclose(split.scale, scale, rtol=0, atol=1e-12)
    assert_allclose(split.X_test, (raw.X_test - mean) / scale, rtol=0, atol=1e-12)
    # Train columns are centred exactly; test columns are not (their own means differ).
    assert_allclose(split.X_train.mean(axis=0), 0.0, atol=1e-12)
    assert np.abs(split.X_test.mean(axis=0)).max() > 0.01
    # A test-set statistic must not enter: the full-data mean differs from the train mean.
    all_mean = np.vstack([raw.X_train, raw.X_test]).mean(axis=0)
    assert np.abs(all_mean - split.mean).max() > 1e-3


def test_digits_constant_pixels_get_scale_one_not_nan():
    split = data.digits(seed=0)
    assert np.isfinite(split.X_train).all() and np.isfinite(split.X_test).all()
    assert (split.scale[split.X_train.std(axis=0) == 0] == 1.0).all()


def test_digits_split_depends_on_seed_only():
    a, b, c = data.digits(seed=0), data.digits(seed=0), data.digits(seed=1)
    assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.y_train, c.y_train)


# --- stratified_split --------------------------------------------------------------------


def test_stratified_split_keeps_class_shares_and_partitions_the_rows():
    from mathcore import data as _data

    X = np.arange(200, dtype=float).reshape(100, 2)  # (100, 2): row i holds 2i, 2i + 1
    y = np.repeat(np.arange(4), 25)  # (100,)
    Xa, Xb, ya, yb = _data.stratified_split(X, y, 0.2, seed=3)
    assert Xa.shape == (80, 2) and Xb.shape == (20, 2)
    assert np.bincount(yb).tolist() == [5, 5, 5, 5] and np.bincount(ya).tolist() == [20, 20, 20, 20]
    rows = np.concatenate([Xa[:, 0], Xb[:, 0]]) / 2  # every row exactly once
    assert sorted(rows.astype(int).tolist()) == list(range(100))
    assert np.array_equal(y[(Xb[:, 0] / 2).astype(int)], yb)  # labels travel with their rows
    again = _data.stratified_split(X, y, 0.2, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(again, (Xa, Xb, ya, yb)))


@pytest.mark.parametrize(
    "args, exc, match",
    [
        ((np.zeros((4, 2)), np.zeros(3, int)), ValueError, "y must have shape \\(4,\\)"),
        ((np.zeros((4, 2)), np.zeros(4)), TypeError, "integer class labels"),
        ((np.zeros(4), np.zeros(4, int)), ValueError, "X"),
        ((np.zeros((4, 2)), np.zeros(4, int), 1.0), ValueError, "test_size must be < 1"),
        ((np.zeros((4, 2)), np.zeros(4, int), 0.0), ValueError, "test_size"),
        ((np.zeros((4, 2)), np.array([0, 0, 0, 1]), 0.5), ValueError, "class 1"),
    ],
)
def test_stratified_split_errors_name_the_argument(args, exc, match):
    from mathcore import data as _data

    with pytest.raises(exc, match=match):
        _data.stratified_split(*args)


def test_digits_are_scikit_learns_without_importing_sklearn_datasets():
    import subprocess
    import sys

    from sklearn.datasets import load_digits

    X, y = data.digits(split=False, standardize=False)
    bunch = load_digits()
    assert np.array_equal(X, bunch.data) and np.array_equal(y, bunch.target)
    assert X.dtype == np.float64 and y.dtype == np.intp
    # the point of reading the file directly: a chapter never pays for importing sklearn.datasets
    code = "import sys; from mathcore import data; data.digits(); print('sklearn.datasets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# --- robustness (issue 17) -----------------------------------------------------------------


@pytest.mark.parametrize("call, message", [
    (lambda: data.two_moons(10**12), r"n must be <= 10000000"),
    (lambda: data.regression_curve(10**12), r"n must be <= 10000000"),
    (lambda: data.spirals(10**6, 100), r"n_per_class \* n_classes must be <= 10000000"),
    (lambda: data.spirals(1, 10**6), r"n_classes must be <= 10000"),
], ids=["two_moons", "regression_curve", "spirals-points", "spirals-classes"])
def test_absurd_sizes_are_refused_before_allocating(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("x, exc, message", [
    (None, TypeError, "x must be an array of real numbers"),
    (["0.25"], TypeError, "x must be an array of real numbers"),
    ([0.25, np.inf], ValueError, r"x must be finite, but x\[1\] is inf"),
    ([0.25, np.nan], ValueError, "x must be finite"),
    (np.array([0.5 + 1j]), TypeError, "x must be real"),
])
def test_true_curve_validates_x(x, exc, message):
    # true_curve(None) used to be nan and true_curve(["0.25"]) [1.]
    with pytest.raises(exc, match=message):
        data.true_curve(x)


def test_true_curve_keeps_shapes_and_values():
    assert data.true_curve(0.25) == 1.0 and data.true_curve(np.empty((0, 2))).shape == (0, 2)
    x = np.linspace(0.0, 1.0, 7)
    assert_array_equal(data.true_curve(x), np.sin(2.0 * np.pi * x))  # the same arithmetic, bit for bit


def test_stratified_split_names_a_ragged_y():
    with pytest.raises(TypeError, match=r"\by must be a 1-D array"):
        data.stratified_split(np.ones((2, 2)), [[0, 1], [1]])
