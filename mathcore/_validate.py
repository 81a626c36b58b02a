"""Input checks shared by every public function.

A reader's first error should name their argument, not a line deep inside
NumPy. Every public entry point passes its arrays through :func:`as_float_array`
before doing any mathematics.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers

import numpy as np

__all__ = ["as_float_array", "check_same_shape", "check_scalar", "check_seed", "lookup",
           "checked", "real", "integer", "flag", "text", "one_of", "optional", "array", "sequence_of",
           "instance_of",
           "MAX_SAMPLES", "MAX_CLASSES", "MAX_ELEMENTS", "MAX_ITERATIONS", "MAX_SYMBOLS", "SEED_BOUND"]

# Bounds on counts. Each is far beyond anything a chapter or exercise uses, and far below what would
# exhaust memory or run for days: a count beyond one is a typo (an extra zero, a power meant as a
# product) and is refused by name instead of failing inside NumPy or hanging the kernel.

#: Most samples a data generator draws (10 million: 160 MB for two features).
MAX_SAMPLES = 10**7
#: Most entries of an array allocated from counts alone: a network's parameters, a one-hot matrix
#: (800 MB of float64).
MAX_ELEMENTS = 10**8
#: Most classes: a confusion matrix of that many classes holds MAX_ELEMENTS counts.
MAX_CLASSES = 10**4
#: Most iterations of a loop whose length is an argument: epochs, steps, random directions.
MAX_ITERATIONS = 10**6
#: Most SymPy symbols built from a count (a softmax of k logits, a loss over a matrix of symbols):
#: SymPy builds and differentiates every one, and a few thousand already take minutes.
MAX_SYMBOLS = 10**3
#: Seeds are the non-negative integers below this (those that fit in a signed 64-bit integer).
SEED_BOUND = 2**63


def _describe(x) -> str:
    if isinstance(x, np.ndarray):
        return f"array of dtype {x.dtype} and shape {x.shape}"
    return f"{type(x).__name__}"


def as_float_array(x, name: str, *, ndim=None, finite: bool = True, allow_empty: bool = False) -> np.ndarray:
    """Return ``x`` as a float64 array, or raise an error that names ``name``.

    Parameters
    ----------
    x : array_like
        Real numbers: a Python number, nested lists, or a NumPy array.
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        Accepted numbers of dimensions.
    finite : bool
        Reject NaN and infinity (default). A NaN that enters silently leaves
        as a NaN loss many steps later, far from its cause.
    allow_empty : bool
        Accept arrays with no elements.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array of real numbers, got {_describe(x)}")
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (TypeError, ValueError) as exc:  # ragged nested lists
            raise TypeError(f"{name} must be an array of real numbers, got {_describe(x)}: {exc}") from None
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
            raise TypeError(f"{name} must be an array of real numbers, got {_describe(arr)}")
        if np.issubdtype(arr.dtype, np.complexfloating):
            raise TypeError(f"{name} must be real, got complex {_describe(arr)}")
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(n) for n in allowed)
            raise ValueError(f"{name} must have {want} dimension(s), got shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if finite and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        where = tuple(int(i) for i in bad) if arr.ndim else ()
        value = arr[tuple(bad)] if arr.ndim else arr[()]
        raise ValueError(f"{name} must be finite, but {name}{list(where) if where else ''} is {value}")
    return arr


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ValueError unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}")


def _show(value) -> str:
    # str() of an int beyond 4300 digits raises; a 400-digit number helps no one anyway
    if isinstance(value, int) and abs(value) >= 10**20:
        return f"an integer of about {round(abs(value).bit_length() * math.log10(2))} digits"
    return f"{value}"


def check_scalar(x, name: str, *, low=None, high=None, low_open: bool = False, integer: bool = False):
    """Return ``x`` as a float (or int) after checking its type and range.

    Parameters
    ----------
    x : object
        The argument to check: a real number (an integer if ``integer``), not a bool.
    name : str
        The argument's name, used in error messages.
    low, high : number, optional
        Bounds, both included unless ``low_open``.
    low_open : bool
        Exclude ``low`` itself.
    integer : bool
        Require an integer and return an ``int``; otherwise return a finite ``float``.
    """
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(x, bool) or not isinstance(x, kind):
        what = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {what}, got {type(x).__name__} {x!r}")
    if integer:
        value = int(x)
    else:
        try:
            value = float(x)
        except OverflowError:  # a Python int beyond float64's range, such as 10**400
            raise ValueError(f"{name} must be a finite real number, got {_show(int(x))}, "
                             f"beyond the largest float (1.8e308)") from None
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        sign = ">" if low_open else ">="
        raise ValueError(f"{name} must be {sign} {low}, got {_show(value)}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {_show(value)}")
    return value


def check_seed(seed, name: str = "seed") -> int:
    """Return ``seed`` as an int: a non-negative integer (not a bool) below :data:`SEED_BOUND`.

    ``None`` is refused on purpose: it would draw fresh entropy, and a
    chapter's committed outputs could never be reproduced.
    """
    if seed is None:
        raise TypeError(f"{name} must be an integer, got None; None would make every run different")
    return check_scalar(seed, name, low=0, high=SEED_BOUND - 1, integer=True)


