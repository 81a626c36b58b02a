"""Feed bad input to every public function of mathcore and classify what happens.

Usage::

    nice -n 19 python tools/fuzz.py --budget 60 --seed 0 --json fuzz.json
    nice -n 19 python tools/fuzz.py --full --json fuzz.json

What is fuzzed
--------------
Every name in the ``__all__`` of ``mathcore`` and of each of its public modules
and subpackages, found with :mod:`pkgutil` (a module whose name has a part
starting with ``_`` is private): functions, class constructors and the public
methods of classes (names without a leading ``_``, plus ``__call__``). An
object exported by several modules is fuzzed once, under the public module
that defines it (else the first that exports it). Not fuzzed, with the reason
kept in the report: exception classes, names that are not mathcore code
(SymPy function symbols), and record types (a ``NamedTuple`` or a dataclass
with no ``__post_init__``: containers without checks by design, validated
where they are consumed; their methods are fuzzed). ``mathcore.assign.main``
and ``mathcore.grade.main`` are driven as command lines instead (:data:`CLI_CASES`).

For each target a *valid call* is built first, each argument from the first
of: :data:`CALLS` (argument sets by target, for arguments that depend on each
other), the signature's default (unless it is ``None`` and :data:`VALUES` has
the name), :data:`VALUES` (a valid example per parameter name). Every call
gets fresh values. Methods are called on a fresh instance (:data:`INSTANCES`,
else the valid constructor call); a ``@contextmanager`` result is entered, a
decorator factory's decorator applied (:data:`POST_CALL`). The valid call must
succeed; a target where none can be built is reported as "not fuzzed: no valid
call" with the reason (none at present). Then each argument, one at a time, is
replaced by each value of the battery (:data:`BATTERY`) that fits the kind of
its valid value (array, float, int, bool, str, int list, callable, other
object): for an array, NaN and the infinities go into its last element; for
``*args``, the last value is replaced. The kinds are ``nan``, ``inf``,
``-inf``, ``None``, ``string`` (for a str parameter, an unknown name),
``true``/``false`` (for numbers), ``bool-array``, ``complex``, ``ragged``,
``object-array``, ``wrong-shape`` (three extra axes; a 1-d array for a
scalar), ``empty``, ``huge-int`` (``10**400``), ``negative`` and ``zero``
(integers and size lists). Parameters whose name starts with ``_`` and
``**kwargs`` are left alone.

How a call is classified
------------------------
``clear``
    It raised ``ValueError`` or ``TypeError`` (or a subclass, such as a
    documented mathcore error class) whose message names the argument: the
    parameter's name appears in it as a word (:func:`names_argument`; a name
    that is also an English word, such as ``a``, must be used as a name), or
    the word its messages use for it (:data:`ALIASES`, e.g. ``mode``), or the
    value of the parameter that names it (:data:`NAMED_BY`, e.g.
    ``number(value, name)``).
``unclear``
    Any other exception, or a ``ValueError``/``TypeError`` that does not name
    the argument. Counted apart (``internal``): NumPy's, Python's or another
    library's own messages, i.e. the traceback's last frame is outside
    mathcore, or is a mathcore line that is not a ``raise`` statement (an
    operator or a compiled function raised it).
``silent``
    It returned normally although the bad value must be refused. Accepted by
    design (returning normally is then not a finding, and the call is counted
    as ``accepted``, outside the five categories):

    * a boolean array where real numbers are expected (NumPy's ``True == 1``);
    * ``None`` for a parameter whose default is ``None``, or that is documented to take it
      (:data:`NONE_OK`);
    * any string for a free-text parameter (:data:`FREE_TEXT`: titles, labels);
    * zero for an integer that may be zero (:data:`ZERO_OK`: seeds, indices);
    * a huge integer for a seed (:data:`HUGE_OK`: NumPy takes seeds of any size);
    * anything for an argument that takes any value (:data:`ANY_VALUE`: an
      exercise's answer gets a verdict, a slider looks a value up);
    * a string for a SymPy argument (``sympify`` parses strings);
    * any shape, and the empty array, for elementwise parameters (:data:`ANY_SHAPE`);
    * a ragged list for a list of arrays (:data:`LIST_OF_ARRAYS`);
    * NaN and infinities where the documentation allows non-finite values
      (:data:`NONFINITE_OK`).
``warning``
    It emitted a warning (``RuntimeWarning``, ``ComplexWarning`` or any other,
    except a ``DeprecationWarning`` raised outside mathcore) that its valid
    call does not emit, and was otherwise clear or accepted. ``hang``,
    ``unclear`` and ``silent`` take precedence over it.
``hang``
    It did not finish within the per-call limit (``--timeout``), or it killed
    its worker (a crash; the message says which). The worker is restarted.

``mathcore.assign.main`` is run in the worker on each of its :data:`CLI_CASES`,
built in a fresh temporary folder from a copy of ``book/01_neurons.ipynb``
(not JSON, an empty file, a directory, a missing file, an unclosed
``{solution}`` block, an orphan ``solution-end``, a missing ``solution-end``,
``--out`` under a regular file, ``--out`` holding a symbolic link to the
input, the same notebook twice), and classified by its exit: status 2 with a
one-line message on stderr is clear, a traceback (or any other status) is
unclear, status 0 on a malformed input is silent. Its valid case must exit 0.
``mathcore.grade.main`` is run the same way on its own cases (an unknown
chapter, a submissions "folder" that is a file, ``--out`` inside the
submissions or a file, a key file that is not a key, ``--make-key`` onto an
existing file), with an empty submissions folder, so no kernel starts.

Known findings
--------------
``--write-known FILE`` writes a run's findings (unclear, silent, warning, hang)
one per line as ``target argument kind category``; :func:`compare_known` holds a
later run to such a list both ways (new findings, and listed ones that no longer
occur). ``tests/test_fuzz.py`` used one as a ratchet until mathcore had no
findings left; it now requires none.

Isolation
---------
Calls run in at most two persistent worker processes (each serves many
calls), started in a temporary working folder with the Agg backend; after each
call a worker closes its figures, restores Matplotlib's settings, the widget
mode and the contents of every registry (a module-level ``dict`` in an
``__all__``). A call past its limit, or a crash, costs the worker; it is
killed with its process group and replaced.

Order and budget
----------------
First every target's valid call; then one bad value per (target, argument),
chosen and ordered by ``--seed``; then every other call, in a seeded random
order. ``--budget`` seconds stops the scheduling of new calls, so a short
budget covers every argument of every target once before it covers more; a
call still running ``GRACE_S`` seconds after the budget is cut off and not
recorded (it was not run). ``--full`` runs every call.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import inspect
import io
import json
import math
import numbers
import os
import pkgutil
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = ("clear", "unclear", "silent", "warning", "hang")
FINDINGS = ("unclear", "silent", "warning", "hang")
DEFAULT_TIMEOUT_S = 20.0
#: Seconds a call still running when the budget is spent may go on before it is cut off (and not recorded).
GRACE_S = 5.0
MAX_WORKERS = 2

# --------------------------------------------------------------------------------------------
# Enumeration
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    """One thing to call: ``module:qualname`` (a function, a class, or ``Class.method``)."""

    id: str  # e.g. "mathcore.network.MLP.forward"
    module: str  # the module to import
    qualname: str  # "MLP.forward"; "MLP" is the constructor
    kind: str  # "function", "constructor", "method" or "cli"

    @property
    def group(self) -> str:
        """The summary row: the first two parts of the id (``mathcore.widgets``)."""
        parts = self.id.split(".")
        return ".".join(parts[:2]) if len(parts) > 2 else parts[0]


def _private(name: str) -> bool:
    return any(part.startswith("_") for part in name.split("."))


def public_modules(package: str = "mathcore") -> list:
    """The package and every public module under it, imported."""
    top = importlib.import_module(package)
    mods = [top]
    if hasattr(top, "__path__"):
        for info in pkgutil.walk_packages(top.__path__, package + "."):
            if not _private(info.name):
                mods.append(importlib.import_module(info.name))
    return mods


def _is_record(cls) -> bool:
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        return True
    return dataclasses.is_dataclass(cls) and not hasattr(cls, "__post_init__")


def _methods(cls) -> list[str]:
    names = []
    for name, value in vars(cls).items():
        if name.startswith("_") and name != "__call__":
            continue
        if inspect.isfunction(value) or isinstance(value, (staticmethod, classmethod)):
            names.append(name)
    return sorted(names)


def enumerate_api(package: str = "mathcore") -> tuple[list[Target], dict[str, str]]:
    """Every target to fuzz, and the names not fuzzed by design with the reason."""
    mods = public_modules(package)
    exported: dict[int, tuple[object, list[str], str]] = {}
    for mod in mods:
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            if inspect.ismodule(obj) or not callable(obj):
                continue
            entry = exported.setdefault(id(obj), (obj, [], name))
            entry[1].append(mod.__name__)
    targets: list[Target] = []
    skipped: dict[str, str] = {}
    for obj, modnames, name in exported.values():
        home = getattr(obj, "__module__", "") or ""
        modname = home if home in modnames else modnames[0]
        tid = f"{modname}.{name}"
        if not home.startswith(package):
            skipped[tid] = f"not {package} code (defined in {home or 'an unknown module'})"
            continue
        if inspect.isclass(obj):
            if issubclass(obj, BaseException):
                skipped[tid] = "an exception class: any message is a valid one"
            elif _is_record(obj):
                skipped[tid] = "a record type with no checks by design, validated where it is consumed"
            else:
                targets.append(Target(tid, modname, name, "constructor"))
            for meth in _methods(obj):
                targets.append(Target(f"{tid}.{meth}", modname, f"{name}.{meth}", "method"))
        elif tid in CLI_TARGETS:
            targets.append(Target(tid, modname, name, "cli"))
        else:
            targets.append(Target(tid, modname, name, "function"))
    targets.sort(key=lambda t: t.id)
    return targets, dict(sorted(skipped.items()))


# --------------------------------------------------------------------------------------------
# Valid calls
# --------------------------------------------------------------------------------------------


class NoValidCall(Exception):
    """No valid value is known for a parameter."""


def _np():
    import numpy as np

    return np


def _X():
    return _np().array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # (4, 2): the logic-gate inputs


def _Y():
    return _np().array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])  # (4, 2)


def _mlp():
    from mathcore.network import MLP

    return MLP([2, 3, 2], activation="tanh", output="softmax")


def _params():
    np = _np()
    return [np.array([[0.5, -0.5], [1.0, 0.2], [-0.3, 0.8]]), np.array([0.1, 0.0, -0.1]),
            np.array([[1.0, -1.0, 0.5], [0.2, 0.3, -0.4]]), np.array([0.0, 0.1])]  # W1 (3, 2), b1, W2 (2, 3), b2


def _ax():
    from matplotlib.figure import Figure

    return Figure().add_subplot()


def _fig():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 2), dpi=40)
    fig.add_subplot().plot([0, 1], [0, 1])
    return fig


def _png():
    from mathcore import plotting

    return plotting.rgba_to_png(_np().zeros((4, 4, 4), dtype=_np().uint8))


def _runs():
    np = _np()
    from mathcore.widgets import TrainingCurves

    def curves(lr, l2):
        e = np.arange(1, 4)
        loss = 1.0 / (e * (1 + lr)) + l2
        acc = np.clip(0.8 + 0.05 * e * lr, 0, 1)
        return TrainingCurves(loss, loss * 1.1, acc, acc - 0.01)

    return {(lr, l2): curves(lr, l2) for lr in (0.01, 0.1) for l2 in (0.0, 1e-3)}


def _value_graph():
    from mathcore.autodiff import Value

    a, b = Value(2.0, "a"), Value(-1.0, "b")
    out = (a * b + a).tanh()
    out.backward()
    return out


def _derivation(cls_name="Derivation"):
    from mathcore import derivations

    for d in derivations.DERIVATIONS.values():
        if type(d).__name__ == cls_name:
            return d
    raise NoValidCall(f"no registered {cls_name}")


def _chain_fields(chain):
    """A Chain's constructor arguments: its label, chapter, title, steps and shared settings."""
    return {"label": chain.label, "chapter": chain.chapter, "title": chain.title, "steps": list(chain.steps),
            "definitions": chain.definitions, "domain": chain.domain, "points": chain.points,
            "prove": False}


