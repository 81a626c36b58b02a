"""The capstone's claim, at least 97% test accuracy, does not hang on the last bits of one run.

The chapter trains one network from one seed and asserts the accuracy. A reader's
CPU may round matrix products and exponentials differently from ours (another
OpenBLAS kernel, other SIMD code in NumPy), so their run is a slightly perturbed
copy of ours. Here the initial weights are perturbed by relative amounts of 1e-9,
some ten million times float64's rounding (1.1e-16), and every run must still pass.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from mathcore import data, metrics, optim
from mathcore.network import MLP

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "08_capstone.ipynb"
NAMES = ("SIZES", "LAMBDA", "ETA", "BETA", "BATCH", "EPOCHS")


def chapter_settings() -> dict:
    """The hyperparameters as the chapter's code cells assign them (top-level literals)."""
    nb = nbformat.read(CHAPTER, as_version=4)
    settings = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^([A-Z_]+(?:, [A-Z_]+)*) = (.+?)(?:  #.*)?$", line)
            names = m.group(1).split(", ") if m else []
            if set(names) & set(NAMES):
                values = ast.literal_eval(m.group(2))
                values = values if len(names) > 1 else (values,)
                settings.update({n: v for n, v in zip(names, values) if n in NAMES and n not in settings})
    assert set(settings) == set(NAMES), f"not found in {CHAPTER.name}: {set(NAMES) - set(settings)}"
    return settings


@pytest.mark.parametrize("perturbation", [1, 2, 3])  # the unperturbed run is the chapter's own (nbval)
def test_capstone_accuracy_survives_perturbed_weights(perturbation):
    s = chapter_settings()
    split = data.digits(test_size=0.25, seed=0)
    model = MLP(s["SIZES"], activation="relu", output="softmax", seed=0)
    rng = np.random.default_rng(perturbation)
    model.params = [p * (1 + 1e-9 * rng.standard_normal(p.shape)) for p in model.params]
    with threadpool_limits(limits=1, user_api="blas"):  # as the chapter runs
        optim.train(model, split.X_train, split.y_train, optim.Momentum(s["ETA"], s["BETA"]), s["EPOCHS"],
                    batch_size=s["BATCH"], l2=s["LAMBDA"], seed=0)
    accuracy = metrics.accuracy(split.y_test, model.predict(split.X_test))
    assert accuracy >= 0.97, f"perturbation {perturbation}: {accuracy:.4f}"
