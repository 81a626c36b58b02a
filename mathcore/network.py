r"""A multilayer perceptron whose forward and backward passes read as the book writes them.

Layer :math:`l` computes :math:`Z^{(l)} = A^{(l-1)} W^{(l)\top} + \mathbf b^{(l)}` and
:math:`A^{(l)} = f(Z^{(l)})`; backpropagation runs the four equations

.. math::
   \begin{aligned}
   \delta^{(L)} &= \nabla_{A^{(L)}} C \odot f'(Z^{(L)}), &
   \delta^{(l)} &= (\delta^{(l+1)} W^{(l+1)}) \odot f'(Z^{(l)}), \\
   \frac{\partial C}{\partial W^{(l)}} &= \delta^{(l)\top} A^{(l-1)}, &
   \frac{\partial C}{\partial \mathbf b^{(l)}} &= \textstyle\sum_{\text{rows}} \delta^{(l)},
   \end{aligned}

with the output layer fused with its loss where that is both simpler and
stabler (sigmoid with binary cross-entropy and softmax with cross-entropy give
:math:`\delta^{(L)} = (P - Y)/N`).

Reference: Nielsen, *Neural Networks and Deep Learning* (2015), chapter 2;
Glorot and Bengio (2010) and He et al. (2015) for the initialisations.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from . import activations, losses, regularization
from ._validate import (MAX_ELEMENTS, as_float_array, check_scalar, check_seed, checked, instance_of, integer,
                        lookup, one_of)
from .layers import _backward, _forward

__all__ = ["MLP", "OUTPUTS", "COMPATIBLE_LOSSES", "DEFAULT_LOSS", "HE_ACTIVATIONS", "INIT_SCHEMES",
           "initial_weights"]

OUTPUTS = ("identity", "sigmoid", "softmax")
#: Losses that make sense for each output activation; the first is the default.
COMPATIBLE_LOSSES: dict[str, tuple[str, ...]] = {
    "identity": ("mse", "sigmoid_binary_cross_entropy", "softmax_cross_entropy"),
    "sigmoid": ("binary_cross_entropy", "mse"),
    "softmax": ("cross_entropy", "mse"),
}
#: The loss each output activation uses when none is named: the first of its compatible losses.
DEFAULT_LOSS = {out: names[0] for out, names in COMPATIBLE_LOSSES.items()}
#: Output activation and loss pairs computed together on the logits.
_FUSED = {("sigmoid", "binary_cross_entropy"): "sigmoid_binary_cross_entropy",
          ("softmax", "cross_entropy"): "softmax_cross_entropy"}
#: Hidden activations that get He initialisation (zero for half their inputs); the rest get Glorot.
HE_ACTIVATIONS = ("relu", "leaky_relu", "elu", "gelu", "silu")


#: The initialisations :func:`initial_weights` draws from: He normal and Glorot uniform.
INIT_SCHEMES = ("he", "glorot")


@checked(n_in=integer(low=1, high=MAX_ELEMENTS),
         n_out=integer(low=1, high=MAX_ELEMENTS),
         scheme=one_of(*INIT_SCHEMES),
         rng=instance_of(
             np.random.Generator,
             what="a NumPy Generator (np.random.default_rng(seed))"))
def initial_weights(n_in: int, n_out: int, scheme: str,
                    rng: np.random.Generator) -> np.ndarray:
    r"""The initial weights of a layer with ``n_in`` inputs and ``n_out`` units, as :class:`MLP` draws them.

    ``"he"``: :math:`\mathcal N(0, 2/n_{in})`, which keeps the variance of the
    pre-activations through a ReLU layer (He et al., 2015). ``"glorot"``:
    :math:`\mathcal U(-r, r)` with :math:`r = \sqrt{6/(n_{in} + n_{out})}`, of variance
    :math:`r^2/3 = 2/(n_{in} + n_{out})`, the compromise between the forward pass's
    :math:`1/n_{in}` and the backward pass's :math:`1/n_{out}` (Glorot and Bengio, 2010).
    Chapter 3 derives both variances (``init.he-variance``, ``init.glorot-variance``).

    Shapes
    ------
    -> (n_out, n_in).
    """
    if n_in * n_out > MAX_ELEMENTS:
        raise ValueError(f"n_in {n_in} times n_out {n_out} is more than "
                         f"{MAX_ELEMENTS} weights")
    if scheme == "he":
        # (n_out, n_in), variance 2/n_in
        return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
    limit = np.sqrt(6.0 / (n_in + n_out))  # r, with r**2 / 3 = 2/(n_in + n_out)
    return rng.uniform(-limit, limit, size=(n_out, n_in))  # (n_out, n_in)


_DTYPES = ("float64", "float32")


def _check_dtype(dtype) -> np.dtype:
    try:
        # np.dtype(None) is float64: a None passed on by mistake would pass unnoticed
        dt = None if dtype is None else np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.name not in _DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(_DTYPES)}, got {dtype!r}")
    return dt


def _as_array(x, name: str, ndim: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """:func:`as_float_array` in the network's precision; an array already in it is checked, never copied."""
    if not (isinstance(x, np.ndarray) and x.dtype == dtype):
        return as_float_array(x, name, ndim=ndim).astype(dtype, copy=False)
    if x.ndim not in ndim or x.size == 0 or not np.isfinite(x).all():
        as_float_array(x, name, ndim=ndim)  # raises the error that names the problem
    return x