def _definition_fields(d):
    """A Definition's constructor arguments, from a registered one."""
    return {"label": d.label, "chapter": d.chapter, "title": d.title, "lhs": d.lhs, "rhs": d.rhs, "code": d.code,
            "code_name": d.code_name, "sizes": d.sizes, "arguments": d.arguments, "definitions": d.definitions,
            "domain": d.domain, "points": d.points, "assumptions": d.assumptions}


def _render(x=1.0):
    return _fig()


def _sliders():
    from mathcore.widgets import Slider

    return {"x": Slider((0.0, 1.0), 0.0, "x")}


def _ridge_data():
    np = _np()
    x = np.linspace(0, 1, 8)
    return {"x": x, "y": np.sin(3 * x), "x_test": x + 0.05, "y_test": np.sin(3 * (x + 0.05))}


def _gradcheck():
    np = _np()
    p = np.array([[1.0, -2.0], [0.5, 3.0]])
    return {"f": lambda: float(np.sum(p ** 2)), "params": [p], "analytic": [2 * p]}


#: A valid example for each parameter name (a factory: every call gets a fresh value).
VALUES: dict[str, object] = {
    "x": lambda: _np().linspace(-1.0, 1.0, 5),
    "z": lambda: _np().array([[0.5, -1.0, 2.0], [0.0, 1.5, -0.5]]),
    "X": _X, "Y": _Y, "dZ": lambda: _np().ones((4, 3)),
    "y": lambda: _np().array([0.0, 0.0, 0.0, 1.0]),
    "w": lambda: _np().array([1.0, 1.0]), "b": lambda: -1.5,
    "W": lambda: _np().array([[0.5, -0.5], [1.0, 0.2], [-0.3, 0.8]]),
    "w0": lambda: _np().zeros(2),
    "lr": lambda: 0.1, "lr0": lambda: 0.1, "l2": lambda: 0.01, "l1": lambda: 0.01, "momentum": lambda: 0.5,
    "beta": lambda: 0.9, "seed": lambda: 0, "n": lambda: 10, "p": lambda: 0.5, "h": lambda: 1e-5,
    "sizes": lambda: [2, 3, 2], "labels": lambda: _np().array([0, 2, 1, 2]), "logits": lambda: (2.0, 1.0, -1.0),
    "n_classes": lambda: 3, "epochs": lambda: 2, "steps": lambda: 3, "batch_size": lambda: 2,
    "temperature": lambda: 1.5, "degree": lambda: 3, "name": lambda: "x", "label": lambda: "a",
    "title": lambda: "A title", "alt": lambda: "A figure", "xlabel": lambda: "x", "ylabel": lambda: "y",
    "ax": _ax, "fig": _fig, "png_bytes": _png, "rng": lambda: _np().random.default_rng(0),
    "model": _mlp, "net": _mlp, "optimizer": lambda: __import__("mathcore.optim").optim.SGD(0.1),
    "params": _params, "grads": _params, "weights": lambda: [_np().ones((2, 2))], "strength": lambda: 0.1,
    "f": lambda: _np().sin, "predict_fn": lambda: (lambda P: (P[:, 0] > 0).astype(int)),
    "grad": lambda: (lambda v: 2 * v), "x0": lambda: _np().ones(2), "curvatures": lambda: (1.0, 10.0),
    "y_true": lambda: _np().array([0, 1, 1, 0, 1]), "y_pred": lambda: _np().array([0, 1, 0, 0, 1]),
    "M": lambda: _np().array([[3, 1], [2, 4]]), "n_units": lambda: 4, "units": lambda: 4,
    "knots": lambda: _np().array([0.0, 0.5, 1.0]), "values": lambda: _np().array([0.0, 1.0, 0.5]),
    "edges": lambda: _np().array([0.25, 0.75]), "steepness": lambda: 10.0, "t": lambda: 0.5,
    "tol": lambda: 1e-6, "test_size": lambda: 0.5, "n_per_class": lambda: 10, "noise": lambda: 0.1,
    "activation": lambda: "tanh", "output": lambda: "softmax", "loss": lambda: "cross_entropy",
    "mode": lambda: "live", "gate": lambda: "AND", "step": lambda: 3, "drop": lambda: 0.5, "every": lambda: 2,
    "images": lambda: _np().zeros((3, 4, 4)), "titles": lambda: ["a", "b", "c"], "ncols": lambda: 2,
    "rgba": lambda: _np().zeros((4, 4, 4), dtype=_np().uint8), "value": lambda: 100.0, "axis": lambda: _ax().yaxis,
    "runs": _runs, "root": _value_graph, "data": lambda: __import__("mathcore.autodiff").autodiff.Value(2.0),
    "array": lambda: _np().ones((2, 2)), "analytic": lambda: _np().ones((2, 2)),
    "numeric": lambda: _np().ones((2, 2)), "l": lambda: 1, "shape": lambda: (2, 2), "k": lambda: 3,
    "n_directions": lambda: 2, "chapter": lambda: 1, "w1": lambda: 1.0, "w2": lambda: 1.0, "w11": lambda: 1.0,
    "w12": lambda: 1.0, "b1": lambda: -0.5, "b2": lambda: 1.5, "gain": lambda: 1.0, "shift": lambda: 0.0,
    "render": lambda: _render, "sliders": _sliders,
    "polygon": lambda: _np().array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]),
    "half_planes": lambda: [(_np().array([1.0, 1.0]), -0.5)], "got": lambda: 1.0, "want": lambda: 1.0,
    "lim": lambda: 2.0, "default": lambda: 0.0, "a": lambda: _np().ones((3, 4)), "nb": lambda: _notebook(),
}

