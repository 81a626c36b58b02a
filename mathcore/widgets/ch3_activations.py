r"""Chapter 3, Activation functions: gradients through depth, and softmax with a temperature.

Two interactive figures, each with the computation behind it exposed for tests:

- :func:`gradient_depth`: the gradient norm at every layer of a deep
  :class:`mathcore.MLP`, for each activation and for every weight multiplied by
  a gain; the data come from :func:`depth_gradients`, computed once per builder
  call (40 backward passes, about 0.4 s), never per slider move.
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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import activations, plotting
from .._validate import as_float_array, check_scalar
from ..network import MLP, layer_gradient_norms
from ._core import FigureBox, Slider, _check_mode, _env_mode, interactive_figure

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
]

#: The hidden activations compared in the gradient-through-depth figure.
DEPTH_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "silu")
#: The factors every weight is multiplied by, after the default initialisation.
DEPTH_GAINS: tuple[float, ...] = (0.5, 0.75, 1.0, 1.5, 2.0)
#: Temperatures of the softmax figure's slider: log-spaced around T = 1.
TEMPERATURES: tuple[float, ...] = (0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)

_Z_LIM = 6.0  # pre-activations are shown on [-6, 6]
_N_BINS = 48


class _Blitter:
    """PNG frames of a figure whose moving artists are redrawn over a kept bitmap of the rest.

    The layout is solved once, with every artist visible, and then frozen, so
    nothing shifts between frames and the kept bitmap stays valid.
    """

    def __init__(self, fig: Figure, dynamic: Sequence):
        self.fig = fig
        self.dynamic = sorted(dynamic, key=lambda a: a.get_zorder())
        self.canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        self._background = None

    def png(self, *, palette: bool = True, compress_level: int | None = None) -> bytes:
        if self._background is None:
            self.canvas.draw()  # solves the constrained layout with everything in place
            self.fig.set_layout_engine("none")
            visible = [a.get_visible() for a in self.dynamic]
            for a in self.dynamic:
                a.set_visible(False)
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            for a, v in zip(self.dynamic, visible):
                a.set_visible(v)
        self.canvas.restore_region(self._background)
        for artist in self.dynamic:
            self.fig.draw_artist(artist)
        return plotting.rgba_to_png(self.canvas.buffer_rgba(), palette=palette, compress_level=compress_level)


def _sci(v: float) -> str:
    """1.2e-13 rather than 1.2e-13 with a Unicode minus: alt text is read aloud."""
    return f"{v:.1e}".replace("e+0", "e+").replace("e-0", "e-")


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


def depth_gradients(
    activations: Sequence[str] = DEPTH_ACTIVATIONS,
    gains: Sequence[float] = DEPTH_GAINS,
    *,
    depth: int = 20,
    width: int = 32,
    n: int = 64,
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
    gains = tuple(float(check_scalar(g, "gain", low=0.0, low_open=True)) for g in gains)
    if not names or not gains:
        raise ValueError("activations and gains must not be empty")
    depth = check_scalar(depth, "depth", low=1, integer=True)
    width = check_scalar(width, "width", low=1, integer=True)
    rng = np.random.default_rng(check_scalar(seed, "seed", low=0, integer=True))
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
            norms[i, j] = layer_gradient_norms(net, X, Y)  # (L,)
            A, Zs = X, []
            for W, b in zip(net.params[0:-2:2], net.params[1:-2:2]):
                Z = A @ W.T + b  # (n, width)
                Zs.append(Z)
                A = act(Z)  # (n, width)
            Z = np.concatenate([z.ravel() for z in Zs])  # (n * width * depth,)
            counts, _ = np.histogram(Z, bins=edges)  # (B,)
            share[i, j] = counts / Z.size
            outside[i, j] = np.mean(np.abs(Z) > _Z_LIM)
            slope[i, j] = float(np.mean(act.derivative(Z)))
    return DepthGradients(names, gains, tuple(sizes), norms, share, outside, slope, edges)


def _trend(norms: np.ndarray) -> str:
    ratio = norms[0] / norms[-1]
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

    def __init__(self, data: DepthGradients):
        self.data = data
        with plotting.book_style():
            fig = Figure(figsize=(8.4, 3.5), dpi=plotting.DPI, layout="constrained")
            left, right = fig.subplots(1, 2, width_ratios=[1.0, 1.25])
            self._build(fig, left, right)
        self.fig, self.left, self.right = fig, left, right
        self._blit = _Blitter(fig, self._dynamic)

    def _build(self, fig, left, right) -> None:
        d = self.data
        L = d.norms.shape[-1]
        centres = 0.5 * (d.z_edges[:-1] + d.z_edges[1:])  # (B,)
        self._zs = np.linspace(-_Z_LIM, _Z_LIM, 241)  # (241,)
        left.set_title("Where the hidden units sit")
        left.set_xlabel("pre-activation $z$")
        left.set_ylabel("derivative $f'(z)$")
        left.set_xlim(-_Z_LIM, _Z_LIM)
        left.set_ylim(-0.15, 1.25)
        self.hist = left.stairs(np.zeros_like(centres), d.z_edges, fill=True, color="#cfe3f0", zorder=1,
                                label="pre-activations\n(histogram, scaled)")
        (self.slope,) = left.plot([], [], color=plotting.PALETTE[1], lw=2.2, zorder=3, label="$f'(z)$")
        left.axhline(0.25, color="0.45", lw=0.9, ls="--", zorder=2)
        left.text(-_Z_LIM + 0.2, 0.27, "1/4", color="0.35", fontsize=8, zorder=2)
        left.legend(loc="upper left", fontsize=8)
        self.left_note = left.text(0.98, 0.97, "", transform=left.transAxes, ha="right", va="top", fontsize=8,
                                   zorder=4, bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="0.7"))

        right.set_title("Gradient norm at each layer")
        right.set_xlabel(f"layer $l$ (1 = input side, {L} = output)")
        right.set_ylabel(r"$\Vert \partial C / \partial W^{(l)} \Vert$")
        right.set_yscale("log")
        right.set_xlim(0.5, L + 0.5)
        right.set_ylim(1e-20, 1e15)
        right.set_yticks([10.0**k for k in range(-20, 16, 5)])
        layers = np.arange(1, L + 1)
        self.others = [right.plot(layers, np.ones(L), color="0.72", lw=1.0, zorder=2)[0]
                       for _ in range(len(d.activations) - 1)]
        (self.main,) = right.plot(layers, np.ones(L), color=plotting.PALETTE[0], lw=2.4, marker="o", ms=3.5,
                                  zorder=3)
        self.right_note = right.text(0.03, 0.04, "", transform=right.transAxes, ha="left", va="bottom",
                                     fontsize=8, zorder=4, bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="0.7"))
        self.title = fig.suptitle("", fontsize=12, fontweight="bold")
        self._dynamic = [self.hist, self.slope, self.left_note, *self.others, self.main, self.right_note, self.title]

    def update(self, activation: str, gain: float) -> None:
        """Show the network with hidden ``activation`` and every weight multiplied by ``gain``."""
        d = self.data
        i, j = d.index(activation, gain)
        act = activations.get(activation)
        share = d.z_share[i, j]  # (B,)
        self.hist.set_data(values=1.2 * share / max(share.max(), 1e-12))
        self.slope.set_data(self._zs, act.derivative(self._zs))
        self.left_note.set_text(f"mean $f'(z)$ = {d.mean_slope[i, j]:.2f}\n"
                                f"{100 * d.z_outside[i, j]:.0f}% beyond $\\pm${_Z_LIM:g}")
        others = [k for k in range(len(d.activations)) if k != i]
        for line, k in zip(self.others, others):
            line.set_ydata(d.norms[k, j])
        norms = d.norms[i, j]  # (L,)
        self.main.set_ydata(norms)
        self.right_note.set_text(f"{activation}: layer 1 / layer {len(norms)} = {norms[0] / norms[-1]:.1e}\n"
                                 "grey: the other activations")
        self.title.set_text(f"{d.depth} hidden layers of {activation}, every weight × {gain:g}")

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
        Override :func:`mathcore.widgets.mode`.
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

    def __init__(self, logits=_LOGITS, classes=_CLASSES):
        self.z = as_float_array(logits, "logits", ndim=1)
        self.classes = tuple(classes)
        if len(self.classes) != self.z.size:
            raise ValueError(f"need one class name per logit: {self.z.size} logits, {len(self.classes)} names")
        K = self.z.size
        with plotting.book_style():
            fig = Figure(figsize=(6.4, 3.6), dpi=plotting.DPI, layout="constrained")
            ax = fig.add_subplot()
            ax.set_title("Softmax with a temperature: $p_k = e^{z_k/T} / \\sum_j e^{z_j/T}$")
            ax.set_xlabel("class (its logit $z_k$ below the name)")
            ax.set_ylabel("probability $p_k$")
            ax.set_ylim(0, 1.12)
            ax.set_xlim(-0.6, K - 0.4)
            x = np.arange(K)
            ax.set_xticks(x, [f"{c}\n$z$ = {v:g}" for c, v in zip(self.classes, self.z)])
            ax.grid(axis="x", visible=False)
            reference = activations.softmax(self.z)  # (K,) at T = 1
            ax.bar(x, reference, width=0.62, fill=False, edgecolor="0.25", lw=1.0, ls="--", zorder=3,
                   label="$T = 1$")
            ax.axhline(1.0 / K, color=plotting.PALETTE[2], lw=1.2, ls=":", zorder=2, label=f"uniform $1/{K}$")
            self.bars = ax.bar(x, np.zeros(K), width=0.62, color=plotting.PALETTE[0], zorder=2, label="$T$ chosen")
            self.labels = [ax.text(k, 0.0, "", ha="center", va="bottom", fontsize=9, zorder=4) for k in range(K)]
            ax.legend(loc="upper right", fontsize=8)
            self.note = ax.text(0.98, 0.70, "", transform=ax.transAxes, ha="right", va="top", fontsize=8.5,
                                zorder=5, bbox=dict(boxstyle="round,pad=0.35", fc="white", ec="0.7"))
        self.fig, self.ax = fig, ax
        self._blit = _Blitter(fig, [*self.bars, *self.labels, self.note])

    def update(self, temperature: float) -> dict:
        """Show the probabilities at ``temperature``; return :func:`temperature_summary`."""
        s = temperature_summary(self.z, temperature)
        for bar, label, pk in zip(self.bars, self.labels, s["p"]):
            bar.set_height(pk)
            label.set_position((bar.get_x() + bar.get_width() / 2, pk + 0.01))
            label.set_text(f"{pk:.2f}")
        self.note.set_text(
            f"$T$ = {temperature:g}\n"
            f"entropy {s['entropy']:.2f} of at most $\\log {self.z.size}$ = {math.log(self.z.size):.2f}\n"
            f"largest $|\\partial p_i/\\partial z_j|$ = {s['jacobian_max']:.3f}"
        )
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
    if not any(math.isclose(temperature, t) for t in TEMPERATURES):
        raise ValueError(f"temperature must be one of {TEMPERATURES}, got {temperature!r}")
    bars = SoftmaxBars()
    level = 1 if chosen == "live" else 9
    return interactive_figure(
        lambda T: bars.png(T, compress_level=level),
        {"T": Slider(TEMPERATURES, temperature, "temperature T", fmt="{:g}")},
        bars.alt,
        mode=chosen,
    )
