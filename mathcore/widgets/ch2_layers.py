"""Chapter 2: a network's diagram, XOR from two hidden units, and a curve built from a growing hidden layer.

Two interactive figures, each with a fast renderer in the manner of
:class:`~mathcore.widgets.NeuronPlane` (built once, updated in place, and
redrawn by blitting only the artists that move):

- :func:`xor_network` (:class:`XorPlane`): the output of the 2-2-1 step
  network over the plane, beside its diagram, as hidden unit 1's weights and
  bias move;
- :func:`curve_approximation` (:class:`ApproximationPlot`): a one-hidden-layer
  network built by hand (:func:`mathcore.layers.approximator`) approximating
  sin(2πx), as the number of hidden units grows.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, Patch, Polygon

from .. import data, layers, plotting
from .._validate import (as_float_array, check_scalar, checked, flag, instance_of, integer, lookup, one_of, optional,
                         real, sequence_of, text)
from ._core import Blitter, FigureBox, Slider, _check_mode, _env_mode, _live, interactive_figure
from .ch1_neurons import _plane_weights

__all__ = ["NetworkDiagram", "XOR_PARAMS", "clip_half_planes", "xor_outputs", "XorPlane", "xor_network",
           "APPROX_UNITS", "approximation_error", "ApproximationPlot", "curve_approximation"]

_VERMILLION = plotting.OKABE_ITO["vermillion"]
_BLUE = plotting.OKABE_ITO["blue"]
_LIGHT = plotting._light_cmap(2, 0.3)  # the class shading of plot_decision_region


def _num(x: float, digits: int = 2) -> str:
    """A number with a true minus sign; never "−0.00"."""
    text = f"{x:.{digits}f}"
    return f"{0.0:.{digits}f}" if float(text) == 0.0 else text.replace("-", "\u2212")


def _plain(x: float) -> str:
    """Two decimals with an ASCII minus, for alt text (read aloud); never "-0.00"."""
    text = f"{x:.2f}"
    return "0.00" if float(text) == 0.0 else text


# --- the diagram of a network -------------------------------------------------------------------

#: Most units a diagram draws in one layer, and most layers: a column of a hundred circles is already
#: unreadable, and the edges between two such columns (ten thousand, each labelled with show_weights)
#: take seconds to draw.
_MAX_DRAWN_UNITS = 100
_MAX_DRAWN_LAYERS = 50
_POSITIVE = real(low=0.0, low_open=True)


class NetworkDiagram:
    """A network drawn as layers of circles joined by edges, on an axes of its own.

    Layer ``l`` is a column at x = ``l * x_gap``, its units spread evenly about
    y = 0, and every unit is joined to every unit of the next layer (the signal
    flows left to right). With ``show_weights`` every edge carries its weight
    and every non-input unit its bias; :meth:`update` rewrites them from
    ``params`` without touching anything else.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Turned into a blank canvas with equal aspect.
    sizes : sequence of int
        Layer widths, input first: 1 to 100 units in each of at most 50 layers.
    node_labels : list of list of str, optional
        Text inside each unit, per layer (one string per unit).
    captions : list of str, optional
        Text under each layer (its name and notation), one per layer.
    show_weights : bool
        Label edges with weights and units with biases (call :meth:`update`).
    highlight : (int, int), optional
        ``(l, i)``: colour unit ``i`` of layer ``l`` and the edges into it.
    x_gap, y_gap, radius : float
        Distance between layers, between units of a layer, and the units' radius, in data units (> 0).
    caption_y : float, optional
        Height of the captions' top (default: just below the tallest layer).

    Attributes
    ----------
    pos : list of list of (float, float)
        Centre of unit ``i`` of layer ``l`` at ``pos[l][i]``.
    """

    @checked(ax=instance_of(Axes, what="a Matplotlib Axes"),
             sizes=sequence_of(integer(low=1, high=_MAX_DRAWN_UNITS), min_length=1, max_length=_MAX_DRAWN_LAYERS),
             node_labels=optional(sequence_of(sequence_of(text))), captions=optional(sequence_of(text)),
             show_weights=flag, highlight=optional(sequence_of(integer(low=0), length=2)),
             x_gap=_POSITIVE, y_gap=_POSITIVE, radius=_POSITIVE, caption_y=optional(real()))
    def __init__(self, ax: Axes, sizes: Sequence[int], *, node_labels=None, captions=None,
                 show_weights: bool = False, highlight: tuple[int, int] | None = None, x_gap: float = 1.7,
                 y_gap: float = 1.25, radius: float = 0.26, caption_y: float | None = None):
        self.ax = ax
        self.sizes = list(sizes)
        if node_labels is not None and [len(column) for column in node_labels] != self.sizes:
            raise ValueError(f"node_labels must hold one label per unit, {self.sizes} per layer, "
                             f"got {[len(column) for column in node_labels]}")
        if captions is not None and len(captions) != len(self.sizes):
            raise ValueError(f"captions must hold one caption per layer ({len(self.sizes)}), got {len(captions)}")
        if highlight is not None and not (highlight[0] < len(self.sizes) and highlight[1] < self.sizes[highlight[0]]):
            raise ValueError(f"highlight must be (layer, unit) of a unit of the diagram, whose layers have "
                             f"{self.sizes} units, got {highlight}")
        self.radius = radius
        ax.set_aspect("equal")
        ax.axis("off")
        self.pos = [[(l * x_gap, ((n - 1) / 2 - i) * y_gap) for i in range(n)] for l, n in enumerate(self.sizes)]
        top = max(self.sizes) * y_gap / 2
        self.weight_texts: list[list[list]] = []  # [l][i][j]: weight of the edge j -> i into layer l + 1
        self.bias_texts: list[list] = []  # [l][i]: bias of unit i of layer l + 1
        label_box = dict(boxstyle="round,pad=0.12", fc="white", ec="none", alpha=0.9)
        edges, lit_edges = [], []  # one collection each: one draw call for all the edges
        for l in range(1, len(self.sizes)):
            w_layer = []
            for i, (x1, y1) in enumerate(self.pos[l]):
                row = []
                lit = highlight is not None and highlight == (l, i)
                for j, (x0, y0) in enumerate(self.pos[l - 1]):
                    d = np.array([x1 - x0, y1 - y0]) / math.hypot(x1 - x0, y1 - y0)  # (2,) unit direction
                    start, end = np.array([x0, y0]) + radius * d, np.array([x1, y1]) - radius * d
                    (lit_edges if lit else edges).append([start, end])
                    if show_weights:
                        # two thirds of the way: the labels of a unit's incoming edges stand apart
                        px, py = start + 0.66 * (end - start)
                        # A white box sized for the widest label, drawn once (text colour "none"),
                        # and the label itself without a box: redrawing a box costs more than its text.
                        ax.text(px, py, "\u22120.00", color="none", ha="center", va="center", fontsize=9,
                                zorder=2.5, bbox=label_box)
                        row.append(ax.text(px, py, "", ha="center", va="center", fontsize=9, zorder=3))
                w_layer.append(row)
            self.weight_texts.append(w_layer)
        ax.add_collection(LineCollection(edges, colors="0.4", linewidths=1.0, zorder=1))
        if lit_edges:
            ax.add_collection(LineCollection(lit_edges, colors=_VERMILLION, linewidths=2.2, zorder=1.5))
        for l, column in enumerate(self.pos):
            for i, (x, y) in enumerate(column):
                lit = highlight is not None and highlight == (l, i)
                ax.add_patch(Circle((x, y), radius, facecolor="#FBE3D6" if lit else "white",
                                    edgecolor=_VERMILLION if lit else "black", lw=1.6, zorder=2))
                if node_labels is not None:
                    ax.text(x, y, node_labels[l][i], ha="center", va="center", fontsize=11, zorder=3)
            if show_weights and l > 0:
                # above a unit in the upper half, below one in the lower half: clear of the edges
                self.bias_texts.append([
                    ax.text(x, y + (1 if y >= 0 else -1) * (radius + 0.2), "", ha="center", va="center",
                            fontsize=9, color=_BLUE, zorder=3)
                    for x, y in column])
        if captions is not None:
            cy = -top - 0.35 if caption_y is None else caption_y
            for l, caption in enumerate(captions):
                ax.text(self.pos[l][0][0], cy, caption, ha="center", va="top", fontsize=9.5, linespacing=1.5)
        width = (len(self.sizes) - 1) * x_gap
        ax.set_xlim(-0.55, width + 0.55)

    @property
    def dynamic(self) -> list:
        """The text artists :meth:`update` changes."""
        return [t for layer in self.weight_texts for row in layer for t in row] + \
            [t for column in self.bias_texts for t in column]

    @checked(digits=integer(low=0, high=6))
    def update(self, params, digits: int = 1) -> None:
        """Write the weights and biases of ``params`` = ``[W1, b1, W2, b2, ...]`` on the diagram.

        ``digits`` (0 to 6) decimals are shown; the diagram must have been built with ``show_weights``.
        """
        if len(self.sizes) > 1 and not self.bias_texts:
            raise ValueError("update writes the weights on the diagram: build it with show_weights=True")
        Ws, bs = layers._check_params(params)
        shapes = [(self.sizes[l], self.sizes[l - 1]) for l in range(1, len(self.sizes))]
        if [W.shape for W in Ws] != shapes:
            raise ValueError(f"params must hold weight matrices of shapes {shapes} for layers of {self.sizes} "
                             f"units, got {[W.shape for W in Ws]}")
        for l in range(1, len(self.sizes)):
            W, b = Ws[l - 1], bs[l - 1]  # (n_l, n_{l-1}), (n_l,)
            for i in range(self.sizes[l]):
                for j in range(self.sizes[l - 1]):
                    self.weight_texts[l - 1][i][j].set_text(_num(W[i, j], digits))
                self.bias_texts[l - 1][i].set_text(f"b = {_num(b[i], digits)}")


# --- XOR: the 2-2-1 network over the plane ----------------------------------------------------------

#: Chapter 1's gates as a network: hidden units OR and NAND, output unit AND.
#:
#: :meta hide-value:
XOR_PARAMS: list[np.ndarray] = [
    np.array([[1.0, 1.0], [-1.0, -1.0]]),  # W1 (2, 2): rows are the OR and NAND units
    np.array([-0.5, 1.5]),  # b1 (2,)
    np.array([[1.0, 1.0]]),  # W2 (1, 2): AND of h1 and h2
    np.array([-1.5]),  # b2 (1,)
]

_XLIM = (-0.5, 1.5)


def _half_plane(pair, name: str) -> tuple[np.ndarray, float]:
    """Spec for :func:`~mathcore._validate.checked`: a pair ``(w, b)``, w of shape (2,) and b a number."""
    if not isinstance(pair, (list, tuple)):
        raise TypeError(f"{name} must be a pair (w, b), got {type(pair).__name__}")
    if len(pair) != 2:
        raise ValueError(f"{name} must be a pair (w, b), got {len(pair)} items")
    return _plane_weights(pair[0], f"{name}[0] (w)"), check_scalar(pair[1], f"{name}[1] (b)")


@checked(half_planes=sequence_of(_half_plane))
def clip_half_planes(polygon, half_planes) -> np.ndarray:
    """The part of a convex ``polygon`` where ``w·x + b >= 0`` for every ``(w, b)`` in ``half_planes``.

    Sutherland–Hodgman, one pass per half-plane. Empty (shape (0, 2)) when nothing is left.

    Shapes
    ------
    polygon : (k, 2) vertices in order; each w : (2,) -> (m, 2).
    """
    out = as_float_array(polygon, "polygon", ndim=2, allow_empty=True)  # (k, 2)
    if out.size and out.shape[1] != 2:
        raise ValueError(f"polygon must have shape (k, 2), got {out.shape}")
    out = out.reshape(-1, 2)  # an empty polygon of any shape as (0, 2)
    for w, b in half_planes:
        if len(out) == 0:
            break
        z = out @ w + b  # (k,)
        kept = []
        for i in range(len(out)):
            j = (i + 1) % len(out)
            if z[i] >= 0:
                kept.append(out[i])
            if (z[i] >= 0) != (z[j] >= 0):
                # z changes sign along this edge, so z[i] != z[j]
                t = z[i] / (z[i] - z[j])
                kept.append(out[i] + t * (out[j] - out[i]))
        out = np.array(kept).reshape(-1, 2)
    return out  # (m, 2)


def xor_outputs(X, params) -> np.ndarray:
    """Output of a 2-2-1 step network at each row of ``X``, as integers 0 or 1.

    Shapes
    ------
    X : (n, 2); params : [W1 (2, 2), b1 (2,), W2 (1, 2), b2 (1,)] -> (n,).
    """
    return layers.forward(X, params, "step").output[:, 0].astype(np.int64)  # (n,)


class XorPlane:
    """The 2-2-1 XOR network: its output over the plane (left) and its diagram with weights (right).

    Hidden unit 1 (weights ``w11, w12``, bias ``b1``) and hidden unit 2's bias
    ``b2`` move; hidden unit 2's weights (-1, -1) and the output unit, AND of
    the hidden units, stay as in :data:`XOR_PARAMS`. So the region where the
    network outputs 1 is the intersection of the two hidden units' half-planes,
    drawn exactly (:func:`clip_half_planes`). Each hidden unit's line carries an
    arrow along its weight vector, into the side where the unit outputs 1.
    :meth:`png` redraws only what moves.
    """

    def __init__(self):
        fig, ax = plotting.figure("Output of the network over the plane", "$x_1$", "$x_2$",
                                  figsize=(7.6, 4.1), equal=True, xlim=_XLIM, ylim=_XLIM)
        fig.set_layout_engine("none")  # a fixed layout, which blitting needs
        ax.set_position([0.085, 0.12, 0.43, 0.8])
        self.fig, self.ax = fig, ax
        with plotting.book_style():
            self._build_plane(ax)
            ax2 = fig.add_axes([0.535, 0.0, 0.46, 0.93])
            ax2.set_title("The network and its weights")
            self.diagram = NetworkDiagram(
                ax2, [2, 2, 1], node_labels=[["$x_1$", "$x_2$"], ["$h_1$", "$h_2$"], ["$y$"]], show_weights=True)
            ax2.set_ylim(-2.3, 1.15)
            self.diagram.update(XOR_PARAMS, digits=2)
            self.score = ax2.text(0.5, 0.02, "", transform=ax2.transAxes, ha="center", va="bottom", fontsize=10)
            handles = [Patch(facecolor=_LIGHT(1), edgecolor="0.4", label="y = 1"),
                       Patch(facecolor=_LIGHT(0), edgecolor="0.4", label="y = 0"),
                       Line2D([], [], color="black", lw=2, label="$h_1$'s line"),
                       Line2D([], [], color="black", lw=2, ls="--", label="$h_2$'s line"),
                       *self.points]
            ax2.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.1), ncols=3, fontsize=8.5,
                       handlelength=1.6, columnspacing=1.0)
        # Only the texts of what moves are redrawn: hidden unit 1's weights and both hidden biases.
        moving_texts = [*self.diagram.weight_texts[0][0], *self.diagram.bias_texts[0]]
        self._blit = Blitter(self.fig, [self.region, self.grid, *self.lines, *self.arrows, *self.labels, *self.points,
                                        *moving_texts, self.score, *ax.spines.values()])

    def _build_plane(self, ax) -> None:
        ax.set_facecolor(_LIGHT(0))
        ax.grid(False)
        ax.set_xticks([-0.5, 0.0, 0.5, 1.0, 1.5])
        ax.set_yticks([-0.5, 0.0, 0.5, 1.0, 1.5])
        lo, hi = _XLIM
        ticks = np.arange(lo, hi + 0.01, 0.25)  # (9,)
        segments = [[(t, lo), (t, hi)] for t in ticks] + [[(lo, t), (hi, t)] for t in ticks]
        # The grid is drawn by hand, above the moving region, as one collection: one draw call per frame.
        self.grid = LineCollection(segments, colors="#a0a0a0", linestyles=":", linewidths=0.7, zorder=1.5)
        ax.add_collection(self.grid, autolim=False)
        self.region = Polygon(np.zeros((0, 2)), closed=True, facecolor=_LIGHT(1), edgecolor="none", zorder=1)
        ax.add_patch(self.region)
        self.lines = [ax.plot([], [], color="black", lw=2.0, ls=ls, zorder=4)[0] for ls in ("-", "--")]
        # Arrow patches rather than annotations, and plain-text names: a third of the cost per frame.
        self.arrows = [FancyArrowPatch((0, 0), (1, 1), arrowstyle="-|>,head_length=5,head_width=2.5",
                                       color="black", lw=1.6, shrinkA=0, shrinkB=0, zorder=5) for _ in range(2)]
        for arrow in self.arrows:
            ax.add_patch(arrow)
        self.labels = [ax.text(0, 0, name, fontsize=11, style="italic", ha="center", va="center", zorder=5)
                       for name in ("h\u2081", "h\u2082")]
        X, y = data.logic_gate("XOR")
        self.X_xor, self.y_xor = X, y.astype(np.int64)
        self.points = plotting.plot_points(ax, X, self.y_xor, labels=["XOR = 0", "XOR = 1"], size=70)

    # __call__ and png pass their values through update, and so through this one check.
    @checked(w11=real(), w12=real(), b1=real(), b2=real())
    def update(self, w11: float, w12: float, b1: float, b2: float = 1.5) -> list[np.ndarray]:
        """Move every artist to the network with these hidden-unit parameters; return its params."""
        params = _xor_params(w11, w12, b1, b2)
        W1, bias = params[0], params[1]  # (2, 2), (2,)
        lo, hi = _XLIM
        square = np.array([[lo, lo], [hi, lo], [hi, hi], [lo, hi]])  # (4, 2)
        self.region.set_xy(clip_half_planes(square, [(W1[0], bias[0]), (W1[1], bias[1])]).reshape(-1, 2))
        for k in range(2):
            segment = _line_in_view(W1[k], bias[k])
            for artist in (self.lines[k], self.arrows[k], self.labels[k]):
                artist.set_visible(segment is not None)
            if segment is None:
                continue
            n = W1[k] / np.hypot(*W1[k])  # (2,) unit normal, into the side where h_k = 1
            self.lines[k].set_data(segment[:, 0], segment[:, 1])
            # Three eighths of the way along the visible part of the line (in the direction (-n2, n1)),
            # between the rows of XOR inputs when the line is vertical,
            # so the two units' arrows sit at opposite ends when their lines are parallel.
            base = segment[0] + 0.375 * (segment[1] - segment[0])  # (2,)
            self.arrows[k].set_positions(tuple(base), tuple(base + 0.25 * n))
            # the name on the other side of the line, clear of the arrow
            self.labels[k].set_position(tuple(np.clip(base - 0.12 * n, lo + 0.07, hi - 0.07)))
        self.diagram.update(params, digits=2)
        right = int(np.sum(xor_outputs(self.X_xor, params) == self.y_xor))
        self.score.set_text(f"XOR computed on {right} of 4 inputs")
        return params

    def __call__(self, w11: float, w12: float, b1: float, b2: float = 1.5) -> Figure:
        """The whole figure for these hidden-unit parameters (for :func:`mathcore.plotting.show`)."""
        self.update(w11, w12, b1, b2)
        return self.fig

    def png(self, w11: float, w12: float, b1: float, b2: float = 1.5, *, palette: bool = True,
            compress_level: int | None = None) -> bytes:
        """The figure as PNG bytes, redrawing only what moves."""
        self.update(w11, w12, b1, b2)
        return self._blit.png(palette=palette, compress_level=compress_level)


def _line_in_view(w, b) -> np.ndarray | None:
    """The two ends of the part of the line w·x + b = 0 inside the view, ordered along (-w2, w1); None if outside.

    Shapes
    ------
    w : (2,) -> (2, 2).
    """
    w = np.asarray(w, dtype=np.float64)  # (2,)
    norm = float(np.hypot(*w))
    if norm < 1e-12:
        return None
    lo, hi = _XLIM
    n = w / norm  # (2,)
    d = np.array([-n[1], n[0]])  # (2,) along the line
    foot = -b / norm * n  # (2,) the point of the line nearest the origin
    # the parameters t where foot + t d crosses each side of the square
    t_lo, t_hi = -np.inf, np.inf
    for axis in range(2):
        if abs(d[axis]) < 1e-12:
            if not lo <= foot[axis] <= hi:
                return None
            continue
        t1, t2 = sorted(((lo - foot[axis]) / d[axis], (hi - foot[axis]) / d[axis]))
        t_lo, t_hi = max(t_lo, t1), min(t_hi, t2)
    if t_hi - t_lo <= 1e-9:
        return None
    return np.array([foot + t_lo * d, foot + t_hi * d])  # (2, 2)


def _xor_params(w11, w12, b1, b2) -> list[np.ndarray]:
    W1 = np.array([[w11, w12], XOR_PARAMS[0][1]], dtype=np.float64)  # (2, 2)
    return [W1, np.array([b1, b2], dtype=np.float64), XOR_PARAMS[2], XOR_PARAMS[3]]


def _xor_alt(w11: float, w12: float, b1: float, b2: float = 1.5) -> str:
    params = _xor_params(w11, w12, b1, b2)
    X, y = data.logic_gate("XOR")
    out = xor_outputs(X, params)
    right = int(np.sum(out == y))
    lo, hi = _XLIM
    square = np.array([[lo, lo], [hi, lo], [hi, hi], [lo, hi]])
    region = clip_half_planes(square, [(params[0][0], b1), (params[0][1], b2)])
    if len(region) == 0:
        where = "The two hidden units' half-planes do not overlap in view, so the network outputs 0 everywhere shown."
    else:
        where = "The network outputs 1 where both hidden units output 1, the overlap of their half-planes."
    ones = [f"({int(p[0])}, {int(p[1])})" for p in X[out == 1]]
    return (f"Left: the plane from -0.5 to 1.5 shaded by the output of a 2-2-1 step network whose hidden unit 1 "
            f"has weights ({_plain(w11)}, {_plain(w12)}) and bias {_plain(b1)}, and hidden unit 2 weights "
            f"(-1.00, -1.00) and bias {_plain(b2)}; the output unit computes AND of the two. "
            f"{where} Its output is 1 on the inputs {', '.join(ones) if ones else 'none of the four corners'}, "
            f"so it computes XOR on {right} of 4 inputs. Right: the network's diagram with these weights and biases.")


def xor_network(*, w11: float = 1.0, w12: float = 1.0, b1: float = -0.5, b2: float = 1.5,
                mode: str | None = None) -> FigureBox:
    r"""Chapter 2's XOR figure: the 2-2-1 network's output over the plane as hidden unit 1 moves.

    The network starts as :data:`XOR_PARAMS` (hidden units OR and NAND, output
    AND), which computes XOR.

    Live (in a kernel): sliders for hidden unit 1's weights w₁₁, w₁₂ and bias b₁,
    and hidden unit 2's bias b₂, each in [-2, 2] in steps of 0.1.

    Static (the built book): hidden unit 1's weight *direction* (8 directions,
    every 45°, with ‖w‖ = √2 so that 45° is w = (1, 1)) and its bias b₁ (-1.5 to
    1.5 by 0.5): 56 frames, about 1 MB of the page. As in Chapter 1, turning
    w turns the unit's line and changing b slides it, and each slider does only
    one of the two. The grid holds both biases that compute XOR at 45°
    (b₁ = -1 and -0.5) and the one where h₁'s line meets h₂'s (b₁ = -1.5).

    Parameters
    ----------
    w11, w12, b1, b2 : float
        Starting values of the live sliders, in [-2, 2].
    mode : {"live", "static"}, optional
        Override :func:`~mathcore.widgets.mode`.
    """
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    # checked in both modes, though only the live sliders start from them: a bad value is refused the same way
    start = {name: check_scalar(v, name, low=-2.0, high=2.0)
             for name, v in (("w11", w11), ("w12", w12), ("b1", b1), ("b2", b2))}
    plane = XorPlane()
    grid = tuple(round(-2.0 + 0.5 * i, 1) for i in range(9))  # -2.0, -1.5, ..., 2.0
    if chosen == "live":
        sliders = {
            name: Slider(tuple(sorted(set(grid) | {start[name]})), start[name], label, step=0.1)
            for name, label in (("w11", "h₁: w₁₁"), ("w12", "h₁: w₁₂"), ("b1", "h₁: b₁"), ("b2", "h₂: b₂"))
        }
        return _live(
            lambda w11, w12, b1, b2: plane.png(w11, w12, b1, b2, compress_level=1),
            sliders,
            lambda w11, w12, b1, b2: _xor_alt(w11, w12, b1, b2),
            "Move hidden unit 1 (and hidden unit 2's bias): the network outputs 1 where both hidden units do",
        )

    def weights(angle: float) -> tuple[float, float]:
        # sqrt(2) (cos, sin), rounded so that 45° gives exactly (1, 1) and 90° (0, 1.41...), not 8.7e-17
        t = math.radians(angle)
        return round(math.sqrt(2) * math.cos(t), 12) + 0.0, round(math.sqrt(2) * math.sin(t), 12) + 0.0

    sliders = {
        "angle": Slider(tuple(float(a) for a in range(0, 360, 45)), 45.0, "direction of h₁'s w", fmt="{:g}°"),
        "b1": Slider(grid[1:-1], -0.5, "h₁'s bias b₁", fmt="{:+.1f}"),
    }
    return interactive_figure(
        lambda angle, b1: plane.png(*weights(angle), b1),
        sliders,
        lambda angle, b1: _xor_alt(*weights(angle), b1),
        title="Turn and slide hidden unit 1: the network outputs 1 where both hidden units do",
        mode="static",
    )


# --- a curve from a growing hidden layer ----------------------------------------------------------

#: Numbers of hidden units on the static slider.
APPROX_UNITS = (3, 4, 6, 8, 12, 16, 24, 32)
_KINDS = {"ReLU": "relu", "sigmoid": "sigmoid"}
_X_FINE = np.linspace(0.0, 1.0, 801)  # (801,) where the curves are drawn and the error measured
#: Most hidden units: each unit's knot (or step) needs one of the 801 points of _X_FINE to itself, or more
#: units change nothing that the figure or the error can show.
_MAX_UNITS = len(_X_FINE) - 1


@checked(n_units=integer(low=1, high=_MAX_UNITS))
def approximation_error(n_units: int, activation: str = "relu", x=None) -> float:
    """Largest ``|sin(2πx) − g(x)|`` over [0, 1] for :func:`mathcore.layers.approximator` with these units.

    Measured on ``x`` (default 801 equally spaced points, which include every knot and edge
    for the numbers of units in :data:`APPROX_UNITS`). ``n_units`` is 1 to 800.
    """
    x = _X_FINE if x is None else as_float_array(x, "x", ndim=1)
    params = layers.approximator(data.true_curve, n_units, activation)
    g = layers.forward(x[:, None], params, [activation, "identity"]).output[:, 0]  # (k,)
    return float(np.max(np.abs(g - data.true_curve(x))))


class ApproximationPlot:
    """sin(2πx) and the hand-built network :func:`mathcore.layers.approximator` that approximates it.

    Draws the target, the network's output, the gap between them, and a mark
    where each hidden unit switches on (a ReLU's kink, a sigmoid's midpoint).
    :meth:`png` redraws only what moves.
    """

    def __init__(self):
        fig, ax = plotting.figure("A hand-built hidden layer approximating $\\sin(2\\pi x)$", "$x$", "$y$",
                                  figsize=(6.4, 3.9), xlim=(0.0, 1.0), ylim=(-1.55, 1.55))
        fig.set_layout_engine("none")
        ax.set_position([0.1, 0.13, 0.62, 0.77])
        self.fig, self.ax = fig, ax
        with plotting.book_style():
            ax.plot(_X_FINE, data.true_curve(_X_FINE), color="black", lw=1.6, ls="--", zorder=3,
                    label="target $f(x) = \\sin 2\\pi x$")
            (self.output,) = ax.plot([], [], color=_BLUE, lw=2.2, zorder=4, label="network output $g(x)$")
            self.gap = PolyCollection([], facecolor=_VERMILLION, alpha=0.3, edgecolor="none", zorder=2,
                                      label="gap $|f - g|$")
            ax.add_collection(self.gap, autolim=False)
            (self.marks,) = ax.plot([], [], ls="none", marker="^", ms=7, color=_VERMILLION, mec="black", mew=0.6,
                                    zorder=5, clip_on=False, label="where a unit\nswitches on")
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
            self.info = ax.text(1.02, 0.0, "", transform=ax.transAxes, ha="left", va="bottom", fontsize=10,
                                linespacing=1.6)
        self._blit = Blitter(fig, [self.output, self.gap, self.marks, self.info, *ax.spines.values()])

    # __call__ and png pass their values through update, and so through this one check.
    @checked(units=integer(low=1, high=_MAX_UNITS), activation=one_of(*_KINDS.values()))
    def update(self, units: int, activation: str = "relu") -> float:
        """Show the network of ``units`` hidden units of this activation; return its largest error.

        ``units`` is 1 to 800; ``activation`` is ``"relu"`` or ``"sigmoid"``.
        """
        params = layers.approximator(data.true_curve, units, activation)
        g = layers.forward(_X_FINE[:, None], params, [activation, "identity"]).output[:, 0]  # (801,)
        f = data.true_curve(_X_FINE)  # (801,)
        self.output.set_data(_X_FINE, g)
        band = np.concatenate([np.column_stack([_X_FINE, f]), np.column_stack([_X_FINE, g])[::-1]])  # (1602, 2)
        self.gap.set_verts([band])
        switch = -params[1] / params[0][:, 0]  # (n,) where each unit's pre-activation is 0
        self.marks.set_data(switch, np.full_like(switch, -1.55))
        error = float(np.max(np.abs(g - f)))
        name = "ReLU" if activation == "relu" else "sigmoid"
        count = layers.count_parameters([1, units, 1])
        self.info.set_text(f"{units} {name} units\n{count} parameters\nlargest gap {error:.3f}")
        return error

    def __call__(self, units: int, activation: str = "relu") -> Figure:
        """The whole figure (for :func:`mathcore.plotting.show`)."""
        self.update(units, activation)
        return self.fig

    def png(self, units: int, activation: str = "relu", *, palette: bool = True,
            compress_level: int | None = None) -> bytes:
        """The figure as PNG bytes, redrawing only what moves."""
        self.update(units, activation)
        return self._blit.png(palette=palette, compress_level=compress_level)


def _approx_alt(units: int, kind: str) -> str:
    activation = _KINDS[kind]
    error = approximation_error(units, activation)
    how = ("joins equally spaced points of the curve by straight lines, one bend per unit"
           if activation == "relu" else
           "is a staircase of smoothed steps, one step per unit, each level at the curve's value mid-step")
    return (f"The curve sin(2 pi x) on [0, 1] (dashed) and the output of a network with one hidden layer of {units} "
            f"{kind} units whose weights were written down, not trained (solid). The network {how}. "
            f"Triangles on the x-axis mark where each unit switches on; the shaded gap between the curves is at "
            f"most {error:.3f}.")


def curve_approximation(*, units: int = 8, activation: str = "ReLU", mode: str | None = None) -> FigureBox:
    """Chapter 2's approximation figure: more hidden units, a closer curve.

    Sliders: the number of hidden units and their activation (ReLU: piecewise-linear
    interpolation; sigmoid: a smoothed staircase), as built by
    :func:`mathcore.layers.approximator`. Live: every number of units from 1 to 48.
    Static: the numbers in :data:`APPROX_UNITS` by both activations, 16 frames.

    Parameters
    ----------
    units : int
        Starting number of hidden units (one of :data:`APPROX_UNITS` for the static twin).
    activation : {"ReLU", "sigmoid"}
        Starting activation.
    mode : {"live", "static"}, optional
        Override :func:`~mathcore.widgets.mode`.
    """
    lookup(_KINDS, activation, "activation for curve_approximation")
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    plot = ApproximationPlot()
    title = "More hidden units, a closer curve: drag the number of units"
    kind = Slider(tuple(_KINDS), activation, "activation")

    def render(units, kind, compress_level=None):
        return plot.png(int(units), _KINDS[kind], compress_level=compress_level)

    if chosen == "live":
        n = check_scalar(units, "units", low=1, high=48, integer=True)
        sliders = {"units": Slider(tuple(range(1, 49)), n, "hidden units"), "kind": kind}
        return _live(lambda units, kind: render(units, kind, 1), sliders, lambda units, kind: _approx_alt(units, kind),
                     title)
    sliders = {"units": Slider(APPROX_UNITS, units, "hidden units"), "kind": kind}
    return interactive_figure(render, sliders, _approx_alt, title=title, mode="static")