#: Whole valid argument sets, by target id, for arguments that depend on each other.
CALLS: dict[str, object] = {
    "mathcore.layers.dense_forward": lambda: {"b": _np().zeros(3)},
    "mathcore.layers.check_layer": lambda: {"b": _np().zeros(3)},
    "mathcore.layers.forward": lambda: {"params": _params(), "activations": ["tanh", "softmax"]},
    "mathcore.widgets.ch2_layers.xor_outputs": lambda: {"params": __import__("mathcore.widgets").widgets.XOR_PARAMS},
    "mathcore.widgets.ch2_layers.NetworkDiagram.update": lambda: {"params": _params()},
    "mathcore.gradcheck.numerical_gradient": _gradcheck,
    "mathcore.gradcheck.check_gradients": _gradcheck,
    "mathcore.gradcheck.directional_check": _gradcheck,
    "mathcore.optim.minimize": lambda: {"f": lambda v: float(v @ v)},
    "mathcore.optim.SGD.step": lambda: {"params": [_np().ones((2, 2))], "grads": [_np().ones((2, 2))]},
    "mathcore.optim.Momentum.step": lambda: {"params": [_np().ones((2, 2))], "grads": [_np().ones((2, 2))]},
    "mathcore.optim.minibatches": lambda: {"n": 10, "batch_size": 4},
    "mathcore.losses.one_hot": lambda: {"labels": _np().array([0, 2, 1]), "n_classes": 3},
    "mathcore.losses.sigmoid_neuron_cost": lambda: {"x": _np().array([-1.0, 0.0, 1.0, 2.0]), "w": 0.5, "b": 0.1,
                                                    "loss": "binary_cross_entropy"},
    "mathcore.losses.sigmoid_neuron_gradient": lambda: {"x": _np().array([-1.0, 0.0, 1.0, 2.0]), "w": 0.5,
                                                        "b": 0.1, "loss": "binary_cross_entropy"},
    "mathcore.losses.get": lambda: {"name": "mse"},
    "mathcore.losses.Loss.__call__": lambda: {"y_pred": _np().array([0.2, 0.7]), "y_true": _np().array([0.0, 1.0])},
    "mathcore.losses.Loss.gradient": lambda: {"y_pred": _np().array([0.2, 0.7]), "y_true": _np().array([0.0, 1.0])},
    "mathcore.activations.get": lambda: {"name": "sigmoid"},
    "mathcore.regularization.get": lambda: {"name": "l2"},
    "mathcore.regularization.polynomial_features": lambda: {"x": _np().linspace(0, 1, 5), "degree": 3},
    "mathcore.regularization.ridge_path": lambda: {"l2s": _np().array([0.01, 0.1])},
    "mathcore.regularization.Penalty.__call__": lambda: {"weights": [_np().ones((2, 2))], "strength": 0.1},
    "mathcore.data.logic_gate": lambda: {"name": "AND"},
    "mathcore.data.stratified_split": lambda: {"X": _np().arange(16.0).reshape(8, 2),
                                               "y": _np().array([0, 1] * 4)},
    "mathcore.data.spirals": lambda: {"n_classes": 3},
    "mathcore.metrics.confusion_matrix": lambda: {"n_classes": 2},
    "mathcore.network.layer_gradient_norms": lambda: {"loss": None},
    "mathcore.optim.train": lambda: {"batch_size": 2, "loss": None, "validation": None, "callback": None},
    "mathcore.network.MLP": lambda: {"sizes": [2, 3, 2], "activation": "tanh", "output": "softmax"},
    "mathcore.network.MLP.loss": lambda: {"loss": None},
    "mathcore.network.MLP.loss_and_gradients": lambda: {"loss": None},
    "mathcore.neuron.neuron": lambda: {"activation": "step"},
    "mathcore.autodiff.Value": lambda: {"data": 2.0, "label": "a"},
    "mathcore.autodiff.parameters": lambda: {"name": "W"},
    "mathcore.autodiff.gradients": lambda: {"values": _value_graph().graph()},
    "mathcore.exercises.check": lambda: _exercise_args(),
    "mathcore.exercises.is_correct": lambda: _exercise_args(),
    "mathcore.exercises.number": lambda: {"value": 1.5, "name": "x"},
    "mathcore.exercises.within": lambda: {"got": 1.0, "want": 1.0, "tol": 1e-6},
    "mathcore.exercises.register": lambda: {"label": "fuzz.new", "right": (1.0,), "wrong": (2.0,)},
    "mathcore.derivations.get": lambda: {"label": _derivation().label},
    "mathcore.derivations.register": lambda: {"d": dataclasses.replace(_derivation(), label="fuzz.new")},
    "mathcore.derivations.unevaluated_sum": lambda: {"terms": _symbols()},
    "mathcore.derivations.ones": lambda: {"n": 3},
    "mathcore.derivations.Derivation": lambda: _fields(_derivation()),
    "mathcore.derivations.MatrixDerivation": lambda: _fields(_derivation("MatrixDerivation")),
    "mathcore.derivations.Chain": lambda: _chain_fields(_derivation("Chain")),
    "mathcore.derivations.Definition": lambda: _definition_fields(_derivation("Definition")),
    # the grader: a fresh key path each call, a key it wrote, and an empty class (no kernel is started)
    "mathcore.grade.make_key": lambda: {"keyfile": str(_fresh_path("key"))},
    "mathcore.grade.read_key": lambda: {"keyfile": _grade_key(_fresh_dir())},
    "mathcore.grade.grade": lambda: {"chapter": "04_losses", "submissions": _empty_dir(_fresh_dir()),
                                     "out": str(_fresh_path("out"))},
    "mathcore.grade.hidden_seed": lambda: {"key": bytes(range(32)), "label": "losses.stable-bce"},
    "mathcore.grade.grade_answer": lambda: {**_exercise_args(), "seed": 0},
    # the exports: the chapter with a key (bytes, as read_key returns it)
    "mathcore.assign.nbgrader_version": lambda: {"nb": _notebook(), "key": bytes(range(32))},
    "mathcore.assign.otter_version": lambda: {"nb": _notebook(), "key": bytes(range(32)), "name": "01_neurons"},
    "mathcore.grade.HiddenTest": lambda: {"make": lambda rng: ((rng.normal(size=3),),),
                                          "judge": lambda args, got: True},
    "mathcore.plotting.figure": lambda: {"title": "A title"},
    "mathcore.plotting.check_alt": lambda: {"alt": "A figure"},
    # labels: the legend's text of each class (VALUES["labels"] are the integer labels of mathcore.metrics)
    "mathcore.plotting.plot_points": lambda: {"X": _X(), "y": _np().array([0, 0, 0, 1]), "labels": ["no", "yes"]},
    "mathcore.plotting.plot_decision_region": lambda: {"xlim": (-1.0, 1.0), "ylim": (-1.0, 1.0), "resolution": 10},
    "mathcore.plotting.grid_labels": lambda: {"xlim": (-1.0, 1.0), "ylim": (-1.0, 1.0), "resolution": 10},
    "mathcore.plotting.plot_confusion_matrix": lambda: {"labels": ["a", "b"]},
    "mathcore.plotting.image_grid": lambda: {"title": "Digits"},
    "mathcore.plotting.log_axis": lambda: {"ticks": None},
    "mathcore.widgets.using_mode": lambda: {"value": "live"},
    "mathcore.widgets.set_mode": lambda: {"value": "live"},
    "mathcore.widgets.Slider": lambda: {"values": (0.0, 1.0), "default": 0.0, "label": "x"},
    "mathcore.widgets.Slider.index": lambda: {"value": 1.0},
    "mathcore.widgets.Slider.text": lambda: {"value": 1.0},
    "mathcore.widgets.render_frames": lambda: {"alt": "A figure", "max_frames": 10},
    "mathcore.widgets.interactive_figure": lambda: {"alt": "A figure", "mode": "live"},
    "mathcore.widgets.FigureBox": lambda: {"children": [], "mode": "live", "controls": {}},
    # "timing" is met here (CPython), so the valid call returns True and prints nothing
    "mathcore.runtime.available": lambda: {"need": "timing"},
    "mathcore.widgets.print_indices": lambda: {
        "spec": __import__("mathcore.widgets").widgets.Slider((0.0, 0.5, 1.0, 1.5, 2.0), 0.5, "x"), "count": 3},
    "mathcore.widgets.PrintedFigure": lambda: {
        "png": __import__("base64").b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="),
        "alt": "A one-pixel figure", "frames": [], "controls": {}},
    "mathcore.widgets.ch1_neurons.neuron_classes": lambda: {"b": -1.5},
    "mathcore.widgets.ch2_layers.clip_half_planes": lambda: {},
    "mathcore.widgets.ch2_layers.approximation_error": lambda: {"n_units": 4, "activation": "relu", "x": None},
    "mathcore.widgets.ch2_layers.ApproximationPlot.update": lambda: {"activation": "relu"},
    "mathcore.widgets.ch2_layers.ApproximationPlot.png": lambda: {"activation": "relu"},
    "mathcore.widgets.ch2_layers.ApproximationPlot.__call__": lambda: {"activation": "relu"},
    "mathcore.widgets.ch2_layers.curve_approximation": lambda: {"activation": "ReLU"},
    "mathcore.widgets.ch3_activations.depth_gradients": lambda: {"activations": ("tanh", "relu"), "gains": (1.0, 2.0),
                                                                 "depth": 3, "width": 4, "n": 4, "n_inputs": 3},
    "mathcore.widgets.ch3_activations.gradient_depth": lambda: {"data": _depth(), "activation": "tanh"},
    "mathcore.widgets.ch3_activations.temperature_summary": lambda: {"z": _np().array([2.0, 1.0, -1.0])},
    "mathcore.widgets.ch3_activations.SoftmaxBars": lambda: {"logits": (2.0, 1.0, -1.0), "classes": ("a", "b", "c")},
    "mathcore.widgets.ch4_losses.prediction_losses": lambda: {"p": 0.7, "y": 1.0},
    "mathcore.widgets.ch4_losses.LossCurves.update": lambda: {"p": 0.7, "y": 1.0},
    "mathcore.widgets.ch4_losses.LossCurves.png": lambda: {"p": 0.7, "y": 1.0},
    "mathcore.widgets.ch4_losses.LossCurves.__call__": lambda: {"p": 0.7, "y": 1.0},
    "mathcore.widgets.ch4_losses.loss_and_gradient": lambda: {"p": 0.7, "y": 1.0},
    "mathcore.widgets.ch4_losses.CostSurface": lambda: {"x": _np().array([-1.0, 0.0, 1.0, 2.0]),
                                                        "y": _np().array([0.0, 0.0, 1.0, 1.0]), "resolution": 11},
    "mathcore.widgets.ch4_losses.CostSurface.cost": lambda: {"w": 1.0, "b": 0.5},
    "mathcore.widgets.ch4_losses.CostSurface.update": lambda: {"w": 1.0, "b": 0.5},
    "mathcore.widgets.ch4_losses.CostSurface.png": lambda: {"w": 1.0, "b": 0.5},
    "mathcore.widgets.ch4_losses.CostSurface.__call__": lambda: {"w": 1.0, "b": 0.5},
    "mathcore.widgets.ch4_losses.cost_surface": lambda: {"x": _np().array([-1.0, 0.0, 1.0, 2.0]),
                                                         "y": _np().array([0.0, 0.0, 1.0, 1.0]), "w": 1.0, "b": 0.5},
    "mathcore.widgets.ch5_gradient_descent.quadratic_descent": lambda: {"steps": 5},
    "mathcore.widgets.ch6_backprop.WeightSlice": lambda: _weight_slice_args(),
    "mathcore.widgets.ch6_backprop.weight_slice": lambda: _weight_slice_args(),
    "mathcore.widgets.ch6_backprop.parameter_names": lambda: {"sizes": [2, 3, 2]},
    "mathcore.widgets.ch7_regularization.RidgePath": lambda: {**_ridge_data(), "degree": 3, "l2s": (1e-3, 1e-2, 1e-1)},
    "mathcore.widgets.ch7_regularization.RidgePath.index": lambda: {"l2": 1e-2},
    "mathcore.widgets.ch7_regularization.RidgePath.update": lambda: {"l2": 1e-2},
    "mathcore.widgets.ch7_regularization.RidgePath.png": lambda: {"l2": 1e-2},
    "mathcore.widgets.ch7_regularization.RidgePath.alt": lambda: {"l2": 1e-2},
    "mathcore.widgets.ch7_regularization.RidgePath.__call__": lambda: {"l2": 1e-2},
    "mathcore.widgets.ch7_regularization.penalty_strength": lambda: {**_ridge_data(), "degree": 3, "l2": 1e-2},
    "mathcore.widgets.ch8_capstone.LearningCurves": lambda: {"epochs": None, "background": None},
    "mathcore.widgets.ch8_capstone.learning_curves": lambda: {"lr": 0.1, "l2": 1e-3, "epochs": None,
                                                              "background": None},
}
for _cls in ("LearningCurves.curves", "LearningCurves.update", "LearningCurves.summary", "LearningCurves.warning",
             "LearningCurves.png", "LearningCurves.__call__"):
    CALLS[f"mathcore.widgets.ch8_capstone.{_cls}"] = lambda: {"lr": 0.1, "l2": 1e-3}
