r"""Activation functions: value, derivative and SymPy twin side by side.

Every elementwise activation is an :class:`Activation` in the registry
:data:`ACTIVATIONS`. It is called as ``act(z)``, differentiated as
``act.derivative(z)``, and its formula is ``act.symbolic(x)``, a SymPy
expression that the tests differentiate and compare with ``act.derivative``.

Where an activation has a kink, the symbolic twin is written as a
``Piecewise`` whose branch conditions encode the convention used at the kink,
so SymPy's derivative of the twin *is* the convention, and the tests check it
at the kink itself. Softmax is vector-valued and lives beside them as
:data:`softmax`, with its Jacobian.

All functions are stable for inputs in [-1000, 1000]: no overflow, no
RuntimeWarning, no NaN. They accept any finite input: far beyond that range an
intermediate may overflow (:math:`2|z|` in the tanh derivative, the difference
of logits more than 1.8e308 apart in softmax), and the result is then the
correct limit (a derivative of 0, a probability of 0, a log-probability of
:math:`-\infty` where the true one is below -1.8e308), without a warning.

References: Goodfellow, Bengio and Courville, *Deep Learning* (2016), 6.3;
Hendrycks and Gimpel, "Gaussian Error Linear Units" (2016);
Clevert, Unterthiner and Hochreiter, "Fast and Accurate Deep Network Learning
by Exponential Linear Units" (2015); Ramachandran, Zoph and Le, "Searching for
Activation Functions" (2017).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import sympy as sp

from ._validate import MAX_SYMBOLS, as_float_array, check_scalar, expression, lookup, text

__all__ = ["Activation", "Softmax", "ACTIVATIONS", "get", "softmax", "X"]

#: The symbol every twin is written in.
X = sp.Symbol("x", real=True)


@dataclass(frozen=True)
class Activation:
    """An elementwise activation :math:`f`, its derivative :math:`f'` and its SymPy twin.

    Attributes
    ----------
    name : str
        Registry key.
    formula : str
        LaTeX of :math:`f(x)`, for tables and figure titles.
    output_range : str
        The set of values :math:`f` takes, in LaTeX.
    kink : str
        The convention used where :math:`f` is not differentiable ("" if smooth).
    """

    name: str
    formula: str
    output_range: str
    kink: str
    _fn: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    _dfn: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    _sym: Callable[[sp.Symbol], sp.Expr] = field(repr=False)
    kink_points: tuple = ()

    def __call__(self, z) -> np.ndarray:
        """Apply :math:`f` elementwise. Shapes: any -> same."""
        return self._fn(as_float_array(z, "z", allow_empty=True))

    def derivative(self, z) -> np.ndarray:
        """:math:`f'(z)` elementwise, with the kink convention in ``kink``. Shapes: any -> same."""
        z = as_float_array(z, "z", allow_empty=True)
        with np.errstate(over="ignore"):  # 2|z| or z*z beyond 1.8e308 leads to the right limit, 0
            return self._dfn(z)

    def symbolic(self, x: sp.Symbol = X) -> sp.Expr:
        """The SymPy expression of :math:`f(x)`."""
        return self._sym(expression(x, "x"))


# --- the stable NumPy kernels -------------------------------------------------

def _sigmoid(z: np.ndarray) -> np.ndarray:
    # exp(-|z|) never overflows; the two branches are the same function
    # written so that neither divides a huge number by a huge number.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _dsigmoid(z: np.ndarray) -> np.ndarray:
    # sigma(z)(1 - sigma(z)) = sigma(z) sigma(-z): the product form keeps full
    # relative accuracy in the tails, where 1 - sigma(z) would round to 0
    return _sigmoid(z) * _sigmoid(-z)


def _tanh(z):
    return np.tanh(z)


def _dtanh(z):
    # 1 - tanh^2 z = 4e/(1 + e)^2 with e = exp(-2|z|), accurate where tanh z rounds to +-1
    e = np.exp(-2.0 * np.abs(z))
    return 4.0 * e / (1.0 + e) ** 2


def _relu(z):
    return np.maximum(z, 0.0)


def _drelu(z):
    return (z > 0).astype(np.float64)


LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _leaky(z):
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _dleaky(z):
    return np.where(z > 0, 1.0, LEAKY_SLOPE)


def _elu(z):
    # expm1 of min(z, 0) so that the unused branch never overflows for z = 1000
    return np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def _delu(z):
    return np.where(z > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0.0)))


def _softplus(z):
    # log(1 + e^z) = max(z, 0) + log(1 + e^{-|z|}), exact and overflow-free
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _gelu(z):
    from scipy.special import ndtr  # imported on first use: scipy.special adds 0.4 s to every chapter's start
    return z * ndtr(z)


def _dgelu(z):
    from scipy.special import ndtr
    return ndtr(z) + z * _INV_SQRT2PI * np.exp(-0.5 * z * z)


def _silu(z):
    return z * _sigmoid(z)


def _dsilu(z):
    s = _sigmoid(z)
    return s * (1.0 + z * (1.0 - s))


def _step(z):
    return (z >= 0).astype(np.float64)


def _zero(z):
    return np.zeros_like(z)


def _one(z):
    return np.ones_like(z)


def _sym_sigmoid(x):
    return 1 / (1 + sp.exp(-x))


#: Every elementwise activation of the book by name (softmax, vector-valued, is separate).
#:
#: :meta hide-value:
ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation("identity", r"x", r"\mathbb{R}", "", lambda z: z.copy(), _one, lambda x: x),
        Activation(
            "step", r"\begin{cases}1 & x \ge 0\\ 0 & x < 0\end{cases}", r"\{0, 1\}",
            "step(0) = 1, as in Rosenblatt's perceptron; the derivative is 0 everywhere, "
            "including at 0 where it does not exist.",
            _step, _zero, lambda x: sp.Piecewise((1, x >= 0), (0, True)), kink_points=(0.0,),
        ),
        Activation("sigmoid", r"\frac{1}{1 + e^{-x}}", r"(0, 1)", "", _sigmoid, _dsigmoid, _sym_sigmoid),
        Activation("tanh", r"\tanh x", r"(-1, 1)", "", _tanh, _dtanh, sp.tanh),
        Activation(
            "relu", r"\max(0, x)", r"[0, \infty)",
            "relu'(0) = 0, as in PyTorch and TensorFlow.",
            _relu, _drelu, lambda x: sp.Piecewise((0, x <= 0), (x, True)), kink_points=(0.0,),
        ),
        Activation(
            "leaky_relu", r"\max(0.01x, x)", r"\mathbb{R}",
            "leaky_relu'(0) = 0.01, the slope of the left branch, as in PyTorch.",
            _leaky, _dleaky,
            lambda x: sp.Piecewise((sp.Rational(1, 100) * x, x <= 0), (x, True)), kink_points=(0.0,),
        ),
        Activation(
            "elu", r"\begin{cases}x & x > 0\\ e^{x} - 1 & x \le 0\end{cases}", r"(-1, \infty)",
            "With alpha = 1 both one-sided derivatives at 0 equal 1, so elu'(0) = 1 is the true derivative.",
            _elu, _delu, lambda x: sp.Piecewise((sp.exp(x) - 1, x <= 0), (x, True)), kink_points=(0.0,),
        ),
        Activation("softplus", r"\log(1 + e^{x})", r"(0, \infty)", "", _softplus, _sigmoid,
                   lambda x: sp.log(1 + sp.exp(x))),
        Activation("gelu", r"x\,\Phi(x)", r"[-0.17, \infty)", "", _gelu, _dgelu,
                   lambda x: x * (1 + sp.erf(x / sp.sqrt(2))) / 2),
        Activation("silu", r"x\,\sigma(x)", r"[-0.28, \infty)", "", _silu, _dsilu,
                   lambda x: x * _sym_sigmoid(x)),
    ]
}


def get(name: str) -> Activation:
    """Return the activation registered as ``name`` (ValueError lists the known names)."""
    if isinstance(name, str) and name == "softmax":
        return softmax  # type: ignore[return-value]
    return lookup(ACTIVATIONS, name, "activation")


class Softmax:
    r"""Softmax along the last axis, :math:`p_k = e^{z_k} / \sum_j e^{z_j}`, and its Jacobian.

    The Jacobian is :math:`\partial p_i / \partial z_j = p_i(\delta_{ij} - p_j)`, that is
    :math:`\operatorname{diag}(p) - p p^\top`.

    Shapes
    ------
    ``z``: (..., K) -> ``softmax(z)``: (..., K); ``jacobian(z)``: (..., K, K).
    """

    name = "softmax"
    formula = r"\frac{e^{x_k}}{\sum_j e^{x_j}}"
    output_range = r"(0, 1)^K,\ \textstyle\sum_k p_k = 1"
    kink = ""

    def __call__(self, z) -> np.ndarray:
        z = as_float_array(z, "z", ndim=(1, 2, 3))
        with np.errstate(over="ignore"):  # z - max = -inf gives exp = 0, the true probability
            return self._fn(z)

    @staticmethod
    def _fn(z: np.ndarray) -> np.ndarray:
        # Subtracting the row maximum changes nothing mathematically (softmax is
        # shift-invariant) and keeps every exponent <= 0, so exp never overflows.
        e = np.exp(z - z.max(axis=-1, keepdims=True))  # (..., K)
        return e / e.sum(axis=-1, keepdims=True)  # (..., K)

    def jacobian(self, z) -> np.ndarray:
        """:math:`\\operatorname{diag}(p) - p p^\\top` for each row of ``z``. Shapes: (..., K) -> (..., K, K)."""
        p = self(z)  # (..., K)
        return np.einsum("...i,ij->...ij", p, np.eye(p.shape[-1])) - p[..., :, None] * p[..., None, :]

    def symbolic(self, k: int = 3, prefix: str = "z") -> tuple[sp.Matrix, sp.Matrix]:
        """``(z, p)``: a column of ``k`` real symbols and the softmax of it, as SymPy matrices."""
        k = check_scalar(k, "k", low=1, high=MAX_SYMBOLS, integer=True)
        text(prefix, "prefix")
        z = sp.Matrix(sp.symbols(f"{prefix}_1:{k + 1}", real=True))
        denom = sum(sp.exp(zi) for zi in z)
        return z, sp.Matrix([sp.exp(zi) / denom for zi in z])

    def __repr__(self) -> str:
        return "Softmax()"


#: The softmax activation (vector-valued, so not in :data:`ACTIVATIONS`).
softmax = Softmax()


# --- log-sum-exp, log-softmax and temperature (Chapter 3, numerical stability) -----------


__all__ += ["logsumexp", "log_softmax", "softmax_with_temperature"]


def logsumexp(z) -> np.ndarray:
    r""":math:`\log \sum_k e^{z_k}` along the last axis, without overflow.

    Computed as :math:`m + \log \sum_k e^{z_k - m}` with :math:`m = \max_k z_k`,
    the same number for every :math:`m` (see ``activation.logsumexp-shift`` in
    :mod:`mathcore.derivations`); with this :math:`m` every exponent is
    :math:`\le 0` and the largest term is exactly 1, so the sum lies in
    :math:`[1, K]` and neither overflows nor underflows to :math:`\log 0`.

    Parameters
    ----------
    z : array_like
        Finite real numbers, at least one dimension.

    Returns
    -------
    ndarray
        The log-sum-exp of each row.

    Shapes
    ------
    ``z``: (..., K) -> (...).
    """
    z = as_float_array(z, "z", ndim=(1, 2, 3))
    m = z.max(axis=-1, keepdims=True)  # (..., 1)
    with np.errstate(over="ignore"):  # z - m = -inf contributes exp = 0, as it should
        return m[..., 0] + np.log(np.sum(np.exp(z - m), axis=-1))  # (...)


def log_softmax(z) -> np.ndarray:
    r""":math:`\log p_k = z_k - \log \sum_j e^{z_j}` along the last axis, without overflow or :math:`\log 0`.

    Taking the logarithm of :data:`softmax` instead fails when a probability
    underflows to 0 (for :math:`z = (0, 800)`, :math:`p_1 = e^{-800}` rounds to 0
    and its log is :math:`-\infty`); this form gives :math:`-800` exactly.

    Parameters
    ----------
    z : array_like
        Finite real numbers, at least one dimension.

    Returns
    -------
    ndarray
        The logarithm of the softmax of each row; ``-inf`` without a warning
        where the true value is below -1.8e308 (logits more than that apart).

    Shapes
    ------
    ``z``: (..., K) -> (..., K).
    """
    z = as_float_array(z, "z", ndim=(1, 2, 3))
    with np.errstate(over="ignore"):  # a log-probability below -1.8e308 is -inf
        return _log_softmax(z)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    # the kernel, on a validated array; the fused softmax cross-entropy calls it
    # directly
    shifted = z - z.max(axis=-1, keepdims=True)  # (..., K), every entry <= 0
    sums = np.sum(np.exp(shifted), axis=-1, keepdims=True)  # (..., 1)
    return shifted - np.log(sums)  # (..., K)


def softmax_with_temperature(z, temperature: float = 1.0) -> np.ndarray:
    r"""Softmax of :math:`z / T` along the last axis: :math:`p_k = e^{z_k/T} / \sum_j e^{z_j/T}`.

    :math:`T = 1` is the ordinary :data:`softmax`. As :math:`T \to 0` the
    probabilities approach one-hot on the largest logit (ties share it); as
    :math:`T \to \infty` they approach the uniform :math:`1/K`. Stable for every
    :math:`T > 0`: the logits are shifted by their maximum *before* dividing,
    so the exponents are :math:`\le 0`, and a quotient that overflows to
    :math:`-\infty` (tiny :math:`T`) gives :math:`e^{-\infty} = 0` exactly.

    Parameters
    ----------
    z : array_like
        Finite logits, at least one dimension.
    temperature : float
        :math:`T > 0`.

    Returns
    -------
    ndarray
        Probabilities; each row sums to 1.

    Shapes
    ------
    ``z``: (..., K) -> (..., K).
    """
    z = as_float_array(z, "z", ndim=(1, 2, 3))
    t = check_scalar(temperature, "temperature", low=0.0, low_open=True)
    with np.errstate(over="ignore"):  # (z - max)/t -> -inf for tiny t: exp gives 0, the right limit
        scaled = (z - z.max(axis=-1, keepdims=True)) / t  # (..., K), every entry <= 0
    e = np.exp(scaled)  # (..., K), the largest entry of each row is exactly 1
    return e / e.sum(axis=-1, keepdims=True)  # (..., K)
