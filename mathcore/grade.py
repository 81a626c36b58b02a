"""Grade a folder of submitted notebooks of one chapter: hidden tests, a CSV gradebook, feedback per student.

Usage::

    python -m mathcore.grade --make-key grading.key          # once a term; never hand it out
    python -m mathcore.grade 04_losses submissions/ --out graded/ --key grading.key

CHAPTER is a chapter's name (``04_losses``) or its notebook (``book/04_losses.ipynb``);
SUBMISSIONS holds one ``<student>.ipynb`` per student. The command writes
``OUT/gradebook.csv`` (one row per student, sorted by name: one column per gradable
exercise, 1 or 0, then ``total`` and ``status``) and ``OUT/feedback/<student>.md``.

**How a submission is graded.** Every submission file is read into memory before any kernel starts (a submission
that deletes files cannot delete another's). Each one then runs, alone, in a fresh
kernel whose working folder is a new temporary folder holding only a copy of it,
with a memory limit (``RLIMIT_AS``, set in the kernel process before it imports
anything), a time limit per cell and one for the whole notebook; afterwards the
kernel's process group is killed and the folder removed.

The grader, not the notebook, collects the answers: right after a cell that calls
``check("label", expr...)`` has run, the grader sends its own code into the kernel,
which evaluates those argument expressions (parsed from that cell with ``ast``) and
returns them as plain data (numbers, arrays as raw bytes, lists) over the kernel's
output channel. An answer that is a function is called inside the kernel on two
sets of inputs: the inputs the public self-check uses, and hidden inputs derived
from the instructor's secret key (HMAC-SHA256 of the key and the exercise label
seeds a generator); only its return values come back. The grader then scores those
values in its own process, with the trusted checkers of
:mod:`mathcore.exercises` (replaying the function's return values) and with the
hidden tests below, comparing against inputs and reference results it computed
itself. Nothing the kernel writes to a file is ever read, and the gradebook and the
feedback are written (atomically) only after every kernel is gone.

Statuses: ``graded``; ``timeout`` (a cell or the whole notebook ran past its limit:
the run stops there, and answers collected before count); ``error`` (a cell raised,
or the kernel died: the run goes on past a raising cell, as nbgrader's does, and
every answer collected counts; a dead kernel stops it); ``not a notebook`` (not
valid notebook JSON, an empty file); ``wrong chapter`` (no self-check of this
chapter and another title).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import csv
import dataclasses
import hashlib
import hmac
import io
import json
import math
import os
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import numpy as np

from . import runtime
from ._validate import check_scalar

__all__ = ["GradeError", "STATUSES", "HIDDEN", "HiddenTest", "make_key", "read_key", "hidden_seed", "grade_answer",
           "exercise_labels", "grade", "main"]

#: Every value of the gradebook's status column.
STATUSES = ("graded", "timeout", "error", "not a notebook", "wrong chapter")
BOOK = Path(__file__).resolve().parents[1] / "book"
CELL_TIMEOUT_S = 60  # a chapter's slowest cell takes a few seconds
NOTEBOOK_TIMEOUT_S = 600  # a chapter runs in under 20 s
MEMORY_MB = 4096  # a chapter's kernel maps about 1 GB of address space
JOBS = 1
MAX_SUBMISSION_BYTES = 50_000_000
NOTEBOOK_OUTPUT_CHARS = 2_000_000  # what the grader holds of one cell's outputs, dropped after the cell
CAPTURE_OUTPUT_CHARS = 64_000_000  # one capture's reply: a function's results on 100,000-entry arrays fit
MAX_ARRAY_SIZE = 2_000_000  # entries of one array in an answer
_KEY_BYTES = 32
_HIDDEN_CALLS = 5
_DOMAIN = b"mathcore.grade/hidden-inputs/v1/"


class GradeError(ValueError):
    """A problem with the command's inputs or its output folder (named in the message); nothing has been written."""


# --------------------------------------------------------------------------------------------
# The key
# --------------------------------------------------------------------------------------------


def make_key(keyfile) -> Path:
    """Write a new random key to the file ``keyfile`` (mode 0600); an existing file is never overwritten."""
    if not isinstance(keyfile, (str, os.PathLike)):
        raise TypeError(f"keyfile must be a file path, got {type(keyfile).__name__}")
    path = Path(keyfile)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise GradeError(f"keyfile {path}: the file exists; refusing to overwrite a key "
                         "(grades made with it could not be reproduced)") from None
    except OSError as exc:
        raise GradeError(f"keyfile {path}: cannot create it ({exc.strerror or exc})") from None
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(_KEY_BYTES) + "\n")
    return path


