"""Chapter 6, Backpropagation: the cost along one weight, its tangent, and the errors of every layer.

:func:`weight_slice` (:class:`WeightSlice`): pick one parameter of a small
network and move it by a slider. The left panel draws the cost as a function
of that parameter alone, every other parameter held fixed, with the tangent
at the current value; the tangent's slope is the backpropagated gradient
:math:`\\partial C/\\partial \\theta`, and the read-out puts it next to a
central difference. The right panel shows the error :math:`\\delta` of every
unit (summed over the batch, which is :math:`\\partial C/\\partial \\mathbf b`),
the unit that the chosen parameter feeds highlighted.

:func:`draw_graph` draws the computation graph of an autodiff
:class:`~mathcore.autodiff.Value`, each node with its value and gradient.

As in Chapters 2 and 4, labels are plain Unicode, the figure is built once,
and each move redraws only the artists that change (blitting).
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .. import plotting
from .._validate import as_float_array, check_scalar, checked, lookup, optional, real, sequence_of, text
from ..autodiff import Value
from ..network import MLP
from ._core import Blitter, FigureBox, Slider, _check_mode, _env_mode, interactive_figure

__all__ = ["parameter_names", "WeightSlice", "weight_slice", "SHIFT_VALUES", "draw_graph"]

_BLUE, _VERMILLION = plotting.OKABE_ITO["blue"], plotting.OKABE_ITO["vermillion"]
_SUP = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _num(x: float, digits: int = 3) -> str:
    """A number with a true minus sign; never "−0.000"."""
    text = f"{x:.{digits}f}"
    return f"{0:.{digits}f}" if float(text) == 0.0 else text.replace("-", "\u2212")


def _plain(x: float, digits: int = 3) -> str:
    """As :func:`_num` with an ASCII minus, for alt text (read aloud)."""
    return _num(x, digits).replace("\u2212", "-")


#: Most parameters a slider can choose between (each is a position of a SelectionSlider).
MAX_SLIDER_CHOICES = 10**4


def parameter_names(sizes) -> list[tuple[str, int, tuple]]:
    """Every parameter of a network with layer widths ``sizes``: ``(label, array index, entry index)``.

    Labels are Unicode, ``w⁽ˡ⁾ⱼₖ`` for the weight from unit k of layer l - 1 to
    unit j of layer l and ``b⁽ˡ⁾ⱼ`` for a bias, in the order of ``MLP.params``.
    """
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise TypeError(f"sizes must be a list of at least two layer widths, got {sizes!r}")
    sizes = [check_scalar(n, f"sizes[{i}]", low=1, high=MAX_SLIDER_CHOICES, integer=True)
             for i, n in enumerate(sizes)]
    count = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    if count > MAX_SLIDER_CHOICES:
        raise ValueError(f"sizes give {count} parameters; a slider offers at most {MAX_SLIDER_CHOICES}")
    out = []
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        sup = f"({l})".translate(_SUP)
        for j in range(n_out):
            for k in range(n_in):
                out.append((f"w{sup}{str(j + 1).translate(_SUB)}{str(k + 1).translate(_SUB)}", 2 * l - 2, (j, k)))
        for j in range(n_out):
            out.append((f"b{sup}{str(j + 1).translate(_SUB)}", 2 * l - 1, (j,)))
    return out


#: Static positions of the shift slider (their ends bound the live slider).
SHIFT_VALUES = (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0)
_SPAN = 3.5  # the cost is drawn for shifts in [-3.5, 3.5]


class WeightSlice:
    """The cost of a network along one of its parameters, with the tangent whose slope backpropagation gives.

    Parameters
    ----------
    params : list of arrays
        ``[W1, b1, ..., WL, bL]`` (copied; never changed).
    X, Y : array_like
        The batch, shapes (n, sizes[0]) and (n, sizes[-1]).
    activation, output, loss : str
        As in :class:`~mathcore.network.MLP` and :meth:`~mathcore.network.MLP.loss_and_gradients`.

    Attributes
    ----------
    names : list of str
        The parameter labels, as :func:`parameter_names`.
    shifts : ndarray, shape (57,)
        The shifts at which the curves are drawn.
    """

    # None would be MLP's default loss for the output, not this class's documented "mse"
    @checked(loss=text)
    def __init__(self, params, X, Y, *, activation: str = "sigmoid", output: str = "sigmoid", loss: str = "mse"):
        if isinstance(params, (str, bytes, np.ndarray)) or not isinstance(params, (list, tuple)):
            raise TypeError(f"params must be a list [W1, b1, ..., WL, bL], got {type(params).__name__}")
        params = [as_float_array(p, f"params[{k}]", ndim=(1, 2)) for k, p in enumerate(params)]
        if len(params) < 2 or len(params) % 2:
            raise ValueError(f"params must hold an even number (>= 2) of arrays, got {len(params)}")
        sizes = [params[0].shape[1]] + [W.shape[0] for W in params[0::2]]
        self.net = MLP(sizes, activation=activation, output=output)
        for k, (p, q) in enumerate(zip(self.net.params, params)):
            if p.shape != q.shape:
                raise ValueError(f"params[{k}] has shape {q.shape}, but a {sizes} network needs {p.shape}")
            p[...] = q
        self.loss_name = loss
        self.X, self.Y = X, Y
        self.sizes = sizes
        self._params = parameter_names(sizes)
        self.names = [name for name, _, _ in self._params]
        self.shifts = np.linspace(-_SPAN, _SPAN, 57)  # (57,) smooth enough for these curves, at 1/8 of a unit
        # Huge params or X overflow inside the network; that is refused below by name, not warned about there.
        with np.errstate(over="ignore", invalid="ignore"):
            self.base = self.net.loss_and_gradients(X, Y, loss)  # validates X, Y and loss
            self.curves = {name: self._curve(name) for name in self.names}
            # the errors at the static positions fix the bars' limits (with a margin for the live slider's)
            deltas = np.concatenate([d for name in self.names for s in SHIFT_VALUES
                                     for d in self.evaluate(name, s)["deltas"]])
        curves = np.array(list(self.curves.values()))  # (parameters, 57)
        if not (np.isfinite(curves).all() and np.isfinite(deltas).all()):
            raise ValueError("params, X and Y give a cost or an error δ beyond float64 (inf or nan) when a "
                             f"parameter moves by up to {_SPAN}: they are too large for this figure")
        self._build(curves.max(), np.abs(deltas).max())

    def _entry(self, name: str) -> tuple[np.ndarray, tuple, float]:
        _, k, idx = self._params[self.names.index(lookup({n: n for n in self.names}, name, "parameter"))]
        p = self.net.params[k]
        return p, idx, float(p[idx])

    def _curve(self, name: str) -> np.ndarray:
        p, idx, old = self._entry(name)
        out = np.empty_like(self.shifts)  # (57,)
        for i, s in enumerate(self.shifts):
            p[idx] = old + s
            out[i] = self.net.loss(self.X, self.Y, self.loss_name)
        p[idx] = old
        return out

    def evaluate(self, name: str, shift: float) -> dict:
        """Cost, backpropagated gradient, central difference and errors with ``name`` moved by ``shift``."""
        shift = check_scalar(shift, "shift", low=-_SPAN, high=_SPAN)
        p, idx, old = self._entry(name)
        k = self._params[self.names.index(name)][1]
        try:
            p[idx] = old + shift
            cost, grads = self.net.loss_and_gradients(self.X, self.Y, self.loss_name)
            h = 1e-5  # central difference, as mathcore.gradcheck: error ~1e-10 here
            p[idx] = old + shift + h
            up = self.net.loss(self.X, self.Y, self.loss_name)
            p[idx] = old + shift - h
            down = self.net.loss(self.X, self.Y, self.loss_name)
        finally:
            p[idx] = old
        return {"value": old + shift, "cost": cost, "gradient": float(grads[k][idx]),
                "numeric": (up - down) / (2 * h), "deltas": [g for g in grads[1::2]]}

    def _build(self, top: float, reach: float) -> None:
        with plotting.book_style():
            # 684 pixels wide: a book page shows it unscaled
            fig = Figure(figsize=(7.6, 3.5), dpi=plotting.DPI)
            left = fig.add_axes((0.085, 0.3, 0.5, 0.6))
            right = fig.add_axes((0.69, 0.3, 0.29, 0.6))
            left.set(title="Cost along one parameter", xlabel="shift Δ of the chosen parameter",
                     ylabel="cost C", xlim=(-_SPAN, _SPAN), ylim=(0.0, 1.12 * top))
            left.axvline(0.0, color="0.6", lw=0.8, ls=":")
            (self.curve,) = left.plot([], [], color=_BLUE, lw=2.0, label="C with only this parameter moved")
            (self.tangent,) = left.plot([], [], color=_VERMILLION, lw=1.6, ls="--",
                                        label="tangent: slope ∂C/∂θ from backprop")
            (self.marker,) = left.plot([], [], "o", color=_VERMILLION, mec="black", ms=8, zorder=4)
            left.legend(loc="upper left", fontsize=8)
            labels, colors, self.units = [], [], []
            for l, n in enumerate(self.sizes[1:], start=1):
                for j in range(n):
                    labels.append(f"δ{f'({l})'.translate(_SUP)}{str(j + 1).translate(_SUB)}")
                    colors.append("0.55" if l < len(self.sizes) - 1 else "0.3")
                    self.units.append((l, j))
            pos = np.arange(len(labels))
            self.bars = right.bar(pos, np.zeros(len(labels)), color=colors, edgecolor="black", lw=0.6)
            self._colors = colors
            # each bar's value under the axis: the hidden errors are often too small to see as bars
            self.bar_values = [right.text(x, -1.3 * reach, "", ha="center", va="bottom", fontsize=7.5,
                                          color="0.2") for x in pos]
            right.axhline(0.0, color="0.3", lw=0.8)
            right.set(title="Errors δ = ∂C/∂b", xticks=pos, ylim=(-1.3 * reach, 1.3 * reach))
            right.set_xticklabels(labels)
            # The read-out's labels are drawn once, into the kept bitmap; only its four numbers are
            # redrawn on a move (text costs about 0.2 ms a glyph, most of a move's time).
            mono = dict(family="DejaVu Sans Mono", fontsize=9)
            self.readout = []  # value, cost, backprop slope, difference slope
            columns = ((0.085, ("value θ", "slope by backprop")), (0.43, ("cost C", "by central difference")))
            for row in range(2):
                for x, labels in columns:
                    y = 0.085 - 0.05 * row
                    fig.text(x, y, labels[row], color="0.35", **mono)
                    # values in a column, one character (~0.0105 of the width) after the longer label
                    self.readout.append(fig.text(x + 0.0105 * (max(map(len, labels)) + 1), y, "", **mono))
        self.fig, self.left, self.right = fig, left, right
        self._blit = Blitter(fig, [self.curve, self.tangent, self.marker, *self.bars.patches, *self.bar_values,
                                   *self.readout])

    def update(self, name: str, shift: float) -> dict:
        """Move parameter ``name`` by ``shift``; return :meth:`evaluate` there."""
        v = self.evaluate(name, shift)
        self.curve.set_data(self.shifts, self.curves[name])
        t = np.array([shift - 1.2, shift + 1.2])  # (2,)
        self.tangent.set_data(t, v["cost"] + v["gradient"] * (t - shift))
        self.marker.set_data([shift], [v["cost"]])
        layer = self._params[self.names.index(name)][1] // 2 + 1
        unit = self._params[self.names.index(name)][2][0]
        flat = np.concatenate(v["deltas"])  # (units,)
        for bar, text, d, c, lu in zip(self.bars.patches, self.bar_values, flat, self._colors, self.units):
            bar.set_height(d)
            text.set_text(_num(d, 3))
            bar.set_facecolor(_VERMILLION if lu == (layer, unit) else c)
        for text, number in zip(self.readout, (_num(v["value"], 2), _num(v["cost"], 4), _num(v["gradient"], 4),
                                               _num(v["numeric"], 4))):
            text.set_text(number)
        return v

    def __call__(self, name: str, shift: float) -> Figure:
        self.update(name, shift)
        return self.fig

    def png(self, name: str, shift: float, *, palette: bool = True, compress_level: int | None = None) -> bytes:
        """The figure as PNG bytes, redrawing only what moves."""
        self.update(name, shift)
        return self._blit.png(palette=palette, compress_level=compress_level)

    def alt(self, name: str, shift: float) -> str:
        v = self.evaluate(name, shift)
        flat = np.concatenate(v["deltas"])
        deltas = ", ".join(f"{_plain(d)}" for d in flat)
        direction = "falls" if v["gradient"] < 0 else "rises"
        return (
            f"Left: the cost of the network as the parameter {name} alone moves, drawn against its shift from "
            f"the network's value. At a shift of {_plain(shift, 2)}, {name} = {_plain(v['value'], 2)} and the cost "
            f"is {_plain(v['cost'], 4)}; the dashed tangent there has slope {_plain(v['gradient'], 4)}, the "
            f"gradient from backpropagation, which matches the central difference {_plain(v['numeric'], 4)}: the "
            f"cost {direction} as {name} grows. Right: bars of the error delta of each unit, layer by layer: "
            f"{deltas}; the unit that {name} feeds is highlighted."
        )


@checked(weight=optional(text), weights=optional(sequence_of(text, min_length=1)))
def weight_slice(params, X, Y, *, weight: str | None = None, shift: float = 0.0, weights=None,
                 activation: str = "sigmoid", output: str = "sigmoid", loss: str = "mse",
                 mode: str | None = None) -> FigureBox:
    r"""Chapter 6's figure: move one parameter and see the cost's slope along it, which backprop computes.

    Parameters
    ----------
    params, X, Y, activation, output, loss
        As in :class:`WeightSlice`.
    weight : str, optional
        The parameter chosen first (default: the first of ``weights``).
    shift : float
        Its starting shift from the network's value (a multiple of 1 in static mode).
    weights : list of str, optional
        The parameters offered (default: all of :func:`parameter_names`).
    mode : {"live", "static"}, optional
        Override :func:`~mathcore.widgets.mode`.

    Live: a shift slider from -3 to 3 in steps of 0.05. Static: shifts
    :data:`SHIFT_VALUES` for each offered parameter (9 x 7 = 63 frames for a 2-2-1 network).
    """
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    plot = WeightSlice(params, X, Y, activation=activation, output=output, loss=loss)
    offered = list(plot.names if weights is None else weights)
    for i, name in enumerate(offered):
        if name not in plot.names:
            raise ValueError(f"weights[{i}]: unknown parameter {name!r}; known: {', '.join(sorted(plot.names))}")
        if name in offered[:i]:  # a typo, most likely; the slider would offer the parameter twice
            raise ValueError(f"weights[{i}] repeats {name!r}")
    weight = offered[0] if weight is None else weight
    if weight not in offered:
        raise ValueError(f"weight {weight!r} is not among the offered parameters {offered}")
    shift = check_scalar(shift, "shift", low=-3.0, high=3.0)
    if chosen == "static" and shift not in SHIFT_VALUES:
        raise ValueError(f"in static mode shift must be one of {SHIFT_VALUES}, got {shift}")
    sliders = {
        "name": Slider(tuple(offered), weight, "parameter"),
        "shift": Slider(tuple(sorted(set(SHIFT_VALUES) | {shift})), shift, "shift Δ", step=0.05),
    }
    level = 1 if chosen == "live" else 9  # fastest zlib level live; smallest frames in the page
    return interactive_figure(lambda name, shift: plot.png(name, shift, compress_level=level), sliders,
                              plot.alt, mode=chosen)


# --- the computation graph of an autodiff Value ---------------------------------------------------


#: How an operation node is named in a drawn graph (u, v its inputs).
_OP_NAMES = {"+": "u + v", "*": "u × v", "−": "u − v", "σ": "σ(u)", "exp": "exp(u)", "log": "log(u)",
             "tanh": "tanh(u)", "relu": "relu(u)", "**2": "u²", "**-1": "1/u"}


# Gaps only scale the drawing: 1e6 is far beyond any layout, and near 1e150 Matplotlib's arrow geometry overflows.
@checked(x_gap=real(low=0.0, low_open=True, high=1e6), y_gap=real(low=0.0, low_open=True, high=1e6))
def draw_graph(ax: Axes, root: Value, *, x_gap: float = 1.0, y_gap: float = 0.9) -> dict:
    """Draw the computation graph of ``root`` on ``ax``, inputs on the left, each node with its data and grad.

    Each node sits in the column of its longest path from an input, and each
    column is centred. A node shows its label or operation, its value and,
    under it, its gradient (call ``root.backward()`` first).

    Parameters
    ----------
    x_gap, y_gap : float
        The distance between columns and between the nodes of a column, in data units (> 0, at most 1e6).

    Returns
    -------
    dict
        ``id(node) -> (x, y)``, the centre of every node.
    """
    if not isinstance(root, Value):
        raise TypeError(f"root must be a mathcore.autodiff.Value, got {type(root).__name__}")
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    order = root.graph()
    depth: dict[int, int] = {}
    for node in order:  # parents come first: an operation sits one column right of its deepest input
        depth[id(node)] = 1 + max((depth[id(p)] for p in node.parents), default=-1)
    first_use: dict[int, int] = {}
    for node in order:
        for parent in node.parents:
            first_use[id(parent)] = min(first_use.get(id(parent), depth[id(node)]), depth[id(node)])
    for node in order:  # an input sits just left of its first use, not all in the first column
        if not node.parents and id(node) in first_use:
            depth[id(node)] = first_use[id(node)] - 1
    columns: dict[int, list] = {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)
    pos = {}
    for d, nodes in columns.items():
        for i, node in enumerate(nodes):
            pos[id(node)] = (d * x_gap, ((len(nodes) - 1) / 2 - i) * y_gap)
    w, h = 0.4 * x_gap, 0.32 * y_gap
    for node in order:
        x, y = pos[id(node)]
        for parent in node.parents:
            px, py = pos[id(parent)]
            ax.add_patch(FancyArrowPatch((px + w, py), (x - w, y), arrowstyle="-|>", mutation_scale=9,
                                         color="0.45", lw=0.9, zorder=1))
        leaf = not node.parents
        ax.add_patch(FancyBboxPatch((x - w, y - h), 2 * w, 2 * h, boxstyle="round,pad=0.02",
                                    fc="#E8F1FA" if leaf else "white", ec=_BLUE if leaf else "0.2", lw=1.0,
                                    zorder=2))
        name = node.label or _OP_NAMES.get(node.op, node.op)
        ax.text(x, y + 0.35 * h, f"{name} = {_num(node.data, 3)}" if name else _num(node.data, 3), ha="center", va="center", fontsize=8.5,
                zorder=3)
        ax.text(x, y - 0.45 * h, f"grad {_num(node.grad, 3)}", ha="center", va="center", fontsize=8.5,
                color=_VERMILLION, zorder=3)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - w - 0.1, max(xs) + w + 0.1)
    ax.set_ylim(min(ys) - h - 0.1, max(ys) + h + 0.1)
    ax.axis("off")
    return pos
