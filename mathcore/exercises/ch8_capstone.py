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


#: The paired comparison of the problem "paired": m validation images; A right and B wrong on N_A of them,
#: B right and A wrong on N_B, the two agree on all the others.
PAIRED_M, PAIRED_N_A, PAIRED_N_B = 269, 4, 1


def _paired_difference(m: int, n_a: int, n_b: int) -> tuple[float, float]:
    """Difference of two accuracies on the same m images, and its standard error, from the disagreements."""
    d = (n_a - n_b) / m  # the mean of d_i = (A right) - (B right), each -1, 0 or 1
    var = (n_a + n_b) / m - d**2  # the spread of the d_i (dividing by m)
    return d, float(np.sqrt(var / m))


@register("capstone.paired", right=_paired_difference(PAIRED_M, PAIRED_N_A, PAIRED_N_B),
          wrong=(3 / 269, float(np.sqrt((266 / 269) * (3 / 269) / 269 + (263 / 269) * (6 / 269) / 269))))
def _paired(difference, se):
    difference, se = number(difference, "difference"), number(se, "se")
    want_d, want_se = _paired_difference(PAIRED_M, PAIRED_N_A, PAIRED_N_B)
    # dividing the spread by m - 1 instead of m changes the standard error by 0.2%, about 2e-5: both are right
    ok_d, ok_se = within(difference, want_d, 5e-5), within(se, want_se, 5e-5)
    if ok_d and ok_se:
        return True, ""
    if within(difference, 100 * want_d, 5e-3) or within(se, 100 * want_se, 5e-3):
        return False, "give both as fractions, not in percent."
    if not ok_d:
        return False, ("the difference is off: the images both classify alike add the same to both accuracies; "
                       "only the disagreements count.")
    a, b = 266 / PAIRED_M, 263 / PAIRED_M  # the two accuracies of the exercise
    if within(se, np.sqrt(a * (1 - a) / PAIRED_M + b * (1 - b) / PAIRED_M), 5e-5):
        return False, ("that is the standard error of two independent samples. Here both were measured on the same "
                       "images: take the standard error of the mean of d_i, which is -1, 0 or 1 per image.")
    return False, ("se is off: the d_i are 1 on the images only A gets right, -1 on those only B gets right and 0 "
                   "elsewhere; the standard error of their mean is their standard deviation over the square root "
                   "of m.")


#: The network of the chapter: 64 inputs, 64 ReLU units (He normal, variance 2 / 64), 10 outputs (Glorot uniform,
#: variance 2 / (64 + 10)), and lambda = 1e-3: the expected penalty lambda / 2 * E sum W^2 at initialisation.
INIT_PENALTY = 0.5e-3 * (64 * 64 * 2 / 64 + 10 * 64 * 2 / 74)


@register("capstone.init-loss", right=(float(np.log(10)), INIT_PENALTY), wrong=(float(np.log(10)), 2 * INIT_PENALTY))
def _init_loss(cross_entropy, penalty):
    cross_entropy, penalty = number(cross_entropy, "cross_entropy"), number(penalty, "penalty")
    ok_c, ok_p = within(cross_entropy, np.log(10), 0.005), within(penalty, INIT_PENALTY, 5e-4)
    if ok_c and ok_p:
        return True, ""
    if not ok_c:
        if within(cross_entropy, np.log10(10), 0.005) or within(cross_entropy, np.log2(10), 0.005):
            return False, "cross_entropy is off: the cross-entropy uses the natural logarithm."
        return False, ("cross_entropy is off: with equal logits the softmax gives every class the same probability; "
                       "the cross-entropy is minus the log of the right class's probability.")
    if within(penalty, 2 * INIT_PENALTY, 5e-4):
        return False, "penalty is off: the penalty is lambda / 2 times the sum of squares, not lambda times it."
    if within(penalty, 0.5e-3 * (128 + 10 * 64 * 2 / 64), 5e-4):
        return False, ("penalty is off: the output layer is initialised by Glorot's rule, uniform on "
                       "(-sqrt(6 / (n_in + n_out)), sqrt(6 / (n_in + n_out))), not by He's.")
    return False, ("penalty is off: the expected square of a weight is its variance (its mean is 0); add "
                   "variance times number of weights over both layers, then multiply by lambda / 2.")