for _cls in ("WeightSlice.evaluate", "WeightSlice.update", "WeightSlice.png", "WeightSlice.alt",
             "WeightSlice.__call__"):
    CALLS[f"mathcore.widgets.ch6_backprop.{_cls}"] = lambda: {"name": _weight_name(), "shift": 0.5}
for _cls in ("GradientDepthFigure.update", "GradientDepthFigure.png", "GradientDepthFigure.alt",
             "GradientDepthFigure.__call__", "DepthGradients.index"):
    CALLS[f"mathcore.widgets.ch3_activations.{_cls}"] = lambda: {"activation": "tanh", "gain": 1.0}
CALLS["mathcore.widgets.ch3_activations.GradientDepthFigure"] = lambda: {"data": _depth()}
CALLS["mathcore.network.initial_weights"] = lambda: {"n_in": 3, "n_out": 2, "scheme": "glorot",
                                                     "rng": _np().random.default_rng(0)}
CALLS["mathcore.widgets.ch3_activations.init_scales"] = lambda: {"activations": ("tanh", "relu"), "gains": (1.0, 2.0),
                                                                 "depths": (1, 3), "width": 4, "n": 4}
CALLS["mathcore.widgets.ch3_activations.init_depth"] = lambda: {"data": _init(), "gain": 1.0, "depth": 5}
CALLS["mathcore.widgets.ch3_activations.InitDepthFigure"] = lambda: {"data": _init()}
for _cls in ("InitDepthFigure.update", "InitDepthFigure.png", "InitDepthFigure.alt", "InitDepthFigure.__call__"):
    CALLS[f"mathcore.widgets.ch3_activations.{_cls}"] = lambda: {"gain": 1.0, "depth": 5}
CALLS["mathcore.widgets.ch3_activations.InitScales.index"] = lambda: {"activation": "tanh", "gain": 1.0, "depth": 5}


def _symbols() -> tuple:
    import sympy as sp

    a, b = sp.symbols("a b")
    return (a, 2 * b)


def _fields(obj) -> dict:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.init}


def _exercise_args() -> dict:
    from mathcore import exercises

    label = sorted(exercises.EXAMPLES)[0]
    return {"label": label, "answer": tuple(exercises.EXAMPLES[label][0])}


def _depth():
    from mathcore.widgets import depth_gradients

    return depth_gradients(("tanh", "relu"), (1.0, 2.0), depth=3, width=4, n=4, n_inputs=3)


def _init():
    from mathcore.widgets import init_scales

    # depth 5 and gain 1 are also positions of the default measurements (data=None)
    return init_scales(("tanh", "relu"), (1.0, 2.0), (1, 5), width=4, n=4)


def _weight_slice_args() -> dict:
    return {"params": _params(), "X": _X(), "Y": _Y(), "activation": "tanh", "output": "softmax",
            "loss": "cross_entropy", "weights": None, "weight": None}


def _notebook():
    import nbformat

    return nbformat.read(str(CHAPTER), as_version=4)


def _weight_name() -> str:
    from mathcore.widgets import parameter_names

    return parameter_names([2, 3, 2])[0][0]


#: Instances for methods, by class id (else the class's valid constructor call).
INSTANCES: dict[str, object] = {
    "mathcore.activations.Activation": lambda: __import__("mathcore.activations").activations.get("tanh"),
    "mathcore.activations.Softmax": lambda: __import__("mathcore.activations").activations.softmax,
    "mathcore.losses.Loss": lambda: __import__("mathcore.losses").losses.get("mse"),
    "mathcore.regularization.Penalty": lambda: __import__("mathcore.regularization").regularization.get("l2"),
    "mathcore.derivations.Derivation": lambda: _derivation(),
    "mathcore.derivations.MatrixDerivation": lambda: _derivation("MatrixDerivation"),
    "mathcore.derivations.Chain": lambda: _derivation("Chain"),
    "mathcore.derivations.Definition": lambda: _derivation("Definition"),
    "mathcore.layers.ForwardTrace": lambda: __import__("mathcore.layers").layers.forward(_X(), _params(), "tanh"),
    "mathcore.widgets.ch3_activations.DepthGradients": _depth,
    "mathcore.widgets.ch3_activations.InitScales": _init,
    "mathcore.autodiff.Value": lambda: __import__("mathcore.autodiff").autodiff.Value(0.5, "a"),
    "mathcore.widgets.ch2_layers.NetworkDiagram": lambda: __import__("mathcore.widgets").widgets.NetworkDiagram(
        _ax(), [2, 3, 2], show_weights=True),
}

#: What to do with a target's result for its work to happen: a decorator factory's decorator is applied.
POST_CALL: dict[str, object] = {
    "mathcore.exercises.register": lambda decorate: decorate(lambda *answer: (True, "")),
}

#: Targets driven as a command line (see CLI_CASES), not by their Python arguments.
CLI_TARGETS = {"mathcore.assign.main", "mathcore.grade.main"}


def resolve(target: Target):
    """The callable object of a target: a function, a class, or an unbound method."""
    obj = importlib.import_module(target.module)
    for part in target.qualname.split("."):
        obj = getattr(obj, part)
    return obj


