r"""Small seeded data sets for the book's figures and exercises.

Every generator returns ``(X, y)`` with ``X`` a float64 array of shape
(n_samples, n_features), the book's batch layout, and ``y`` integer class
labels of shape (n_samples,) (float targets for :func:`regression_curve`).
The labels are NumPy's index integers (``np.intp``: int64 on 64-bit machines,
int32 in the browser's 32-bit WebAssembly), which ``np.bincount`` and indexing
take everywhere; int64 labels make ``np.bincount`` fail in the browser.
All randomness comes from ``numpy.random.default_rng(seed)``, so a chapter
that asks for ``two_moons(seed=0)`` draws the same points on every machine and
every run, and its committed outputs stay reproducible.

References: the two-moons construction follows scikit-learn's
``make_moons``; the spirals follow Karpathy's CS231n notes ("Putting it
together: minimal neural network case study"); the curve
:math:`\sin(2\pi x)` on [0, 1] is Bishop's running example in *Pattern
Recognition and Machine Learning* (2006), 1.1; the digits are the UCI
optical-recognition data bundled with scikit-learn (Alpaydin and Kaynak, 1998).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import MAX_CLASSES, MAX_SAMPLES, as_float_array, check_scalar, check_seed, lookup

__all__ = [
    "GATES",
    "logic_gate",
    "two_moons",
    "spirals",
    "true_curve",
    "regression_curve",
    "DigitsSplit",
    "digits",
]

#: The four binary inputs, in truth-table order.
_GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # (4, 2)

#: Truth tables: the output for each row of the inputs (0,0), (0,1), (1,0), (1,1).
GATES: dict[str, tuple[int, int, int, int]] = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of a two-input logic gate as a data set.

    Parameters
    ----------
    name : str
        One of "AND", "OR", "NAND", "NOR", "XOR" (any letter case).

    Returns
    -------
    X : ndarray of float64
        The four inputs (0,0), (0,1), (1,0), (1,1), exactly 0.0 or 1.0.
    y : ndarray of intp
        The gate's output for each input.

    Shapes
    ------
    X : (4, 2); y : (4,).

    Examples
    --------
    >>> X, y = logic_gate("XOR")
    >>> y.tolist()
    [0, 1, 1, 0]
    """
    if isinstance(name, str) and name.upper() in GATES:
        name = name.upper()
    table = lookup(GATES, name, "logic gate")
    return _GATE_INPUTS.copy(), np.array(table, dtype=np.intp)  # (4, 2), (4,)


