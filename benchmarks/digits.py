r"""Training to accuracy: the capstone's digits task, ``mathcore`` against scikit-learn's ``MLPClassifier``.

Both train one hidden layer of ReLU units with softmax cross-entropy by
minibatch SGD with heavy-ball momentum, on the same standardised split
(:func:`mathcore.data.digits`), for the same number of epochs:

- scikit-learn: ``solver="sgd"``, ``momentum=β``, ``nesterovs_momentum=False``,
  constant ``learning_rate_init=η``, ``batch_size=B``, ``alpha``, ``max_iter``
  epochs, ``shuffle=True``; early stopping is off and ``n_iter_no_change`` equals
  the number of epochs, so neither library stops early.
- mathcore: :func:`mathcore.optim.train` with :class:`~mathcore.optim.Momentum`
  ``(η, β)`` and ``l2 = alpha / B``: scikit-learn adds
  :math:`\frac{\alpha}{2B}\lVert W\rVert^2` to a minibatch's mean loss, the book
  :math:`\frac{\lambda}{2}\lVert W\rVert^2` (Chapter 8 derives the conversion; a
  smaller last minibatch gets a slightly larger penalty in scikit-learn).
  scikit-learn's update :math:`u \leftarrow \beta u - \eta g` is the book's
  :math:`v \leftarrow \beta v + g,\ \theta \leftarrow \theta - \eta v` with :math:`u = -\eta v`.

They differ only where the libraries do: the initialisation (He normal in
mathcore, Glorot uniform in scikit-learn) and the shuffling. ``train`` also
records the full training loss after every epoch, one extra forward pass over
the training set per epoch.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import asdict, dataclass

import numpy as np

from ._common import Config, optional


@dataclass(frozen=True)
class Setup:
    """The capstone's (Chapter 8) hyperparameters: ``MLP([64, 64, 10])``, η, β, batch, λ = 1e-3, epochs."""

    hidden: int = 64
    lr: float = 0.05
    momentum: float = 0.9
    batch_size: int = 32
    alpha: float = 0.032  # scikit-learn's; the book's l2 = alpha / batch_size = 1e-3
    epochs: int = 20
    seed: int = 0


def _mathcore(split, setup: Setup, dtype: str = "float64"):
    from mathcore import MLP
    from mathcore.optim import Momentum, train

    net = MLP([split.X_train.shape[1], setup.hidden, 10], activation="relu", output="softmax",
              seed=setup.seed, dtype=dtype)
    start = time.perf_counter()
    train(net, split.X_train, split.y_train, Momentum(setup.lr, setup.momentum), epochs=setup.epochs,
          batch_size=setup.batch_size, l2=setup.alpha / setup.batch_size, seed=setup.seed)
    seconds = time.perf_counter() - start
    return seconds, float(np.mean(net.predict(split.X_test) == split.y_test))


def _sklearn(split, setup: Setup):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(setup.hidden,), activation="relu", solver="sgd",
                        learning_rate="constant", learning_rate_init=setup.lr, momentum=setup.momentum,
                        nesterovs_momentum=False, batch_size=setup.batch_size, alpha=setup.alpha,
                        max_iter=setup.epochs, shuffle=True, random_state=setup.seed, early_stopping=False,
                        tol=0.0, n_iter_no_change=setup.epochs)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # it ran max_iter epochs, as asked
        clf.fit(split.X_train, split.y_train)
    seconds = time.perf_counter() - start
    assert clf.n_iter_ == setup.epochs, clf.n_iter_
    return seconds, float(clf.score(split.X_test, split.y_test))


def run(config: Config) -> dict:
    from mathcore.data import digits

    setup = Setup(epochs=2) if config.quick else Setup()
    repeats = 1 if config.quick else 3
    split = digits(seed=setup.seed)
    sklearn = optional("sklearn", config)
    runs = {"mathcore": lambda: _mathcore(split, setup),
            "mathcore_float32": lambda: _mathcore(split, setup, "float32")}
    if sklearn is not None:
        runs["sklearn"] = lambda: _sklearn(split, setup)
    results: dict = {name: {"seconds": [], "accuracy": None} for name in runs}
    for r in range(repeats):  # interleaved, so that a burst of load hits every library alike
        for name, f in runs.items():
            config.log(f"  digits: {name}, run {r + 1}/{repeats}")
            seconds, accuracy = f()
            results[name]["seconds"].append(seconds)
            results[name]["accuracy"] = accuracy  # the same every run: seeded
    for name in runs:
        results[name]["median_s"] = float(np.median(results[name]["seconds"]))
    if sklearn is None:
        results["sklearn"] = None
    return {"setup": asdict(setup), "n_train": int(split.X_train.shape[0]), "n_test": int(split.X_test.shape[0]),
            "sklearn_version": sklearn.__version__ if sklearn is not None else None, "results": results}