def fuzzable_params(target: Target) -> list[inspect.Parameter]:
    fn = resolve(target)
    if target.kind == "constructor":
        sig = inspect.signature(fn)
    else:
        sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    if target.kind == "method":
        params = params[1:]  # self
    return [p for p in params if not p.name.startswith("_") and p.kind is not p.VAR_KEYWORD]


def valid_args(target: Target) -> dict:
    """A fresh valid keyword set for the target's parameters (``*args`` given as a tuple)."""
    specific = CALLS.get(target.id)
    specific = specific() if specific else {}
    args = {}
    for p in fuzzable_params(target):
        if p.name in specific:
            args[p.name] = specific[p.name]
        elif p.default is not p.empty and (p.default is not None or p.name not in VALUES):
            args[p.name] = p.default
        elif p.name in VALUES:
            args[p.name] = VALUES[p.name]()
        elif p.kind is p.VAR_POSITIONAL:
            args[p.name] = ()
        else:
            raise NoValidCall(f"no valid value for parameter {p.name!r}")
    return args


def instance(target: Target):
    """A fresh instance for a method target."""
    cls_id = target.id.rsplit(".", 1)[0]
    if cls_id in INSTANCES:
        return INSTANCES[cls_id]()
    cls_target = Target(cls_id, target.module, target.qualname.rsplit(".", 1)[0], "constructor")
    return _call(cls_target, valid_args(cls_target))


def _call(target: Target, args: dict, self_obj=None):
    fn = resolve(target)
    params = {p.name: p for p in inspect.signature(fn).parameters.values()}
    has_varargs = any(p.kind is p.VAR_POSITIONAL for p in params.values())
    pos, kw = [], {}
    for name, value in args.items():  # in signature order
        p = params[name]
        if p.kind is p.VAR_POSITIONAL:
            pos.extend(value)
        elif p.kind is p.POSITIONAL_ONLY or (has_varargs and p.kind is p.POSITIONAL_OR_KEYWORD):
            pos.append(value)
        else:
            kw[name] = value
    if target.kind == "method":
        if self_obj is None:
            self_obj = instance(target)
        out = fn(self_obj, *pos, **kw)
    else:
        out = fn(*pos, **kw)
    if target.id in POST_CALL:
        POST_CALL[target.id](out)
    if isinstance(out, contextlib.AbstractContextManager) and inspect.isgeneratorfunction(
            getattr(fn, "__wrapped__", None)):  # a @contextmanager does its work when entered
        with out:
            pass
    return out


# --------------------------------------------------------------------------------------------
# The battery of bad values
# --------------------------------------------------------------------------------------------


def param_kind(value) -> str:
    """The kind of a valid value, which decides the bad values it is replaced by."""
    np = _np()
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, numbers.Integral):
        return "int"
    if isinstance(value, numbers.Real):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value):
        return "intlist"
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return "array"
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value):
        return "array"
    if callable(value) and not inspect.isclass(value) and not hasattr(value, "__dict__") or inspect.isfunction(value):
        return "callable"
    return "object"


def _with_last(value, bad):
    np = _np()
    arr = np.array(value, dtype=np.float64)
    arr.flat[arr.size - 1] = bad
    return arr


def _object_array(value):
    np = _np()
    arr = np.array(value, dtype=object)
    arr.flat[arr.size - 1] = "a"
    return arr


def _set_item(value, item):
    out = list(value)
    out[-1] = item
    return out


#: kind -> {bad value name: factory(valid value) -> bad value}.
BATTERY: dict[str, dict[str, object]] = {
    "array": {
        "nan": lambda v: _with_last(v, math.nan),
        "inf": lambda v: _with_last(v, math.inf),
        "-inf": lambda v: _with_last(v, -math.inf),
        "None": lambda v: None,
        "string": lambda v: "1.0",
        "bool-array": lambda v: _np().ones(_np().shape(v), dtype=bool),
        "complex": lambda v: _np().asarray(v, dtype=complex) + 1j,
        "ragged": lambda v: [[1.0, 2.0], [3.0]],
        "object-array": _object_array,
        "wrong-shape": lambda v: _np().asarray(v)[None, None, None],
        "empty": lambda v: _np().empty((0,) * max(_np().ndim(v), 1)),
    },
    "float": {
        "nan": lambda v: math.nan, "inf": lambda v: math.inf, "-inf": lambda v: -math.inf,
        "None": lambda v: None, "string": lambda v: "1.0", "true": lambda v: True, "false": lambda v: False,
        "complex": lambda v: 1 + 1j, "huge-int": lambda v: 10 ** 400, "wrong-shape": lambda v: _np().ones(3),
    },
    "int": {
        "nan": lambda v: math.nan, "inf": lambda v: math.inf, "None": lambda v: None, "string": lambda v: "2",
        "true": lambda v: True, "false": lambda v: False, "complex": lambda v: 2 + 0j,
        "huge-int": lambda v: 10 ** 400, "negative": lambda v: -1, "zero": lambda v: 0,
        "wrong-shape": lambda v: _np().ones(3, dtype=int),
    },
    "intlist": {
        "nan": lambda v: _set_item(v, math.nan), "None": lambda v: None, "string": lambda v: "2, 3",
        "true": lambda v: _set_item(v, True), "huge-int": lambda v: _set_item(v, 10 ** 400),
        "negative": lambda v: _set_item(v, -1), "zero": lambda v: _set_item(v, 0),
        "ragged": lambda v: [list(v), [1]], "empty": lambda v: [],
    },
    "bool": {"None": lambda v: None, "string": lambda v: "no", "nan": lambda v: math.nan},
    "str": {"None": lambda v: None, "string": lambda v: "no-such-name", "nan": lambda v: math.nan,
            "true": lambda v: True},
    "callable": {"None": lambda v: None, "string": lambda v: "f", "nan": lambda v: math.nan},
    "object": {"None": lambda v: None, "string": lambda v: "abc", "nan": lambda v: math.nan, "true": lambda v: True},
}

# ---- accepted by design (see the module docstring) ----
#: String parameters whose value is free text: any string is valid.
FREE_TEXT = {"title", "xlabel", "ylabel", "label", "alt", "name", "X_name", "prefix", "fmt", "edgecolor",
             "boundary_color", "caption_y", "classes", "node_labels", "captions", "titles",
             "assumptions",  # a derivation's conditions, prose shown beside it ("Holds for ...")
             "keyfile", "out"}  # paths: any string names a file or a folder
#: Integer parameters for which zero is a valid value.
ZERO_OK = {"seed", "step", "l", "digits", "compress_level", "momentum", "key", "b", "shift", "value",
           "steps"}  # minimize's steps (as its printed source states, low=0): zero steps is a path of its start
#: (target id, parameter) pairs that accept every shape and the empty array: elementwise functions.
ANY_SHAPE = {
    ("mathcore.activations.Activation.__call__", "z"), ("mathcore.activations.Activation.derivative", "z"),
    ("mathcore.regularization.soft_threshold", "z"), ("mathcore.gradcheck.relative_error", "analytic"),
    ("mathcore.gradcheck.relative_error", "numeric"), ("mathcore.data.true_curve", "x"),
    ("mathcore.losses.sigmoid_neuron_cost", "w"), ("mathcore.losses.sigmoid_neuron_cost", "b"),
    ("mathcore.losses.sigmoid_neuron_gradient", "w"), ("mathcore.losses.sigmoid_neuron_gradient", "b"),
    ("mathcore.widgets.ch2_layers.clip_half_planes", "polygon"),
    ("mathcore.regularization.dropout", "a"),  # "a : any S -> out : S": a mask per activation, whatever the shape
}
#: Parameters that take a list of arrays, where a ragged list is a valid list.
LIST_OF_ARRAYS = {"params", "grads", "weights", "analytic", "half_planes"}
#: (target id, parameter) pairs documented to allow NaN and infinities.
NONFINITE_OK = {("mathcore.exercises.within", "got")}  # "True when every entry of got is finite and ..."
#: (target id, parameter) pairs that take any value by design: an exercise's answer gets a verdict, never an error.
ANY_VALUE = {
    ("mathcore.exercises.check", "answer"), ("mathcore.exercises.is_correct", "answer"),
    ("mathcore.widgets.Slider.index", "value"),  # "Position of value among values, or None"
    ("mathcore.widgets.Slider.text", "value"),  # any value, written with fmt or str
}
#: (target id, parameter) pairs documented to take None although they have no default.
NONE_OK = {("mathcore.widgets.set_mode", "value")}  # "None returns control to the environment"
#: Integer parameters that take integers of any size: NumPy's seeds (SeedSequence takes any non-negative int).
HUGE_OK = {"seed"}
#: (target id, parameter) -> the word its messages use instead of the parameter's name.
ALIASES = {("mathcore.widgets.using_mode", "value"): "mode", ("mathcore.widgets.set_mode", "value"): "mode"}
#: (target id, parameter) -> the parameter whose value names it in messages (``number(value, name)``).
NAMED_BY = {
    ("mathcore.exercises.number", "value"): "name", ("mathcore.layers.check_layer", "X"): "X_name",
    ("mathcore.losses.one_hot", "labels"): "name", ("mathcore.autodiff.parameters", "array"): "name",
}