def read_key(keyfile) -> bytes:
    """The key that :func:`make_key` wrote to the file ``keyfile``, as bytes."""
    if not isinstance(keyfile, (str, os.PathLike)):
        raise TypeError(f"keyfile must be a file path, got {type(keyfile).__name__}")
    try:
        text = Path(keyfile).read_text(encoding="ascii", errors="strict").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise GradeError(f"keyfile {keyfile}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if not re.fullmatch(r"[0-9a-f]{64,}", text):
        raise GradeError(f"keyfile {keyfile}: not a key (expected at least 64 hexadecimal digits, as --make-key "
                         "writes)")
    return bytes.fromhex(text)


def hidden_seed(key: bytes, label: str) -> int:
    """The seed of the hidden inputs of exercise ``label`` under ``key``: HMAC-SHA256 of the key and the label.

    The exports of :mod:`mathcore.assign` write this number (never the key) into their hidden tests.
    """
    if not isinstance(key, bytes) or not key:
        raise TypeError(f"key must be non-empty bytes (from read_key), got {type(key).__name__}")
    from ._validate import text

    text(label, "label")
    return int.from_bytes(hmac.new(key, _DOMAIN + label.encode(), hashlib.sha256).digest(), "big")


def _hidden_rng(key: bytes, label: str) -> np.random.Generator:
    return np.random.default_rng(hidden_seed(key, label))


def grade_answer(label: str, answer: tuple, seed: int | None = None) -> tuple[bool, str]:
    """(right, feedback line) for ``answer`` to exercise ``label``, judged in this process as :func:`grade` judges it.

    The hidden test that the nbgrader and Otter exports of :mod:`mathcore.assign` put
    in a graded notebook, where it runs in the student's kernel: the exercise's checker
    (:mod:`mathcore.exercises`), then, for a function answer and a ``seed`` (from
    :func:`hidden_seed`), the hidden inputs of :data:`HIDDEN` made from that seed and
    judged against the reference. With the seed of the key :func:`grade` is given,
    the inputs are the very ones it uses. The feedback never holds the answer.
    """
    from ._validate import lookup, text
    from .exercises import CHECKS, _grade

    text(label, "label")
    lookup(CHECKS, label, "exercise label")
    if not isinstance(answer, tuple):
        raise TypeError(f"answer must be a tuple of the check's arguments, got {type(answer).__name__}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"seed must be None or an integer >= 0 (from hidden_seed), got {seed!r}")
    correct, line = _grade(label, answer)
    if not correct:
        return False, line
    if seed is None or label not in HIDDEN:
        return True, line
    test = HIDDEN[label]
    calls = test.make(np.random.default_rng(seed))
    for i in _function_parts(label):
        for args in calls:
            try:  # the student's function gets a copy: the judge must see the inputs as they were made
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                        warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    got = answer[i](*copy.deepcopy(args))
                ok = bool(test.judge(args, got))
            except Exception:  # a function that raises, or a result the judge cannot compare, is wrong
                ok = False
            if not ok:
                return False, f"{label}: {_HIDDEN_HINT}"
    return True, line


# --------------------------------------------------------------------------------------------
# Hidden tests: inputs from the key, judged against references in the grader's process
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HiddenTest:
    """Hidden inputs for a function answer (``make(rng)`` -> argument tuples) and ``judge(args, result)``."""

    make: Callable[[np.random.Generator], list[tuple]]
    judge: Callable[[tuple, object], bool]

    def __post_init__(self):
        for name in ("make", "judge"):
            if not callable(getattr(self, name)):
                raise TypeError(f"{name} must be a function, got {type(getattr(self, name)).__name__}")


def _close(rtol: float, atol: float, reference):
    def judge(args, got):
        want = np.asarray(reference(*copy.deepcopy(args)), dtype=float)
        got = np.asarray(got, dtype=float)
        return got.shape == want.shape and bool(np.isfinite(got).all()) and np.allclose(got, want, rtol=rtol, atol=atol)
    return judge


def _hidden_tests() -> dict[str, HiddenTest]:
    from . import activations, layers, losses, neuron, optim
    from .exercises import ch2_layers, ch6_backprop, ch7_regularization

    def vectorised(rng):
        return [(rng.normal(size=(n, d)), rng.normal(size=d), float(rng.normal()))
                for n, d in zip(rng.integers(1, 40, _HIDDEN_CALLS), rng.integers(1, 9, _HIDDEN_CALLS))]

    def forward(rng):
        calls = []
        for _ in range(_HIDDEN_CALLS):
            sizes = [int(s) for s in rng.integers(1, 7, rng.integers(2, 5))]
            params = []
            for n_in, n_out in zip(sizes[:-1], sizes[1:]):
                params += [rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)]
            calls.append((rng.normal(size=(int(rng.integers(1, 12)), sizes[0])), params))
        return calls

    def relu_net(X, params):
        n = len(params) // 2
        return layers.forward(X, params, ["relu"] * (n - 1) + ["identity"]).output

    def logsumexp(rng):  # ordinary logits, and logits whose exp overflows
        return [(rng.normal(scale=s, size=(int(rng.integers(1, 8)), int(rng.integers(1, 6)))),)
                for s in (1.0, 50.0, 400.0, 900.0, 3.0)]

    def bce(rng):
        calls = []
        for k in range(_HIDDEN_CALLS):
            n = int(rng.integers(1, 12))
            y = rng.integers(0, 2, n).astype(float) if k % 2 else rng.uniform(size=n)
            calls.append((rng.normal(scale=(2.0, 80.0, 900.0)[k % 3], size=n), y))
        return calls

    def step_decay(rng):
        return [(int(rng.integers(0, 200)), float(rng.uniform(0.01, 1.0)), float(rng.uniform(0.1, 0.9)),
                 int(rng.integers(1, 25))) for _ in range(4 * _HIDDEN_CALLS)]

    def backward(rng):
        calls = []
        for _ in range(_HIDDEN_CALLS):
            n, n_in, n_out = (int(v) for v in rng.integers(1, 9, 3))
            A_prev, W = rng.normal(size=(n, n_in)), rng.normal(size=(n_out, n_in))
            calls.append((rng.normal(size=(n, n_out)) / n, A_prev @ W.T + rng.normal(size=n_out), A_prev, W))
        return calls

    def judge_backward(args, got):
        want = ch6_backprop._reference_backward(*copy.deepcopy(args))
        if not isinstance(got, tuple) or len(got) != 3:
            return False
        return all(_close(1e-9, 1e-12, lambda w=w: w)((), g) for g, w in zip(got, want))

    def dropout(rng):
        return [(rng.normal(size=(200, 250)), float(p), np.random.default_rng(int(rng.integers(2**62))))
                for p in rng.uniform(0.1, 0.9, 2)]

    def judge_dropout(args, got):
        a, p = args[0], args[1]
        got = np.asarray(got, dtype=float)
        if got.shape != a.shape:
            return False
        kept = got != 0.0
        if not np.allclose(got[kept], a[kept] / (1.0 - p), rtol=1e-9, atol=0.0):
            return False
        # a fraction of 50,000 Bernoulli(p) draws: within 6 standard errors (at most 0.0134)
        return abs((1.0 - kept.mean()) - p) <= 6 * math.sqrt(p * (1 - p) / a.size)

    def soft(rng):
        return [(rng.normal(scale=2.0, size=int(rng.integers(1, 30))), float(lam))
                for lam in rng.uniform(0.0, 2.0, _HIDDEN_CALLS)]

    def accuracy(rng):
        return [(rng.integers(0, k, n), rng.integers(0, k, n))
                for n, k in zip(rng.integers(1, 300, _HIDDEN_CALLS), rng.integers(2, 11, _HIDDEN_CALLS))]

    def judge_accuracy(args, got):
        if isinstance(got, bool) or not isinstance(got, (int, float, np.integer, np.floating)):
            return False
        return abs(float(got) - float(np.mean(args[0] == args[1]))) <= 1e-12

    def softmax_backward(rng):  # ordinary and nearly one-hot probabilities, one to eight classes
        calls = []
        for k in range(_HIDDEN_CALLS):
            n, K = int(rng.integers(1, 12)), int(rng.integers(1, 9))
            P = activations.softmax(rng.normal(scale=(1.0, 8.0, 30.0)[k % 3], size=(n, K)))
            calls.append((rng.normal(size=(n, K)), P))
        return calls

    def sawtooth(rng):  # depths up to 9: a shallow network would need 2^9 units
        return [(int(k),) for k in rng.integers(1, 10, _HIDDEN_CALLS)]

    def judge_sawtooth(args, got):
        return ch2_layers._sawtooth_verdict(args[0], got) is None

    fused = losses.LOSSES["sigmoid_binary_cross_entropy"]
    return {
        "neurons.vectorised": HiddenTest(vectorised, _close(0.0, 0.0, lambda X, w, b: neuron.neuron(X, w, b, "step"))),
        "layers.forward": HiddenTest(forward, _close(1e-10, 1e-12, relu_net)),
        "activations.logsumexp": HiddenTest(logsumexp, _close(1e-12, 1e-12, activations.logsumexp)),
        "losses.stable-bce": HiddenTest(bce, _close(1e-9, 1e-12, lambda z, y: fused(z, y))),
        "gd.step-decay": HiddenTest(step_decay, _close(1e-12, 0.0, optim.step_decay)),
        "backprop.layer-backward": HiddenTest(backward, judge_backward),
        "regularization.dropout": HiddenTest(dropout, judge_dropout),
        "regularization.soft-threshold": HiddenTest(soft, _close(1e-9, 1e-12, ch7_regularization._soft)),
        "capstone.accuracy": HiddenTest(accuracy, judge_accuracy),
        "backprop.softmax-backward": HiddenTest(softmax_backward, _close(1e-9, 1e-12, ch6_backprop._softmax_backward)),
        "layers.sawtooth": HiddenTest(sawtooth, judge_sawtooth),
    }


#: label -> :class:`HiddenTest`, for every exercise whose answer is a function.
#:
#: :meta hide-value:
HIDDEN: dict[str, HiddenTest] = _hidden_tests()


# --------------------------------------------------------------------------------------------
# Plain data across the kernel boundary
# --------------------------------------------------------------------------------------------

# One codec, run in the kernel (to send answers and results back, and to rebuild the
# inputs) and in the grader (to send inputs). Only numbers, numeric arrays, lists,
# tuples, strings and generators' states cross; anything else becomes its type's name.
_CODEC = r'''
import base64 as _b64
import numpy as _np


def _enc(x, depth=0):
    if depth > 20:
        return {"t": "other", "type": "a structure nested too deep"}
    if x is None:
        return {"t": "none"}
    if x is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(x, bool):
        return {"t": "bool", "v": bool(x)}
    if isinstance(x, int):
        return {"t": "int", "v": str(int(x))} if abs(x).bit_length() < 1000 else {"t": "other", "type": "int"}
    if isinstance(x, float):
        return {"t": "float", "v": repr(float(x))}
    if isinstance(x, (_np.ndarray, _np.generic)):
        a = _np.asarray(x)
        if a.dtype.kind not in "biuf" or a.size > MAX_ARRAY_SIZE or a.ndim > 8:
            return {"t": "other", "type": f"array of {a.size} {a.dtype.name}"}
        a = _np.ascontiguousarray(a)
        return {"t": "array", "scalar": isinstance(x, _np.generic), "dtype": a.dtype.str,
                "shape": [int(s) for s in a.shape], "b64": _b64.b64encode(a.tobytes()).decode("ascii")}
    if isinstance(x, (list, tuple)):
        if len(x) > 10000:
            return {"t": "other", "type": f"{type(x).__name__} of {len(x)} items"}
        return {"t": "list" if isinstance(x, list) else "tuple", "v": [_enc(v, depth + 1) for v in x]}
    if isinstance(x, _np.random.Generator):
        return {"t": "rng", "bitgen": type(x.bit_generator).__name__, "state": x.bit_generator.state}
    if isinstance(x, str):
        return {"t": "str", "v": x[:200]}
    return {"t": "other", "type": type(x).__name__[:60]}


def _dec(n):
    t = n["t"]
    if t == "none":
        return None
    if t == "bool":
        return n["v"]
    if t == "int":
        return int(n["v"])
    if t == "float":
        return float(n["v"])
    if t == "array":
        a = _np.frombuffer(_b64.b64decode(n["b64"]), dtype=_np.dtype(n["dtype"])).reshape(n["shape"]).copy()
        return a[()] if n["scalar"] else a
    if t in ("list", "tuple"):
        v = [_dec(e) for e in n["v"]]
        return v if t == "list" else tuple(v)
    if t == "rng":
        g = _np.random.Generator(getattr(_np.random, n["bitgen"])())
        g.bit_generator.state = n["state"]
        return g
    if t == "str":
        return n["v"]
    raise ValueError(t)
'''.replace("MAX_ARRAY_SIZE", str(MAX_ARRAY_SIZE))

_codec: dict = {}
exec(_CODEC, _codec)  # noqa: S102 -- our own constant source, shared with the kernel side
_encode = _codec["_enc"]

# Run in the student's kernel after a check cell: evaluate the answer expressions, call a
# function answer on the given inputs, print one marked line of JSON. It runs inside a
# function so that it leaves no name behind, and keeps the student's prints out of its reply.
_CAPTURE = r'''
def __mathcore_grade(__ns, __params):
    import contextlib as _cl
    import io as _io
    import json as _json
    import sys as _sys
    import warnings as _w
{codec}
    __params = _json.loads(__params)
    __out = {{"status": "ok", "parts": []}}
    try:
        __answer = eval(__params["expr"], __ns)
    except BaseException as e:  # a name never defined, an expression that raises
        __out = {{"status": "undefined", "error": (type(e).__name__ + ": " + str(e))[:300]}}
        __answer = ()
    for __i, __a in enumerate(__answer):
        __calls = __params["calls"].get(str(__i))
        if __calls is None or __a is Ellipsis or not callable(__a):
            __out["parts"].append(_enc(__a))
            continue
        __results = []
        for __args in __calls:
            __args = [_dec(x) for x in __args]
            __buf = _io.StringIO()
            try:
                with _cl.redirect_stdout(__buf), _cl.redirect_stderr(__buf), _w.catch_warnings(), \
                        _np.errstate(all="ignore"):
                    _w.simplefilter("ignore")
                    __r = __a(*__args)
                __results.append({{"ok": _enc(__r)}})
            except BaseException as e:
                __results.append({{"raised": type(e).__name__[:60], "msg": str(e)[:300]}})
        __out["parts"].append({{"t": "function", "results": __results}})
    _sys.stdout.write("\n" + __params["nonce"] + _json.dumps(__out) + "\n")
    _sys.stdout.flush()


__mathcore_grade(globals(), {params!r})
del __mathcore_grade
'''


class _Malformed(Exception):
    """What came back from a kernel is not what the capture code sends."""


class _Opaque:
    """An answer of a type that does not cross the kernel boundary (a checker cannot use it)."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name}>"


def _decode(node, depth: int = 0):
    """A value sent by a kernel, rebuilt strictly: anything unexpected is _Malformed."""
    if depth > 22 or not isinstance(node, dict) or not isinstance(node.get("t"), str):
        raise _Malformed("not an encoded value")
    t = node["t"]
    if t == "none":
        return None
    if t == "ellipsis":
        return Ellipsis
    if t == "bool" and isinstance(node.get("v"), bool):
        return node["v"]
    if t == "int" and isinstance(node.get("v"), str) and re.fullmatch(r"-?\d{1,320}", node["v"]):
        return int(node["v"])
    if t == "float" and isinstance(node.get("v"), str) and len(node["v"]) < 40:
        try:
            return float(node["v"])
        except ValueError:
            raise _Malformed("bad float") from None
    if t == "array":
        try:
            dtype = np.dtype(node["dtype"])
            shape = tuple(node["shape"])
            raw = __import__("base64").b64decode(node["b64"], validate=True)
        except Exception:
            raise _Malformed("bad array") from None
        if (dtype.kind not in "biuf" or len(shape) > 8 or not all(isinstance(s, int) and s >= 0 for s in shape)
                or math.prod(shape) > MAX_ARRAY_SIZE or len(raw) != math.prod(shape) * dtype.itemsize):
            raise _Malformed("bad array")
        a = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        return a[()] if node.get("scalar") is True else a
    if t in ("list", "tuple") and isinstance(node.get("v"), list) and len(node["v"]) <= 10000:
        items = [_decode(v, depth + 1) for v in node["v"]]
        return items if t == "list" else tuple(items)
    if t == "str" and isinstance(node.get("v"), str):
        return node["v"][:200]
    if t == "other" and isinstance(node.get("type"), str):
        return _Opaque(node["type"][:60])
    raise _Malformed(f"unexpected value {t[:20]!r}")


# --------------------------------------------------------------------------------------------
# The chapter: its exercises, and the inputs each function answer is called on
# --------------------------------------------------------------------------------------------


def _python_source(source: str) -> str:
    """A cell's source as Python (IPython's %magics and !commands rewritten)."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # IPython's transformer rejects some malformed input
        return source


