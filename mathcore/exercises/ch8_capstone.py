"""Chapter 8, Capstone: a network on real handwritten digits: self-checks."""

from __future__ import annotations

import numpy as np

from . import number, register, within

#: The confusion matrix of the precision-and-recall exercise: digits 3, 5, 8, 9 (rows true, columns predicted).
CONFUSION_3589 = np.array([[45, 2, 2, 1], [1, 46, 1, 2], [4, 1, 42, 3], [0, 1, 3, 46]])
#: Row and column of the digit 8 in :data:`CONFUSION_3589`.
EIGHT = 2


def _count(sizes) -> int:
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


@register("capstone.parameter-count", right=(9610, 3466), wrong=(9600, 3466))
def _parameter_count(n_wide, n_deep):
    n_wide, n_deep = number(n_wide, "n_wide"), number(n_deep, "n_deep")
    wide, deep = n_wide == _count([64, 128, 10]), n_deep == _count([64, 32, 32, 10])
    if wide and deep:
        return True, ""
    which = "n_wide" if not wide else "n_deep"
    near = (n_wide if not wide else n_deep) in (
        sum(a * b for a, b in zip(s[:-1], s[1:])) for s in ([64, 128, 10], [64, 32, 32, 10]))
    if near:
        return False, f"{which} counts the weights only: every unit also has a bias."
    return False, (f"{which} is off. A layer with n_in inputs and n_out units has (n_in + 1) * n_out "
                   "parameters; add the layers.")


@register("capstone.precision-recall", right=(42 / 48, 42 / 50, 179 / 200), wrong=(42 / 50, 42 / 48, 179 / 200))
def _precision_recall(precision, recall, accuracy):
    precision, recall = number(precision, "precision_8"), number(recall, "recall_8")
    accuracy = number(accuracy, "accuracy")
    M = CONFUSION_3589
    want_p = M[EIGHT, EIGHT] / M[:, EIGHT].sum()
    want_r = M[EIGHT, EIGHT] / M[EIGHT].sum()
    want_a = np.trace(M) / M.sum()
    # two decimals of a hand calculation are enough, with a little slack for rounding
    ok_p, ok_r, ok_a = (within(v, w, 0.006) for v, w in ((precision, want_p), (recall, want_r), (accuracy, want_a)))
    if ok_p and ok_r and ok_a:
        return True, ""
    if within(precision, want_r, 0.006) and within(recall, want_p, 0.006):
        return False, ("precision and recall are swapped: precision divides by the images predicted 8 (a column), "
                       "recall by the images that are 8 (a row).")
    if not ok_p:
        return False, "precision_8 is off: the diagonal entry over the sum of the column of predictions 8."
    if not ok_r:
        return False, "recall_8 is off: the diagonal entry over the sum of the row of true 8s."
    return False, "accuracy is off: every right answer (the whole diagonal) over all 200 images."


def _right_accuracy(y_true, y_pred):
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


def _error_rate(y_true, y_pred):
    return float(np.mean(np.asarray(y_true) != np.asarray(y_pred)))


@register("capstone.accuracy", right=(_right_accuracy,), wrong=(_error_rate,))
def _accuracy(fn):
    if not callable(fn):
        raise TypeError(f"expected your function, got {type(fn).__name__}")
    rng = np.random.default_rng(8)
    cases = [([0, 1, 2, 2], [0, 2, 2, 2], 0.75), ([3, 3], [3, 3], 1.0), ([1, 2, 3], [0, 0, 0], 0.0)]
    for n in (5, 50, 450):
        t, p = rng.integers(0, 10, n), rng.integers(0, 10, n)
        cases.append((t, p, float(np.mean(t == p))))
    for t, p, want in cases:
        got = fn(t, p)
        if isinstance(got, bool) or not isinstance(got, (int, float, np.integer, np.floating)):
            return False, f"your function should return a number, got {type(got).__name__}."
        if not within(got, want, 1e-12):
            if within(got, 1 - want, 1e-12):
                return False, "that is the fraction of wrong predictions, the error rate; accuracy counts the right ones."
            return False, "a result is off: count the positions where prediction and label are equal, divide by the length."
    return True, ""


@register("capstone.alpha-batch-64", right=(0.064,), wrong=(0.032,))
def _alpha(alpha):
    alpha = number(alpha, "alpha_64")
    if within(alpha, 1e-3 * 64, 1e-9):
        return True, ""
    if within(alpha, 1e-3 / 64, 1e-12):
        return False, "scikit-learn divides alpha by the batch size: solve alpha / B = lambda for alpha."
    return False, "scikit-learn's penalty gradient is alpha / B times the weight; the book's is lambda times it."