def two_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""Two interleaved half circles: separable, but not by a line.

    Class 0 lies on the upper half circle :math:`(\cos t, \sin t)`, class 1 on
    the lower one :math:`(1 - \cos t, \tfrac12 - \sin t)`, :math:`t \in [0, \pi]`;
    then Gaussian noise of standard deviation ``noise`` is added to each
    coordinate and the rows are shuffled.

    Parameters
    ----------
    n : int
        Number of points, 2 to ``MAX_SAMPLES`` (``mathcore._validate``); class 0 gets ``ceil(n / 2)`` of them.
    noise : float
        Standard deviation of the Gaussian noise, >= 0.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    X : ndarray of float64
    y : ndarray of intp, labels 0 and 1.

    Shapes
    ------
    X : (n, 2); y : (n,).
    """
    n = check_scalar(n, "n", low=2, high=MAX_SAMPLES, integer=True)
    noise = check_scalar(noise, "noise", low=0.0)
    rng = np.random.default_rng(check_seed(seed))
    n_upper = n - n // 2
    t_upper = np.linspace(0.0, np.pi, n_upper)  # (n0,)
    t_lower = np.linspace(0.0, np.pi, n // 2)  # (n1,)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])  # (n0, 2)
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])  # (n1, 2)
    X = np.vstack([upper, lower]) + noise * rng.standard_normal((n, 2))  # (n, 2)
    y = np.concatenate([np.zeros(n_upper, np.intp), np.ones(n // 2, np.intp)])  # (n,)
    order = rng.permutation(n)  # (n,)
    return X[order], y[order]


def spirals(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    r"""Interleaved spiral arms, one per class: the classic test of a hidden layer.

    Arm :math:`k` has radii :math:`r` evenly spaced in [0, 1] and angles
    :math:`\theta = 4 (k + r) + \varepsilon`, :math:`\varepsilon \sim
    \mathcal N(0, \text{noise}^2)`; the point is :math:`r (\sin\theta, \cos\theta)`.
    Noise is in the angle, so it blurs each arm along the circle rather than
    pushing points off the disk.

    Parameters
    ----------
    n_per_class : int
        Points per arm, >= 1; at most ``MAX_SAMPLES`` (``mathcore._validate``) points in all.
    n_classes : int
        Number of arms, 2 to ``MAX_CLASSES`` (``mathcore._validate``).
    noise : float
        Standard deviation of the angle noise in radians, >= 0.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    X : ndarray of float64, inside the unit disk.
    y : ndarray of intp, labels 0 .. n_classes - 1, grouped by class.

    Shapes
    ------
    X : (n_per_class * n_classes, 2); y : (n_per_class * n_classes,).
    """
    m = check_scalar(n_per_class, "n_per_class", low=1, integer=True)
    k = check_scalar(n_classes, "n_classes", low=2, high=MAX_CLASSES, integer=True)
    if m * k > MAX_SAMPLES:
        raise ValueError(f"n_per_class * n_classes must be <= {MAX_SAMPLES} points, got {m} * {k} = {m * k}")
    noise = check_scalar(noise, "noise", low=0.0)
    rng = np.random.default_rng(check_seed(seed))
    r = np.tile(np.linspace(0.0, 1.0, m), k)  # (k*m,)
    y = np.repeat(np.arange(k, dtype=np.intp), m)  # (k*m,)
    theta = 4.0 * (y + r) + noise * rng.standard_normal(k * m)  # (k*m,)
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])  # (k*m, 2)
    return X, y


def true_curve(x) -> np.ndarray:
    r"""The noiseless function behind :func:`regression_curve`: :math:`f(x) = \sin(2\pi x)`.

    Parameters
    ----------
    x : array_like
        Finite real numbers, any shape (empty included).

    Shapes
    ------
    x : any -> same.
    """
    return np.sin(2.0 * np.pi * as_float_array(x, "x", allow_empty=True))


def regression_curve(n: int = 40, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""Noisy samples of :math:`f(x) = \sin(2\pi x)` on [0, 1] (see :func:`true_curve`).

    :math:`x_i \sim \mathcal U[0, 1]`, sorted so a line plot of the samples
    reads left to right, and :math:`y_i = f(x_i) + \varepsilon_i` with
    :math:`\varepsilon_i \sim \mathcal N(0, \text{noise}^2)`.

    Parameters
    ----------
    n : int
        Number of samples, 1 to ``MAX_SAMPLES`` (``mathcore._validate``).
    noise : float
        Standard deviation of the target noise, >= 0.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    X : ndarray of float64, one feature column.
    y : ndarray of float64, the noisy targets.

    Shapes
    ------
    X : (n, 1); y : (n,).

    Examples
    --------
    >>> X, y = regression_curve(n=5, noise=0.0)
    >>> bool(np.allclose(y, true_curve(X[:, 0])))
    True
    """
    n = check_scalar(n, "n", low=1, high=MAX_SAMPLES, integer=True)
    noise = check_scalar(noise, "noise", low=0.0)
    rng = np.random.default_rng(check_seed(seed))
    x = np.sort(rng.uniform(0.0, 1.0, n))  # (n,)
    y = true_curve(x) + noise * rng.standard_normal(n)  # (n,)
    return x[:, None], y  # (n, 1), (n,)


class DigitsSplit(NamedTuple):
    """A stratified train/test split of the digits, in scikit-learn's order.

    ``mean`` and ``scale`` are the per-pixel statistics of the *training*
    images used to standardise both sets (zeros and ones if not standardised):
    ``X = (pixels - mean) / scale``.

    Shapes
    ------
    X_train : (n_train, 64); X_test : (n_test, 64); y_train : (n_train,);
    y_test : (n_test,); mean, scale : (64,).
    """

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    scale: np.ndarray