def _check_calls(source: str) -> list[tuple[str, str]]:
    """``(label, "(arg, ...,)")`` for every ``check("label", arg...)`` call in a cell, in order."""
    try:
        tree = ast.parse(_python_source(source))
    except (SyntaxError, ValueError, RecursionError):
        return []
    calls = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and node.args
                and (isinstance(node.func, ast.Name) and node.func.id == "check"
                     or isinstance(node.func, ast.Attribute) and node.func.attr == "check")
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            calls.append((node.args[0].value, "(" + "".join(ast.unparse(a) + ", " for a in node.args[1:]) + ")"))
    return calls


def exercise_labels(nb) -> list[str]:
    """The labels of the gradable exercises of notebook ``nb``: its ``check("label", ...)`` calls, in order.

    Only labels with a registered checker count.
    """
    from .exercises import CHECKS

    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise TypeError(f"nb must be a notebook (nbformat 4), got {type(nb).__name__}")
    labels: list[str] = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code" and isinstance(cell.get("source"), str):
            for label, _ in _check_calls(cell.get("source", "")):
                if label in CHECKS and label not in labels:
                    labels.append(label)
    return labels


def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def _function_parts(label: str) -> list[int]:
    from .exercises import EXAMPLES

    return [i for i, part in enumerate(EXAMPLES[label][0]) if callable(part)]


