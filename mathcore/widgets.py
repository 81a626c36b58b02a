r"""Interactive figures: live in a kernel, responsive without one.

One builder per interactive figure. In a kernel it returns the *live* widget:
sliders whose every move re-renders the figure. When the book is built
(``MATHCORE_STATIC=1``) it returns the *static twin*: every frame rendered
once, at build time, as a PNG inside an ``ipywidgets.HTML`` widget
(``<img alt="...">``, so each frame is described), the frames gathered in a
``Stack`` whose ``selected_index`` is linked in the browser to a
``SelectionSlider`` by ``jslink``. The page then needs no kernel: the
embedded widget state alone moves the figure. With two sliders the frames
form a grid: an outer ``Stack`` selected by the first slider, whose children
are inner ``Stack`` s each linked to the second.

The generic core is :func:`interactive_figure`; :func:`decision_boundary`
(Chapter 1) is built on it.

References: ipywidgets documentation, "Widget Events" (``jslink``) and
"Embedding Jupyter Widgets in Other Contexts"; myst-nb, "Embedding outputs"
(widget state is saved when a notebook is executed).
"""

from __future__ import annotations

import contextlib
import html
import itertools
import math
import numbers
import os
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, Sequence

import numpy as np
import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon

from . import data, neuron, plotting
from ._validate import check_scalar

__all__ = [
    "ENV_VAR",
    "mode",
    "set_mode",
    "using_mode",
    "Slider",
    "Frame",
    "FigureBox",
    "render_frames",
    "interactive_figure",
    "neuron_classes",
    "BoundaryGeometry",
    "boundary_geometry",
    "half_plane_polygon",
    "NeuronPlane",
    "decision_boundary",
]

#: Environment variable set by the book build: "1" selects the static twins.
ENV_VAR = "MATHCORE_STATIC"

_MODES = ("live", "static")
_override: str | None = None


# --- mode ---------------------------------------------------------------------


def _check_mode(value) -> str:
    if value not in _MODES:
        raise ValueError(f"mode must be 'live' or 'static', got {value!r}")
    return value


def mode() -> str:
    """``"static"`` when building the book (``MATHCORE_STATIC=1``), else ``"live"``.

    :func:`set_mode` and :func:`using_mode` override the environment (tests).
    """
    if _override is not None:
        return _override
    return "static" if os.environ.get(ENV_VAR, "") == "1" else "live"


def set_mode(value: str | None) -> None:
    """Force ``"live"`` or ``"static"``; ``None`` returns control to the environment."""
    global _override
    _override = None if value is None else _check_mode(value)


_env_mode = mode  # the builders' own ``mode=`` argument shadows the name


@contextlib.contextmanager
def using_mode(value: str) -> Iterator[None]:
    """Force a mode inside a ``with`` block, restoring the previous setting after."""
    global _override
    previous = _override
    set_mode(value)
    try:
        yield
    finally:
        _override = previous


# --- sliders and frames -------------------------------------------------------


