"""Accuracy, the confusion matrix and precision/recall, against hand counts and scikit-learn."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from mathcore import metrics


def test_accuracy_counts_the_right_answers():
    assert metrics.accuracy([0, 1, 2, 2], [0, 2, 2, 2]) == 0.75
    assert metrics.accuracy(np.array([3.0, 1.0]), [3, 1]) == 1.0  # whole-number floats are labels too
    assert metrics.accuracy([5], [4]) == 0.0


def test_confusion_matrix_by_hand():
    M = metrics.confusion_matrix([0, 1, 1, 2, 2, 2], [0, 0, 1, 2, 1, 2])
    assert_array_equal(M, [[1, 0, 0], [1, 1, 0], [0, 1, 2]])
    assert M.dtype == np.int64
    # rows are the class sizes; the trace is the number right
    assert_array_equal(M.sum(axis=1), [1, 2, 3])
    assert np.trace(M) / M.sum() == metrics.accuracy([0, 1, 1, 2, 2, 2], [0, 0, 1, 2, 1, 2])
    # a class that never occurs still gets its row and column when n_classes says so
    assert metrics.confusion_matrix([0, 1], [0, 1], n_classes=4).shape == (4, 4)


def test_agrees_with_scikit_learn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 10, 300), rng.integers(0, 10, 300)  # (300,) each
    M = metrics.confusion_matrix(y, p, 10)
    assert_array_equal(M, sk.confusion_matrix(y, p, labels=range(10)))
    assert metrics.accuracy(y, p) == pytest.approx(sk.accuracy_score(y, p), rel=1e-15)
    precision, recall = metrics.precision_recall(M)
    assert_allclose(precision, sk.precision_score(y, p, average=None), rtol=1e-14)
    assert_allclose(recall, sk.recall_score(y, p, average=None), rtol=1e-14)


def test_precision_recall_by_hand_and_undefined_classes():
    M = np.array([[3, 1, 0], [0, 0, 0], [1, 0, 5]])
    precision, recall = metrics.precision_recall(M)
    assert_allclose(precision, [3 / 4, 0.0, 5 / 5])
    assert recall[0] == 3 / 4 and recall[2] == 5 / 6
    assert np.isnan(recall[1])  # class 1 never occurs: 0/0, reported as NaN, not 0
    precision, _ = metrics.precision_recall([[2, 0], [1, 0]])
    assert np.isnan(precision[1])  # class 1 never predicted


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: metrics.accuracy([0, 1], [0]), ValueError, "same shape"),
        (lambda: metrics.accuracy([[0, 1]], [[0, 1]]), ValueError, "y_true must be a 1-D array"),
        (lambda: metrics.accuracy([], []), ValueError, "must not be empty"),
        (lambda: metrics.accuracy([0, 1], [0.5, 1]), ValueError, "whole-number class labels, found 0.5"),
        (lambda: metrics.accuracy([0, -1], [0, 1]), ValueError, "labels >= 0, found -1"),
        (lambda: metrics.accuracy(["a"], ["a"]), TypeError, "integer class labels"),
        (lambda: metrics.accuracy([True], [True]), TypeError, "integer class labels"),
        (lambda: metrics.accuracy([0, np.nan], [0, 1]), ValueError, "whole-number"),
        (lambda: metrics.confusion_matrix([0, 5], [0, 1], n_classes=3), ValueError, "labels must be < n_classes=3"),
        (lambda: metrics.confusion_matrix([0], [0], n_classes=0), ValueError, "n_classes must be >= 1"),
        (lambda: metrics.precision_recall(np.ones((2, 3))), ValueError, "square"),
        (lambda: metrics.precision_recall([[1, -1], [0, 1]]), ValueError, "non-negative"),
        (lambda: metrics.precision_recall([["a"]]), TypeError, "counts"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# --- robustness (issue 17) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "call, exc, match",
    [
        # used to try to allocate 6.94 EiB
        (lambda: metrics.confusion_matrix([0, 10**9], [0, 0]), ValueError,
         r"y_true must hold class labels below 10000 \(MAX_CLASSES\), found 1000000000"),
        (lambda: metrics.confusion_matrix([0], [0], n_classes=10**9), ValueError, "n_classes must be <= 10000"),
        # used to leak NumPy's "inhomogeneous shape"
        (lambda: metrics.accuracy([[0, 1], [1]], [0, 1]), ValueError, "y_true must be a 1-D array of class labels"),
        # used to warn and compare -9223372036854775808 with 0
        (lambda: metrics.accuracy([1e300], [0]), ValueError, "y_true must hold class labels below 10000"),
        (lambda: metrics.accuracy([0], np.array([2**64 - 1], dtype=np.uint64)), ValueError, "y_pred must hold class"),
        (lambda: metrics.accuracy([0j], [0]), TypeError, "y_true must hold integer class labels, got dtype complex"),
        # used to warn and return precision 1
        (lambda: metrics.precision_recall(np.array([[1 + 1j, 0], [0, 1]])), TypeError, "M must hold real counts"),
        (lambda: metrics.precision_recall([[1, 0], [0]]), ValueError, "M must be a square confusion matrix"),
    ],
    ids=["huge-label", "huge-n_classes", "ragged", "1e300", "uint64", "complex-labels", "complex-M", "ragged-M"],
)
def test_labels_must_be_integers_in_range(call, exc, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way to the error
        with pytest.raises(exc, match=match):
            call()


def test_integral_float_labels_are_still_accepted():
    assert metrics.accuracy([0.0, 2.0], [0, 2]) == 1.0