def _public_calls(label: str, part: int) -> list[tuple]:
    """The arguments the self-check of ``label`` calls a right function answer with, in order."""
    from .exercises import CHECKS, EXAMPLES

    right = EXAMPLES[label][0]
    calls: list[tuple] = []

    def recording(*args):
        calls.append(copy.deepcopy(args))  # before the function can change them (a generator's state)
        return right[part](*args)

    answer = tuple(recording if i == part else a for i, a in enumerate(right))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        correct, _ = CHECKS[label](*answer)
    assert correct, f"the right example of {label} fails its own check"
    return calls


@dataclasses.dataclass
class _Exercise:
    label: str
    parts: dict[int, tuple[list, list]]  # function part -> (public calls, hidden calls)


def _exercises(labels: list[str], key: bytes | None) -> dict[str, _Exercise]:
    out = {}
    for label in labels:
        parts = {}
        for i in _function_parts(label):
            hidden = HIDDEN[label].make(_hidden_rng(key, label)) if key is not None and label in HIDDEN else []
            parts[i] = (_public_calls(label, i), hidden)
        out[label] = _Exercise(label, parts)
    return out


# --------------------------------------------------------------------------------------------
# Running one submission
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Options:
    cell_timeout: float
    notebook_timeout: float
    memory_mb: int
    account: tuple[str, int, int] | None = None  # (name, uid, gid) the kernels run as, or the grader's own


@dataclasses.dataclass
class _Result:
    name: str
    status: str
    scores: dict[str, int]
    lines: dict[str, str]  # label -> feedback line
    note: str = ""  # why the status is not "graded"


# The kernel's command: the limits are set before ipykernel (or anything else) is imported.
_LAUNCH = (
    "import resource, sys\n"
    "limit = int(sys.argv.pop(1))\n"
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 2**20, 256 * 2**20))\n"
    "from ipykernel.kernelapp import launch_new_instance\n"
    "launch_new_instance()\n"
)
_ENV_KEEP = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "HOME", "USER", "TMPDIR", "VIRTUAL_ENV",
             "MPLCONFIGDIR", "XDG_CACHE_HOME", "OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", "SYSTEMROOT")