def battery(target: Target, param: inspect.Parameter, valid) -> dict[str, object]:
    """The bad values for one argument: name -> factory (the valid value itself is never among them)."""
    kind = param_kind(valid)
    out = dict(BATTERY[kind])
    if valid is None:
        out.pop("None", None)
    if kind == "intlist" and len(valid) == 0:
        return {}
    return out


def _is_sympy(value) -> bool:
    return type(value).__module__.startswith("sympy")


def accepted_by_design(target: Target, param: inspect.Parameter | None, kind: str, valid) -> bool:
    """Whether returning normally for this bad value is by design (see the module docstring)."""
    name = param.name if param is not None else ""
    where = (target.id, name)
    if kind == "bool-array" or where in ANY_VALUE:
        return True
    if kind == "string" and _is_sympy(valid):  # sympify parses strings by design
        return True
    if kind == "None" and param is not None and (param.default is None or where in NONE_OK):
        return True
    if kind == "string" and param_kind(valid) == "str" and name in FREE_TEXT:
        return True
    if kind == "zero" and name in ZERO_OK:
        return True
    if kind == "huge-int" and name in HUGE_OK:
        return True
    if kind in ("wrong-shape", "empty") and where in ANY_SHAPE:
        return True
    if kind == "ragged" and name in LIST_OF_ARRAYS:
        return True
    if kind in ("nan", "inf", "-inf") and where in NONFINITE_OK:
        return True
    return False


# --------------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------------


#: Parameter names that are also English words: they name the argument only where a message uses them as a
#: name (followed by "must", "has", "is", "should", "needs", "[", "=" or ":", or quoted).
ENGLISH = {"a", "an", "the", "to", "of", "in", "is", "be", "or", "and", "at", "by", "on"}


def names_argument(message: str, name: str) -> bool:
    """Whether ``name`` appears in ``message`` as a word."""
    word = rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])"
    if name.lower() in ENGLISH:
        word = (rf"(?<![A-Za-z0-9_'`]){re.escape(name)}(?=\s+(?:must|has|is|should|needs)\b|\[|=|:)"
                rf"|[`']{re.escape(name)}[`']")
    return re.search(word, message or "") is not None


def classify(raw: dict, names, accepted: bool, baseline_warnings=()) -> str:
    """The category of one call from its raw outcome (see the module docstring); ``accepted`` if none.

    ``names``: the argument's name, or several names any of which the message may use.
    """
    names = [names] if isinstance(names, str) else list(names)
    if raw["status"] in ("timeout", "crash"):
        return "hang"
    if raw["status"] == "raised":
        if not (raw["value_or_type_error"] and any(names_argument(raw["message"], n) for n in names)):
            return "unclear"
        outcome = "clear"
    else:
        outcome = "accepted" if accepted else "silent"
    if outcome == "silent":
        return "silent"
    base = {(w["category"], w["message"]) for w in baseline_warnings}
    if any((w["category"], w["message"]) not in base for w in raw.get("warnings", ())):
        return "warning"
    return outcome


def classify_cli(raw: dict) -> str:
    """A command-line run: exit 2 with one line on stderr is clear; a traceback unclear; exit 0 silent."""
    if raw["status"] in ("timeout", "crash"):
        return "hang"
    stderr = raw.get("stderr", "")
    if raw["status"] == "raised" or "Traceback" in stderr:
        return "unclear"
    if raw["exit"] == 0:
        return "silent"
    if raw["exit"] == 2 and len(stderr.strip().splitlines()) == 1:
        return "clear"
    return "unclear"


# --------------------------------------------------------------------------------------------
# mathcore.assign driven as a command line
# --------------------------------------------------------------------------------------------

CHAPTER = ROOT / "book" / "01_neurons.ipynb"


def _nb_with(tmp: Path, edit) -> Path:
    nb = json.loads(CHAPTER.read_text())
    edit(nb["cells"])
    path = tmp / "01_neurons.ipynb"
    path.write_text(json.dumps(nb))
    return path


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "id": "fuzzcell", "metadata": {}, "source": text}


def _drop_first_solution_end(cells):
    i = next(i for i, c in enumerate(cells) if "".join(c["source"]).lstrip().startswith("```{solution-end}"))
    del cells[i]


def _copy(tmp: Path) -> Path:
    path = tmp / CHAPTER.name
    shutil.copyfile(CHAPTER, path)
    return path


def _symlink_out(tmp: Path) -> list[str]:
    nb = _copy(tmp)
    out = tmp / "out"
    out.mkdir()
    (out / nb.name).symlink_to(nb)
    return [str(nb), "--out", str(out)]


def _out_under_file(tmp: Path) -> list[str]:
    nb = _copy(tmp)
    (tmp / "plain").write_text("a file")
    return [str(nb), "--out", str(tmp / "plain" / "out")]


def _file(tmp: Path, name: str, text: str | None) -> Path:
    path = tmp / name
    if text is not None:
        path.write_text(text)
    return path


def _fresh_dir() -> Path:
    """A new empty folder in the worker's folder."""
    return Path(tempfile.mkdtemp(dir="."))


def _fresh_path(name: str) -> Path:
    """A path in the worker's folder that does not exist yet."""
    return _fresh_dir() / name


def _empty_dir(tmp: Path, name: str = "subs") -> Path:
    path = tmp / name
    path.mkdir(exist_ok=True)
    return path


def _grade_key(tmp: Path) -> Path:
    from mathcore.grade import make_key

    return make_key(tmp / "key")


#: target -> case -> factory(temporary folder) -> argv. "valid" must exit 0; every other case must be refused.
#: The grader's cases start no kernel: its submissions folder is empty, or the call fails before grading.
CLI_CASES: dict[str, dict[str, object]] = {
    "mathcore.assign.main": {
        "valid": lambda tmp: [str(_copy(tmp)), "--out", str(tmp / "out")],
        "not-json": lambda tmp: [str(_file(tmp, "a.ipynb", "{not json")), "--out", str(tmp / "out")],
        "empty-file": lambda tmp: [str(_file(tmp, "a.ipynb", "")), "--out", str(tmp / "out")],
        "directory": lambda tmp: [str(tmp), "--out", str(tmp / "out")],
        "missing-file": lambda tmp: [str(_file(tmp, "missing.ipynb", None)), "--out", str(tmp / "out")],
        "unclosed-solution": lambda tmp: [str(_nb_with(tmp, lambda c: c.append(
            _md("```{solution} ex-neurons-nand\nThe answer, with no closing fence.\n")))), "--out", str(tmp / "out")],
        "orphan-solution-end": lambda tmp: [str(_nb_with(tmp, lambda c: c.append(_md("```{solution-end}\n```")))),
                                            "--out", str(tmp / "out")],
        "missing-solution-end": lambda tmp: [str(_nb_with(tmp, _drop_first_solution_end)), "--out", str(tmp / "out")],
        "out-under-file": _out_under_file,
        "out-symlink-to-input": _symlink_out,
        "same-notebook-twice": lambda tmp: [str(_copy(tmp)), str(tmp / CHAPTER.name), "--out", str(tmp / "out")],
        "unknown-format": lambda tmp: [str(_copy(tmp)), "--out", str(tmp / "out"), "--format", "moodle"],
        "key-for-student-version": lambda tmp: [str(_copy(tmp)), "--out", str(tmp / "out"),
                                                "--key", str(_grade_key(tmp))],
        "export-key-not-a-key": lambda tmp: [str(_copy(tmp)), "--out", str(tmp / "out"), "--format", "nbgrader",
                                             "--key", str(_file(tmp, "key", "not a key"))],
    },
    "mathcore.grade.main": {
        "valid": lambda tmp: ["04_losses", str(_empty_dir(tmp)), "--out", str(tmp / "out"),
                              "--key", str(_grade_key(tmp))],
        "unknown-chapter": lambda tmp: ["99_nothing", str(_empty_dir(tmp)), "--out", str(tmp / "out")],
        "submissions-not-a-folder": lambda tmp: ["04_losses", str(_file(tmp, "subs", "")), "--out",
                                                 str(tmp / "out")],
        "out-inside-submissions": lambda tmp: ["04_losses", str(_empty_dir(tmp)), "--out",
                                               str(tmp / "subs" / "out")],
        "out-is-a-file": lambda tmp: ["04_losses", str(_empty_dir(tmp)), "--out", str(_file(tmp, "out", "x"))],
        "key-not-a-key": lambda tmp: ["04_losses", str(_empty_dir(tmp)), "--out", str(tmp / "out"), "--key",
                                      str(_file(tmp, "key", "not a key"))],
        "make-key-exists": lambda tmp: ["--make-key", str(_file(tmp, "key", "x"))],
    },
}


# --------------------------------------------------------------------------------------------
# The worker: one process, many calls
# --------------------------------------------------------------------------------------------


def _in_package(filename: str, package_dirs) -> bool:
    return any(filename.startswith(d) for d in package_dirs)