def _stratified_indices(y: np.ndarray, test_size: float, rng: np.random.Generator):
    """Train and test indices holding each class in the same proportion."""
    train, test = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))  # (n_c,)
        n_test = int(round(test_size * members.size))
        if not 0 < n_test < members.size:
            raise ValueError(
                f"test_size={test_size} leaves class {label} ({members.size} samples) "
                f"with {n_test} test samples; each set needs at least one of every class"
            )
        test.append(members[:n_test])
        train.append(members[n_test:])
    # Shuffle across classes so the first minibatch is not all zeros.
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _standardise(X_fit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and scale of ``X_fit``; a constant feature gets scale 1.

    Border pixels of the digits are 0 in every training image: dividing by
    their zero standard deviation would turn them into NaN.

    Shapes
    ------
    X_fit : (n, d) -> mean (d,), scale (d,).
    """
    mean = X_fit.mean(axis=0)  # (d,)
    std = X_fit.std(axis=0)  # (d,)
    return mean, np.where(std > 0, std, 1.0)


def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The digits exactly as ``sklearn.datasets.load_digits`` returns them, read from its data file.

    The file ships inside scikit-learn; reading it directly skips importing
    ``sklearn.datasets``, which costs about 2 s in a fresh kernel (it pulls in
    SciPy's sparse matrices and more). ``tests/test_data.py`` checks the result
    against ``load_digits`` itself.
    """
    import gzip
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("sklearn")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the digits ship with scikit-learn: pip install scikit-learn")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",")  # (1797, 65): 64 pixels, then the digit
    return table[:, :-1].astype(np.float64), table[:, -1].astype(np.intp)


def digits(
    split: bool = True, *, test_size: float = 0.25, standardize: bool = True, seed: int = 0
) -> DigitsSplit | tuple[np.ndarray, np.ndarray]:
    """The 1,797 handwritten 8 x 8 digits bundled with scikit-learn (no download).

    Parameters
    ----------
    split : bool
        Return a stratified train/test :class:`DigitsSplit` (default), or all
        samples as ``(X, y)``.
    test_size : float
        Fraction of each class held out for testing, in (0, 1).
    standardize : bool
        Centre and scale each pixel. With ``split=True`` the mean and scale
        are computed on the training images only and applied to both sets,
        so nothing about the test set leaks into training. With
        ``split=False`` they are computed on all images.
    seed : int
        Seed of ``numpy.random.default_rng`` for the split.

    Returns
    -------
    DigitsSplit, or (X, y)
        ``X`` float64 pixel intensities (0 to 16 before standardising), one
        row per image in row-major order (``X.reshape(-1, 8, 8)`` gives the
        images); ``y`` intp digits 0 to 9.

    Shapes
    ------
    X : (1797, 64); y : (1797,); with ``test_size=0.25``, X_train : (1347, 64)
    and X_test : (450, 64) (a quarter of each class, rounded).
    """
    if not isinstance(split, bool):
        raise TypeError(f"split must be True or False, got {type(split).__name__} {split!r}")
    if not isinstance(standardize, bool):
        raise TypeError(f"standardize must be True or False, got {type(standardize).__name__} {standardize!r}")
    test_size = check_scalar(test_size, "test_size", low=0.0, low_open=True, high=1.0)
    if test_size == 1.0:
        raise ValueError(f"test_size must be < 1, got {test_size}")
    seed = check_seed(seed)
    X, y = _load_digits()  # (1797, 64), (1797,)
    if not split:
        if standardize:
            mean, scale = _standardise(X)  # (64,), (64,)
            X = (X - mean) / scale  # (1797, 64)
        return X, y
    rng = np.random.default_rng(seed)
    train, test = _stratified_indices(y, test_size, rng)  # (n_train,), (n_test,)
    X_train, X_test = X[train], X[test]  # (n_train, 64), (n_test, 64)
    if standardize:
        mean, scale = _standardise(X_train)  # (64,), (64,)
    else:
        mean, scale = np.zeros(X.shape[1]), np.ones(X.shape[1])  # (64,), (64,)
    return DigitsSplit(
        (X_train - mean) / scale,
        (X_test - mean) / scale,
        y[train],
        y[test],
        mean,
        scale,
    )


__all__.append("stratified_split")


def stratified_split(X, y, test_size: float = 0.2, *, seed: int = 0):
    """Split ``(X, y)`` in two, each class in the same proportion in both parts (as :func:`digits` does).

    Used to carve a validation set out of a training set, so that
    hyperparameters are chosen without looking at the test set.

    Parameters
    ----------
    X : array_like
        Samples, one per row.
    y : array_like of int
        Class labels.
    test_size : float
        Fraction of each class in the second part, in (0, 1), rounded per class.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    X_a, X_b, y_a, y_b : ndarray
        The two parts, each shuffled.

    Shapes
    ------
    X : (n, d); y : (n,) -> X_a : (n_a, d), X_b : (n_b, d), y_a : (n_a,), y_b : (n_b,).
    """
    X = as_float_array(X, "X", ndim=2)  # (n, d)
    try:
        y_arr = np.asarray(y)
    except (TypeError, ValueError):  # NumPy's words for a ragged list
        raise TypeError(f"y must be a 1-D array of integer class labels, got a ragged {type(y).__name__}") from None
    if y_arr.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y_arr.shape}")
    if not np.issubdtype(y_arr.dtype, np.integer):
        raise TypeError(f"y must hold integer class labels, got dtype {y_arr.dtype}")
    test_size = check_scalar(test_size, "test_size", low=0.0, low_open=True, high=1.0)
    if test_size == 1.0:
        raise ValueError(f"test_size must be < 1, got {test_size}")
    rng = np.random.default_rng(check_seed(seed))
    a, b = _stratified_indices(y_arr, test_size, rng)  # (n_a,), (n_b,)
    return X[a], X[b], y_arr[a], y_arr[b]
