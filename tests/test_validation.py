"""Bad input at every public entry point, and no RuntimeWarning anywhere for inputs in [-1000, 1000].

Each entry point is listed once with a valid value for every array argument;
the tests replace one argument at a time by a bad value and require a
TypeError or ValueError whose message names that argument.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest

from mathcore import MLP, activations, data, derivations, gradcheck, layers, losses, neuron, optim, regularization
from mathcore.activations import ACTIVATIONS, softmax
from mathcore.losses import LOSSES
from mathcore.network import COMPATIBLE_LOSSES, OUTPUTS
from mathcore.regularization import PENALTIES
from mathcore._validate import MAX_SYMBOLS


@dataclass
class Entry:
    """A public function, its valid keyword arguments, and which of them are arrays to corrupt."""

    name: str
    fn: Callable
    valid: dict
    arrays: tuple[str, ...]
    any_ndim: tuple[str, ...] = ()  # arguments that accept every number of dimensions
    lists_of_arrays: tuple[str, ...] = ()  # arguments where a ragged list is a legal list of arrays
    optional: tuple[str, ...] = ()  # arguments where None means "use the default"

    def call(self, **override):
        return self.fn(**{**self.valid, **override})


def _rng(seed=0):
    return np.random.default_rng(seed)


def _entries() -> list[Entry]:
    out: list[Entry] = []
    z = _rng().normal(size=(3, 4))
    for name, act in ACTIVATIONS.items():
        out.append(Entry(f"activation.{name}", lambda z, act=act: act(z), {"z": z}, ("z",), any_ndim=("z",)))
        out.append(Entry(f"activation.{name}.derivative", lambda z, act=act: act.derivative(z), {"z": z}, ("z",),
                         any_ndim=("z",)))
    out.append(Entry("softmax", lambda z: softmax(z), {"z": z}, ("z",)))
    out.append(Entry("softmax.jacobian", lambda z: softmax.jacobian(z), {"z": z}, ("z",)))
    for name, loss in LOSSES.items():
        p = _rng(1).uniform(0.1, 0.9, size=(3, 3))
        y = np.full((3, 3), 1 / 3)
        for method in ("__call__", "gradient"):
            fn = getattr(loss, method)
            out.append(Entry(f"loss.{name}.{method}", lambda y_pred, y_true, fn=fn: fn(y_pred, y_true),
                             {"y_pred": p, "y_true": y}, ("y_pred", "y_true")))
    for name, pen in PENALTIES.items():
        for method in ("__call__", "gradient"):
            fn = getattr(pen, method)
            out.append(Entry(f"penalty.{name}.{method}", lambda weights, fn=fn: fn(weights, 0.1),
                             {"weights": z}, ("weights",), any_ndim=("weights",), lists_of_arrays=("weights",)))
    X, W, b = _rng(2).normal(size=(5, 3)), _rng(3).normal(size=(4, 3)), np.zeros(4)
    out.append(Entry("dense_forward", layers.dense_forward, {"X": X, "W": W, "b": b}, ("X", "W", "b")))
    out.append(Entry("dense_backward", layers.dense_backward, {"dZ": np.ones((5, 4)), "X": X, "W": W}, ("dZ", "X", "W")))
    for output in OUTPUTS:
        model = MLP([3, 4, 3], activation="tanh", output=output)
        out.append(Entry(f"MLP[{output}].forward", lambda X, m=model: m.forward(X), {"X": X}, ("X",)))
        out.append(Entry(f"MLP[{output}].predict", lambda X, m=model: m.predict(X), {"X": X}, ("X",)))
        for loss in COMPATIBLE_LOSSES[output]:
            Y = np.full((5, 3), 1 / 3)
            out.append(Entry(f"MLP[{output}].loss_and_gradients[{loss}]",
                             lambda X, Y, m=model, loss=loss: m.loss_and_gradients(X, Y, loss),
                             {"X": X, "Y": Y}, ("X", "Y")))
    x2, w2 = np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([1.0, -1.0])
    out.append(Entry("weighted_sum", lambda X, w: neuron.weighted_sum(X, w, 0.5), {"X": x2, "w": w2}, ("X", "w")))
    out.append(Entry("neuron", lambda X, w: neuron.neuron(X, w, 0.5), {"X": x2, "w": w2}, ("X", "w")))
    out.append(Entry("boundary_distance", lambda w: neuron.boundary_distance(w, 0.5), {"w": w2}, ("w",)))
    out.append(Entry("boundary_line", lambda w: neuron.boundary_line(w, 0.5), {"w": w2}, ("w",)))
    Xg, yg = data.logic_gate("AND")
    out.append(Entry("perceptron_learn", lambda X, y, w0: neuron.perceptron_learn(X, y, w0=w0),
                     {"X": Xg, "y": yg, "w0": np.zeros(2)}, ("X", "y", "w0"), optional=("w0",)))
    out.append(Entry("relative_error", gradcheck.relative_error, {"analytic": z, "numeric": z},
                     ("analytic", "numeric"), any_ndim=("analytic", "numeric")))
    out.append(Entry("minimize", lambda x0: optim.minimize(lambda v: float(v @ v), lambda v: 2 * v, x0, 0.1, 3),
                     {"x0": np.ones(2)}, ("x0",)))
    return out


ENTRIES = _entries()


def _with(value: np.ndarray, bad) -> np.ndarray:
    v = np.array(value, dtype=np.float64)
    v.flat[v.size - 1] = bad
    return v


def _wrong_ndim(value: np.ndarray) -> np.ndarray:
    # three extra leading axes: more than any entry point accepts (5-d for matrices)
    return np.asarray(value)[None, None, None] if np.ndim(value) >= 1 else np.zeros((1, 1, 1, 1))


BAD_KINDS = {
    "nan": lambda v: _with(v, np.nan),
    "inf": lambda v: _with(v, np.inf),
    "-inf": lambda v: _with(v, -np.inf),
    "string": lambda v: "1.0",
    "None": lambda v: None,
    "ragged": lambda v: [[1.0, 2.0], [3.0]],
    "object": lambda v: _object(v),
    "complex": lambda v: np.asarray(v, dtype=np.complex128) + 1j,
    "wrong-ndim": _wrong_ndim,
    "empty": lambda v: np.empty((0,) * max(np.ndim(v), 1)),
}


def _object(v):
    o = np.array(v, dtype=object)
    o.flat[0] = "a"
    return o


def _kinds(entry: Entry, arg: str) -> list[str]:
    kinds = []
    for kind in BAD_KINDS:
        if kind in ("wrong-ndim", "empty") and arg in entry.any_ndim:
            continue  # elementwise functions take any shape, an empty array included
        if kind == "ragged" and arg in entry.lists_of_arrays:
            continue  # a ragged list is a legal list of arrays here
        if kind == "None" and arg in entry.optional:
            continue  # None means "use the default"
        kinds.append(kind)
    return kinds


def _names(message: str, arg: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", message) is not None


CASES = [pytest.param(e, arg, id=f"{e.name}-{arg}") for e in ENTRIES for arg in e.arrays]


@pytest.mark.parametrize("entry, arg", CASES)
def test_bad_input_raises_naming_the_argument(entry, arg):
    # every kind of bad value for this argument; all problems are reported together
    problems = []
    for kind in _kinds(entry, arg):
        bad = BAD_KINDS[kind](entry.valid[arg])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # a warning on the way to the error is a failure too
                entry.call(**{arg: bad})
        except (TypeError, ValueError) as exc:
            if not _names(str(exc), arg):
                problems.append(f"{kind}: {type(exc).__name__} does not name {arg!r}: {exc}")
        except Exception as exc:  # noqa: BLE001 - any other type is itself the finding
            problems.append(f"{kind}: raised {type(exc).__name__}, not TypeError/ValueError: {exc}")
        else:
            problems.append(f"{kind}: accepted")
    assert not problems, f"{entry.name}, argument {arg}:\n" + "\n".join(problems)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_valid_arguments_are_accepted(entry):
    # the control for the test above: only the corrupted argument can be the cause
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        entry.call()


# --- labels given as integers ---------------------------------------------------------


@pytest.mark.parametrize("where", ["cross_entropy", "softmax_cross_entropy", "MLP"])
@pytest.mark.parametrize("labels, kind", [(np.array([0, 3, 1]), "too-large"), (np.array([0, -1, 1]), "negative"),
                                          (np.array([0, 1]), "too-few")])
def test_bad_labels_name_the_argument(where, labels, kind):
    p = np.full((3, 3), 1 / 3)
    if where == "MLP":
        arg, call = "Y", lambda: MLP([2, 3], output="softmax").loss_and_gradients(np.ones((3, 2)), labels)
    else:
        arg, call = "y_true", lambda: LOSSES[where](p, labels)
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    assert _names(str(info.value), arg), f"message does not name {arg!r}: {info.value}"


# --- unknown names ------------------------------------------------------------------------


@pytest.mark.parametrize("lookup, known, family", [
    (activations.get, activations.ACTIVATIONS, "activation"),
    (losses.get, losses.LOSSES, "loss"),
    (regularization.get, regularization.PENALTIES, "penalty"),
    (derivations.get, derivations.DERIVATIONS, "derivation label"),
    (data.logic_gate, {"AND": 0, "OR": 0, "NAND": 0, "NOR": 0, "XOR": 0}, "logic gate"),
    (lambda name: MLP([2, 1], output=name), dict.fromkeys(OUTPUTS), "output activation"),
    (lambda name: MLP([2, 3, 1], activation=name), activations.ACTIVATIONS, "activation"),
], ids=["activations", "losses", "regularization", "derivations", "logic_gate", "MLP-output", "MLP-activation"])
def test_unknown_name_lists_known_names(lookup, known, family):
    with pytest.raises(ValueError, match=f"unknown {family} 'no-such-name'") as info:
        lookup("no-such-name")
    assert all(name in str(info.value) for name in known)
    # a derivation is looked up by its label, the argument's name
    must = "label" if family == "derivation label" else f"{family} name"
    with pytest.raises(TypeError, match=f"{must} must be a string"):
        lookup(42)


# --- no RuntimeWarning anywhere in [-1000, 1000] --------------------------------------------

SPAN = np.concatenate([np.linspace(-1000.0, 1000.0, 81), [-745.2, -709.8, -40.0, -1e-300, 0.0, 1e-300, 40.0,
                                                          709.8, 745.2]])  # (90,)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_no_warning_activations(name):
    assert np.isfinite(_quiet(ACTIVATIONS[name], SPAN)).all()
    assert np.isfinite(_quiet(ACTIVATIONS[name].derivative, SPAN)).all()


def test_no_warning_softmax():
    Z = SPAN.reshape(9, 10)  # rows mixing -1000 and 1000
    assert np.isfinite(_quiet(softmax, Z)).all() and np.isfinite(_quiet(softmax.jacobian, Z)).all()


def _span_inputs(loss):
    # logits spanning the range, and a row whose softmax puts a subnormal 2e-322 on a class
    Z = np.vstack([SPAN.reshape(30, 3), [[-740.0, 0.0, 0.0], [1000.0, -740.0, 0.0]]])  # (32, 3)
    if loss.on_logits or loss.name == "mse":
        p = Z
    elif loss.reduction == "samples":
        p = softmax(Z)  # probabilities from logits spanning the range: exact 0s, 1s and subnormals
    else:
        p = ACTIVATIONS["sigmoid"](Z)
    k = Z.argmin(axis=1)  # the least likely class is the true one: -log p as large as it gets
    if loss.reduction == "samples":
        y = np.eye(3)[k]
    elif loss.name == "mse":
        y = Z[::-1]
    else:
        y = np.stack([k == 0, k == 1, np.full(len(Z), 0.5)], axis=1).astype(float)
    return p, y


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_no_warning_losses(name):
    loss = LOSSES[name]
    p, y = _span_inputs(loss)
    value = _quiet(loss, p, y)
    assert not np.isnan(value)
    assert not np.isnan(_quiet(loss.gradient, p, y)).any()


@pytest.mark.parametrize("name", sorted(PENALTIES))
def test_no_warning_penalties(name):
    W = SPAN.reshape(9, 10)
    assert np.isfinite(_quiet(PENALTIES[name], [W, W[:3]], 10.0))
    assert all(np.isfinite(g).all() for g in _quiet(PENALTIES[name].gradient, [W, W[:3]], 10.0))


def test_no_warning_layers_and_neuron():
    X = SPAN.reshape(30, 3)
    W = SPAN[:12].reshape(4, 3)
    Z = _quiet(layers.dense_forward, X, W, np.full(4, 1000.0))
    assert np.isfinite(Z).all()
    assert all(np.isfinite(a).all() for a in _quiet(layers.dense_backward, Z, X, W))
    for name in ACTIVATIONS:
        assert np.isfinite(_quiet(neuron.neuron, X, [1000.0, -1000.0, 1.0], -1000.0, activation=name)).all()
    assert np.isfinite(_quiet(neuron.boundary_distance, [1000.0, -1000.0], 1000.0))
    assert all(np.isfinite(a).all() for a in _quiet(neuron.boundary_line, [1e-3, -1000.0], 1000.0,
                                                    x1_limits=(-1000.0, 1000.0)))


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
def test_no_warning_mlp_at_large_inputs(hidden, output):
    rng = np.random.default_rng(7)
    X = rng.uniform(-1000.0, 1000.0, size=(8, 3))  # (8, 3)
    X[0] = [1000.0, -1000.0, 1000.0]
    model = MLP([3, 5, 4, 3], activation=hidden, output=output, seed=1)
    assert np.isfinite(_quiet(model.forward, X)).all()
    _quiet(model.predict, X)
    labels = np.arange(8) % 3
    for loss in COMPATIBLE_LOSSES[output]:
        Y = np.eye(3)[labels] if loss != "mse" else rng.normal(scale=1000.0, size=(8, 3))
        value, grads = _quiet(model.loss_and_gradients, X, Y, loss, 0.1, 0.1)
        assert np.isfinite(value), (hidden, output, loss)
        assert all(np.isfinite(g).all() for g in grads), (hidden, output, loss)


def test_no_warning_training_and_minimize_from_large_start():
    path = _quiet(optim.minimize, lambda v: float(v @ v), lambda v: 2 * v, [1000.0, -1000.0], 1.5, 10_000)
    assert path.diverged  # |1 - 2*1.5| = 2: geometric growth from 1000
    X = SPAN.reshape(30, 3)
    model = MLP([3, 4, 1], activation="relu", output="sigmoid", seed=0)
    _quiet(optim.train, model, X, (np.arange(30) % 2).astype(float), optim.SGD(1.0), epochs=5)


# --- scalars too large for a float, and seeds, at every entry point that takes them ---------------

from mathcore import metrics  # noqa: E402
from mathcore._validate import SEED_BOUND, check_seed  # noqa: E402
from mathcore.derivations import DERIVATIONS  # noqa: E402
from mathcore.widgets.ch3_activations import depth_gradients  # noqa: E402

_X2, _Y2 = np.ones((4, 2)), np.array([0.0, 1.0, 1.0, 0.0])

HYPERPARAMETERS = {
    "lr": lambda v: optim.SGD(v),
    "beta": lambda v: optim.Momentum(0.1, beta=v),
    "l2": lambda v: MLP([2, 1]).loss(_X2, _Y2, l2=v),
    "l1": lambda v: MLP([2, 1]).loss(_X2, _Y2, l1=v),
    "temperature": lambda v: activations.softmax_with_temperature([1.0, 2.0], v),
    "h": lambda v: gradcheck.numerical_gradient(lambda: 0.0, [np.zeros(1)], h=v),
    "p": lambda v: regularization.dropout(np.ones(3), v, 0),
    "noise": lambda v: data.two_moons(10, noise=v),
    "momentum": lambda v: optim.minimize(lambda x: float(x @ x), lambda x: 2 * x, [1.0], 0.1, 1, momentum=v),
}


@pytest.mark.parametrize("value", [10**400, -(10**400)], ids=["huge", "-huge"])
@pytest.mark.parametrize("name", sorted(HYPERPARAMETERS))
def test_an_int_beyond_float_range_is_a_value_error_naming_the_argument(name, value):
    # float(10**400) raises OverflowError; a reader must see which argument it was
    with pytest.raises(ValueError) as info:
        HYPERPARAMETERS[name](value)
    assert _names(str(info.value), name), info.value


SEEDED = {
    "two_moons": lambda s: data.two_moons(10, seed=s),
    "spirals": lambda s: data.spirals(3, seed=s),
    "regression_curve": lambda s: data.regression_curve(5, seed=s),
    "digits": lambda s: data.digits(seed=s),
    "stratified_split": lambda s: data.stratified_split(np.ones((8, 1)), np.arange(8) % 2, 0.5, seed=s),
    "MLP": lambda s: MLP([2, 1], seed=s),
    "train": lambda s: optim.train(MLP([2, 1]), _X2, _Y2, optim.SGD(0.1), 1, seed=s),
    "directional_check": lambda s: gradcheck.directional_check(lambda: 0.0, [np.zeros(2)], [np.zeros(2)], seed=s),
    "finite_difference_error": lambda s: DERIVATIONS["matrix.linear"].finite_difference_error(seed=s),
    "depth_gradients": lambda s: depth_gradients(("tanh",), (1.0,), depth=2, width=3, n=4, n_inputs=2, seed=s),
}
BAD_SEEDS = {"negative": -1, "float": 1.5, "None": None, "bool": True, "list": [0], "too-large": SEED_BOUND,
             "string": "0"}


@pytest.mark.parametrize("kind", sorted(BAD_SEEDS))
@pytest.mark.parametrize("where", sorted(SEEDED))
def test_bad_seed_is_refused_naming_seed(where, kind):
    # None would draw fresh entropy and break reproducibility; -1 and 1.5 used to reach NumPy's own error
    with pytest.raises((TypeError, ValueError)) as info:
        SEEDED[where](BAD_SEEDS[kind])
    assert _names(str(info.value), "seed"), info.value


@pytest.mark.parametrize("seed", [0, np.int64(7), SEED_BOUND - 1])
def test_check_seed_accepts_non_negative_ints_below_the_bound(seed):
    assert check_seed(seed) == int(seed) and type(check_seed(seed)) is int


def test_every_seed_entry_point_is_listed():
    # a new public function taking a seed must be added to SEEDED, so that its check is tested
    import inspect
    import mathcore

    found = set()
    for module in (data, optim, gradcheck, mathcore.network):
        for name, fn in vars(module).items():
            if callable(fn) and getattr(fn, "__module__", "") == module.__name__ and not name.startswith("_"):
                target = fn.__init__ if inspect.isclass(fn) else fn
                if "seed" in inspect.signature(target).parameters:
                    found.add(name)
    assert found <= set(SEEDED), found - set(SEEDED)


@pytest.mark.parametrize("call, match", [
    (lambda: __import__("mathcore").activations.softmax.symbolic(10**400), "k"),
    (lambda: __import__("mathcore").activations.softmax.symbolic(MAX_SYMBOLS + 1), "k"),
    (lambda: __import__("mathcore").losses.get("mse").symbolic_total((10**400, 2)), "shape"),
    (lambda: __import__("mathcore").losses.get("mse").symbolic_total((100, 100)), "shape"),
    (lambda: __import__("mathcore.widgets.ch6_backprop").widgets.ch6_backprop.parameter_names([2, 10**400, 1]),
     r"sizes\[1\]"),
    (lambda: __import__("mathcore.widgets.ch6_backprop").widgets.ch6_backprop.parameter_names([2, 10**4, 1]),
     "sizes give"),
])
def test_counts_of_symbols_and_slider_choices_are_bounded(call, match):
    # these ran for minutes (the fuzz harness's hangs): SymPy builds every symbol, a slider every choice
    with pytest.raises(ValueError, match=match):
        call()


# --- the declarative @checked decorator ---------------------------------------------------------------

from mathcore import _validate as V  # noqa: E402


@V.checked(r=V.real(low=0, low_open=True), n=V.integer(low=1), on=V.flag, label=V.text,
           kind=V.one_of("a", "b"), limits=V.optional(V.sequence_of(V.real(), length=2)),
           x=V.array(ndim=1))
def _target(r=1.0, n=2, *, on=True, label="", kind="a", limits=None, x=(0.0,)):
    return r, n, on, label, kind, limits, x


def test_checked_passes_converted_values_and_leaves_defaults():
    r, n, on, label, kind, limits, x = _target(2, 3, on=np.bool_(False), limits=[0, 1], x=[1, 2])
    assert (r, n, on, limits) == (2.0, 3, False, (0.0, 1.0))
    assert isinstance(r, float) and x.dtype == np.float64
    assert _target() == (1.0, 2, True, "", "a", None, (0.0,))


@pytest.mark.parametrize("kwargs, exc, word", [
    ({"r": 0}, ValueError, "r must be > 0"),
    ({"r": float("nan")}, ValueError, "r must be finite"),
    ({"r": 10**400}, ValueError, "r must be a finite real number"),
    ({"r": True}, TypeError, "r must be a real number"),
    ({"n": 1.5}, TypeError, "n must be an integer"),
    ({"on": 1}, TypeError, "on must be True or False"),
    ({"label": None}, TypeError, "label must be a string"),
    ({"kind": "c"}, ValueError, "kind must be one of 'a', 'b'"),
    ({"kind": True}, ValueError, "kind must be one of"),
    ({"limits": [0]}, ValueError, "limits must have 2 items"),
    ({"limits": [0, "1"]}, TypeError, "limits[1] must be a real number"),
    ({"limits": 3}, TypeError, "limits must be a list or tuple"),
    ({"x": [[1]]}, ValueError, "x must have 1 dimension"),
    ({"nope": 1}, TypeError, "_target(): got an unexpected keyword"),
])
def test_checked_refuses_by_name(kwargs, exc, word):
    with pytest.raises(exc) as info:
        _target(**kwargs)
    assert word in str(info.value)


def test_checked_refuses_a_spec_for_a_missing_parameter():
    with pytest.raises(TypeError, match="no parameter q"):
        V.checked(q=V.flag)(lambda p: p)


def test_checked_keeps_the_signature_for_documentation():
    import inspect
    assert list(inspect.signature(_target).parameters) == ["r", "n", "on", "label", "kind", "limits", "x"]