def _raw_exception(exc: BaseException, package_dirs) -> dict:
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1].filename if frames else ""
    # NumPy's or Python's own message: raised outside the package, or on a package line that is not a
    # raise statement (an operator or a compiled function raised it)
    internal = not _in_package(last, package_dirs) or not (frames[-1].line or "").lstrip().startswith("raise")
    return {"status": "raised", "exc_type": f"{type(exc).__module__}.{type(exc).__qualname__}",
            "value_or_type_error": isinstance(exc, (ValueError, TypeError)),
            "message": str(exc)[:500], "internal": internal,
            "last_frame": f"{last}:{frames[-1].lineno}" if frames else ""}


def _warning_list(caught, package_dirs) -> list[dict]:
    out, seen = [], set()
    for w in caught:
        if (w.category, str(w.message)) in seen:
            continue
        seen.add((w.category, str(w.message)))
        if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning)) and not _in_package(
                w.filename, package_dirs):
            continue
        out.append({"category": w.category.__name__, "message": str(w.message)[:300],
                    "where": f"{w.filename}:{w.lineno}"})
    return out


class _State:
    """Global state a call may change, put back after it."""

    def __init__(self, package: str):
        import matplotlib

        self.package = package
        self.rc = dict(matplotlib.rcParams)
        self.registries = []
        for mod in public_modules(package):
            for name in getattr(mod, "__all__", ()):
                obj = getattr(mod, name, None)
                if isinstance(obj, dict):
                    self.registries.append((obj, dict(obj)))

    def restore(self):
        import matplotlib
        import matplotlib.pyplot as plt

        plt.close("all")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            matplotlib.rcParams.update(self.rc)
        for obj, saved in self.registries:
            if obj != saved:
                obj.clear()
                obj.update(saved)
        if self.package == "mathcore":
            from mathcore import widgets

            widgets.set_mode(None)


def run_task(task: dict, package_dirs) -> dict:
    """Run one task in this process and return its raw outcome."""
    if task.get("enumerate"):
        targets, skipped = enumerate_api(task["enumerate"])
        return {"status": "returned", "targets": [dataclasses.asdict(t) for t in targets], "skipped": skipped}
    target = Target(**task["target"])
    start = time.perf_counter()
    if target.kind == "cli":
        raw = _run_cli(target, task["kind"], start)
        if task["kind"] == "valid":
            raw["params"] = {"argv": {"kinds": {k: False for k in CLI_CASES[target.id] if k != "valid"},
                                      "named_as": "argv"}}
        return raw
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            args = valid_args(target)
            self_obj = instance(target) if target.kind == "method" else None
            param = task.get("param")
            if param is not None:
                p = next(p for p in fuzzable_params(target) if p.name == param)
                if p.kind is p.VAR_POSITIONAL:  # the last of the positional values is replaced
                    last = args[param][-1]
                    args[param] = (*args[param][:-1], battery(target, p, last)[task["kind"]](last))
                else:
                    args[param] = battery(target, p, args[param])[task["kind"]](args[param])
        except Exception as exc:  # the valid call could not be built: a harness problem
            return {"status": "no-valid-call", "message": f"{type(exc).__name__}: {exc}"[:500]}
        caught.clear()
        try:
            _call(target, args, self_obj)
            raw = {"status": "returned"}
        except Exception as exc:
            raw = _raw_exception(exc, package_dirs)
        except SystemExit as exc:
            raw = {"status": "raised", "exc_type": "SystemExit", "value_or_type_error": False,
                   "message": f"SystemExit({exc.code!r})", "internal": False, "last_frame": ""}
        raw["warnings"] = _warning_list(caught, package_dirs)
    raw["seconds"] = round(time.perf_counter() - start, 3)
    if task.get("param") is None and raw["status"] == "returned":
        raw["params"] = _plan_params(target)
    return raw


def _plan_params(target: Target) -> dict:
    """Each fuzzable argument of a target: its bad value kinds, whether each is accepted by design, and
    the name its error message must use."""
    args = valid_args(target)
    out = {}
    for p in fuzzable_params(target):
        value = args[p.name]
        if p.kind is p.VAR_POSITIONAL:
            if not value:
                continue
            value = value[-1]
        kinds = battery(target, p, value)
        naming = NAMED_BY.get((target.id, p.name))
        out[p.name] = {"kinds": {k: accepted_by_design(target, p, k, value) for k in kinds},
                       "named_as": [p.name] + ([args[naming]] if naming else [])
                       + ([ALIASES[target.id, p.name]] if (target.id, p.name) in ALIASES else [])}
    return out


def _run_cli(target: Target, case: str, start: float) -> dict:
    fn = resolve(target)
    with tempfile.TemporaryDirectory(prefix="fuzzcli") as tmp:
        argv = CLI_CASES[target.id][case](Path(tmp))
        out, err = io.StringIO(), io.StringIO()
        raw = {"argv": [a.replace(tmp, "TMP") for a in argv]}
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                raw.update(status="returned", exit=fn(argv))
            except SystemExit as exc:
                raw.update(status="returned", exit=exc.code)
            except Exception as exc:
                raw.update(status="raised", exit=None, message=f"{type(exc).__name__}: {exc}"[:500])
        raw["stderr"] = err.getvalue().replace(tmp, "TMP")[-2000:]
    raw["seconds"] = round(time.perf_counter() - start, 3)
    return raw


def worker_main(package: str) -> None:
    """Serve tasks: one JSON line in on stdin, one JSON line out, until stdin closes."""
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # whatever a call prints goes nowhere, not into the results
    os.dup2(devnull, 2)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    import matplotlib

    matplotlib.use("Agg")
    pkg = importlib.import_module(package)
    package_dirs = [os.path.dirname(pkg.__file__) + os.sep] if hasattr(pkg, "__path__") else [pkg.__file__]
    state = _State(package)
    os.write(out_fd, b'{"ready": true}\n')
    for line in sys.stdin:
        task = json.loads(line)
        try:
            raw = run_task(task, package_dirs)
        except BaseException as exc:  # noqa: BLE001 - the worker must answer every task
            raw = {"status": "no-valid-call", "message": f"harness: {type(exc).__name__}: {exc}"[:500]}
        state.restore()
        os.write(out_fd, (json.dumps(raw, default=str) + "\n").encode())