@dataclass(frozen=True)
class Slider:
    """One parameter of an interactive figure.

    Attributes
    ----------
    values : tuple
        The positions of the static slider: one frame each. In a kernel too,
        unless ``step`` is given.
    default : object
        The starting value; must be one of ``values``.
    label : str
        The slider's description, e.g. ``"w₁"``.
    step : float or None
        In a kernel, a continuous ``FloatSlider`` from ``min(values)`` to
        ``max(values)`` in steps of ``step``; ``None`` keeps the static positions.
    fmt : str or None
        How a value is written on the static slider, e.g. ``"{:g}°"``;
        by default ``"{:g}"`` for numbers and ``str`` for anything else.
    """

    values: tuple
    default: object
    label: str
    step: float | None = None
    fmt: str | None = None

    def __post_init__(self):
        if not isinstance(self.label, str) or not self.label.strip():
            raise ValueError(f"label must be a non-empty string, got {self.label!r}")
        if isinstance(self.values, (str, bytes)) or not isinstance(self.values, Sequence | np.ndarray):
            raise TypeError(f"values must be a sequence of slider positions, got {type(self.values).__name__}")
        values = tuple(v.item() if isinstance(v, np.generic) else v for v in self.values)
        if not values:
            raise ValueError(f"values of slider {self.label!r} must not be empty")
        object.__setattr__(self, "values", values)
        if isinstance(self.default, np.generic):
            object.__setattr__(self, "default", self.default.item())
        if self.index(self.default) is None:
            raise ValueError(f"default {self.default!r} of slider {self.label!r} is not one of its values {values}")
        if self.step is not None:
            if not all(_is_real(v) for v in values):
                raise TypeError(f"step needs numeric values, got {values} for slider {self.label!r}")
            if not _is_real(self.step) or not self.step > 0:
                raise ValueError(f"step must be a positive number, got {self.step!r}")

    def index(self, value) -> int | None:
        """Position of ``value`` among :attr:`values` (numbers compared to 1e-9), or None."""
        for i, v in enumerate(self.values):
            if _is_real(v) and _is_real(value):
                if math.isclose(v, value, rel_tol=1e-9, abs_tol=1e-12):
                    return i
            elif v == value:
                return i
        return None

    def text(self, value) -> str:
        """The value as the static slider writes it."""
        if self.fmt is not None:
            return self.fmt.format(value)
        return f"{value:g}" if _is_real(value) else str(value)


