r"""How good is a classifier? Accuracy, the confusion matrix, and precision and recall per class.

For labels :math:`y_i` and predictions :math:`\hat y_i`, :math:`i = 1, \dots, n`:

* accuracy :math:`= \frac1n \sum_i [\hat y_i = y_i]`, the fraction predicted right;
* confusion matrix :math:`M_{jk} = \#\{i : y_i = j,\ \hat y_i = k\}`, true class
  along the rows and predicted class along the columns (scikit-learn's
  layout), so the diagonal holds the right answers and accuracy is
  :math:`\operatorname{tr} M / \sum_{jk} M_{jk}`;
* precision of class :math:`k` :math:`= M_{kk} / \sum_j M_{jk}` (of the images
  predicted :math:`k`, the fraction that are :math:`k`), recall
  :math:`= M_{kk} / \sum_j M_{kj}` (of the images that are :math:`k`, the
  fraction found).

Reference: Hastie, Tibshirani and Friedman, *The Elements of Statistical
Learning* (2009), 9.2.5; scikit-learn's ``sklearn.metrics``, whose
conventions these follow.
"""

from __future__ import annotations

import numpy as np

from ._validate import MAX_CLASSES, check_scalar

__all__ = ["accuracy", "confusion_matrix", "precision_recall"]


def _labels(y, name: str) -> np.ndarray:
    """Class labels in [0, MAX_CLASSES) as a 1-D int64 array, or a clear error.

    Integral floats such as 2.0 are accepted; the range is checked before the
    cast to int64, which would wrap 1e300 round to a negative number.
    """
    try:
        arr = np.asarray(y)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a 1-D array of class labels: {exc}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            bad = arr[~np.isfinite(arr) | (arr != np.round(arr))][0]
            raise ValueError(f"{name} must hold whole-number class labels, found {bad}")
    if arr.min() < 0:
        raise ValueError(f"{name} must hold class labels >= 0, found {arr.min()}")
    if arr.max() >= MAX_CLASSES:
        raise ValueError(f"{name} must hold class labels below {MAX_CLASSES} (MAX_CLASSES), found {arr.max()}")
    return arr.astype(np.int64)  # (n,)


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    t, p = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")  # (n,), (n,)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {t.shape} and {p.shape}")
    return t, p


def accuracy(y_true, y_pred) -> float:
    r"""The fraction of predictions that equal the labels, :math:`\frac1n\sum_i [\hat y_i = y_i]`.

    Parameters
    ----------
    y_true, y_pred : array_like of int
        True and predicted class labels.

    Returns
    -------
    float in [0, 1]

    Shapes
    ------
    y_true : (n,); y_pred : (n,) -> scalar.

    Examples
    --------
    >>> accuracy([0, 1, 2, 2], [0, 2, 2, 2])
    0.75
    """
    t, p = _pair(y_true, y_pred)
    return float(np.mean(t == p))


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    r"""Counts :math:`M_{jk}` of examples of true class :math:`j` predicted as class :math:`k`.

    Parameters
    ----------
    y_true, y_pred : array_like of int
        True and predicted class labels, each in ``range(n_classes)``.
    n_classes : int, optional
        Number of classes, at most ``MAX_CLASSES`` (``mathcore._validate``); by
        default one more than the largest label seen.

    Returns
    -------
    ndarray of int64
        Rows: true class; columns: predicted class. Row sums are the class
        sizes, the trace is the number right.

    Shapes
    ------
    y_true : (n,); y_pred : (n,) -> (n_classes, n_classes).

    Examples
    --------
    >>> confusion_matrix([0, 1, 1], [0, 0, 1]).tolist()
    [[1, 0], [1, 1]]
    """
    t, p = _pair(y_true, y_pred)
    largest = int(max(t.max(), p.max()))
    if n_classes is None:
        n_classes = largest + 1
    n_classes = check_scalar(n_classes, "n_classes", low=1, high=MAX_CLASSES, integer=True)
    if largest >= n_classes:
        raise ValueError(f"labels must be < n_classes={n_classes}, found {largest}")
    M = np.zeros((n_classes, n_classes), dtype=np.int64)  # (K, K)
    np.add.at(M, (t, p), 1)
    return M


def precision_recall(M) -> tuple[np.ndarray, np.ndarray]:
    r"""Precision and recall of every class, read off a confusion matrix.

    Precision of class :math:`k` is :math:`M_{kk}` over column :math:`k`'s sum,
    recall :math:`M_{kk}` over row :math:`k`'s sum. A class never predicted
    (an empty column) has precision NaN, a class absent from the labels (an
    empty row) recall NaN: 0/0 is undefined, and reporting 0 or 1 would hide it.

    Parameters
    ----------
    M : array_like
        A square confusion matrix of non-negative counts, as returned by
        :func:`confusion_matrix`.

    Returns
    -------
    precision, recall : ndarray of float64

    Shapes
    ------
    M : (K, K) -> (K,), (K,).
    """
    try:
        M = np.asarray(M)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise ValueError(f"M must be a square confusion matrix: {exc}") from None
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.size == 0:
        raise ValueError(f"M must be a square confusion matrix, got shape {M.shape}")
    if not (np.issubdtype(M.dtype, np.integer) or np.issubdtype(M.dtype, np.floating)):
        raise TypeError(f"M must hold real counts, got dtype {M.dtype}")
    if not np.all(np.isfinite(M)) or M.min() < 0:
        raise ValueError("M must hold finite, non-negative counts")
    M = M.astype(np.float64)  # (K, K)
    diag = np.diag(M)  # (K,)
    col, row = M.sum(axis=0), M.sum(axis=1)  # (K,), (K,)
    precision = np.divide(diag, col, out=np.full_like(diag, np.nan), where=col > 0)  # (K,)
    recall = np.divide(diag, row, out=np.full_like(diag, np.nan), where=row > 0)  # (K,)
    return precision, recall