def lookup(registry: dict, name, family: str):
    """Return ``registry[name]``; an unknown name lists the known ones."""
    if not isinstance(name, str):
        raise TypeError(f"{family} name must be a string, got {type(name).__name__} {name!r}")
    try:
        return registry[name]
    except KeyError:
        known = ", ".join(sorted(registry))
        raise ValueError(f"unknown {family} {name!r}; known: {known}") from None


# --- Declarative checks for functions with many small arguments -----------------------------------
# Widgets and plotting helpers take a dozen scalars, flags and names each. Writing check_scalar by
# hand for each is how arguments got missed; ``@checked(radius=real(low=0, low_open=True))`` states
# the contract next to the signature, and the fuzz harness holds every function to it.

def real(*, low=None, high=None, low_open: bool = False):
    """Spec for :func:`checked`: a finite real number (not a bool), returned as a float."""
    return lambda x, name: check_scalar(x, name, low=low, high=high, low_open=low_open)


def integer(*, low=None, high=None):
    """Spec for :func:`checked`: an integer (not a bool), returned as an int."""
    return lambda x, name: check_scalar(x, name, low=low, high=high, integer=True)


def flag(x, name):
    """Spec for :func:`checked`: True or False (NumPy's bool too); 0, 1 and "yes" are refused."""
    if not isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(x).__name__} {_show(x)!s}")
    return bool(x)


def text(x, name):
    """Spec for :func:`checked`: a string."""
    if not isinstance(x, str):
        raise TypeError(f"{name} must be a string, got {type(x).__name__}")
    return x


def one_of(*options):
    """Spec for :func:`checked`: one of ``options`` (compared with ``==``, types must match)."""
    def check(x, name):
        for option in options:
            if type(x) is type(option) and x == option:
                return x
        listed = ", ".join(repr(o) for o in options)
        shown = repr(x) if x is None or isinstance(x, (str, float)) else type(x).__name__
        raise ValueError(f"{name} must be one of {listed}; got {shown}")
    return check


def optional(spec):
    """Spec for :func:`checked`: ``None``, or what ``spec`` accepts."""
    return lambda x, name: None if x is None else spec(x, name)


def array(*, ndim=None, finite: bool = True, allow_empty: bool = False):
    """Spec for :func:`checked`: real numbers as a float64 array (:func:`as_float_array`)."""
    return lambda x, name: as_float_array(x, name, ndim=ndim, finite=finite, allow_empty=allow_empty)


def sequence_of(spec, *, length=None, min_length: int = 0, max_length=None):
    """Spec for :func:`checked`: a list or tuple whose items each pass ``spec``; returned as a tuple."""
    def check(x, name):
        if isinstance(x, np.ndarray) and x.ndim == 1:
            x = x.tolist()
        if not isinstance(x, (list, tuple)):
            raise TypeError(f"{name} must be a list or tuple, got {type(x).__name__}")
        if length is not None and len(x) != length:
            raise ValueError(f"{name} must have {length} items, got {len(x)}")
        if len(x) < min_length:
            raise ValueError(f"{name} must have at least {min_length} items, got {len(x)}")
        if max_length is not None and len(x) > max_length:
            raise ValueError(f"{name} must have at most {max_length} items, got {len(x)}")
        return tuple(spec(item, f"{name}[{i}]") for i, item in enumerate(x))
    return check


def instance_of(*types, what: str):
    """Spec for :func:`checked`: an instance of one of ``types``, described as ``what`` in the error."""
    def check(x, name):
        if not isinstance(x, types):
            raise TypeError(f"{name} must be {what}, got {type(x).__name__}")
        return x
    return check


def checked(**specs):
    """Decorator: check the named arguments, when given, before the call.

    Each spec is a callable ``(value, name) -> value`` (:func:`real`, :func:`integer`,
    :func:`flag`, :func:`text`, :func:`one_of`, :func:`optional`, :func:`array`,
    :func:`sequence_of`, :func:`instance_of`) that raises a ``TypeError`` or ``ValueError``
    naming the argument, or returns the value to pass on (a float for a real number, a tuple
    for a sequence). Defaults are not checked: they are the author's, and trusted.
    """
    def decorate(fn):
        signature = inspect.signature(fn)
        unknown = set(specs) - set(signature.parameters)
        if unknown:
            raise TypeError(f"checked: {fn.__qualname__} has no parameter {', '.join(sorted(unknown))}")

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as exc:
                raise TypeError(f"{fn.__qualname__}(): {exc}") from None
            arguments = bound.arguments
            for name, spec in specs.items():
                if name in arguments:
                    arguments[name] = spec(arguments[name], name)
            return fn(*bound.args, **bound.kwargs)
        return wrapper
    return decorate


def expression(x, name):
    """Spec for :func:`checked`: a SymPy expression, or a finite real number (made a SymPy one).

    The symbolic twins build formulas from it; a string is refused rather than parsed.
    """
    import sympy  # only the symbolic twins need it

    if isinstance(x, sympy.Expr):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)):
        return sympy.sympify(int(x) if isinstance(x, numbers.Integral) else check_scalar(x, name))
    raise TypeError(f"{name} must be a SymPy expression (a Symbol, say) or a real number, got {type(x).__name__}")