class MLP:
    """A fully connected network with parameters ``[W1, b1, W2, b2, ...]``.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output, e.g. ``[2, 8, 1]``; the network may hold at
        most ``MAX_ELEMENTS`` (``mathcore._validate``) parameters.
    activation : str
        Hidden activation, any name in :data:`mathcore.activations.ACTIVATIONS`.
    output : {"identity", "sigmoid", "softmax"}
        Output activation.
    seed : int
        Seed of the initialisation: He normal, :math:`\\mathcal N(0, 2/n_{in})`, for the
        ReLU family (:data:`HE_ACTIVATIONS`), Glorot uniform,
        :math:`\\mathcal U(\\pm\\sqrt{6/(n_{in}+n_{out})})`, otherwise and for the output layer;
        biases start at 0.
    dtype : {"float64", "float32"}
        Precision of the parameters, and of every array the network computes:
        inputs are converted to it. float64 (the default) is what the book's
        gradient checks need; float32 halves memory and roughly doubles the
        speed of the matrix products. A float32 network starts from its float64
        twin's weights (same ``seed``), rounded.

    Shapes
    ------
    ``W[l]``: (sizes[l+1], sizes[l]); ``b[l]``: (sizes[l+1],); ``X``: (n, sizes[0]);
    ``forward(X)``: (n, sizes[-1]).
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", output: str = "identity", seed: int = 0,
                 dtype="float64"):
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
            raise TypeError(f"sizes must be a list of layer widths, got {type(sizes).__name__}")
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least an input and an output width, got {list(sizes)}")
        self.sizes = [check_scalar(s, f"sizes[{i}]", low=1, integer=True) for i, s in enumerate(sizes)]
        n_params = sum(n_out * (n_in + 1) for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]))
        if n_params > MAX_ELEMENTS:
            raise ValueError(f"sizes {self.sizes} give {n_params} parameters, more than {MAX_ELEMENTS}")
        if isinstance(activation, str) and activation == "softmax":
            raise ValueError("softmax is an output activation; choose a hidden activation from "
                             + ", ".join(activations.ACTIVATIONS))
        self.activation = activations.get(activation)
        self.output = lookup({o: o for o in OUTPUTS}, output, "output activation")
        seed = check_seed(seed)
        self.dtype = _check_dtype(dtype)
        rng = np.random.default_rng(seed)
        self.params: list[np.ndarray] = []
        for l, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            hidden = l < len(self.sizes) - 2
            W = initial_weights(n_in, n_out, "he" if hidden and activation in HE_ACTIVATIONS else "glorot", rng)
            self.params += [W.astype(self.dtype, copy=False), np.zeros(n_out, dtype=self.dtype)]

    def __repr__(self) -> str:
        extra = "" if self.dtype == np.float64 else f", dtype={self.dtype.name!r}"
        return f"MLP({self.sizes}, activation={self.activation.name!r}, output={self.output!r}{extra})"

    @property
    def weights(self) -> list[np.ndarray]:
        return self.params[0::2]

    @property
    def n_params(self) -> int:
        return sum(p.size for p in self.params)

    # --- forward ---------------------------------------------------------------------
    def _check_X(self, X, name: str = "X") -> np.ndarray:
        X = _as_array(X, name, (1, 2), self.dtype)
        if X.ndim == 1:
            X = X[None, :]
        if X.shape[1] != self.sizes[0]:
            raise ValueError(f"{name} must have {self.sizes[0]} features (shape (n, {self.sizes[0]})), got {X.shape}")
        return X

    def _forward_cache(self, X: np.ndarray):
        # Keep each layer's input A and pre-activation Z: backward needs both.
        A, cache = X, []
        n_layers = len(self.params) // 2
        for l in range(n_layers):
            W, b = self.params[2 * l], self.params[2 * l + 1]
            Z = _forward(A, W, b)  # (n, n_out)
            cache.append((A, Z))
            A = self.activation._fn(Z) if l < n_layers - 1 else Z
        return Z, cache  # logits (n, n_last)

    def _output(self, Z: np.ndarray) -> np.ndarray:
        if self.output == "sigmoid":
            return activations._sigmoid(Z)
        if self.output == "softmax":
            return activations.softmax._fn(Z)
        return Z

    def logits(self, X) -> np.ndarray:
        """Pre-activation of the output layer. Shapes: (n, sizes[0]) -> (n, sizes[-1])."""
        return self._forward_cache(self._check_X(X))[0]

    def forward(self, X) -> np.ndarray:
        """Output of the network. Shapes: (n, sizes[0]) -> (n, sizes[-1])."""
        return self._output(self.logits(X))

    __call__ = forward

    def predict(self, X) -> np.ndarray:
        """Class labels (argmax, or output >= 0.5 for one sigmoid unit) or, for identity output, values."""
        out = self.forward(X)
        if self.output == "softmax":
            return out.argmax(axis=1)
        if self.output == "sigmoid":
            return (out >= 0.5).astype(int).squeeze(-1) if out.shape[1] == 1 else (out >= 0.5).astype(int)
        return out

    # --- loss and backward -----------------------------------------------------------
    def _resolve_loss(self, loss):
        name = DEFAULT_LOSS[self.output] if loss is None else loss
        lossfn = losses.get(name)
        if name not in COMPATIBLE_LOSSES[self.output]:
            raise ValueError(f"loss {name!r} does not fit output {self.output!r}; "
                             f"use one of {', '.join(COMPATIBLE_LOSSES[self.output])}")
        return lossfn

    def _check_Y(self, Y, n: int, lossfn, name: str = "Y", x_name: str = "X") -> np.ndarray:
        if lossfn.reduction == "samples":
            arr = losses.integer_labels(Y)
            if arr is not None:
                if arr.shape[0] != n:
                    raise ValueError(f"{name} has {arr.shape[0]} labels but {x_name} has {n} rows")
                return losses.one_hot(arr, self.sizes[-1], name).astype(self.dtype, copy=False)
        Y = _as_array(Y, name, (1, 2), self.dtype)
        if Y.ndim == 1 and self.sizes[-1] == 1:
            Y = Y[:, None]
        if Y.ndim == 1 and lossfn.reduction == "samples" and Y.shape[0] == n:
            raise losses.float_labels_error(Y, name, self.sizes[-1])
        if Y.shape != (n, self.sizes[-1]):
            raise ValueError(f"{name} must have shape {(n, self.sizes[-1])} to match the output, got {Y.shape}")
        losses.check_targets(Y, lossfn, name)
        return Y

    def loss(self, X, Y, loss: str | None = None, l2: float = 0.0, l1: float = 0.0) -> float:
        """The cost: mean data loss plus penalties on the weights."""
        return self.loss_and_gradients(X, Y, loss, l2, l1, _value_only=True)[0]

    def loss_and_gradients(self, X, Y, loss: str | None = None,
                           l2: float = 0.0, l1: float = 0.0,
                           _value_only: bool = False
                           ) -> tuple[float, list[np.ndarray]]:
        """Cost and its gradient for every parameter, by backpropagation.

        Parameters
        ----------
        X : array, shape (n, sizes[0])
        Y : array, shape (n, sizes[-1])
            (n,) integer labels for cross-entropy, or (n,) for one output.
        loss : str, optional
            A name in :data:`COMPATIBLE_LOSSES` for this output; default
            :data:`DEFAULT_LOSS`.
        l2, l1 : float
            Penalty strengths, on the weights only:
            :math:`\\frac{l_2}{2}\\sum\\lVert W\\rVert^2 + l_1\\sum|W|`.

        Returns
        -------
        (float, list of arrays shaped like ``params``)
        """
        lossfn = self._resolve_loss(loss)
        l2 = check_scalar(l2, "l2", low=0.0)
        l1 = check_scalar(l1, "l1", low=0.0)
        X = self._check_X(X)
        Y = self._check_Y(Y, X.shape[0], lossfn)
        Z, cache = self._forward_cache(X)  # (n, n_out)

        pair = (self.output, lossfn.name)
        fused = losses.LOSSES[_FUSED[pair]] if pair in _FUSED else None
        if fused is not None or lossfn.on_logits:
            f = fused or lossfn
            value = f._value(Z, Y)
            # (n, n_out) = (P - Y)/N
            dZ = None if _value_only else f._grad(Z, Y)
        else:
            out = self._output(Z)
            if lossfn.probabilities and self.output == "identity":
                raise ValueError(f"{lossfn.name} needs probabilities; "
                                 "use output='sigmoid' or 'softmax'")
            value = lossfn._value(out, Y)
            dZ = None
            if not _value_only:
                dA = lossfn._grad(out, Y)  # (n, n_out)
                if self.output == "sigmoid":
                    dZ = dA * out * (1.0 - out)
                elif self.output == "softmax":
                    # Jacobian-vector product of softmax: p * (g - <g, p>)
                    dZ = out * (dA - np.sum(dA * out, axis=1, keepdims=True))
                else:
                    dZ = dA
        Ws = self.weights
        if l2:
            # one pass over each W: concatenating them first would
            # copy every weight on every step
            penalty = regularization.PENALTIES["l2"]
            value += sum(penalty._value(W, l2) for W in Ws)
        if l1:
            penalty = regularization.PENALTIES["l1"]
            value += sum(penalty._value(W, l1) for W in Ws)
        if _value_only:
            return float(value), []

        grads: list[np.ndarray] = [None] * len(self.params)  # type: ignore
        delta = dZ  # (n, n_out) at the output layer
        for l in range(len(cache) - 1, -1, -1):
            A_prev, _ = cache[l]
            W = self.params[2 * l]
            dA_prev, dW, db = _backward(delta, A_prev, W, need_dX=l > 0)
            if l2:
                dW += l2 * W
            if l1:
                dW += l1 * np.sign(W)
            grads[2 * l], grads[2 * l + 1] = dW, db
            if l > 0:
                # (n, n_l): dA_prev is new, so the product can overwrite it
                delta = dA_prev
                delta *= self.activation._dfn(cache[l - 1][1])  # (n, n_l)
        return float(value), grads


# --- measuring gradients through depth (Chapter 3) --------------------------------------

__all__.append("layer_gradient_norms")


def layer_gradient_norms(net: MLP, X, Y, loss: str | None = None) -> np.ndarray:
    r"""The size of the cost's gradient at each layer: :math:`\lVert \partial C / \partial W^{(l)} \rVert_F`.

    One backward pass of :meth:`MLP.loss_and_gradients`; entry ``l`` is the
    Frobenius norm of the gradient with respect to the weights of layer
    ``l + 1``, input side first. In a deep network these norms shrink
    (vanishing gradients) or grow (exploding gradients) roughly geometrically
    towards the input, because backpropagation multiplies the error by one
    :math:`W^{(l)\top}` and one :math:`f'(Z^{(l)})` per layer.

    Parameters
    ----------
    net : MLP
    X : array, shape (n, sizes[0])
    Y : array
        Targets, as in :meth:`MLP.loss_and_gradients`.
    loss : str, optional
        As in :meth:`MLP.loss_and_gradients`.

    Returns
    -------
    ndarray of float64, shape (n_layers,)

    Shapes
    ------
    ``X``: (n, sizes[0]) -> (len(sizes) - 1,).
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a mathcore.MLP, got {type(net).__name__}")
    _, grads = net.loss_and_gradients(X, Y, loss)
    return np.array([np.linalg.norm(g) for g in grads[0::2]], dtype=np.float64)  # (n_layers,)
