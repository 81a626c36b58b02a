"""Chapter 4, Cost functions: one prediction's loss and gradient; one neuron's cost surface.

Labels are plain Unicode (σ, ∂), not mathtext: parsing each mathtext string
costs 5 to 30 ms, paid again in every fresh kernel that builds the figure.

Both figures follow the fast path of Chapter 1's :class:`~mathcore.widgets.NeuronPlane`:
the figure is built once, what never moves (axes, ticks, labels, legend, the
contour maps) is drawn once and kept as a bitmap, and each slider move redraws
only the artists that change on top of it (blitting). The cost surfaces are
computed once per builder call, never per move.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MultipleLocator

from .. import losses, plotting
from .._validate import MAX_ELEMENTS, as_float_array, check_scalar, checked, integer, real, sequence_of
from ..activations import _sigmoid
from ._core import Blitter, FigureBox, Slider, _check_mode, _env_mode, interactive_figure

__all__ = ["prediction_losses", "PREDICTION_LOSSES", "LossCurves", "loss_and_gradient", "CostSurface",
           "cost_surface"]

_BLUE, _VERMILLION = plotting.OKABE_ITO["blue"], plotting.OKABE_ITO["vermillion"]
#: The two losses of the first figure, as (registry name, label, colour).
PREDICTION_LOSSES = (("mse", "squared error", _BLUE), ("binary_cross_entropy", "cross-entropy", _VERMILLION))


def _num(x: float, digits: int = 2) -> str:
    """A number with a true minus sign; never "−0.00"."""
    text = f"{x:.{digits}f}"
    return f"{0:.{digits}f}" if float(text) == 0.0 else text.replace("-", "\u2212")


def _plain(x: float, digits: int = 2) -> str:
    """As :func:`_num` with an ASCII minus, for alt text (read aloud)."""
    return _num(x, digits).replace("\u2212", "-")


# --- Figure 1: the loss of one prediction and its gradient ----------------------------------


def prediction_losses(p, y: float) -> dict[str, dict[str, np.ndarray]]:
    r"""Loss, :math:`\partial L/\partial p` and :math:`\partial L/\partial z` of one prediction, for each loss.

    For a prediction :math:`p = \sigma(z)` of a target :math:`y`, per element
    and without the batch mean (``LOSSES[name]`` on a single element):

    * squared error: :math:`L = (p - y)^2`, :math:`\partial L/\partial p = 2(p - y)`,
      :math:`\partial L/\partial z = 2(p - y)\,p(1 - p)`;
    * cross-entropy: :math:`L = -y\log p - (1 - y)\log(1 - p)`,
      :math:`\partial L/\partial p = (p - y)/(p(1 - p))`, :math:`\partial L/\partial z = p - y`.

    Parameters
    ----------
    p : array_like
        Predictions strictly between 0 and 1.
    y : float
        The target, in [0, 1].

    Returns
    -------
    dict
        ``{name: {"loss": ..., "dp": ..., "dz": ...}}`` for ``name`` in
        ``"mse"``, ``"binary_cross_entropy"``, each shaped like ``p``.

    Shapes
    ------
    p : any S -> every value S.
    """
    p = as_float_array(p, "p")
    if (p <= 0).any() or (p >= 1).any():
        raise ValueError(f"p must lie strictly between 0 and 1, found {p[(p <= 0) | (p >= 1)].ravel()[0]}")
    y = check_scalar(y, "y", low=0.0, high=1.0)
    slope = p * (1.0 - p)  # dp/dz = sigma'(z)
    d = p - y
    bce = -losses._xlogy(y, p) - losses._xlogy(1.0 - y, 1.0 - p)
    return {
        "mse": {"loss": d * d, "dp": 2.0 * d, "dz": 2.0 * d * slope},
        "binary_cross_entropy": {"loss": bce, "dp": d / slope, "dz": d},
    }


class LossCurves:
    """A reusable figure: two losses of one prediction (left) and their gradients in the logit (right).

    Each call moves the markers, the tangent lines (whose slope is
    :math:`\\partial L/\\partial p`) and the read-out; :meth:`png` redraws only those.
    """

    #: The predictions p at which the curves are drawn.
    #:
    #: :meta hide-value:
    P_GRID = np.linspace(0.002, 0.998, 400)  # (400,)

    def __init__(self):
        with plotting.book_style():
            # 684 pixels wide: a book page shows it unscaled
            fig = Figure(figsize=(7.6, 4.0), dpi=plotting.DPI)
            left = fig.add_axes((0.085, 0.34, 0.385, 0.56))
            right = fig.add_axes((0.6, 0.34, 0.385, 0.56))
            left.set(title="Loss of one prediction", xlabel="prediction p", ylabel="loss L",
                     xlim=(0, 1), ylim=(0, 5))
            right.set(title="Gradient in the logit, ∂L/∂z", xlabel="prediction p = σ(z)",
                      ylabel="∂L/∂z", xlim=(0, 1), ylim=(-1.1, 1.1))
            right.axhline(0.0, color="0.45", lw=0.8)
            self.curves, self.markers, self.tangents, self.grad_curves, self.grad_markers = {}, {}, {}, {}, {}
            for name, label, color in PREDICTION_LOSSES:
                (self.curves[name],) = left.plot([], [], color=color, label=label)
                (self.tangents[name],) = left.plot([], [], color=color, lw=1.3, ls="--")
                (self.markers[name],) = left.plot([], [], "o", color=color, mec="black", ms=7, zorder=4)
                (self.grad_curves[name],) = right.plot([], [], color=color)
                (self.grad_markers[name],) = right.plot([], [], "o", color=color, mec="black", ms=7, zorder=4)
            handles = [Line2D([], [], color=c, label=lab) for _, lab, c in PREDICTION_LOSSES]
            handles.append(Line2D([], [], color="0.3", lw=1.3, ls="--",
                                  label="tangent: slope ∂L/∂p"))
            left.legend(handles=handles, loc="upper center")
            # A small table under the panels, one text per row in a monospaced
            # font so the columns line up: each text drawn costs ~4 ms, so a
            # frame draws two, not one per number.
            mono = dict(family="DejaVu Sans Mono", fontsize=9.5)
            fig.text(0.085, 0.13, self._row("", "L", "∂L/∂p", "∂L/∂z"), **mono)
            self.rows = {name: fig.text(0.085, 0.075 - 0.055 * k, "", color=color, **mono)
                         for k, (name, _, color) in enumerate(PREDICTION_LOSSES)}
        self.fig, self.left, self.right = fig, left, right
        artists = [*self.curves.values(), *self.markers.values(), *self.tangents.values(),
                   *self.grad_curves.values(), *self.grad_markers.values(), *self.rows.values()]
        self._blit = Blitter(fig, artists)
        self._y = None

    @staticmethod
    def _row(label: str, *cells: str) -> str:
        return f"{label:<15}" + "".join(f"{c:>11}" for c in cells)

    @checked(p=real(), y=real())
    def update(self, p: float, y: float) -> dict:
        """Show prediction ``p`` of target ``y``; return :func:`prediction_losses` at ``p``."""
        if y != self._y:  # the curves depend on the target only
            curves = prediction_losses(self.P_GRID, y)
            for name, _, _ in PREDICTION_LOSSES:
                self.curves[name].set_data(self.P_GRID, curves[name]["loss"])
                self.grad_curves[name].set_data(self.P_GRID, curves[name]["dz"])
            self._y = y
        here = prediction_losses(np.array([p]), y)
        for name, label, _ in PREDICTION_LOSSES:
            v = {key: float(val[0]) for key, val in here[name].items()}
            self.markers[name].set_data([p], [v["loss"]])
            half = 0.2
            self.tangents[name].set_data([p - half, p + half], [v["loss"] - half * v["dp"], v["loss"] + half * v["dp"]])
            self.grad_markers[name].set_data([p], [v["dz"]])
            self.rows[name].set_text(self._row(label, *(_num(v[key], 3) for key in ("loss", "dp", "dz"))))
        return here

    def __call__(self, p: float, y: float) -> Figure:
        """The whole figure for prediction ``p`` and target ``y``."""
        self.update(p, y)
        return self.fig

    def png(self, p: float, y: float, *, palette: bool = True, compress_level: int | None = None) -> bytes:
        """The figure as PNG bytes, redrawing only what moves."""
        self.update(p, y)
        return self._blit.png(palette=palette, compress_level=compress_level)


def _loss_alt(p: float, y: float) -> str:
    v = prediction_losses(np.array([p]), y)
    m, c = ({k: float(a[0]) for k, a in v[name].items()} for name in ("mse", "binary_cross_entropy"))
    return (
        f"Two panels for a target y = {y:g} and a prediction p = {_plain(p)}. Left: the squared error and the "
        f"cross-entropy as functions of p, both zero at p = y; the squared error stays below 1 while the "
        f"cross-entropy grows without bound as p moves away from y. At p = {_plain(p)} the squared error is "
        f"{_plain(m['loss'], 3)} with slope {_plain(m['dp'], 3)} and the cross-entropy {_plain(c['loss'], 3)} "
        f"with slope {_plain(c['dp'], 3)}, drawn as dashed tangents. Right: the gradients with respect to the "
        f"logit z: {_plain(m['dz'], 3)} for the squared error, which vanishes near p = 0 and p = 1, and "
        f"{_plain(c['dz'], 3)} for the cross-entropy, which is p - y, a straight line."
    )


#: Static positions of the prediction slider (their ends bound the live slider).
P_VALUES = (0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)


def loss_and_gradient(*, p: float = 0.9, y: float = 0.0, mode: str | None = None) -> FigureBox:
    r"""Chapter 4's first figure: the loss and gradient of one prediction, as the prediction moves.

    Left, the squared error :math:`(p - y)^2` and the binary cross-entropy of a
    prediction :math:`p` of a target :math:`y`, with the current prediction
    marked and the tangent of slope :math:`\partial L/\partial p` drawn
    through it. Right, the gradients a sigmoid output passes back to its
    logit, :math:`\partial L/\partial z = \partial L/\partial p \cdot p(1 - p)`.

    Live: a continuous prediction slider from 0.01 to 0.99 in steps of 0.01
    and a target slider (0 or 1). Static: 13 predictions x 2 targets = 26 frames.

    Parameters
    ----------
    p : float
        Starting prediction, in [0.01, 0.99].
    y : {0.0, 1.0}
        Starting target.
    mode : {"live", "static"}, optional
        Override :func:`~mathcore.widgets.mode`.
    """
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    p = check_scalar(p, "p", low=0.01, high=0.99)
    y = check_scalar(y, "y")
    if y not in (0.0, 1.0):
        raise ValueError(f"y must be 0 or 1, got {y}")
    curves = LossCurves()
    values = P_VALUES if chosen == "static" else tuple(sorted(set(P_VALUES) | {p}))
    if chosen == "static" and p not in P_VALUES:
        raise ValueError(f"in static mode p must be one of {P_VALUES}, got {p}")
    sliders = {
        "p": Slider(values, p, "prediction p", step=0.01),
        "y": Slider((0.0, 1.0), y, "target y", fmt="{:g}"),
    }
    level = 1 if chosen == "live" else 9  # fastest zlib level live; smallest frames in the page
    return interactive_figure(lambda p, y: curves.png(p, y, compress_level=level), sliders, _loss_alt,
                              mode=chosen)


# --- Figure 2: the cost surface of one neuron over (w, b) --------------------------------------


class CostSurface:
    """The cost of a one-input sigmoid neuron over the (w, b) plane, under both losses, with a movable marker.

    Three panels: the data with the neuron's curve :math:`\\sigma(wx + b)`;
    the mean squared error over (w, b); the binary cross-entropy over (w, b).
    Both surfaces are computed once, on a ``resolution`` x ``resolution``
    grid, with :func:`mathcore.losses.sigmoid_neuron_cost`; each minimum on
    the grid is starred.

    Parameters
    ----------
    x, y : array_like
        A 1-D data set: inputs (n,) and targets in [0, 1] (n,).
    w_range, b_range : (float, float)
        The rectangle of the (w, b) plane shown.
    resolution : int
        Grid points per side.
    """

    # resolution ** 2 grid points, each a cost over the whole data set
    @checked(w_range=sequence_of(real(), length=2), b_range=sequence_of(real(), length=2),
             resolution=integer(low=2, high=math.isqrt(MAX_ELEMENTS)))
    def __init__(self, x, y, *, w_range=(-6.5, 6.5), b_range=(-6.5, 6.5), resolution: int = 105):
        x = as_float_array(x, "x", ndim=1)
        y = as_float_array(y, "y", ndim=1)
        if x.size * resolution**2 > MAX_ELEMENTS:
            raise ValueError(f"resolution {resolution} over {x.size} data points needs {x.size * resolution**2} "
                             f"costs, more than {MAX_ELEMENTS}")
        for name, r in (("w_range", w_range), ("b_range", b_range)):
            if not r[0] < r[1]:
                raise ValueError(f"{name} must be (low, high) with low < high, got {r!r}")
        self.x, self.y = x, y
        self.ws = np.linspace(*w_range, resolution)  # (r,)
        self.bs = np.linspace(*b_range, resolution)  # (r,)
        W, B = np.meshgrid(self.ws, self.bs)  # (r, r) each; rows along b
        #: name -> (r, r) cost, entry [i, j] at (ws[j], bs[i])
        self.costs = {name: losses.sigmoid_neuron_cost(x, y, W, B, name) for name in losses.NEURON_LOSSES}
        self.minima = {}
        for name, C in self.costs.items():
            i, j = np.unravel_index(np.argmin(C), C.shape)
            self.minima[name] = (float(self.ws[j]), float(self.bs[i]), float(C[i, j]))
        self._build(w_range, b_range)

    def _build(self, w_range, b_range) -> None:
        with plotting.book_style():
            # 684 pixels wide: a book page shows it unscaled
            fig = Figure(figsize=(7.6, 3.2), dpi=plotting.DPI)
            data_ax = fig.add_axes((0.075, 0.16, 0.2, 0.66))
            pad = 0.1 * (self.x.max() - self.x.min() + 1e-12)
            data_ax.set_title("Data and output a", fontsize=10)
            data_ax.set(xlabel="input x",
                        ylabel="target y / output a", xlim=(self.x.min() - pad, self.x.max() + pad),
                        ylim=(-0.1, 1.1), yticks=(0.0, 0.5, 1.0))
            labels = self.y.round().astype(int)
            for k, name in ((0, "y = 0"), (1, "y = 1")):
                mask = labels == k
                data_ax.scatter(self.x[mask], self.y[mask], s=22, c=plotting.CLASS_COLORS[k],
                                marker=plotting.CLASS_MARKERS[k], edgecolors="black", linewidths=0.6,
                                label=name, zorder=3)
            self.xs = np.linspace(*data_ax.get_xlim(), 200)  # (200,)
            (self.curve,) = data_ax.plot([], [], color="black", lw=2.0, label="output a", zorder=4)
            # drawn with the moving curve, after it, so that the curve passes behind it
            self.legend = data_ax.legend(loc="center right", fontsize=7)
            self.legend.set_zorder(10)
            self.panels, self.markers, self.values = {}, {}, {}
            titles = {"mse": "Squared error C(w, b)", "binary_cross_entropy": "Cross-entropy C(w, b)"}
            for k, name in enumerate(losses.NEURON_LOSSES):
                ax = fig.add_axes((0.385 + 0.32 * k, 0.16, 0.26, 0.66))
                C = self.costs[name]
                # The same rule for both maps: 12 bands, narrower towards the minimum
                # (spaced quadratically), so the floor of a bowl shows its shape and
                # a plateau still shows as one wide band. Flat bands without
                # antialiasing or contour lines keep the frames small.
                levels = C.min() + (C.max() - C.min()) * np.linspace(0.0, 1.0, 13) ** 2
                ax.contourf(self.ws, self.bs, C, levels=levels, cmap="cividis", antialiased=False)
                w0, b0, _ = self.minima[name]
                ax.plot([w0], [b0], "*", color="white", mec="black", ms=12, zorder=3)
                ax.set_title(titles[name], fontsize=10)
                ax.set(xlabel="weight w", xlim=w_range, ylim=b_range)
                if k == 0:  # the maps share the bias axis
                    ax.set_ylabel("bias b")
                # few ticks, the same strings on every axis: each new tick label is parsed as mathtext once
                ax.xaxis.set_major_locator(MultipleLocator(3.0))
                ax.yaxis.set_major_locator(MultipleLocator(3.0))
                ax.grid(False)
                (self.markers[name],) = ax.plot([], [], "o", color=_VERMILLION, mec="white", mew=1.5, ms=9,
                                                zorder=5)
                self.values[name] = ax.text(0.03, 0.96, "", transform=ax.transAxes, va="top", fontsize=8,
                                            zorder=6, bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="0.4"))
                self.panels[name] = ax
        self.fig, self.data_ax = fig, data_ax
        self._blit = Blitter(fig, [self.curve, self.legend, *self.markers.values(), *self.values.values()])

    @checked(w=real(), b=real())
    def cost(self, w: float, b: float) -> dict[str, float]:
        """Both costs at (w, b), computed exactly (not read off the grid)."""
        return {name: float(losses.sigmoid_neuron_cost(self.x, self.y, w, b, name)) for name in losses.NEURON_LOSSES}

    def update(self, w: float, b: float) -> dict[str, float]:
        """Move the marker to (w, b); return both costs there."""
        costs = self.cost(w, b)  # checks w and b, for every method that moves the marker
        self.curve.set_data(self.xs, _sigmoid(w * self.xs + b))
        for name, value in costs.items():
            self.markers[name].set_data([w], [b])
            self.values[name].set_text(f"C({_num(w, 1)}, {_num(b, 1)}) = {_num(value, 3)}")
        return costs

    def __call__(self, w: float, b: float) -> Figure:
        """The whole figure with the marker at (w, b)."""
        self.update(w, b)
        return self.fig

    def png(self, w: float, b: float, *, palette: bool = True, compress_level: int | None = None) -> bytes:
        """The figure as PNG bytes, redrawing only what moves."""
        self.update(w, b)
        return self._blit.png(palette=palette, compress_level=compress_level)


def _surface_alt(surface: CostSurface, w: float, b: float) -> str:
    c = surface.cost(w, b)
    (wm, bm, _), (wc, bc, _) = surface.minima["mse"], surface.minima["binary_cross_entropy"]
    fit = _sigmoid(w * surface.x + b)
    right = int(np.sum((fit >= 0.5) == (surface.y >= 0.5)))
    return (
        f"Three panels for a sigmoid neuron with weight w = {_plain(w, 1)} and bias b = {_plain(b, 1)}. Left: the "
        f"{surface.x.size} data points, targets 0 and 1 against the input x, with the neuron's S-shaped output "
        f"curve, which puts {right} of {surface.x.size} points on the right side of 0.5. Middle: contours of the "
        f"mean squared error over w and b, with broad flat plateaus away from the minimum near "
        f"(w, b) = ({_plain(wm, 1)}, {_plain(bm, 1)}); the marker's cost is {_plain(c['mse'], 3)}. Right: contours "
        f"of the cross-entropy, a single bowl around its minimum near ({_plain(wc, 1)}, {_plain(bc, 1)}); the "
        f"marker's cost is {_plain(c['binary_cross_entropy'], 3)}."
    )


#: Static positions of both sliders of the cost surface.
WB_VALUES = (-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0)


def cost_surface(x, y, *, w: float = -4.0, b: float = 4.0, mode: str | None = None) -> FigureBox:
    r"""Chapter 4's second figure: the cost surface of one sigmoid neuron, with a marker moved by w and b.

    Left, the data and the neuron's output :math:`\sigma(wx + b)`; middle and
    right, the mean squared error and the binary cross-entropy over
    :math:`(w, b) \in [-6.5, 6.5]^2` (computed once), with the marker at the
    sliders' (w, b) and its cost. Live: sliders from -6 to 6 in steps of 0.1.
    Static: w and b in {-6, -4, ..., 6}, 7 x 7 = 49 frames.

    Parameters
    ----------
    x, y : array_like
        The data set, inputs (n,) and targets in [0, 1] (n,).
    w, b : float
        Starting position (a multiple of 2 in static mode).
    mode : {"live", "static"}, optional
        Override :func:`~mathcore.widgets.mode`.
    """
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    w = check_scalar(w, "w", low=-6.0, high=6.0)
    b = check_scalar(b, "b", low=-6.0, high=6.0)
    surface = CostSurface(x, y)
    if chosen == "static":
        for name, v in (("w", w), ("b", b)):
            if v not in WB_VALUES:
                raise ValueError(f"in static mode {name} must be one of {WB_VALUES}, got {v}")
    sliders = {
        "w": Slider(tuple(sorted(set(WB_VALUES) | {w})), w, "weight w", step=0.1),
        "b": Slider(tuple(sorted(set(WB_VALUES) | {b})), b, "bias b", step=0.1),
    }
    level = 1 if chosen == "live" else 9
    return interactive_figure(lambda w, b: surface.png(w, b, compress_level=level), sliders,
                              lambda w, b: _surface_alt(surface, w, b), mode=chosen)
