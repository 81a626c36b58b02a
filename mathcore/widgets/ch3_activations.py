r"""Chapter 3, Activation functions: gradients through depth, and softmax with a temperature.

Two interactive figures, each with the computation behind it exposed for tests:

- :func:`gradient_depth`: the gradient norm at every layer of a deep
  :class:`~mathcore.network.MLP`, for each activation and for every weight multiplied by
  a gain; the data come from :func:`depth_gradients`, computed once per builder
  call (40 backward passes, about 0.2 s), never per slider move.
- :func:`softmax_temperature`: the probabilities :math:`\operatorname{softmax}(z/T)`
  of five classes as the temperature :math:`T` moves, with their entropy and
  the largest entry of the Jacobian (:func:`temperature_summary`).

Both figures are drawn once and then updated in place, redrawing only the
artists that move on top of a kept bitmap of everything else (blitting, as
:class:`mathcore.widgets.NeuronPlane` does), so a live slider move costs
tens of milliseconds, not hundreds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from threadpoolctl import threadpool_limits

from .. import activations, plotting
from .._validate import (MAX_ELEMENTS, MAX_SAMPLES, as_float_array, check_scalar, check_seed, checked, instance_of,
                         integer, optional, real, sequence_of, text)
from ..activations import ACTIVATIONS
from ..network import MLP, layer_gradient_norms
from ._core import Blitter, FigureBox, Slider, _check_mode, _env_mode, interactive_figure

__all__ = [
    "DEPTH_ACTIVATIONS",
    "DEPTH_GAINS",
    "DepthGradients",
    "depth_gradients",
    "GradientDepthFigure",
    "gradient_depth",
    "TEMPERATURES",
    "temperature_summary",
    "SoftmaxBars",
    "softmax_temperature",
    "INIT_ACTIVATIONS",
    "INIT_GAINS",
    "INIT_DEPTHS",
    "InitScales",
    "init_scales",
    "InitDepthFigure",
    "init_depth",
]

#: The hidden activations compared in the gradient-through-depth figure.
DEPTH_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "silu")
#: The factors every weight is multiplied by, after the default initialisation.
DEPTH_GAINS: tuple[float, ...] = (0.5, 0.75, 1.0, 1.5, 2.0)
#: Temperatures of the softmax figure's slider: log-spaced around T = 1.
TEMPERATURES: tuple[float, ...] = (0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)

_Z_LIM = 6.0  # pre-activations are shown on [-6, 6]
_N_BINS = 48


def _sci(v: float) -> str:
    """Scientific notation with a short exponent, 7.1e+0 rather than 7.1e+00, for alt text read aloud."""
    return f"{v:.1e}".replace("e+0", "e+").replace("e-0", "e-")


def _readout(ax, x: float, y: float, labels: Sequence[str], *, width: float, step: float = 0.075,
             fontsize: float = 8.0) -> list:
    """A small boxed table in axes coordinates: labels drawn once, a value Text per row returned.

    Text is the slowest thing a frame draws (about 0.1 ms a glyph, more on a
    busy machine), so only the values move; the box and labels stay in the
    kept bitmap. ``(x, y)`` is the top left corner of the box.
    """
    height = step * len(labels)
    ax.add_patch(FancyBboxPatch((x, y - height), width, height, boxstyle="round,pad=0.012",
                                transform=ax.transAxes, fc="white", ec="0.7", lw=0.8, zorder=4))
    values = []
    for k, label in enumerate(labels):
        row = y - step * (k + 0.5)
        ax.text(x + 0.02, row, label, transform=ax.transAxes, ha="left", va="center", fontsize=fontsize, zorder=5)
        values.append(ax.text(x + width - 0.02, row, "", transform=ax.transAxes, ha="right", va="center",
                              fontsize=fontsize, zorder=5))
    return values


# --- gradients through depth ----------------------------------------------------------------


@dataclass(frozen=True)
class DepthGradients:
    """Gradient norms and pre-activations of deep MLPs, for each activation and gain.

    Attributes
    ----------
    activations : tuple of str
    gains : tuple of float
    sizes : tuple of int
        Layer widths of every network, input first.
    norms : ndarray, shape (n_activations, n_gains, n_layers)
        :math:`\\lVert \\partial C/\\partial W^{(l)} \\rVert_F` of layer ``l + 1`` (input side first).
    z_share : ndarray, shape (n_activations, n_gains, n_bins)
        Share of all hidden pre-activations (every unit, every sample) in each bin of ``z_edges``.
    z_outside : ndarray, shape (n_activations, n_gains)
        Share of hidden pre-activations with :math:`|z| > 6`, outside the bins.
    mean_slope : ndarray, shape (n_activations, n_gains)
        Mean of :math:`f'(z)` over every hidden unit and sample.
    z_edges : ndarray, shape (n_bins + 1,)
    """

    activations: tuple
    gains: tuple
    sizes: tuple
    norms: np.ndarray
    z_share: np.ndarray
    z_outside: np.ndarray
    mean_slope: np.ndarray
    z_edges: np.ndarray

    @checked(activation=text, gain=real())
    def index(self, activation: str, gain: float) -> tuple[int, int]:
        """Positions of ``activation`` and ``gain`` in the arrays (ValueError if absent)."""
        if activation not in self.activations:
            raise ValueError(f"activation {activation!r} was not measured; measured: {', '.join(self.activations)}")
        for j, g in enumerate(self.gains):
            if math.isclose(g, gain, rel_tol=1e-9):
                return self.activations.index(activation), j
        raise ValueError(f"gain {gain!r} was not measured; measured: {self.gains}")

    @property
    def depth(self) -> int:
        """Number of hidden layers."""
        return len(self.sizes) - 2


@checked(activations=sequence_of(text, min_length=1), gains=sequence_of(real(low=0.0, low_open=True), min_length=1),
         depth=integer(low=1, high=MAX_ELEMENTS), width=integer(low=1, high=MAX_ELEMENTS),
         n=integer(low=1, high=MAX_SAMPLES), n_inputs=integer(low=1, high=MAX_ELEMENTS))
def depth_gradients(
    activations: Sequence[str] = DEPTH_ACTIVATIONS,
    gains: Sequence[float] = DEPTH_GAINS,
    *,
    depth: int = 20,
    width: int = 32,
    n: int = 32,
    n_inputs: int = 16,
    seed: int = 0,
) -> DepthGradients:
    """Measure the gradient at every layer of deep MLPs, one per activation and gain.

    Each network is ``MLP([n_inputs] + [width] * depth + [1], activation, seed=seed)``
    (He initialisation for the ReLU family, Glorot otherwise), with every weight
    then multiplied by the gain; the cost is the mean squared error on ``n``
    seeded standard-normal inputs and targets. One backward pass each
    (:func:`mathcore.network.layer_gradient_norms`).

    Shapes
    ------
    See :class:`DepthGradients`.
    """
    names = tuple(activations)
    for i, name in enumerate(names):
        if name not in ACTIVATIONS:
            raise ValueError(f"activations[{i}] must be a hidden activation, one of {', '.join(ACTIVATIONS)}; "
                             f"got {name!r}")
    n_params = width * (n_inputs + 1) + (depth - 1) * width * (width + 1) + width + 1
    if n_params > MAX_ELEMENTS:
        raise ValueError(f"depth {depth}, width {width} and n_inputs {n_inputs} give networks of {n_params} "
                         f"parameters, more than {MAX_ELEMENTS}")
    if n * max(n_inputs, width * depth) > MAX_ELEMENTS:
        raise ValueError(f"n {n} samples of n_inputs {n_inputs} inputs through depth {depth} layers of width "
                         f"{width} hold more than {MAX_ELEMENTS} numbers")
    rng = np.random.default_rng(check_seed(seed))
    X = rng.standard_normal((n, n_inputs))  # (n, n_inputs)
    Y = rng.standard_normal((n, 1))  # (n, 1)
    sizes = [n_inputs] + [width] * depth + [1]
    edges = np.linspace(-_Z_LIM, _Z_LIM, _N_BINS + 1)  # (B + 1,)
    norms = np.empty((len(names), len(gains), depth + 1))
    share = np.empty((len(names), len(gains), _N_BINS))
    outside = np.empty((len(names), len(gains)))
    slope = np.empty((len(names), len(gains)))
    for i, name in enumerate(names):
        net = MLP(sizes, name, seed=seed)
        act = net.activation
        initial = [p.copy() for p in net.params]
        for j, g in enumerate(gains):
            net.params = [g * p if k % 2 == 0 else p.copy() for k, p in enumerate(initial)]
            # A gain far above 1 grows the signal like gain ** depth: past float64's range it is refused
            # below by name, not left as overflow warnings from inside NumPy.
            finite = False
            with np.errstate(over="ignore", invalid="ignore"):
                A, Zs = X, []
                for W, b in zip(net.params[0:-2:2], net.params[1:-2:2]):
                    Z = A @ W.T + b  # (n, width)
                    if not np.isfinite(Z).all():
                        break
                    Zs.append(Z)
                    A = act(Z)  # (n, width)
                else:
                    if np.isfinite(A @ net.params[-2].T + net.params[-1]).all():  # (n, 1), the output
                        norms[i, j] = layer_gradient_norms(net, X, Y)  # (L,)
                        finite = np.isfinite(norms[i, j]).all()
            if not finite:
                raise ValueError(f"gains[{j}] = {g:g} overflows float64 through {depth} layers of {name}; "
                                 "choose a smaller gain or depth")
            Z = np.concatenate([z.ravel() for z in Zs])  # (n * width * depth,)
            counts, _ = np.histogram(Z, bins=_N_BINS, range=(-_Z_LIM, _Z_LIM))  # (B,), equal bins: no sort
            share[i, j] = counts / Z.size
            outside[i, j] = np.mean(np.abs(Z) > _Z_LIM)
            slope[i, j] = float(np.mean(act.derivative(Z)))
    return DepthGradients(names, gains, tuple(sizes), norms, share, outside, slope, edges)


def _ratio(norms: np.ndarray) -> float:
    """The first layer's gradient norm over the last's: inf if only the last is zero, nan if both are."""
    # exactly zero gradients (dead units, a tiny gain) are data to show, not a division to warn about
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(norms[0] / norms[-1])


def _trend(norms: np.ndarray) -> str:
    if not norms.any():
        return "every layer's gradient is exactly zero (vanished)"
    ratio = _ratio(norms)
    if ratio < 1e-2:
        change = f"shrinking towards the input by a factor {_sci(ratio)} (vanishing)"
    elif ratio > 1e2:
        change = f"growing towards the input by a factor {_sci(ratio)} (exploding)"
    else:
        change = f"within a factor 100 from layer to layer (ratio first to last {_sci(ratio)})"
    size = norms.max()
    if size > 1e3:
        change += f"; every layer's gradient is huge, up to {_sci(size)} (exploding)"
    elif size < 1e-3:
        change += f"; every layer's gradient is tiny, at most {_sci(size)} (vanished)"
    return change


class GradientDepthFigure:
    """Two panels for one activation and gain of a :class:`DepthGradients`, updated in place.

    Left: the activation's derivative :math:`f'(z)` over the histogram of the
    hidden pre-activations (where the units sit on it). Right: the gradient
    norm at every layer on a log scale, the chosen activation in colour and
    the others in grey. :meth:`png` redraws only what moves.
    """

    @checked(data=instance_of(DepthGradients, what="a DepthGradients (see depth_gradients)"))
    def __init__(self, data: DepthGradients):
        self.data = data
        with plotting.book_style():
            fig = Figure(figsize=(8.4, 3.9), dpi=plotting.DPI)
            left, right = fig.subplots(1, 2, width_ratios=[1.0, 1.25], gridspec_kw=dict(
                left=0.085, right=0.99, bottom=0.13, top=0.86, wspace=0.24))
            self._build(fig, left, right)
        self.fig, self.left, self.right = fig, left, right
        self._blit = Blitter(fig, self._dynamic)

    def _build(self, fig, left, right) -> None:
        d = self.data
        L = d.norms.shape[-1]
        centres = 0.5 * (d.z_edges[:-1] + d.z_edges[1:])  # (B,)
        self._zs = np.linspace(-_Z_LIM, _Z_LIM, 241)  # (241,)
        left.set_title("Where the hidden units sit")
        left.set_xlabel("pre-activation $z$")
        left.set_ylabel("derivative $f'(z)$")
        left.set_xlim(-_Z_LIM, _Z_LIM)
        # The band above 1.25 holds the legend and the readout, clear of every curve (max f' is 1.13, GELU's).
        left.set_ylim(-0.15, 1.85)
        left.set_yticks(np.arange(0.0, 1.25, 0.25))
        self.hist = left.stairs(np.zeros_like(centres), d.z_edges, fill=True, color="#cfe3f0", zorder=1,
                                label="pre-activations\n(histogram, scaled)")
        (self.slope,) = left.plot([], [], color=plotting.PALETTE[1], lw=2.2, zorder=3, label="$f'(z)$")
        left.axhline(0.25, color="0.45", lw=0.9, ls="--", zorder=2)
        left.text(-_Z_LIM + 0.2, 0.27, "1/4", color="0.35", fontsize=8, zorder=2)
        left.legend(loc="upper left", fontsize=8)
        self.left_values = _readout(left, 0.55, 0.975, ["mean f′(z)", f"share |z| > {_Z_LIM:g}"], width=0.43)

        # plain tick labels: the book style's mathtext ones cost ~15 ms each to parse when a figure is built
        left.ticklabel_format(useMathText=False)
        right.xaxis.get_major_formatter().set_useMathText(False)
        right.set_title("Gradient norm at each layer")
        right.set_xlabel(f"layer $l$ (1 = input side, {L} = output)")
        right.set_ylabel(r"$\Vert \partial C / \partial W^{(l)} \Vert$")
        right.set_yscale("log")
        right.set_xlim(0.5, L + 0.5)
        right.set_xticks(sorted({1, *range(5, L - 1, 5), L}))  # 1, 5, 10, 15, 21: no 20 beside 21
        # Measured norms lie in [1e-19, 1e13]; the band above 1e15 holds the legend and the readout.
        right.set_ylim(1e-20, 1e26)
        # Unicode superscripts, not mathtext: parsing a dozen mathtext labels costs 0.3 s per figure
        plotting.log_axis(right.yaxis, ticks=[10.0**k for k in range(-20, 16, 5)])
        layers = np.arange(1, L + 1)
        self.others = [right.plot(layers, np.ones(L), color="0.72", lw=1.0, zorder=2)[0]
                       for _ in range(len(d.activations) - 1)]
        (self.main,) = right.plot(layers, np.ones(L), color=plotting.PALETTE[0], lw=2.4, marker="o", ms=3.5,
                                  zorder=3, label="chosen activation")
        right.plot([], [], color="0.72", lw=1.0, label="the other seven")
        right.legend(loc="upper left", fontsize=8)
        self.right_values = _readout(right, 0.53, 0.975, [f"layer 1 / layer {L}", "largest norm"], width=0.45)
        fig.suptitle(f"Gradients through {d.depth} hidden layers of {d.sizes[1]} units", fontsize=12,
                     fontweight="bold")
        self._dynamic = [self.hist, self.slope, *self.left_values, *self.others, self.main, *self.right_values]

    def update(self, activation: str, gain: float) -> None:
        """Show the network with hidden ``activation`` and every weight multiplied by ``gain``."""
        d = self.data
        i, j = d.index(activation, gain)
        act = activations.get(activation)
        share = d.z_share[i, j]  # (B,)
        self.hist.set_data(values=share / max(share.max(), 1e-12))  # tallest bin at height 1
        self.slope.set_data(self._zs, act.derivative(self._zs))
        # plain text, not mathtext: a new mathtext string is parsed afresh on every frame (~10 ms)
        self.left_values[0].set_text(f"{d.mean_slope[i, j]:.2f}")
        self.left_values[1].set_text(f"{100 * d.z_outside[i, j]:.0f}%")
        others = [k for k in range(len(d.activations)) if k != i]
        for line, k in zip(self.others, others):
            line.set_ydata(d.norms[k, j])
        norms = d.norms[i, j]  # (L,)
        self.main.set_ydata(norms)
        self.right_values[0].set_text(f"{_ratio(norms):.1e}")
        self.right_values[1].set_text(f"{norms.max():.1e}")

    def __call__(self, activation: str, gain: float) -> Figure:
        """Update, and return the whole figure (for :func:`mathcore.plotting.show`)."""
        self.update(activation, gain)
        return self.fig

    def png(self, activation: str, gain: float, *, palette: bool = True, compress_level: int | None = None) -> bytes:
        """The figure as PNG bytes, redrawing only what moves."""
        self.update(activation, gain)
        return self._blit.png(palette=palette, compress_level=compress_level)

    def alt(self, activation: str, gain: float) -> str:
        """What the figure shows, in words and numbers."""
        d = self.data
        i, j = d.index(activation, gain)
        norms = d.norms[i, j]
        return (
            f"Two panels for a network of {d.depth} hidden layers of {d.sizes[1]} {activation} units with every "
            f"weight multiplied by {gain:g}. Left: the derivative of {activation} for z from -6 to 6, over a "
            f"histogram of the hidden pre-activations; the mean derivative is {d.mean_slope[i, j]:.2f} and "
            f"{100 * d.z_outside[i, j]:.0f}% of the pre-activations lie beyond plus or minus 6. Right: the gradient "
            f"norm of each of the {len(norms)} weight layers on a log scale, {_sci(norms[0])} at layer 1 and "
            f"{_sci(norms[-1])} at layer {len(norms)}: {_trend(norms)}. The other activations are drawn in grey."
        )


@checked(data=optional(instance_of(DepthGradients, what="a DepthGradients (see depth_gradients)")))
def gradient_depth(
    activation: str = "sigmoid",
    gain: float = 1.0,
    *,
    data: DepthGradients | None = None,
    mode: str | None = None,
) -> FigureBox:
    """Chapter 3's figure: the gradient at every layer of a deep network, per activation and weight scale.

    Sliders: the hidden activation (:data:`DEPTH_ACTIVATIONS`) and the gain
    every weight is multiplied by (:data:`DEPTH_GAINS`), 8 x 5 = 40 frames in
    the static twin. Live and static show the same positions, from data
    computed once by :func:`depth_gradients` (or passed as ``data``).

    Parameters
    ----------
    activation, gain : starting positions of the sliders.
    data : DepthGradients, optional
        Precomputed measurements (default: ``depth_gradients()``).
    mode : {"live", "static"}, optional
        Override :func:`~mathcore.widgets.mode`.
    """
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    data = depth_gradients() if data is None else data
    data.index(activation, gain)  # fail now, naming what was measured
    fig = GradientDepthFigure(data)
    level = 1 if chosen == "live" else 9  # live: fastest zlib; static frames: smallest, paid on every page load
    sliders = {
        "activation": Slider(tuple(data.activations), activation, "activation"),
        "gain": Slider(tuple(data.gains), gain, "weights ×", fmt="{:g}"),
    }
    return interactive_figure(
        lambda activation, gain: fig.png(activation, gain, compress_level=level),
        sliders,
        fig.alt,
        mode=chosen,
    )


# --- softmax with a temperature --------------------------------------------------------------

_LOGITS = (2.0, 1.0, 0.5, -0.5, -1.5)
_CLASSES = ("cat", "dog", "fox", "owl", "bee")


def temperature_summary(z, temperature: float) -> dict:
    r"""Probabilities, entropy and largest Jacobian entry of :math:`\operatorname{softmax}(z/T)`.

    The Jacobian with respect to the logits is
    :math:`\tfrac1T(\operatorname{diag}(\mathbf p) - \mathbf p\mathbf p^\top)`: small when
    :math:`\mathbf p` is nearly one-hot (small :math:`T`, saturation) and when
    :math:`T` is large.

    Returns
    -------
    dict with ``p`` (K,), ``entropy`` (nats), ``max_p``, ``jacobian_max`` (largest absolute entry).

    Shapes
    ------
    ``z``: (K,).
    """
    z = as_float_array(z, "z", ndim=1)
    p = activations.softmax_with_temperature(z, temperature)  # (K,)
    t = float(temperature)
    J = (np.diag(p) - np.outer(p, p)) / t  # (K, K)
    positive = p[p > 0]
    return {
        "p": p,
        "entropy": float(-np.sum(positive * np.log(positive))),
        "max_p": float(p.max()),
        "jacobian_max": float(np.abs(J).max()),
    }


class SoftmaxBars:
    """A bar chart of :math:`\\operatorname{softmax}(z/T)`, updated in place as :math:`T` moves."""

    @checked(classes=sequence_of(text))
    def __init__(self, logits=_LOGITS, classes=_CLASSES):
        self.z = as_float_array(logits, "logits", ndim=1)
        self.classes = tuple(classes)
        if len(self.classes) != self.z.size:
            raise ValueError(f"need one class name per logit: {self.z.size} logits, {len(self.classes)} names")
        K = self.z.size
        with plotting.book_style():
            fig = Figure(figsize=(6.4, 3.6), dpi=plotting.DPI)
            ax = fig.add_subplot()
            fig.subplots_adjust(left=0.1, right=0.985, bottom=0.2, top=0.9)
            ax.set_title("Softmax with a temperature: $p_k = e^{z_k/T} / \\sum_j e^{z_j/T}$")
            # Unicode rather than mathtext where it reads as well: each mathtext label costs ~15 ms to build
            ax.set_xlabel("class (its logit zₖ below the name)")
            ax.set_ylabel("probability pₖ")
            ax.set_ylim(0, 1.12)
            ax.ticklabel_format(axis="y", useMathText=False)  # plain tick labels: mathtext ones are slow to build
            ax.set_xlim(-0.6, K - 0.4)
            x = np.arange(K)
            ax.set_xticks(x, [f"{c}\nz = {v:g}".replace("-", "−") for c, v in zip(self.classes, self.z)])
            ax.grid(axis="x", visible=False)
            self.reference = activations.softmax(self.z)  # (K,) at T = 1
            # drawn with every frame, on top of the bars: the kept bitmap lies beneath them
            outlines = ax.bar(x, self.reference, width=0.62, fill=False, edgecolor="0.2", lw=1.1, ls="--", zorder=3,
                              label="T = 1")
            ax.axhline(1.0 / K, color=plotting.PALETTE[2], lw=1.2, ls=":", zorder=2, label=f"uniform 1/{K}")
            self.bars = ax.bar(x, np.zeros(K), width=0.62, color=plotting.PALETTE[0], zorder=2, label="T chosen")
            self.labels = [ax.text(k, 0.0, "", ha="center", va="bottom", fontsize=9, zorder=4) for k in range(K)]
            ax.legend(loc="upper right", fontsize=8)
            self.values = _readout(ax, 0.60, 0.66, ["temperature T", f"entropy (≤ log {K} = {math.log(K):.2f})",
                                                    "largest |∂pᵢ/∂zⱼ|"], width=0.38, step=0.08)
        self.fig, self.ax = fig, ax
        self._blit = Blitter(fig, [*self.bars, *outlines, *self.labels, *self.values])

    def update(self, temperature: float) -> dict:
        """Show the probabilities at ``temperature``; return :func:`temperature_summary`."""
        s = temperature_summary(self.z, temperature)
        for bar, label, pk, ref in zip(self.bars, self.labels, s["p"], self.reference):
            bar.set_height(pk)
            label.set_position((bar.get_x() + bar.get_width() / 2, max(pk, ref) + 0.01))
            label.set_text(f"{pk:.2f}")
        # plain text, not mathtext: a new mathtext string is parsed afresh on every frame (~10 ms)
        for text, value in zip(self.values, (f"{temperature:g}", f"{s['entropy']:.2f}", f"{s['jacobian_max']:.3f}")):
            text.set_text(value)
        return s

    def __call__(self, temperature: float) -> Figure:
        self.update(temperature)
        return self.fig

    def png(self, temperature: float, *, palette: bool = True, compress_level: int | None = None) -> bytes:
        """The figure as PNG bytes, redrawing only what moves."""
        self.update(temperature)
        return self._blit.png(palette=palette, compress_level=compress_level)

    def alt(self, temperature: float) -> str:
        s = temperature_summary(self.z, temperature)
        probs = ", ".join(f"{c} {pk:.2f}" for c, pk in zip(self.classes, s["p"]))
        logits = ", ".join(f"{v:g}" for v in self.z)
        return (
            f"Bar chart of the softmax probabilities of {self.z.size} classes with logits {logits} at temperature "
            f"T = {temperature:g}: {probs}. Dashed outlines show the probabilities at T = 1 and a dotted line the "
            f"uniform 1/{self.z.size}. The entropy is {s['entropy']:.2f} nats of at most "
            f"{math.log(self.z.size):.2f}, and the largest entry of the Jacobian is {s['jacobian_max']:.3f}."
        )


def softmax_temperature(temperature: float = 1.0, *, mode: str | None = None) -> FigureBox:
    """Chapter 3's figure: softmax of five fixed logits as the temperature moves.

    One slider, :data:`TEMPERATURES` (0.1 to 10, log-spaced; 11 frames in the
    static twin). Small :math:`T` sharpens the probabilities towards one-hot on
    the largest logit, large :math:`T` flattens them towards uniform.
    """
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    check_scalar(temperature, "temperature")
    if not any(math.isclose(temperature, t) for t in TEMPERATURES):
        raise ValueError(f"temperature must be one of {TEMPERATURES}, got {temperature!r}")
    bars = SoftmaxBars()
    level = 1 if chosen == "live" else 9
    return interactive_figure(
        lambda T: bars.png(T, compress_level=level),
        {"T": Slider(TEMPERATURES, temperature, "temperature T", fmt="{:g}")},
        lambda T: bars.alt(T),
        mode=chosen,
    )


# --- initialisation: the scale of signals and gradients through depth ---------------------------

#: Hidden activations of the initialisation figure.
INIT_ACTIVATIONS: tuple[str, ...] = ("tanh", "relu")
#: :math:`n_{in} \operatorname{Var}(w)` on the figure's slider: steps of √2 around Glorot's 1 and He's 2
#: (square layers).
INIT_GAINS: tuple[float, ...] = (0.5, 2**-0.5, 1.0, 2**0.5, 2.0, 2**1.5, 4.0)
#: Depths on the figure's slider.
INIT_DEPTHS: tuple[int, ...] = (1, 2, 5, 10, 15, 20)

# E[h(z)] for z ~ N(0, q) on a grid of z = s t, t in [-10, 10] in steps of 0.01 (s = sqrt(q)), Simpson's weights.
# A saturated unit has f'(z)^2 in a window of width ~1 around 0, which this grid resolves for s up to ~50 (a
# Gauss-Hermite rule of 40 nodes misses it once s > 5); the tails beyond 10 s hold less than 1e-22 of the mass.
_T = np.linspace(-10.0, 10.0, 2001)  # (2001,)
_T_WEIGHTS = np.exp(-_T**2 / 2) / math.sqrt(2 * math.pi) * 0.01 / 3 * np.r_[1, np.tile([4, 2], 999), 4, 1]  # (2001,)


def _rms(M: np.ndarray) -> float:
    return float(np.sqrt(np.mean(M * M)))


def _gauss_mean(h, q: float) -> float:
    """E[h(z)] for z ~ N(0, q), by Simpson's rule on the grid above."""
    return float(_T_WEIGHTS @ h(math.sqrt(q) * _T))


def _predicted(act, gain: float, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """The two chains iterated: RMS of z and of delta at layers 1..depth, for unit-variance inputs.

    Forward (``init.forward-variance``): q_l = gain * E[f(z_{l-1})^2] with z ~ N(0, q), q_1 = gain. Backward
    (``init.backward-variance`` then the f'(z) of the layer): v_l = gain * E[f'(z_l)^2] v_{l+1}, from
    v_depth = E[f'(z_depth)^2] (the cost's error r has unit variance). ReLU's moments are exactly q/2 and 1/2
    (``init.relu-second-moment``).
    """
    relu = act.name == "relu"
    q = np.empty(depth)
    q[0] = gain
    for l in range(1, depth):
        q[l] = gain * (q[l - 1] / 2 if relu else _gauss_mean(lambda z: act(z) ** 2, q[l - 1]))
    slope2 = np.array([0.5 if relu else _gauss_mean(lambda z: act.derivative(z) ** 2, ql) for ql in q])
    v = np.empty(depth)
    v[-1] = slope2[-1]
    for l in range(depth - 2, -1, -1):
        v[l] = gain * slope2[l] * v[l + 1]
    return np.sqrt(q), np.sqrt(v)


@dataclass(frozen=True)
class InitScales:
    """Measured and predicted scales of signals and errors through deep networks, per activation and gain.

    Every network has ``max(depths)`` hidden layers of ``width`` units, no biases, weights drawn from
    :math:`\\mathcal N(0, \\text{gain}/\\text{width})`, so that :math:`n_{in} \\operatorname{Var}(w)` is the gain;
    the inputs are ``n`` standard-normal rows. A network of depth :math:`d` is the first :math:`d` layers, with
    the seeded cost :math:`C = \\sum r \\odot f(z_d)`, ``r`` standard normal.

    Attributes
    ----------
    activations, gains, depths : tuple
    width, n : int
    forward : ndarray, shape (n_activations, n_gains, max_depth)
        RMS of the pre-activations :math:`z_l` (every unit, every sample) at layers 1 to ``max(depths)``.
    backward : ndarray, shape (n_activations, n_gains, n_depths, max_depth)
        RMS of :math:`\\delta_l = \\partial C/\\partial z_l` at each layer of the network of depth ``depths[k]``;
        NaN beyond that depth.
    predicted_forward, predicted_backward : ndarrays of the same shapes
        What the chains predict: the forward and backward variance formulas iterated layer by layer, with the
        activation's moments over :math:`z \\sim \\mathcal N(0, q_l)`.
    """

    activations: tuple
    gains: tuple
    depths: tuple
    width: int
    n: int
    forward: np.ndarray
    backward: np.ndarray
    predicted_forward: np.ndarray
    predicted_backward: np.ndarray

    @checked(activation=text, gain=real(), depth=integer())
    def index(self, activation: str, gain: float, depth: int) -> tuple[int, int, int]:
        """Positions of ``activation``, ``gain`` and ``depth`` in the arrays (ValueError if absent)."""
        if activation not in self.activations:
            raise ValueError(f"activation {activation!r} was not measured; measured: {', '.join(self.activations)}")
        if depth not in self.depths:
            raise ValueError(f"depth {depth!r} was not measured; measured: {self.depths}")
        for j, g in enumerate(self.gains):
            if math.isclose(g, gain, rel_tol=1e-9):
                return self.activations.index(activation), j, self.depths.index(depth)
        raise ValueError(f"gain {gain!r} was not measured; measured: {self.gains}")


@checked(activations=sequence_of(text, min_length=1), gains=sequence_of(real(low=0.0, low_open=True), min_length=1),
         depths=sequence_of(integer(low=1, high=1000), min_length=1), width=integer(low=1, high=MAX_ELEMENTS),
         n=integer(low=1, high=MAX_SAMPLES))
def init_scales(
    activations: Sequence[str] = INIT_ACTIVATIONS,
    gains: Sequence[float] = INIT_GAINS,
    depths: Sequence[int] = INIT_DEPTHS,
    *,
    width: int = 256,
    n: int = 32,
    seed: int = 0,
) -> InitScales:
    """Measure the RMS of :math:`z` and of :math:`\\delta` at every layer, next to what the chains predict.

    One forward pass through ``max(depths)`` layers per activation and gain (the same seeded weights for every
    activation: the gain only rescales them), then one backward pass per depth. See :class:`InitScales`.
    """
    names = tuple(activations)
    for i, name in enumerate(names):
        if name not in ACTIVATIONS:
            raise ValueError(f"activations[{i}] must be a hidden activation, one of {', '.join(ACTIVATIONS)}; "
                             f"got {name!r}")
    depths = tuple(depths)
    if len(set(depths)) != len(depths) or list(depths) != sorted(depths):
        raise ValueError(f"depths must increase, got {depths}")
    L = depths[-1]
    if L * width * width > MAX_ELEMENTS or n * width * L > MAX_ELEMENTS:
        raise ValueError(f"depths up to {L}, width {width} and n {n} hold more than {MAX_ELEMENTS} numbers")
    rng = np.random.default_rng(check_seed(seed))
    X = rng.standard_normal((n, width))  # (n, width)
    R = rng.standard_normal((n, width))  # (n, width), the cost's weights on the last layer's outputs
    V = rng.standard_normal((L, width, width)) / math.sqrt(width)  # (L, width, width), unit n_in Var(w)
    A_, G, D = len(names), len(gains), len(depths)
    forward = np.empty((A_, G, L))
    backward = np.full((A_, G, D, L), np.nan)
    pred_f = np.empty((A_, G, L))
    pred_b = np.full((A_, G, D, L), np.nan)
    # One BLAS thread: products of (n, width) by (width, width) are too small to share, and two threads on a
    # busy two-core machine took 3 to 20 times longer than one (measured: 0.45 s against 3 to 12 s).
    with threadpool_limits(limits=1, user_api="blas"):
        _measure(names, gains, depths, X, R, V, forward, backward)
    for i, name in enumerate(names):
        act = ACTIVATIONS[name]
        for j, g in enumerate(gains):
            with np.errstate(over="ignore", invalid="ignore"):
                pred_f[i, j] = _predicted(act, g, L)[0]
                for k, d in enumerate(depths):
                    pred_b[i, j, k, :d] = _predicted(act, g, d)[1]
            if not (np.isfinite(pred_f[i, j]).all() and np.isfinite(pred_b[i, j][~np.isnan(pred_b[i, j])]).all()):
                raise _overflow(j, g, L, name)
    return InitScales(names, tuple(float(g) for g in gains), depths, width, n, forward, backward, pred_f, pred_b)


def _overflow(j: int, g: float, L: int, name: str) -> ValueError:
    return ValueError(f"gains[{j}] = {g:g} overflows float64 through {L} layers of {name}; "
                      "choose a smaller gain or depth")


def _measure(names, gains, depths, X, R, V, forward, backward) -> None:
    """Fill ``forward`` and ``backward`` (see :class:`InitScales`): one forward pass, one backward pass per depth."""
    L = depths[-1]
    for i, name in enumerate(names):
        act = ACTIVATIONS[name]
        for j, g in enumerate(gains):
            Ws = math.sqrt(g) * V  # (L, width, width)
            # A gain far above 1 grows the signal like gain ** (depth / 2): past float64's range (squares included,
            # for the RMS) it is refused by name, not left as overflow warnings from inside NumPy.
            with np.errstate(over="ignore", invalid="ignore"):
                A, Zs = X, []
                for l in range(L):
                    Z = A @ Ws[l].T  # (n, width)
                    forward[i, j, l] = _rms(Z)
                    if not np.isfinite(forward[i, j, l]):
                        raise _overflow(j, g, L, name)
                    Zs.append(Z)
                    A = act(Z)  # (n, width)
                for k, d in enumerate(depths):
                    delta = R * act.derivative(Zs[d - 1])  # (n, width), dC/dz at the top layer
                    backward[i, j, k, d - 1] = _rms(delta)
                    for l in range(d - 2, -1, -1):
                        delta = (delta @ Ws[l + 1]) * act.derivative(Zs[l])  # (n, width)
                        backward[i, j, k, l] = _rms(delta)
                        if not np.isfinite(backward[i, j, k, l]):
                            raise _overflow(j, g, L, name)


def _gain_name(gain: float) -> str:
    """The gain as the slider writes it, with the scheme it is for square layers."""
    named = {1.0: " (Glorot)", 2.0: " (He)"}
    return f"{gain:.2g}" + next((v for g, v in named.items() if math.isclose(g, gain)), "")


class InitDepthFigure:
    """Two panels for one gain and depth of an :class:`InitScales`, updated in place.

    Left: the RMS of the pre-activations :math:`z_l` at each layer; right: the RMS
    of the errors :math:`\\delta_l` at each layer, both on log scales, measured
    (dots) and predicted by the chains (lines), one colour per activation.
    :meth:`png` redraws only what moves.
    """

    @checked(data=instance_of(InitScales, what="an InitScales (see init_scales)"))
    def __init__(self, data: InitScales):
        self.data = data
        with plotting.book_style():
            fig = Figure(figsize=(8.4, 3.9), dpi=plotting.DPI)
            left, right = fig.subplots(1, 2, sharey=True, gridspec_kw=dict(
                left=0.085, right=0.99, bottom=0.13, top=0.86, wspace=0.06))
            self._build(fig, left, right)
        self.fig, self.left, self.right = fig, left, right
        self._blit = Blitter(fig, self._dynamic)

    def _build(self, fig, left, right) -> None:
        d = self.data
        L = d.forward.shape[-1]
        values = np.concatenate([d.forward.ravel(), d.backward[~np.isnan(d.backward)],
                                 d.predicted_forward.ravel(), d.predicted_backward[~np.isnan(d.predicted_backward)]])
        positive = values[(values > 0) & np.isfinite(values)]
        if positive.size == 0:  # every signal underflowed to 0: any range shows that nothing is drawn
            positive = np.array([0.1, 10.0])
        low, high = math.floor(math.log10(positive.min())), math.ceil(math.log10(positive.max()))
        # two decades above the data hold the legend and the readout
        left.set_ylim(10.0**low, 10.0 ** (high + 2))
        every = max(1, math.ceil((high - low) / 6))
        plotting.log_axis(left.yaxis, ticks=[10.0**k for k in range(low, high + 1, every)])
        for ax, title, ylabel in ((left, "Forward: the signal", "RMS of zₗ"),
                                  (right, "Backward: the error", "RMS of δₗ = ∂C/∂zₗ")):
            ax.set_title(title)
            ax.set_xlabel("layer l")
            ax.set_yscale("log")
            ax.set_xlim(0.5, L + 0.5)
            ax.set_xticks(sorted({1, *range(5, L + 1, 5)}))
            ax.xaxis.get_major_formatter().set_useMathText(False)
            ax.axhline(1.0, color="0.6", lw=0.9, ls=":", zorder=1)
        plotting.log_axis(left.yaxis, ticks=[10.0**k for k in range(low, high + 1, every)])
        left.set_ylabel("RMS (log scale)")
        right.tick_params(labelleft=False)
        self.lines = {}
        for i, name in enumerate(d.activations):
            colour = plotting.PALETTE[i]
            for ax, key in ((left, "forward"), (right, "backward")):
                # the prediction as a line, the measurement as dots on it: where they part, the model fails
                (predicted,) = ax.plot([], [], color=colour, lw=1.6, zorder=3, label=f"{name}, predicted")
                (measured,) = ax.plot([], [], color=colour, ls="none", marker="o", ms=4.5, mfc="white", mew=1.3,
                                      zorder=4, label=f"{name}, measured")
                self.lines[name, key] = (measured, predicted)
        left.legend(loc="upper left", fontsize=8, ncols=2)
        self.readout = _readout(right, 0.48, 0.975, ["nᵢₙ Var(w)", *[f"{a}: δ₁ ÷ δ at top"
                                                            for a in d.activations]],
                                width=0.5)
        self._reference = right.text(0.02, 0.95, "", transform=right.transAxes, ha="left", va="top", fontsize=8)
        fig.suptitle(f"Signal and error through layers of {d.width} units: measured and predicted", fontsize=12,
                     fontweight="bold")
        self._dynamic = [*[line for pair in self.lines.values() for line in pair], *self.readout, self._reference]

    def update(self, gain: float, depth: int) -> None:
        """Show the networks of ``depth`` layers whose weights have :math:`n_{in} \\operatorname{Var}(w)` = ``gain``."""
        d = self.data
        d.index(d.activations[0], gain, depth)  # refuses, by name, what was not measured
        layers = np.arange(1, depth + 1)
        self.readout[0].set_text(_gain_name(gain))
        for name in d.activations:
            i, j, k = d.index(name, gain, depth)
            fm, fp = self.lines[name, "forward"]
            fm.set_data(layers, d.forward[i, j, :depth])
            fp.set_data(layers, d.predicted_forward[i, j, :depth])
            bm, bp = self.lines[name, "backward"]
            bm.set_data(layers, d.backward[i, j, k, :depth])
            bp.set_data(layers, d.predicted_backward[i, j, k, :depth])
            row = 1 + d.activations.index(name)
            self.readout[row].set_text(self._ratio(d.backward[i, j, k, :depth]))
        self._reference.set_text(f"cost at layer {depth}")

    @staticmethod
    def _ratio(scales: np.ndarray) -> str:
        return _sci(_ratio(scales))

    def __call__(self, gain: float, depth: int) -> Figure:
        """Update, and return the whole figure (for :func:`mathcore.plotting.show`)."""
        self.update(gain, depth)
        return self.fig

    def png(self, gain: float, depth: int, *, palette: bool = True, compress_level: int | None = None) -> bytes:
        """The figure as PNG bytes, redrawing only what moves."""
        self.update(gain, depth)
        return self._blit.png(palette=palette, compress_level=compress_level)

    def alt(self, gain: float, depth: int) -> str:
        """What the figure shows, in words and numbers."""
        d = self.data
        parts = []
        for name in d.activations:
            i, j, k = d.index(name, gain, depth)
            f, pf = d.forward[i, j, depth - 1], d.predicted_forward[i, j, depth - 1]
            b, pb = d.backward[i, j, k, :depth], d.predicted_backward[i, j, k, :depth]
            parts.append(f"{name}: RMS of z at layer {depth} {_sci(f)} (predicted {_sci(pf)}); error at layer 1 over "
                         f"error at layer {depth} {_sci(_ratio(b))} (predicted {_sci(_ratio(pb))})")
        return (f"Two log-scale panels for networks of {depth} layers of {d.width} units whose weights have n_in "
                f"times Var(w) = {_gain_name(gain)}: left, the root mean square of the pre-activations at each "
                f"layer; right, that of the errors delta, with the cost at layer {depth}. Dots are measured, lines "
                f"are the chains' predictions. " + "; ".join(parts) + ".")


@checked(data=optional(instance_of(InitScales, what="an InitScales (see init_scales)")))
def init_depth(
    gain: float = 2.0,
    depth: int = 10,
    *,
    data: InitScales | None = None,
    mode: str | None = None,
) -> FigureBox:
    """Chapter 3's initialisation figure: signal and error scales through depth, per weight scale.

    Sliders: :math:`n_{in} \\operatorname{Var}(w)` (:data:`INIT_GAINS`, 1 is Glorot's and 2 He's
    for square layers) and the depth (:data:`INIT_DEPTHS`), 7 x 6 = 42 frames in
    the static twin; tanh and ReLU are drawn together. The data come from
    :func:`init_scales` (computed once, or passed as ``data``).

    Parameters
    ----------
    gain, depth : starting positions of the sliders.
    data : InitScales, optional
        Precomputed measurements (default: ``init_scales()``).
    mode : {"live", "static"}, optional
        Override :func:`~mathcore.widgets.mode`.
    """
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    data = init_scales() if data is None else data
    data.index(data.activations[0], gain, depth)  # fail now, naming what was measured
    fig = InitDepthFigure(data)
    level = 1 if chosen == "live" else 9
    sliders = {
        "gain": Slider(tuple(data.gains), gain, "nᵢₙ Var(w)", fmt="{:.2g}"),
        "depth": Slider(tuple(data.depths), depth, "depth", fmt="{:d}"),
    }
    return interactive_figure(
        lambda gain, depth: fig.png(gain, depth, compress_level=level),
        sliders,
        fig.alt,
        mode=chosen,
    )