class Worker:
    """A worker process in its own process group, with a deadline per call."""

    def __init__(self, package: str, cwd: str, extra_path=()):
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
        env.pop("MATHCORE_STATIC", None)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *map(str, extra_path), env.get("PYTHONPATH", "")])
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", "--package", package],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd, env=env,
            start_new_session=True)
        self.buf = b""
        self.ready = False

    def _readline(self, deadline: float) -> bytes | None:
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return b""  # the worker died
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def call(self, task: dict, timeout: float) -> dict:
        if not self.ready:  # the import of the package is not part of any call's time
            if self._readline(time.monotonic() + 120) is None:
                self.kill()
                return {"status": "crash", "message": "worker did not start within 120 s"}
            self.ready = True
        try:
            self.proc.stdin.write((json.dumps(task) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return {"status": "crash", "message": f"worker died before the call (exit {self.proc.poll()})"}
        line = self._readline(time.monotonic() + timeout)
        if line is None:
            self.kill()
            return {"status": "timeout", "message": f"no answer within {timeout:g} s; worker killed"}
        if line == b"":
            code = self.proc.wait()
            return {"status": "crash", "message": f"worker crashed (exit status {code})"}
        return json.loads(line)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()


# --------------------------------------------------------------------------------------------
# Planning, running, reporting
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Report:
    records: list[dict]
    not_fuzzed: dict[str, str]  # target id -> reason ("no valid call: ..." or by design)
    targets: list[Target]
    seconds: float
    complete: bool  # every planned call was run
    milestones: dict = dataclasses.field(default_factory=dict)  # phase -> seconds from the start when it ended

    def counts(self, records=None) -> dict[str, int]:
        records = self.records if records is None else records
        calls = [r for r in records if r["kind"] != "valid"]
        c = Counter(r["category"] for r in calls)
        out = {"calls": len(calls), **{k: c.get(k, 0) for k in CATEGORIES}}
        out["unclear_internal"] = sum(1 for r in calls if r["category"] == "unclear" and r.get("internal"))
        out["accepted"] = c.get("accepted", 0)
        return out

    def by_group(self) -> dict[str, dict[str, int]]:
        groups = defaultdict(list)
        for r in self.records:
            groups[r["group"]].append(r)
        return {g: self.counts(rs) for g, rs in sorted(groups.items())}

    def findings(self) -> set[tuple[str, str, str, str]]:
        return {finding_key(r) for r in self.records if r["category"] in FINDINGS}

    def table(self) -> str:
        cols = ("calls", "clear", "unclear", "(internal)", "silent", "warnings", "hangs")
        keys = ("calls", "clear", "unclear", "unclear_internal", "silent", "warning", "hang")
        rows = [(g, c) for g, c in self.by_group().items()] + [("total", self.counts())]
        width = max(len(g) for g, _ in rows) + 2
        lines = ["module".ljust(width) + "".join(f"{h:>11}" for h in cols)]
        for g, c in rows:
            lines.append(g.ljust(width) + "".join(f"{c[k]:>11}" for k in keys))
        total = self.counts()
        lines.append(f"accepted by design (returned normally, not a finding): {total['accepted']}; "
                     f"valid calls checked: {sum(1 for r in self.records if r['kind'] == 'valid')}; "
                     f"targets: {len(self.targets)}, not fuzzed: {len(self.not_fuzzed)}; "
                     f"{'every planned call run' if self.complete else 'budget spent before every call was run'}; "
                     f"{self.seconds:.0f} s {self.milestones}")
        for tid, reason in sorted(self.not_fuzzed.items(), key=lambda kv: (not kv[1].startswith("no valid"), kv)):
            lines.append(f"  not fuzzed: {tid}: {reason}")
        return "\n".join(lines)


KNOWN_HEADER = """\
# Known findings of tools/fuzz.py: one per line, "target argument bad-value-kind category", no wildcards.
# tests/test_fuzz.py fails on a finding not listed here, and on a line here whose call was run
# without giving that finding (remove it: the list only shrinks). Written by: python tools/fuzz.py {args}
"""


def format_known(findings, argv=()) -> str:
    lines = [" ".join(k) for k in sorted(findings)]
    return KNOWN_HEADER.format(args=" ".join(argv)) + "\n".join(lines) + "\n"


def parse_known(text: str) -> set[tuple[str, str, str, str]]:
    """The entries of a known-findings list; a malformed line raises ValueError."""
    out = set()
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 4 or parts[3] not in FINDINGS or any(c in line for c in "*?[]"):  # no wildcards
            raise ValueError(f"line {n}: expected 'target argument kind category' with a category in "
                             f"{FINDINGS} and no wildcards, got {line!r}")
        key = tuple(parts)
        if key in out:
            raise ValueError(f"line {n}: duplicate entry {line!r}")
        out.add(key)
    return out


def compare_known(report: Report, known: set) -> tuple[set, set]:
    """(new, stale): findings of this run not in ``known``, and entries of ``known`` whose call was run
    without giving them. An entry whose call was not run (the budget) is neither."""
    found = report.findings()
    ran = {finding_key(r)[:3] for r in report.records}
    return found - known, {k for k in known if k[:3] in ran} - found


def finding_key(r: dict) -> tuple[str, str, str, str]:
    """(target, argument, bad value kind, category): one line of the known-findings list."""
    return (r["target"], r["param"] or "-", r["kind"], r["category"])


def _record(target: Target, param, kind, raw, category) -> dict:
    return {"target": target.id, "group": target.group, "target_kind": target.kind, "param": param, "kind": kind,
            "category": category, "status": raw.get("status"), "exc_type": raw.get("exc_type"),
            "message": raw.get("message") or raw.get("stderr", ""), "internal": raw.get("internal", False),
            "last_frame": raw.get("last_frame"), "warnings": raw.get("warnings", []),
            "exit": raw.get("exit"), "argv": raw.get("argv"), "seconds": raw.get("seconds")}


def _plan_fuzz(targets: list[Target], info: dict[str, dict], rng: random.Random) -> list[tuple]:
    """Phase 1 (one bad value per argument) then phase 2 (the rest), each in seeded random order."""
    first, rest = [], []
    for t in targets:
        for param, spec in info.get(t.id, {}).items():
            kinds = sorted(spec["kinds"])
            if not kinds:
                continue
            pick = rng.choice(kinds)
            first.append((t, param, pick))
            rest.extend((t, param, k) for k in kinds if k != pick)
    rng.shuffle(first)
    rng.shuffle(rest)
    return first + rest


def run(package: str = "mathcore", *, seed: int = 0, budget: float | None = 60.0, timeout: float = DEFAULT_TIMEOUT_S,
        workers: int = MAX_WORKERS, extra_path=(), only=None, progress=None) -> Report:
    """Fuzz the package's public API; ``budget=None`` runs every call.

    This process never imports the package: the workers enumerate it, build
    the calls and run them; this one schedules, times and classifies.
    """
    start = time.monotonic()
    rng = random.Random(seed)
    workers = max(1, min(workers, MAX_WORKERS))
    records: list[dict] = []
    lock = threading.Lock()
    tmp = tempfile.mkdtemp(prefix="mathcore-fuzz-")
    # each worker in a folder of its own: two calls writing the same relative path (a key file named 'abc')
    # must not race
    pool = [Worker(package, tempfile.mkdtemp(dir=tmp), extra_path) for _ in range(workers)]
    try:
        listing = pool[0].call({"enumerate": package}, timeout=max(timeout, 120.0))
        if listing.get("status") != "returned":
            raise RuntimeError(f"could not enumerate {package}: {listing}")
        targets = [Target(**t) for t in listing["targets"]]
        not_fuzzed = dict(listing["skipped"])
        if only:
            targets = [t for t in targets if any(t.id.startswith(o) for o in only)]
            not_fuzzed = {k: v for k, v in not_fuzzed.items() if any(k.startswith(o) for o in only)}

        def over_budget() -> bool:
            return budget is not None and time.monotonic() - start > budget

        def drain(tasks: list, handle) -> bool:
            """Run tasks on the pool; False if the budget stopped it before the end."""
            it = iter(tasks)
            stopped = [False]

            def loop(i: int):
                while True:
                    with lock:
                        if over_budget():
                            stopped[0] = True
                            return
                        task = next(it, None)
                    if task is None:
                        return
                    t, param, kind = task
                    limit = timeout
                    if budget is not None:  # a call may not run on far past the budget
                        limit = max(0.1, min(timeout, start + budget + GRACE_S - time.monotonic()))
                    raw = pool[i].call({"target": dataclasses.asdict(t), "param": param, "kind": kind}, limit)
                    if raw["status"] == "timeout" and limit < timeout:  # cut off by the budget: not run
                        with lock:
                            stopped[0] = True
                        return
                    if not pool[i].alive():
                        pool[i] = Worker(package, tempfile.mkdtemp(dir=tmp), extra_path)
                    with lock:
                        handle(t, param, kind, raw)
                        if progress:
                            progress(len(records))

            threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(pool))]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            return not stopped[0]

        valid: dict[str, dict] = {}

        def on_valid(t, param, kind, raw):
            ok = raw["status"] == "returned" and (t.kind != "cli" or raw.get("exit") == 0)
            if not ok:
                msg = raw.get("message") or raw.get("stderr") or raw["status"]
                why = "" if raw["status"] == "no-valid-call" else f"the valid call failed: {raw.get('exc_type') or ''} "
                not_fuzzed[t.id] = f"no valid call: {why}{msg}"[:300]
                return
            valid[t.id] = raw
            record = _record(t, None, "valid", raw, "warning" if raw.get("warnings") else "accepted")
            record["args"] = sorted(raw.get("params", {}))
            records.append(record)

        valid_tasks = [(t, None, "valid") for t in targets]
        rng.shuffle(valid_tasks)
        complete = drain(valid_tasks, on_valid)
        milestones = {"valid calls": time.monotonic() - start}
        info = {tid: raw.get("params", {}) for tid, raw in valid.items()}

        def on_call(t, param, kind, raw):
            spec = info[t.id][param]
            if t.kind == "cli":
                category = classify_cli(raw)
            elif raw["status"] == "no-valid-call":
                category = "unclear"
                raw = {**raw, "message": f"harness could not build the call: {raw['message']}"}
            else:
                category = classify(raw, spec["named_as"], spec["kinds"][kind], valid[t.id].get("warnings", ()))
            records.append(_record(t, param, kind, raw, category))

        plan = _plan_fuzz(targets, info, rng)
        n_first = sum(1 for spec in info.values() for a in spec.values() if a["kinds"])  # one per argument
        if complete:
            complete = drain(plan[:n_first], on_call)
            if complete:
                milestones["every argument once"] = time.monotonic() - start
                complete = drain(plan[n_first:], on_call)
    finally:
        for w in pool:
            w.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return Report(records, dict(sorted(not_fuzzed.items())), targets, time.monotonic() - start, complete,
                  {k: round(v, 1) for k, v in milestones.items()})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds after which no new call is started")
    parser.add_argument("--full", action="store_true", help="no budget: run every call")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="per-call limit in seconds")
    parser.add_argument("--workers", type=int, default=MAX_WORKERS, help=f"at most {MAX_WORKERS}")
    parser.add_argument("--json", type=Path, help="write every call with its classification here")
    parser.add_argument("--only", action="append", help="fuzz only targets whose id starts with this")
    parser.add_argument("--write-known", type=Path, help="write this run's findings as a known-findings list")
    parser.add_argument("--package", default="mathcore", help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_main(args.package)
        return 0
    report = run(args.package, seed=args.seed, budget=None if args.full else args.budget, timeout=args.timeout,
                 workers=args.workers, only=args.only)
    print(report.table())
    if args.write_known:
        args.write_known.write_text(format_known(report.findings(), argv=sys.argv[1:] if argv is None else argv))
    if args.json:
        args.json.write_text(json.dumps({
            "seed": args.seed, "budget": None if args.full else args.budget, "timeout": args.timeout,
            "seconds": round(report.seconds, 1), "complete": report.complete, "counts": report.counts(),
            "by_module": report.by_group(), "not_fuzzed": report.not_fuzzed, "records": report.records,
        }, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