_MARKER = "MATHCORE_GRADE_RUN"


def _kernel_env(token: str, work: Path, account: tuple[str, int, int] | None) -> dict[str, str]:
    # Only what a chapter needs: nothing else of the grader's environment (tokens, the
    # book's MATHCORE_STATIC) reaches a submission. One BLAS thread: kernels in a pool share the cores.
    env = {k: os.environ[k] for k in _ENV_KEEP if k in os.environ}
    env.update({_MARKER: token}, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
    if account is not None:  # the account's own home and caches: the grader's are not its to read or write
        env.update(HOME=str(work), USER=account[0], MPLCONFIGDIR=str(work / ".matplotlib"),
                   XDG_CACHE_HOME=str(work / ".cache"), TMPDIR=str(work))
    return env


def _account(user) -> tuple[str, int, int] | None:
    """(name, uid, gid) of the account ``user`` for the kernels, checked: only root can start them as another."""
    if user is None:
        return None
    if not isinstance(user, str) or not user:
        raise TypeError(f"user must be None or an account's name, got {type(user).__name__}")
    if not hasattr(os, "geteuid"):
        raise GradeError("user: running kernels as another account needs a POSIX system")
    import pwd

    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise GradeError(f"user {user!r}: no such account (create one for grading, e.g. "
                         "`useradd --system --no-create-home grader`)") from None
    if entry.pw_uid == 0:
        raise GradeError(f"user {user!r} is root: the point is an account that can read and write nothing of yours")
    if os.geteuid() != 0:
        raise GradeError(f"user {user!r}: only root can start kernels as another account (run the grader with sudo)")
    # The account must be able to run this Python and import the kernel and mathcore: a pyenv or
    # a venv under a private home is out of its reach. Say so now, not once per submission.
    try:
        probe = subprocess.run([sys.executable, "-c", "import ipykernel, mathcore"], cwd="/", capture_output=True,
                               text=True, timeout=120, user=entry.pw_uid, group=entry.pw_gid, extra_groups=[],
                               env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
                                    "HOME": "/"})
        failed = probe.returncode != 0 and (probe.stderr.strip().splitlines() or ["no message"])[-1]
    except OSError as exc:
        failed = str(exc)
    if failed:
        raise GradeError(f"user {user!r} cannot run {sys.executable} with mathcore ({failed}); install the "
                         "book where that account can read it (not under a private home folder)")
    return user, entry.pw_uid, entry.pw_gid


def _client_classes():
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from traitlets import Integer

    class LimitedKernelManager(AsyncKernelManager):
        """A kernel started through :data:`_LAUNCH`, with an address-space limit."""

        memory_bytes = Integer(MEMORY_MB * 2**20)
        account = None  # (name, uid, gid) or None

        def format_kernel_cmd(self, extra_arguments=None):
            if self.account is not None:  # written just now, readable by the grader only: the kernel must read it
                os.chown(self.connection_file, self.account[1], self.account[2])
            return [sys.executable, "-c", _LAUNCH, str(self.memory_bytes), "-f", self.connection_file,
                    *(extra_arguments or [])]

    class Client(NotebookClient):
        """nbclient, keeping at most ``budget`` characters of output and recording each cell's reply."""

        budget = 0
        reply: dict | None = None
        capturing = False

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            size = 200 + len(content.get("text", "")) + sum(
                len(v) if isinstance(v, str) else len(json.dumps(v)) for v in content.get("data", {}).values())
            size += len(content.get("evalue", "")) + sum(map(len, content.get("traceback", [])))
            if size > self.budget:
                self.budget = -1  # marks the cell's output as cut
                return None
            self.budget -= size
            return super().output(outs, msg, display_id, cell_index)

        def handle_comm_msg(self, outs, msg, cell_index):
            return None  # widgets are not graded: keep none of their state

        async def _check_raise_for_error(self, cell, cell_index, exec_reply):
            self.reply = exec_reply["content"] if exec_reply else None

    return LimitedKernelManager, Client


def _stream_text(outputs) -> str:
    return "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")


def _kill_group(pgid: int | None, token: str) -> None:
    """Kill the kernel's process group, then every process that inherited the run's marker.

    A submission can start a process in a session of its own (outside the group);
    it still carries the marker in its environment unless it cleared it.
    """
    if pgid and pgid > 1 and pgid != os.getpgrp():
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)
    if not os.path.isdir("/proc"):
        return
    needle = f"{_MARKER}={token}".encode()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            with contextlib.suppress(OSError):
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if needle in f.read().split(b"\0"):
                        os.kill(int(entry), signal.SIGKILL)


def _cancel_pending() -> None:
    """Cancel what nbclient left running on this thread's event loop (its output poll, after a timeout)."""
    import asyncio

    from jupyter_core.utils import ensure_event_loop

    with contextlib.suppress(Exception):
        loop = ensure_event_loop()
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        # a pool thread's loop dies with the thread: close it now, or its sockets are reported unclosed
        # (ResourceWarning) whenever the garbage collector next runs, in someone else's code
        if threading.current_thread() is not threading.main_thread():
            loop.close()
            asyncio.set_event_loop(None)


def _remove_tree(path: Path) -> None:
    # a submission may have made files read-only or folders unreadable: make them removable first
    def onerror(func, p, _):
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
            func(p)
    shutil.rmtree(path, onerror=onerror)
    shutil.rmtree(path, ignore_errors=True)