def _is_real(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _as_slider(name: str, spec) -> Slider:
    if isinstance(spec, Slider):
        return spec
    if isinstance(spec, tuple) and 3 <= len(spec) <= 5:
        return Slider(*spec)
    raise TypeError(
        f"sliders[{name!r}] must be a Slider or a tuple (values, default, label[, step[, fmt]]), got {spec!r}"
    )


@dataclass(frozen=True)
class Frame:
    """One precomputed frame of a static twin: the slider values, the PNG and its alt text."""

    values: dict
    png: bytes
    alt: str

    @property
    def html(self) -> str:
        """The ``<img>`` element the static twin shows for this frame."""
        return plotting.img_html(self.png, self.alt)


def _alt_text(alt, values: dict) -> str:
    text = alt(**values) if callable(alt) else alt.format(**values)
    return plotting.check_alt(text)


class _Painter:
    """Turns ``render(**values)`` into PNG bytes, closing figures it replaces.

    ``render`` may return a Figure (new each time, or the same one updated in
    place, whose layout is then frozen after its first frame) or PNG bytes
    directly (a renderer with its own fast path).
    """

    def __init__(self, render: Callable, compress_level: int):
        if not callable(render):
            raise TypeError(f"render must be callable, got {type(render).__name__}")
        self.render = render
        self.compress_level = compress_level
        self.fig: Figure | None = None

    def __call__(self, values: dict) -> bytes:
        out = self.render(**values)
        if isinstance(out, (bytes, bytearray)):
            plotting.png_data_uri(bytes(out[:8]))  # raises unless it is a PNG
            return bytes(out)
        if not isinstance(out, Figure):
            raise TypeError(
                f"render must return a matplotlib Figure or PNG bytes, got {type(out).__name__} for values {values}"
            )
        if out is self.fig:
            # The same figure again, updated in place: keep the layout of its
            # first frame. Re-solving a constrained layout costs about half of
            # each redraw, and a frozen one keeps the axes from shifting between
            # frames as tick labels change width.
            out.set_layout_engine("none")
        elif self.fig is not None:
            plotting._close_if_pyplot(self.fig)
        self.fig = out
        return plotting.to_png(out, close=False, palette=True, compress_level=self.compress_level)

    def close(self) -> None:
        if self.fig is not None:
            plotting._close_if_pyplot(self.fig)
            self.fig = None


def _plan(sliders: Mapping, static, fixed) -> tuple[dict[str, Slider], list[str], dict]:
    """Validated sliders, the static ones, and the fixed values of the rest."""
    if not isinstance(sliders, Mapping) or not sliders:
        raise TypeError(f"sliders must be a non-empty mapping name -> Slider, got {sliders!r}")
    specs = {name: _as_slider(name, spec) for name, spec in sliders.items()}
    if isinstance(static, str):
        raise TypeError(f"static must be a sequence of slider names, got the string {static!r}")
    names = list(specs) if static is None else list(static)
    unknown = [n for n in names if n not in specs]
    if unknown:
        raise ValueError(f"static names {unknown} are not sliders; sliders are {list(specs)}")
    if not 1 <= len(names) <= 2 or len(set(names)) != len(names):
        raise ValueError(f"static must name 1 or 2 distinct sliders, got {names}")
    fixed = dict(fixed or {})
    bad = [n for n in fixed if n not in specs or n in names]
    if bad:
        raise ValueError(f"fixed names {bad} must be sliders that are not static ({names})")
    rest = {n: fixed.get(n, specs[n].default) for n in specs if n not in names}
    return specs, names, rest


def render_frames(
    render: Callable[..., Figure | bytes],
    sliders: Mapping[str, Slider | tuple],
    alt: str | Callable[..., str],
    *,
    static: Sequence[str] | None = None,
    fixed: Mapping[str, object] | None = None,
    max_frames: int = 100,
) -> list[Frame]:
    """Render every frame of a static twin, first static slider outermost.

    Parameters
    ----------
    render, sliders, alt, static, fixed
        As in :func:`interactive_figure`.
    max_frames : int
        Refuse larger grids: every frame is a PNG inside the built page.

    Returns
    -------
    list of Frame
        ``len(values_A) * len(values_B)`` frames; frame ``i * len(values_B) + j``
        shows ``A = values_A[i]``, ``B = values_B[j]``.
    """
    specs, names, rest = _plan(sliders, static, fixed)
    count = math.prod(len(specs[n].values) for n in names)
    if count > max_frames:
        sizes = " x ".join(str(len(specs[n].values)) for n in names)
        raise ValueError(f"static sliders {names} make {sizes} = {count} frames, more than max_frames={max_frames}")
    # Frames are paid for on every page load: 256 colours, best compression.
    paint = _Painter(render, compress_level=9)
    frames: list[Frame] = []
    for combo in itertools.product(*(specs[n].values for n in names)):
        values = {**rest, **dict(zip(names, combo))}
        frames.append(Frame(values, paint(values), _alt_text(alt, values)))
    paint.close()
    return frames


# --- the widget ---------------------------------------------------------------


class FigureBox(widgets.VBox):
    """The widget an interactive-figure builder returns: a ``VBox`` with handles.

    Attributes
    ----------
    mode : str
        ``"live"`` or ``"static"``.
    controls : dict
        Slider widget of each parameter shown, by name.
    image : ipywidgets.HTML or None
        Live mode: the ``<img>`` that every slider move replaces.
    stack : ipywidgets.Stack or None
        Static mode: the (outer) stack of frames.
    frames : list of Frame
        Static mode: the precomputed frames (empty when live).
    links : list
        Static mode: the ``jslink`` objects tying sliders to stacks.
    """

    def __init__(self, children, *, mode, controls, image=None, stack=None, frames=(), links=(), **kwargs):
        super().__init__(children, **kwargs)
        self.mode = mode
        self.controls = controls
        self.image = image
        self.stack = stack
        self.frames = list(frames)
        self.links = list(links)

    @property
    def nbytes(self) -> int:
        """Bytes of frame HTML this widget embeds in a built page (base64 PNGs)."""
        if self.mode == "live":
            return len(self.image.value)
        return sum(len(f.html) for f in self.frames)

    def __repr__(self) -> str:
        # The inherited repr prints every child's value, base64 PNGs included,
        # into the text/plain output that a committed notebook stores.
        return f"<interactive figure ({self.mode}): sliders {', '.join(self.controls)}>"


def _caption(title: str | None) -> list:
    if title is None:
        return []
    return [widgets.HTML(f"<strong>{html.escape(plotting._check_text(title, 'title'))}</strong>")]


_SLIDER_LAYOUT = {"width": "460px"}


def _slider_style(specs) -> dict:
    # One description width for all sliders of a figure, so their tracks line up.
    longest = max(len(spec.label) for spec in specs)
    return {"description_width": f"{0.6 * longest + 0.8:.1f}em"}


def _live_slider(spec: Slider, style: dict):
    if spec.step is not None:
        return widgets.FloatSlider(
            value=spec.default,
            min=min(spec.values),
            max=max(spec.values),
            step=spec.step,
            description=spec.label,
            style=style,
            layout=_SLIDER_LAYOUT,
        )
    return _selection_slider(spec, style)


def _selection_slider(spec: Slider, style: dict):
    return widgets.SelectionSlider(
        options=[(spec.text(v), v) for v in spec.values],
        index=spec.index(spec.default),
        description=spec.label,
        style=style,
        layout=_SLIDER_LAYOUT,
    )


def _live(render, specs: dict[str, Slider], alt, title) -> FigureBox:
    style = _slider_style(specs.values())
    controls = {name: _live_slider(spec, style) for name, spec in specs.items()}
    image = widgets.HTML()
    # 256 colours and the fastest zlib level: a paletted image is a third of
    # the pixels to compress, which makes it faster to encode, not slower.
    paint = _Painter(render, compress_level=1)

    def redraw(change=None):
        values = {name: control.value for name, control in controls.items()}
        image.value = plotting.img_html(paint(values), _alt_text(alt, values))

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return FigureBox([*_caption(title), *controls.values(), image], mode="live", controls=controls, image=image)


def _static(frames: list[Frame], specs: dict[str, Slider], names: list[str], title) -> FigureBox:
    style = _slider_style(specs[name] for name in names)
    controls = {name: _selection_slider(specs[name], style) for name in names}
    pages = [widgets.HTML(frame.html) for frame in frames]
    links = []
    if len(names) == 1:
        (a,) = names
        stack = widgets.Stack(pages, selected_index=controls[a].index)
        links.append(widgets.jslink((controls[a], "index"), (stack, "selected_index")))
    else:
        a, b = names
        nb = len(specs[b].values)
        inner = [
            widgets.Stack(pages[i * nb : (i + 1) * nb], selected_index=controls[b].index)
            for i in range(len(specs[a].values))
        ]
        for child in inner:
            links.append(widgets.jslink((controls[b], "index"), (child, "selected_index")))
        stack = widgets.Stack(inner, selected_index=controls[a].index)
        links.append(widgets.jslink((controls[a], "index"), (stack, "selected_index")))
    return FigureBox(
        [*_caption(title), *controls.values(), stack],
        mode="static",
        controls=controls,
        stack=stack,
        frames=frames,
        links=links,
    )


def interactive_figure(
    render: Callable[..., Figure | bytes],
    sliders: Mapping[str, Slider | tuple],
    alt: str | Callable[..., str],
    *,
    title: str | None = None,
    static: Sequence[str] | None = None,
    fixed: Mapping[str, object] | None = None,
    mode: str | None = None,
    max_frames: int = 100,
    max_bytes: int = 2_000_000,
) -> FigureBox:
    """A figure with sliders: live in a kernel, a precomputed twin in the book.

    Parameters
    ----------
    render : callable
        ``render(**values) -> Figure``, one keyword per slider. Make figures
        with :func:`mathcore.plotting.figure`, not pyplot, so that the inline
        backend does not display them a second time. Speed of a live move
        (measured on 2 busy cores): a new figure each time, ~330 ms; the same
        figure updated in place (its layout is frozen after the first frame),
        ~60 ms for a line plot; PNG bytes from a renderer that redraws only
        what moves (as :meth:`NeuronPlane.png` does), ~35 ms.
    sliders : mapping
        Ordered ``name -> Slider`` (or a tuple ``(values, default, label[,
        step[, fmt]])``); the order is the order on screen.
    alt : str or callable
        Alt text of each frame: ``alt(**values)``, or a format string such as
        ``"Sigmoid with slope {k}"``.
    title : str, optional
        A bold caption above the sliders.
    static : sequence of str, optional
        The 1 or 2 sliders of the static twin (default: all sliders, which
        then must be 1 or 2). The others are held at ``fixed`` values.
    fixed : mapping, optional
        Values of the non-static sliders in the static twin (default: their
        defaults).
    mode : {"live", "static"}, optional
        Override :func:`mode`.
    max_frames : int
        Largest static grid accepted.
    max_bytes : int
        Largest total of frame HTML accepted in the static twin: the frames
        are part of the built page, which must stay well under 3 MB.

    Returns
    -------
    FigureBox
        Live: sliders and an ``HTML`` image redrawn on every change. Static:
        ``SelectionSlider`` s and a ``Stack`` of frames linked in the browser.
    """
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    specs, names, _ = _plan(sliders, static, fixed)
    if not (callable(alt) or isinstance(alt, str)):
        raise TypeError(f"alt must be a string or a function of the slider values, got {type(alt).__name__}")
    if chosen == "live":
        return _live(render, specs, alt, title)
    frames = render_frames(render, specs, alt, static=names, fixed=fixed, max_frames=max_frames)
    box = _static(frames, specs, names, title)
    if box.nbytes > max_bytes:
        raise ValueError(
            f"the static twin holds {box.nbytes:,} bytes of frames ({len(frames)} frames), "
            f"more than max_bytes={max_bytes:,}: use fewer slider positions or smaller figures"
        )
    return box


# --- Chapter 1: the decision boundary of one neuron ---------------------------


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


def boundary_geometry(w, b) -> BoundaryGeometry | None:
    """The geometry of the decision boundary of a 2-input neuron; None when w = 0.

    With w = 0 every input has z = b: there is no line, and the whole plane is
    one class (1 if b >= 0).

    Shapes
    ------
    w : (2,); b : scalar.
    """
    w = np.asarray(w, dtype=np.float64)  # (2,)
    if w.shape != (2,):
        raise ValueError(f"w must have shape (2,), got {w.shape}")
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
    w = np.asarray(w, dtype=np.float64)  # (2,)
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

    Built once; each call updates its artists in place. :meth:`__call__`
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

    def __init__(self, gate: str | None = None):
        self.gate = None if gate is None else gate.upper()
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
        self._background = None
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
            self.X_gate, self.y_gate = data.logic_gate(self.gate)  # (4, 2), (4,)
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
        self._dynamic = sorted(
            [self.region, grid, *axes_lines, self.line, self.dist, self.foot, self.corner, self.arrow,
             self.w_label, self.message, *points, *ax.spines.values(), *self.values],
            key=lambda a: a.get_zorder(),
        )

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
        canvas = self.fig.canvas if isinstance(self.fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(self.fig)
        if self._background is None:
            visible = [a.get_visible() for a in self._dynamic]
            for a in self._dynamic:
                a.set_visible(False)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            for a, v in zip(self._dynamic, visible):
                a.set_visible(v)
        canvas.restore_region(self._background)
        for artist in self._dynamic:
            self.fig.draw_artist(artist)
        return plotting.rgba_to_png(canvas.buffer_rgba(), palette=palette, compress_level=compress_level)


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
        Override :func:`mode`.
    """
    if gate is not None:
        data.logic_gate(gate)  # fail now, with the list of gates, not inside a slider callback
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    plane = NeuronPlane(gate)
    grid = tuple(round(-2.0 + 0.5 * i, 1) for i in range(9))  # -2.0, -1.5, ..., 2.0
    if chosen == "live":
        start = {name: check_scalar(v, name, low=-2.0, high=2.0) for name, v in (("w1", w1), ("w2", w2), ("b", b))}
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
