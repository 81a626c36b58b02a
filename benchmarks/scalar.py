r"""The scalar engine: micrograd's two-moons demonstration, trained by micrograd and by ``mathcore``.

micrograd's ``demo.ipynb``: 100 points of ``make_moons(noise=0.1)`` with labels
:math:`\pm 1`, the network ``MLP(2, [16, 16, 1])`` (ReLU, ReLU, linear), the
hinge loss :math:`\frac1n\sum_i \max(0, 1 - y_i s_i)` plus
:math:`\alpha\sum p^2` over every parameter (biases too) with
:math:`\alpha = 10^{-4}`, full batch, and plain gradient descent with the
learning rate :math:`1 - 0.9k/100` at step :math:`k`. The same steps are taken,
from the same weights, by

- **micrograd** (its ``Value`` engine, one Python object per scalar);
- **mathcore (arrays)**: ``mathcore.layers.dense_forward`` / ``dense_backward``
  and the activation registry's ReLU. ``mathcore.MLP`` cannot express this
  demonstration: the hinge loss is not one of its losses and its penalty
  spares the biases, so the loss is written out here in NumPy;
- **mathcore.autodiff**: the book's scalar ``Value`` engine (Chapter 6), if present.

First the gradients of all three are checked equal on micrograd's initial
weights; then each trains for the same steps and its time per step is the
median over those steps. A step costs the same at any point of training
(the graph has the same size), so the first ``STEPS`` of the demonstration's
100 tell the time per step without micrograd's 100 slow steps.
"""

from __future__ import annotations

import random
import time

import numpy as np

from ._common import Config, compare, optional

SIZES = [2, 16, 16, 1]
ALPHA = 1e-4
N_SAMPLES = 100
STEPS = 10
SEED = 1337


def learning_rate(k: int) -> float:
    return 1.0 - 0.9 * k / 100


def moons(n_samples: int = N_SAMPLES):
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=n_samples, noise=0.1, random_state=SEED)  # (100, 2), (100,)
    return X, (2 * y - 1).astype(np.float64)  # labels -1, +1


def initial_params() -> list[np.ndarray]:
    """micrograd's initialisation (uniform(-1, 1) weights, zero biases), drawn with its ``random`` calls."""
    rng = random.Random(SEED)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        W = np.array([[rng.uniform(-1, 1) for _ in range(n_in)] for _ in range(n_out)])  # (n_out, n_in)
        params += [W, np.zeros(n_out)]
    return params


# --- mathcore, arrays ---------------------------------------------------------------------------


def mathcore_loss_and_gradients(params, X, y):
    """Cost and gradients of the demonstration with ``mathcore.layers`` and the ReLU of ``mathcore.activations``."""
    from mathcore import activations
    from mathcore.layers import dense_backward, dense_forward

    relu = activations.get("relu")
    A, cache = X, []
    n_layers = len(params) // 2
    for l in range(n_layers):
        Z = dense_forward(A, params[2 * l], params[2 * l + 1])  # (n, n_l)
        cache.append((A, Z))
        A = relu(Z) if l < n_layers - 1 else Z
    s = Z[:, 0]  # (n,) scores
    margins = 1.0 - y * s  # (n,)
    cost = np.mean(np.maximum(margins, 0.0)) + ALPHA * sum(np.vdot(p, p) for p in params)
    delta = (-(y * (margins > 0)) / y.size)[:, None]  # (n, 1): d cost / d s, hinge' = 0 at the kink
    grads = [None] * len(params)
    for l in range(n_layers - 1, -1, -1):
        A_prev, _ = cache[l]
        dX, dW, db = dense_backward(delta, A_prev, params[2 * l])
        grads[2 * l] = dW + 2 * ALPHA * params[2 * l]
        grads[2 * l + 1] = db + 2 * ALPHA * params[2 * l + 1]
        if l > 0:
            delta = dX * relu.derivative(cache[l - 1][1])  # (n, n_l)
    return float(cost), grads


class MathcoreTrainer:
    def __init__(self, params, X, y):
        self.params, self.X, self.y = [p.copy() for p in params], X, y

    def step(self, k: int) -> float:
        cost, grads = mathcore_loss_and_gradients(self.params, self.X, self.y)
        for p, g in zip(self.params, grads):
            p -= learning_rate(k) * g
        return cost

    def gradients(self):
        return mathcore_loss_and_gradients(self.params, self.X, self.y)