def _run(nb, exercises: dict[str, _Exercise], options: _Options) -> tuple[str, str, dict[str, dict]]:
    """Execute ``nb``, collecting answers: (status, note, label -> captured reply)."""
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    KernelManager, Client = _client_classes()
    captured: dict[str, dict] = {}
    status, note = "graded", ""
    work = Path(tempfile.mkdtemp(prefix="mathcore-grade-"))
    sockets = Path(tempfile.mkdtemp(prefix="mathcore-kernel-"))  # the grader's, not in the student's folder
    pgid, token = None, uuid.uuid4().hex
    account, launch = options.account, {}
    try:
        (work / "submission.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
        # IPC, not TCP: no port to race for when kernels start side by side (tools/ipc_kernels.py)
        ipc = {} if sys.platform == "win32" else {"transport": "ipc", "ip": str(sockets / "k")}
        km = KernelManager(kernel_name="python3", **ipc)
        km.memory_bytes = int(options.memory_mb) * 2**20
        if account is not None:
            # the kernel's folder and its sockets' folder become the account's; the connection file
            # goes beside the sockets (the grader's runtime folder is not the account's to read)
            for folder in (work, sockets):
                os.chown(folder, account[1], account[2])
            os.chown(work / "submission.ipynb", account[1], account[2])
            km.connection_file, km.account = str(sockets / "kernel.json"), account
            launch = {"user": account[1], "group": account[2], "extra_groups": []}
        client = Client(nb, km=km, allow_errors=True, store_widget_state=False, startup_timeout=60,
                        shutdown_kernel="immediate", record_timing=False)
        deadline = time.monotonic() + options.notebook_timeout
        with client.setup_kernel(cwd=str(work), env=_kernel_env(token, work, account), cleanup_kc=True, **launch):
            pgid = getattr(km.provisioner, "pgid", None)
            try:
                for index, cell in list(enumerate(nb.cells)):
                    if cell.cell_type != "code":
                        continue
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise CellTimeoutError("the notebook's time limit")
                    client.timeout = max(1, math.ceil(min(options.cell_timeout, left)))
                    client.budget, client.reply = NOTEBOOK_OUTPUT_CHARS, None
                    client.execute_cell(cell, index)
                    cell.outputs = []  # never read: only the reply's status counts, so keep nothing
                    if client.reply and client.reply.get("status") == "error" and status == "graded":
                        ename = str(client.reply.get("ename", "an error"))[:60]
                        status, note = "error", f"cell {index + 1} of {len(nb.cells)} raised {ename}; the cells after it still ran"
                    for label, expr in _check_calls(cell.source):
                        if label in exercises:
                            reply = _capture(client, nb, exercises[label], expr, options)
                            if reply is not None and (label not in captured or _answered(reply)):
                                captured[label] = reply
            except CellTimeoutError:
                which = "the capture of an answer" if client.capturing else f"cell {index + 1} of {len(nb.cells)}"
                status, note = "timeout", _join(note, f"{which} ran past the time limit ({options.cell_timeout:g} s "
                                                      f"a cell, {options.notebook_timeout:g} s the notebook); "
                                                      "later cells did not run")
            except DeadKernelError:
                status, note = "error", _join(note, f"the kernel died in cell {index + 1} of {len(nb.cells)} "
                                                    "(os._exit, a crash, or the memory limit); later cells did not run")
    except Exception as exc:  # the kernel would not start, or nbclient failed: this submission only
        if status == "graded":
            status, note = "error", f"the notebook could not be run ({type(exc).__name__})"
    finally:
        _kill_group(pgid, token)
        _cancel_pending()
        _remove_tree(work)
        _remove_tree(sockets)
    return status, note, captured


def _join(note: str, more: str) -> str:
    return f"{note}; then {more}" if note else more


def _answered(reply: dict) -> bool:
    return reply.get("status") == "ok" and not any(
        isinstance(p, dict) and p.get("t") == "ellipsis" for p in reply.get("parts", []))


def _capture(client, nb, exercise: _Exercise, expr: str, options: _Options) -> dict | None:
    """Run the capture code for one exercise in the kernel; its reply as a dict, or None if unreadable."""
    import nbformat

    nonce = "MATHCORE-GRADE-" + uuid.uuid4().hex + ":"
    cell = nbformat.v4.new_code_cell(_capture_source(exercise, expr, nonce))
    client.timeout = max(1, math.ceil(options.cell_timeout))
    client.budget, client.capturing = CAPTURE_OUTPUT_CHARS, True
    nb.cells.append(cell)  # nbclient stores the executed cell back into the notebook by its index
    try:
        client.execute_cell(cell, len(nb.cells) - 1, store_history=False)
    finally:
        nb.cells.pop()
    client.capturing = False
    return _parse_reply(_stream_text(cell.outputs), nonce)


def _capture_source(exercise: _Exercise, expr: str, nonce: str) -> str:
    """The code the grader runs in a kernel to collect the answer ``expr`` to ``exercise``."""
    calls = {str(i): [[_encode(a) for a in args] for args in public + hidden]
             for i, (public, hidden) in exercise.parts.items()}
    params = json.dumps({"expr": expr, "calls": calls, "nonce": nonce})
    return _CAPTURE.format(codec=textwrap.indent(_CODEC, "    "), params=params)


def _parse_reply(text: str, nonce: str) -> dict:
    """The capture's reply: the last line marked with ``nonce`` in ``text``, as a dict."""
    lines = [line for line in text.splitlines() if line.startswith(nonce)]
    if not lines:
        return {"status": "unreadable"}
    try:
        reply = json.loads(lines[-1][len(nonce):])
    except ValueError:
        return {"status": "unreadable"}
    return reply if isinstance(reply, dict) else {"status": "unreadable"}


# --------------------------------------------------------------------------------------------
# Scoring, in the grader's process
# --------------------------------------------------------------------------------------------

_NOT_RUN = "✗ no answer was collected: its check(\"{label}\", ...) cell {why}."
_HIDDEN_HINT = ("✗ your function passes the self-check's inputs but not the hidden tests: it must be right for "
                "every input the exercise describes (other shapes, sizes and values), not only the self-check's.")


class _Raised(Exception):
    """A student's function raised (in the kernel) on this call."""


def _raised(result: dict) -> _Raised:
    name = result.get("raised") if isinstance(result.get("raised"), str) else "Exception"
    name = name if name.isidentifier() else "Exception"
    return type(name, (_Raised,), {})(str(result.get("msg", ""))[:300])


def _replay(results: list, public: list):
    """A stand-in for the student's function: returns, call by call, what it returned in the kernel."""
    calls = iter(zip(public, results))

    def function(*args):
        try:
            _, result = next(calls)
        except StopIteration:  # the checker is deterministic: this does not happen
            raise _Raised("called more often than in the kernel") from None
        if not isinstance(result, dict):
            raise _Malformed("bad result")
        if "ok" in result:
            return _decode(result["ok"])
        raise _raised(result)
    return function


def _score(label: str, exercise: _Exercise, reply: dict | None, why_missing: str) -> tuple[int, str]:
    """(1 or 0, the feedback line) for one exercise."""
    from .exercises import _grade

    if reply is None:
        return 0, _NOT_RUN.format(label=label, why=why_missing)
    if reply.get("status") == "undefined":
        return 0, f"✗ the answer could not be read: {str(reply.get('error', ''))[:300]}"
    if reply.get("status") != "ok" or not isinstance(reply.get("parts"), list) or len(reply["parts"]) > 50:
        return 0, "✗ the answer could not be read back from the notebook (its output was replaced, cut or too large)."
    try:
        answer, hidden = [], []
        for i, part in enumerate(reply["parts"]):
            if isinstance(part, dict) and part.get("t") == "function" and i in exercise.parts:
                public, hidden_calls = exercise.parts[i]
                results = part.get("results")
                if not isinstance(results, list) or len(results) != len(public) + len(hidden_calls):
                    raise _Malformed("wrong number of results")
                answer.append(_replay(results[:len(public)], public))
                hidden += list(zip(hidden_calls, results[len(public):]))
            else:
                answer.append(_decode(part))
        correct, line = _grade(label, tuple(answer))
    except _Malformed:
        return 0, "✗ the answer could not be read back from the notebook (its output was replaced or cut)."
    line = line.split(": ", 1)[1] if line.startswith(label + ": ") else line
    if correct is None:
        return 0, "✗ not answered yet (still ...)."
    if not correct:
        return 0, line
    for args, result in hidden:
        try:
            ok = isinstance(result, dict) and "ok" in result and bool(HIDDEN[label].judge(args, _decode(result["ok"])))
        except Exception:  # a result the judge cannot compare is wrong
            ok = False
        if not ok:
            return 0, _HIDDEN_HINT
    return 1, "✓ correct."


def _grade_one(name: str, data: bytes | None, chapter_title: str, exercises: dict[str, _Exercise],
               options: _Options) -> _Result:
    import nbformat

    labels = list(exercises)
    zero = {label: 0 for label in labels}
    try:
        if data is None:
            raise ValueError("not a regular file")
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several unrelated types for "not a notebook"
        why = "the file is empty" if data == b"" else f"{type(exc).__name__}"
        return _Result(name, "not a notebook", zero, {}, f"not a Jupyter notebook ({why})")
    found = set(exercise_labels(nb))
    if not found & set(labels) and _title(nb) != chapter_title:
        return _Result(name, "wrong chapter", zero, {},
                       f"this notebook is not the chapter \"{chapter_title}\" (its title is \"{_title(nb)[:80]}\")")
    status, note, captured = _run(nb, exercises, options)
    scores, lines = {}, {}
    for label in labels:
        why = ("never ran: the notebook stopped before it" if status != "graded" else "is missing from the notebook")
        scores[label], lines[label] = _score(label, exercises[label], captured.get(label), why)
    return _Result(name, status, scores, lines, note)


# --------------------------------------------------------------------------------------------
# The folders, and the gradebook
# --------------------------------------------------------------------------------------------


def _chapter_path(chapter: str) -> Path:
    if chapter.endswith(".ipynb") or os.sep in chapter or "/" in chapter:
        path = Path(chapter)
    else:
        path = BOOK / f"{chapter}.ipynb"
    if not path.is_file():
        raise GradeError(f"chapter {chapter}: no such notebook ({path})")
    return path


def _inside(a: Path, b: Path) -> bool:
    return a == b or b in a.parents


def _read_submissions(folder: Path) -> list[tuple[str, bytes | None]]:
    """Every ``<student>.ipynb`` of ``folder``, read now: (name, its bytes, or None if not a regular file)."""
    out = []
    for path in sorted(folder.iterdir()):
        if path.suffix != ".ipynb" or path.name.startswith("."):
            continue
        try:
            st = os.stat(path)
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_SUBMISSION_BYTES:
                raise OSError("not a regular file, or too large")
            out.append((path.stem, path.read_bytes()))
        except OSError:
            out.append((path.stem, None))
    return out


def _gradebook(labels: list[str], results: list[_Result]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["student", *labels, "total", "status"])
    for r in results:
        writer.writerow([r.name, *(r.scores[label] for label in labels), sum(r.scores.values()), r.status])
    return buf.getvalue()


def _feedback(chapter: str, labels: list[str], r: _Result) -> str:
    total = sum(r.scores.values())
    out = [f"# {chapter}: feedback for {r.name}", "", f"Status: {r.status}. Score: {total} of {len(labels)}.", ""]
    if r.note:
        out += [f"Note: {r.note}.", ""]
    for label in labels:
        line = r.lines.get(label, "✗ not graded.")
        out.append(f"- `{label}`: " + " ".join(line.split()))  # one line each, whatever a message held
    return "\n".join(out) + "\n"


def _write(out: Path, gradebook: str, feedback: dict[str, str]) -> None:
    """Write the gradebook and the feedback folder, each replaced whole (renames within ``out``)."""
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=out, prefix=".grade-"))
    try:
        (stage / "feedback").mkdir()
        for name, text in feedback.items():
            (stage / "feedback" / f"{name}.md").write_text(text, encoding="utf-8")
        (stage / "gradebook.csv").write_text(gradebook, encoding="utf-8")
        mode = 0o666 & ~_umask()
        for p in [stage / "gradebook.csv", *(stage / "feedback").iterdir()]:
            os.chmod(p, mode)
        os.chmod(stage / "feedback", 0o777 & ~_umask())
        old = out / "feedback"
        with contextlib.suppress(FileNotFoundError):
            st = os.lstat(old)
            if stat.S_ISDIR(st.st_mode):
                os.rename(old, stage / "old-feedback")
            else:  # a file or a symbolic link: replaced, never written through
                os.unlink(old)
        os.rename(stage / "feedback", old)
        os.replace(stage / "gradebook.csv", out / "gradebook.csv")
    finally:
        _remove_tree(stage)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def grade(chapter, submissions, out, *, key=None, cell_timeout: float = CELL_TIMEOUT_S,
          notebook_timeout: float = NOTEBOOK_TIMEOUT_S, memory_mb: int = MEMORY_MB, jobs: int = JOBS,
          user: str | None = None, progress: Callable[[str], None] | None = None) -> str:
    """Grade every ``<student>.ipynb`` of ``submissions`` against ``chapter``; write to ``out``; return the gradebook.

    Parameters
    ----------
    chapter : str or path
        A chapter's name (``"04_losses"``) or its notebook, solutions included.
    submissions, out : path
        The folder of submissions (never written to), and the folder for
        ``gradebook.csv`` and ``feedback/`` (not inside ``submissions``, nor holding it).
    key : bytes or None
        The secret of :func:`read_key`. Without it, function answers are tested on the
        public self-check's inputs only (which a student can read).
    cell_timeout, notebook_timeout : float
        Seconds a cell (or the capture of one answer) and a whole notebook may run.
    memory_mb : int
        The address space a kernel may map, in MiB.
    jobs : int
        Submissions graded side by side (one kernel each).
    user : str or None
        An account to run the kernels as (the grader must run as root): a submission then
        reads and writes only what that account may, its own folder included, never the
        grader's files. None runs them as the grader's own account.
    """
    if not isinstance(chapter, (str, os.PathLike)):
        raise TypeError(f"chapter must be a chapter name or a notebook path, got {type(chapter).__name__}")
    for name, value in (("submissions", submissions), ("out", out)):
        if not isinstance(value, (str, os.PathLike)):
            raise TypeError(f"{name} must be a folder path, got {type(value).__name__}")
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be None or a function of one string, got {type(progress).__name__}")
    if key is not None and (not isinstance(key, bytes) or len(key) < _KEY_BYTES):
        raise TypeError(f"key must be None or at least {_KEY_BYTES} bytes (read_key), got {type(key).__name__}")
    cell_timeout = check_scalar(cell_timeout, "cell_timeout", low=1, high=10**6)
    notebook_timeout = check_scalar(notebook_timeout, "notebook_timeout", low=1, high=10**6)
    memory_mb = check_scalar(memory_mb, "memory_mb", low=256, high=10**6, integer=True)
    jobs = check_scalar(jobs, "jobs", low=1, high=64, integer=True)
    if not runtime.can_spawn_processes():
        raise GradeError(f"grading runs each submission in a kernel of its own, and this Python ({sys.platform}) "
                         "cannot start processes: grade on a machine with Jupyter installed")
    account = _account(user)
    import nbformat

    chapter_path = _chapter_path(os.fspath(chapter))
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    if not submissions.is_dir():
        raise GradeError(f"submissions {submissions}: not a folder")
    if _inside(out, submissions) or _inside(submissions, out):
        raise GradeError(f"out {out} is inside the submissions folder {submissions} (or holds it); "
                         "the grader never writes there: choose another folder")
    if out.exists() and not out.is_dir():
        raise GradeError(f"out {out} exists and is not a folder")
    try:
        instructor = nbformat.read(chapter_path, as_version=4)
    except Exception as exc:
        raise GradeError(f"chapter {chapter_path}: not a notebook ({type(exc).__name__})") from None
    labels = exercise_labels(instructor)
    if not labels:
        raise GradeError(f"chapter {chapter_path}: no check(\"label\", ...) cell, nothing to grade")
    exercises = _exercises(labels, key)
    options = _Options(float(cell_timeout), float(notebook_timeout), int(memory_mb), account)
    title, chapter_name = _title(instructor), chapter_path.stem
    entries = _read_submissions(submissions)  # all of them, before any kernel runs

    def one(entry):
        result = _grade_one(entry[0], entry[1], title, exercises, options)
        if progress:
            progress(f"{result.name}: {sum(result.scores.values())} of {len(labels)}, {result.status}")
        return result

    if int(jobs) > 1:
        with ThreadPoolExecutor(max_workers=int(jobs)) as pool:
            results = list(pool.map(one, entries))
    else:
        results = [one(e) for e in entries]
    results.sort(key=lambda r: r.name)
    gradebook = _gradebook(labels, results)
    _write(out, gradebook, {r.name: _feedback(chapter_name, labels, r) for r in results})
    return gradebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mathcore.grade", description=__doc__.split("\n")[0])
    parser.add_argument("chapter", nargs="?", help="a chapter name (04_losses) or its notebook")
    parser.add_argument("submissions", nargs="?", type=Path, help="a folder of <student>.ipynb files")
    parser.add_argument("--out", type=Path, help="folder for gradebook.csv and feedback/")
    parser.add_argument("--key", type=Path, help="the instructor's secret key (from --make-key)")
    parser.add_argument("--make-key", type=Path, metavar="KEYFILE", help="write a new secret key and stop")
    parser.add_argument("--cell-timeout", type=float, default=CELL_TIMEOUT_S,
                        help=f"seconds per cell (default {CELL_TIMEOUT_S})")
    parser.add_argument("--notebook-timeout", type=float, default=NOTEBOOK_TIMEOUT_S,
                        help=f"seconds per notebook (default {NOTEBOOK_TIMEOUT_S})")
    parser.add_argument("--memory-mb", type=int, default=MEMORY_MB,
                        help=f"address space of a kernel, MiB (default {MEMORY_MB})")
    parser.add_argument("--jobs", type=int, default=JOBS, help=f"kernels side by side (default {JOBS})")
    parser.add_argument("--user", help="run the kernels as this account (as root; an account that owns nothing)")
    args = parser.parse_args(argv)
    try:
        if args.make_key:
            print(f"wrote {make_key(args.make_key)}; keep it secret, and keep it for regrading")
            return 0
        if not args.chapter or not args.submissions or not args.out:
            parser.error("CHAPTER, SUBMISSIONS and --out are needed (or --make-key KEYFILE)")
        key = None
        if args.key is not None:
            if _inside(args.key.resolve(), args.submissions.resolve()):
                raise GradeError(f"keyfile {args.key} is in the submissions folder; keep it away from student files")
            key = read_key(args.key)
        grade(args.chapter, args.submissions, args.out, key=key, cell_timeout=args.cell_timeout,
              notebook_timeout=args.notebook_timeout, memory_mb=args.memory_mb, jobs=args.jobs,
              user=args.user, progress=print)
    except (GradeError, ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out / 'gradebook.csv'} and {args.out / 'feedback'}/")
    if key is None:  # after grading: a refused command line gets one line, its error
        print("warning: no --key: function answers were tested on the public self-check inputs only",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
