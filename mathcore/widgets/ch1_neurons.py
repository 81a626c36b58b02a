"""Chapter 1: the decision boundary of one neuron, moved by its weights and bias."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon

from .. import data, neuron, plotting
from .._validate import as_float_array, check_scalar, checked, optional, real, text
from ._core import Blitter, FigureBox, Slider, _check_mode, _env_mode, _live, interactive_figure

__all__ = ["neuron_classes", "BoundaryGeometry", "boundary_geometry", "half_plane_polygon", "NeuronPlane",
           "decision_boundary"]

def _plane_weights(w, name: str) -> np.ndarray:
    """Spec for :func:`~mathcore._validate.checked`: the weights of a neuron with two inputs, shape (2,)."""
    w = as_float_array(w, name, ndim=1)
    if w.shape != (2,):
        raise ValueError(f"{name} must have shape (2,), got {w.shape}")
    return w


def neuron_classes(X, w, b) -> np.ndarray:
    """Class of each point under a step neuron: 1 where w·x + b >= 0, else 0.

    Uses :func:`mathcore.neuron.neuron` (step(0) = 1, as in Rosenblatt's perceptron).

    Shapes
    ------
    X : (n, 2); w : (2,); b : scalar -> (n,) int.
    """
    return neuron.neuron(X, w, b, activation="step").astype(np.int64)  # (n,)


@dataclass(frozen=True)
class BoundaryGeometry:
    """Where the line w·x + b = 0 lies.

    Attributes
    ----------
    normal : ndarray, shape (2,)
        Unit vector along w: the line is perpendicular to it, and class 1 is
        on the side it points to.
    distance : float
        Signed distance -b/‖w‖ from the origin, measured along ``normal``.
    foot : ndarray, shape (2,)
        The point of the line nearest the origin, ``distance * normal``.
    direction : ndarray, shape (2,)
        Unit vector along the line.
    """

    normal: np.ndarray
    distance: float
    foot: np.ndarray
    direction: np.ndarray


@checked(w=_plane_weights, b=real())
def boundary_geometry(w, b) -> BoundaryGeometry | None:
    """The geometry of the decision boundary of a 2-input neuron; None when w = 0.

    With w = 0 every input has z = b: there is no line, and the whole plane is
    one class (1 if b >= 0).

    Shapes
    ------
    w : (2,); b : scalar.
    """
    norm = float(np.hypot(*w))
    if norm == 0.0:
        return None
    normal = w / norm  # (2,)
    distance = neuron.boundary_distance(w, b)
    return BoundaryGeometry(normal, distance, distance * normal, np.array([-normal[1], normal[0]]))


_LIM = 2.0
_GREEN = plotting.OKABE_ITO["bluish_green"]
_LIGHT = plotting._light_cmap(2, 0.3)  # the class shading of plot_decision_region


def _num(x: float) -> str:
    """A number with two decimals and a true minus sign; never "−0.00"."""
    text = f"{x:.2f}"
    return "0.00" if float(text) == 0.0 else text.replace("-", "\u2212")


@checked(w=_plane_weights, b=real(), lim=real(low=0.0, low_open=True))
def half_plane_polygon(w, b, lim: float = _LIM) -> np.ndarray:
    """Vertices of the part of the square [-lim, lim]² where w·x + b >= 0.

    The region where a step neuron outputs 1, drawn exactly: the square is
    clipped by the half-plane (one Sutherland–Hodgman pass). Empty when the
    whole square is class 0; the whole square when it is all class 1
    (including w = 0 with b >= 0).

    Shapes
    ------
    w : (2,); b : scalar -> (k, 2) with k in {0, 3, 4, 5}.
    """
    corners = lim * np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])  # (4, 2)
    z = corners @ w + b  # (4,)
    out = []
    for i in range(4):
        j = (i + 1) % 4
        if z[i] >= 0:
            out.append(corners[i])
        if (z[i] >= 0) != (z[j] >= 0):
            # z changes sign along this edge, so z[i] != z[j]: no division by zero.
            t = z[i] / (z[i] - z[j])
            out.append(corners[i] + t * (corners[j] - corners[i]))
    return np.array(out).reshape(-1, 2)  # (k, 2)


class NeuronPlane:
    """A reusable figure of one step neuron's decision over [-2, 2]².

    Built once; each call updates its artists in place. Calling it
    returns the figure (for :func:`mathcore.plotting.show`); :meth:`png`
    returns PNG bytes and is fast: what never changes (title, labels, ticks,
    legend, the class-0 background) is drawn once and kept as a bitmap, and
    each frame redraws only the artists that move, on top of it (blitting).

    The class-1 region is drawn as an exact polygon (:func:`half_plane_polygon`)
    over a class-0 background, so the boundary is crisp at any resolution.

    Parameters
    ----------
    gate : str, optional
        Overlay the four inputs of this logic gate (:func:`mathcore.data.logic_gate`),
        marked by their target output, and count how many the neuron gets right.
    """

    @checked(gate=optional(text))
    def __init__(self, gate: str | None = None):
        self.gate = None if gate is None else gate.upper()
        if self.gate is not None:
            self.X_gate, self.y_gate = data.logic_gate(self.gate)  # (4, 2), (4,); before the figure is built
        fig, ax = plotting.figure(
            "One neuron splits the plane: step(w·x + b)",
            "$x_1$",
            "$x_2$",
            figsize=(6.6, 4.2),
            equal=True,
            xlim=(-_LIM, _LIM),
            ylim=(-_LIM, _LIM),
        )
        # A fixed layout, not a constrained one: the table's values change
        # width from frame to frame, and the blitted bitmap needs a layout
        # that never moves. The axes are a 3.3-inch square; the legend and the
        # table fill the 2.7 inches to its right.
        fig.set_layout_engine("none")
        ax.set_position([0.11, 0.105, 0.5, 0.785])
        self.fig, self.ax = fig, ax
        with plotting.book_style():
            self._build(ax)

    def _build(self, ax) -> None:
        ax.set_facecolor(_LIGHT(0))
        ax.grid(False)
        ax.set_xticks(np.arange(-2.0, 2.5, 1.0))
        ax.set_yticks(np.arange(-2.0, 2.5, 1.0))
        # The grid is drawn by hand, above the moving class-1 polygon, as one
        # collection (one draw call per frame instead of eighteen).
        ticks = np.arange(-_LIM, _LIM + 0.25, 0.5)  # (9,)
        segments = [[(t, -_LIM), (t, _LIM)] for t in ticks] + [[(-_LIM, t), (_LIM, t)] for t in ticks]
        grid = LineCollection(segments, colors="#8c8c8c", linestyles=":", linewidths=0.8, zorder=1.5)
        ax.add_collection(grid, autolim=False)
        self.region = Polygon(np.zeros((0, 2)), closed=True, facecolor=_LIGHT(1), edgecolor="none", zorder=1)
        ax.add_patch(self.region)
        axes_lines = [ax.axhline(0, color="0.45", lw=0.8, zorder=1.6), ax.axvline(0, color="0.45", lw=0.8, zorder=1.6)]
        (self.line,) = ax.plot([], [], color="black", lw=2.2, zorder=4)
        # The distance is a dimension line beside the weight arrow, which lies
        # on the same ray from the origin and would hide it.
        self.dist = ax.annotate(
            "", xy=(0, 0), xytext=(0, 0), zorder=4,
            arrowprops=dict(arrowstyle="|-|,widthA=0.25,widthB=0.25", color=_GREEN, lw=2.0, shrinkA=0, shrinkB=0),
        )
        (self.foot,) = ax.plot([], [], "o", color=_GREEN, ms=6, mec="black", mew=0.6, zorder=5)
        (self.corner,) = ax.plot([], [], color="black", lw=1.0, zorder=4)
        self.arrow = ax.annotate(
            "", xy=(1, 0), xytext=(0, 0), zorder=6,
            arrowprops=dict(arrowstyle="-|>,head_length=0.6,head_width=0.3", color="black", lw=2.2,
                            shrinkA=0, shrinkB=0),
        )
        self.w_label = ax.text(0, 0, r"$\mathbf{w}$", fontsize=12, ha="center", va="center", zorder=6)
        self.message = ax.text(
            0, 0, "", ha="center", va="center", zorder=7, visible=False,
            bbox=dict(boxstyle="round,pad=0.5", fc="white", ec="0.3"),
        )
        handles = [
            Patch(facecolor=_LIGHT(1), edgecolor="0.4", label="class 1: z ≥ 0"),
            Patch(facecolor=_LIGHT(0), edgecolor="0.4", label="class 0: z < 0"),
            Line2D([], [], color="black", lw=2.2, label="boundary z = 0"),
            Line2D([], [], color="black", lw=2.2, marker=">", markevery=[1], label="weight vector w"),
            Line2D([], [], color=_GREEN, lw=2.0, label="distance −b/‖w‖"),
        ]
        points = []
        if self.gate is not None:
            points = plotting.plot_points(
                ax, self.X_gate, self.y_gate, labels=[f"{self.gate} = 0", f"{self.gate} = 1"], size=70
            )
            handles += points
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.03, 1.0), borderaxespad=0.0)
        # A small table below the legend: labels drawn once, values per frame.
        names = ["w", "b", "‖w‖", "−b/‖w‖"] + ([self.gate] if self.gate else [])
        ax.text(1.04, 0.02 + 0.07 * len(names), "$z = w_1 x_1 + w_2 x_2 + b$", transform=ax.transAxes)
        self.values = []
        for k, name in enumerate(names):
            y = 0.02 + 0.07 * (len(names) - 1 - k)
            ax.text(1.25, y, f"{name} =", transform=ax.transAxes, ha="right")
            self.values.append(ax.text(1.27, y, "", transform=ax.transAxes, ha="left"))
        self._blit = Blitter(self.fig, [self.region, grid, *axes_lines, self.line, self.dist, self.foot, self.corner,
                                        self.arrow, self.w_label, self.message, *points, *ax.spines.values(),
                                        *self.values])

    # __call__ and png pass their values through update, and so through this one check.
    @checked(w1=real(), w2=real(), b=real())
    def update(self, w1: float, w2: float, b: float) -> None:
        """Move every artist to show the neuron with weights (w1, w2) and bias b."""
        w = np.array([w1, w2], dtype=np.float64)  # (2,)
        self.region.set_xy(half_plane_polygon(w, b))  # (k, 2)
        geo = boundary_geometry(w, b)
        texts = [f"({_num(w1)}, {_num(w2)})", _num(b)]
        if geo is None:
            for artist in (self.line, self.foot, self.corner):
                artist.set_data([], [])
            for artist in (self.arrow, self.w_label, self.dist):
                artist.set_visible(False)
            self.message.set_text(
                f"w = 0: no boundary.\nEvery point has z = b = {_num(b)},\nso all are class {1 if b >= 0 else 0}."
            )
            self.message.set_visible(True)
            texts += ["0", "none: w = 0"]
        else:
            self.message.set_visible(False)
            far = geo.foot + np.outer([-10.0, 10.0], geo.direction)  # (2, 2); the axes clip it
            self.line.set_data(far[:, 0], far[:, 1])
            self.foot.set_data([geo.foot[0]], [geo.foot[1]])
            side = 0.2 * geo.direction  # (2,) offset of the dimension line
            self.dist.xy = tuple(geo.foot - side)
            self.dist.set_position(tuple(-side))
            self.dist.set_visible(abs(geo.distance) > 1e-9)
            # A small square where w meets the line: the angle is a right angle.
            s = 0.13
            back = -1.0 if geo.distance >= 0 else 1.0  # towards the origin
            p1 = geo.foot + s * geo.direction  # (2,)
            corner = np.array([p1, p1 + back * s * geo.normal, geo.foot + back * s * geo.normal])  # (3, 2)
            self.corner.set_data(corner[:, 0], corner[:, 1])
            self.arrow.xy = (w1, w2)
            self.arrow.set_visible(True)
            tip = np.clip(w + 0.22 * geo.normal, -_LIM + 0.12, _LIM - 0.12)  # (2,)
            self.w_label.set_position(tuple(tip))
            self.w_label.set_visible(True)
            texts += [_num(float(np.hypot(w1, w2))), _num(geo.distance)]
        if self.gate is not None:
            correct = int(np.sum(neuron_classes(self.X_gate, w, b) == self.y_gate))
            texts.append(f"{correct} of 4 right")
        for artist, text in zip(self.values, texts):
            artist.set_text(text)

    def __call__(self, w1: float, w2: float, b: float) -> Figure:
        """Show the neuron with weights (w1, w2) and bias b; return the whole figure."""
        self.update(w1, w2, b)
        return self.fig

    def png(self, w1: float, w2: float, b: float, *, palette: bool = True, compress_level: int | None = None) -> bytes:
        """The figure for (w1, w2, b) as PNG bytes, redrawing only what moves.

        ``palette`` and ``compress_level`` as in :func:`mathcore.plotting.rgba_to_png`.
        """
        self.update(w1, w2, b)
        return self._blit.png(palette=palette, compress_level=compress_level)


_COMPASS = ("right", "upper right", "up", "upper left", "left", "lower left", "down", "lower right")


def _compass(w) -> str:
    angle = math.degrees(math.atan2(w[1], w[0])) % 360.0
    return _COMPASS[int(((angle + 22.5) % 360.0) // 45.0)]


def _plain(x: float) -> str:
    """Two decimals with an ASCII minus (alt text is read aloud); never "-0.00"."""
    text = f"{x:.2f}"
    return "0.00" if float(text) == 0.0 else text


def _boundary_alt(w1: float, w2: float, b: float, gate: str | None) -> str:
    w = (w1, w2)
    geo = boundary_geometry(w, b)
    head = (
        f"Decision regions of a step neuron with weights w = ({_plain(w1)}, {_plain(w2)}) and bias "
        f"b = {_plain(b)} on the square from -2 to 2 in both coordinates."
    )
    if geo is None:
        body = f" The weights are zero, so there is no boundary: the whole plane is class {1 if b >= 0 else 0}."
    else:
        d = geo.distance
        if abs(d) < 0.005:
            where = "passes through the origin"
        else:
            side = "in the direction the arrow points" if d > 0 else "on the side opposite to the arrow"
            where = f"lies {_plain(abs(d))} from the origin {side} (signed distance {_plain(d)})"
        body = (
            f" The boundary line w·x + b = 0 is perpendicular to the weight arrow, which points {_compass(w)}; "
            f"it {where}. The side the arrow points to is class 1."
        )
    if gate is not None:
        X, y = data.logic_gate(gate)
        correct = int(np.sum(neuron_classes(X, np.array(w), b) == y))
        body += f" The four {gate.upper()} inputs are overlaid; the neuron gets {correct} of 4 right."
    return head + body


def decision_boundary(
    gate: str | None = None,
    *,
    w1: float = 1.0,
    w2: float = 1.0,
    b: float = -1.5,
    mode: str | None = None,
) -> FigureBox:
    r"""Chapter 1's figure: how the weights and bias of one neuron place its boundary.

    The plane [-2, 2]² is shaded by the neuron's output step(w·x + b); the
    boundary w·x + b = 0 is drawn, with the weight vector as an arrow from
    the origin (perpendicular to the line, pointing into class 1) and the
    signed distance -b/‖w‖ of the line from the origin as a dashed segment.

    Live (in a kernel): sliders w₁, w₂ and b, each in [-2, 2] in steps of 0.1.

    Static (the built book): sliders for the *direction* of w and for b, with
    ‖w‖ = 1: 8 directions (every 45°) x 9 biases (-2 to 2 by 0.5) = 72 frames.
    Why these two: each moves the line in one way only. Turning w rotates
    the line about the origin; changing b slides it along w, and with ‖w‖ = 1
    the slide is exactly -b. Sliders w₁ and b would entangle the two (w₁
    changes both the direction and the length of w, and so the distance).
    What the static twin cannot show, that scaling w and b together leaves
    the line unchanged, is shown by the live sliders and the text. The grid
    includes the AND (45°, b = -1) and OR (45°, b = -0.5) neurons, and NAND
    (225°, b = 1) and NOR (225°, b = 0.5).

    Parameters
    ----------
    gate : str, optional
        Overlay the inputs of a logic gate ("AND", "OR", ...), see
        :func:`mathcore.data.logic_gate`.
    w1, w2, b : float
        Starting values of the live sliders (multiples of 0.1 in [-2, 2]).
    mode : {"live", "static"}, optional
        Override :func:`~mathcore.widgets.mode`.
    """
    if gate is not None:
        data.logic_gate(gate)  # fail now, with the list of gates, not inside a slider callback
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    # checked in both modes, though only the live sliders start from them: a bad value is refused the same way
    start = {name: check_scalar(v, name, low=-2.0, high=2.0) for name, v in (("w1", w1), ("w2", w2), ("b", b))}
    plane = NeuronPlane(gate)
    grid = tuple(round(-2.0 + 0.5 * i, 1) for i in range(9))  # -2.0, -1.5, ..., 2.0
    if chosen == "live":
        # In a kernel the sliders are continuous; the grid only bounds them
        # (and must hold the starting value, like any Slider's values).
        sliders = {
            name: Slider(tuple(sorted(set(grid) | {start[name]})), start[name], label, step=0.1)
            for name, label in (("w1", "w₁"), ("w2", "w₂"), ("b", "b"))
        }
        # Built directly rather than through interactive_figure: the static
        # twin below has other sliders (direction and b), so the usual check
        # that the live sliders make a 1- or 2-slider twin does not apply.
        return _live(
            lambda w1, w2, b: plane.png(w1, w2, b, compress_level=1),
            sliders,
            lambda w1, w2, b: _boundary_alt(w1, w2, b, gate),
            None,
        )

    def unit(angle: float) -> tuple[float, float]:
        # Rounded so that 90° gives w = (0, 1) exactly, not (6e-17, 1).
        t = math.radians(angle)
        return round(math.cos(t), 12) + 0.0, round(math.sin(t), 12) + 0.0  # + 0.0 turns -0.0 into 0.0

    sliders = {
        "angle": Slider(tuple(float(a) for a in range(0, 360, 45)), 45.0, "direction of w", fmt="{:g}°"),
        "b": Slider(grid, -1.0, "b", fmt="{:+.1f}"),
    }
    return interactive_figure(
        lambda angle, b: plane.png(*unit(angle), b),
        sliders,
        lambda angle, b: _boundary_alt(*unit(angle), b, gate),
        mode="static",
    )
