"""The optimisers of Chapter 5 on the capstone's network: test accuracy and training time, side by side.

The capstone's task and network (Chapter 8: the digits, ``MLP([64, 64, 10])`` with ReLU
and softmax, batch 32, the book's ``l2 = 1e-3``, 20 epochs) trained by
:class:`~mathcore.optim.SGD`, :class:`~mathcore.optim.Momentum` (β = 0.9),
:class:`~mathcore.optim.RMSProp` (ρ = 0.9) and :class:`~mathcore.optim.Adam`
(β₁ = 0.9, β₂ = 0.999). A fair comparison tunes each one: its learning rate is chosen
from a grid of five by validation accuracy (a stratified quarter of the training part,
as Chapter 8 chooses its own; the test part is not looked at), then it is trained on
the whole training part with five seeds (initialisation and shuffling), and the test
accuracy of each is reported (median and range over the seeds) with the median time of a fit.
"""

from __future__ import annotations

import time

import numpy as np

from ._common import Config

EPOCHS, BATCH, L2, HIDDEN = 20, 32, 1e-3, 64
SEEDS = (0, 1, 2, 3, 4)
#: optimiser -> (its constructor's keyword arguments besides lr, the learning rates tried)
GRIDS = {
    "SGD": ({}, (0.05, 0.1, 0.2, 0.5, 1.0)),
    "Momentum": ({"beta": 0.9}, (0.005, 0.01, 0.02, 0.05, 0.1)),
    "RMSProp": ({"decay": 0.9}, (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)),
    "Adam": ({"beta1": 0.9, "beta2": 0.999}, (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)),
}


def _fit(name: str, lr: float, X, y, seed: int, epochs: int):
    from mathcore import MLP, optim

    kwargs, _ = GRIDS[name]
    net = MLP([X.shape[1], HIDDEN, 10], activation="relu", output="softmax", seed=seed)
    start = time.perf_counter()
    optim.train(net, X, y, getattr(optim, name)(lr, **kwargs), epochs=epochs, batch_size=BATCH, l2=L2, seed=seed)
    return net, time.perf_counter() - start


def _accuracy(net, X, y) -> float:
    return float(np.mean(net.predict(X) == y))


def run(config: Config) -> dict:
    from mathcore import data

    epochs, seeds = (2, SEEDS[:1]) if config.quick else (EPOCHS, SEEDS)
    split = data.digits(test_size=0.25, seed=0)
    X_fit, X_val, y_fit, y_val = data.stratified_split(split.X_train, split.y_train, test_size=0.25, seed=0)
    results = {}
    for name, (_, grid) in GRIDS.items():
        config.log(f"  optimizers: {name}, choosing the learning rate")
        validation = {lr: _accuracy(_fit(name, lr, X_fit, y_fit, 0, epochs)[0], X_val, y_val) for lr in grid}
        best = max(grid, key=lambda lr: (validation[lr], -lr))  # ties: the smaller step
        accuracies, seconds = [], []
        for seed in seeds:
            config.log(f"  optimizers: {name}, lr {best:g}, seed {seed}")
            net, s = _fit(name, best, split.X_train, split.y_train, seed, epochs)
            accuracies.append(_accuracy(net, split.X_test, split.y_test))
            seconds.append(s)
        results[name] = {"lr": best, "validation": {f"{lr:g}": a for lr, a in validation.items()},
                         "test_accuracy": accuracies, "median_accuracy": float(np.median(accuracies)),
                         "median_s": float(np.median(seconds))}
    return {"epochs": epochs, "seeds": list(seeds), "batch_size": BATCH, "l2": L2, "hidden": HIDDEN,
            "n_train": int(split.X_train.shape[0]), "n_test": int(split.X_test.shape[0]), "results": results}