# --- micrograd and mathcore.autodiff: the demonstration's own code, for either Value class ---------


class ScalarTrainer:
    """micrograd's demonstration loop for a ``Value`` class with ``relu``, ``+``, ``*`` and ``backward``."""

    def __init__(self, Value, params, X, y, resets_grads: bool):
        self.Value, self.X, self.y = Value, X, y
        self.resets_grads = resets_grads  # mathcore.autodiff's backward zeroes the graph's grads itself
        self.layers = []  # per layer: (rows of weight Values, bias Values)
        for l in range(len(params) // 2):
            W, b = params[2 * l], params[2 * l + 1]
            self.layers.append(([[Value(float(w)) for w in row] for row in W], [Value(float(v)) for v in b]))
        self.parameters = [p for rows, bs in self.layers for row, b in zip(rows, bs) for p in (*row, b)]

    def _forward(self, x):
        for l, (rows, bs) in enumerate(self.layers):
            # micrograd's Neuron: sum((wi*xi for wi, xi in zip(w, x)), b)
            out = [sum((wi * xi for wi, xi in zip(row, x)), b) for row, b in zip(rows, bs)]
            x = [o.relu() for o in out] if l < len(self.layers) - 1 else out
        return x[0]

    def loss(self):
        inputs = [[self.Value(float(v)) for v in row] for row in self.X]
        scores = [self._forward(x) for x in inputs]
        losses = [(1 + -float(yi) * si).relu() for yi, si in zip(self.y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        return data_loss + ALPHA * sum(p * p for p in self.parameters)

    def _backward(self):
        cost = self.loss()
        if self.resets_grads:
            for p in self.parameters:
                p.grad = 0
        cost.backward()
        return cost

    def step(self, k: int) -> float:
        cost = self._backward()
        for p in self.parameters:
            p.data -= learning_rate(k) * p.grad
        return cost.data

    def gradients(self):
        cost = self._backward()
        grads = []
        for rows, bs in self.layers:
            grads += [np.array([[w.grad for w in row] for row in rows]), np.array([b.grad for b in bs])]
        return cost.data, grads


def run(config: Config) -> dict:
    # a quick run takes 10 points and 2 steps: micrograd needs ~1 s per step of the full demonstration
    X, y = moons(10 if config.quick else N_SAMPLES)
    params = initial_params()
    steps = 2 if config.quick else STEPS
    trainers = {"mathcore": MathcoreTrainer(params, X, y)}
    micrograd = optional("micrograd.engine", config)
    if micrograd is not None:
        trainers["micrograd"] = ScalarTrainer(micrograd.Value, params, X, y, resets_grads=True)
    autodiff = optional("mathcore.autodiff", config)
    if autodiff is not None:
        trainers["mathcore.autodiff"] = ScalarTrainer(autodiff.Value, params, X, y, resets_grads=False)

    ref_cost, ref_grads = trainers["mathcore"].gradients()
    checks = {}
    for name, trainer in trainers.items():
        if name == "mathcore":
            continue
        cost, grads = trainer.gradients()
        # float64 sums of at most 16 terms in a different order: agreement to ~1e-15
        agreement = compare(grads, ref_grads, rtol=1e-10, atol=1e-12)
        checks[name] = {**agreement.as_dict(), "cost_difference": abs(cost - ref_cost)}
        if not agreement.ok:
            raise AssertionError(f"{name}'s gradients differ from mathcore's: {agreement}")

    results = {}
    for name, trainer in trainers.items():
        config.log(f"  scalar: {name}, {steps} steps")
        seconds, costs = [], []
        for k in range(steps):
            start = time.perf_counter()
            costs.append(trainer.step(k))
            seconds.append(time.perf_counter() - start)
        results[name] = {"median_ms": float(np.median(seconds)) * 1e3, "steps": steps, "final_cost": costs[-1]}
    base = results["mathcore"]["median_ms"]
    for name in results:
        results[name]["times_mathcore"] = results[name]["median_ms"] / base
    return {"steps": steps, "n_samples": int(X.shape[0]), "sizes": SIZES, "checks": checks, "results": results,
            "micrograd": "installed" if micrograd is not None else None,
            "autodiff": autodiff is not None}
