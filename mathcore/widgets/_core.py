"""The builder mechanism: live widgets in a kernel, static twins in the built book."""


from __future__ import annotations

import base64
import contextlib
import html
import io
import itertools
import math
import numbers
import os
import string
import sys
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, Sequence

import numpy as np
import ipywidgets as widgets
import matplotlib.image
from ipywidgets.widgets.widget_link import Link
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import plotting
from .._validate import check_scalar, checked, instance_of, integer, one_of, optional, sequence_of

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
    "PRINT",
    "PRINT_FRAMES",
    "printing",
    "print_indices",
    "PrintedFigure",
]

#: Environment variable set by the book build: "1" selects the static twins.
ENV_VAR = "MATHCORE_STATIC"
#: Its value for the PDF build: static twins printed as small multiples (see :func:`printing`).
PRINT = "print"

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
    return "static" if os.environ.get(ENV_VAR, "") in ("1", PRINT) else "live"


def printing() -> bool:
    """True when the PDF is built (``MATHCORE_STATIC=print``): a static twin then
    displays as one PNG of a few frames side by side (:class:`PrintedFigure`),
    since paper has no slider. A forced ``"live"`` mode is never printed.
    """
    return os.environ.get(ENV_VAR, "") == PRINT and _override != "live"


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
    set_mode(_check_mode(value))  # None would not force a mode, only hand it to the environment
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
        unless ``step`` is given. Finite real numbers or strings.
    default : float or str
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
        values = tuple(_position(v, f"values[{i}]") for i, v in enumerate(self.values))
        if not values:
            raise ValueError(f"values of slider {self.label!r} must not be empty")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "default", _position(self.default, "default"))
        if self.index(self.default) is None:
            raise ValueError(f"default {self.default!r} of slider {self.label!r} is not one of its values {values}")
        if self.step is not None:
            if not all(_is_real(v) for v in values):
                raise TypeError(f"step needs numeric values, got {values} for slider {self.label!r}")
            if not _is_real(self.step):
                raise TypeError(f"step must be a positive number, got {type(self.step).__name__} {self.step!r}")
            check_scalar(self.step, "step", low=0, low_open=True)
        if self.fmt is not None:
            _check_fmt(self.fmt, values)

    def index(self, value) -> int | None:
        """Position of ``value`` among ``values`` (numbers compared to 1e-9), or None."""
        for i, v in enumerate(self.values):
            if _is_real(v) and _is_real(value):
                if _close(v, value):
                    return i
            elif isinstance(value, str) and v == value:  # True is not the position 1
                return i
        return None

    def text(self, value) -> str:
        """The value as the static slider writes it."""
        if self.fmt is not None:
            return self.fmt.format(value)
        if _is_real(value) and abs(value) <= _FLOAT_MAX:
            return f"{value:g}"
        return str(value)


def _is_real(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


_FLOAT_MAX = sys.float_info.max


def _close(a, b) -> bool:
    try:
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    except OverflowError:  # an integer beyond float64's range is no slider position
        return False


def _position(value, name: str):
    """A slider position: a finite real number (kept as given: an int stays an int) or a string."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        return value
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number or a string, got {type(value).__name__}")
    check_scalar(value, name)
    return value


def _check_fmt(fmt, values) -> None:
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format string such as '{{:g}}', got {type(fmt).__name__}")
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(fmt) if field is not None]
    except ValueError as exc:  # an unmatched brace
        raise ValueError(f"fmt {fmt!r} is not a format string: {exc}") from None
    if not fields:
        raise ValueError(f"fmt must hold a field such as {{:g}} for the value, got {fmt!r}")
    for value in values:
        try:
            fmt.format(value)
        except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
            raise ValueError(f"fmt {fmt!r} cannot write the slider value {value!r}: {exc}") from None


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


def _check_alt(alt) -> None:
    if not (callable(alt) or isinstance(alt, str)):
        raise TypeError(f"alt must be a string or a function of the slider values, got {type(alt).__name__}")


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
    keys = [name for name in sliders if not (isinstance(name, str) and name.isidentifier())]
    if keys:
        raise TypeError(f"sliders must be named by the keywords of render, got {keys[0]!r}")
    specs = {name: _as_slider(name, spec) for name, spec in sliders.items()}
    if isinstance(static, str):
        raise TypeError(f"static must be a sequence of slider names, got the string {static!r}")
    if static is not None and not isinstance(static, (Sequence, np.ndarray)):
        raise TypeError(f"static must be a sequence of slider names, got {type(static).__name__}")
    names = list(specs) if static is None else list(static)
    unknown = [n for n in names if n not in specs]
    if unknown:
        raise ValueError(f"static names {unknown} are not sliders; sliders are {list(specs)}")
    if not 1 <= len(names) <= 2 or len(set(names)) != len(names):
        raise ValueError(f"static must name 1 or 2 distinct sliders, got {names}")
    if fixed is not None and not isinstance(fixed, Mapping):
        raise TypeError(f"fixed must be a mapping name -> value, got {type(fixed).__name__}")
    fixed = dict(fixed or {})
    bad = [n for n in fixed if n not in specs or n in names]
    if bad:
        raise ValueError(f"fixed names {bad} must be sliders that are not static ({names})")
    rest = {n: fixed.get(n, specs[n].default) for n in specs if n not in names}
    return specs, names, rest


# Each frame is a PNG inside the built page: ten thousand would be hundreds of megabytes.
_MAX_FRAMES = 10_000
# A page holding more than a gigabyte of frames could not be loaded.
_MAX_BYTES = 10**9


@checked(max_frames=integer(low=1, high=_MAX_FRAMES))
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
    _check_alt(alt)
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


def _controls(value, name: str) -> dict:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping name -> slider widget, got {type(value).__name__}")
    for key, control in value.items():
        if not isinstance(key, str) or not isinstance(control, widgets.Widget):
            raise TypeError(f"{name} must map names to slider widgets, got {key!r}: {type(control).__name__}")
    return value


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

    @checked(children=sequence_of(instance_of(widgets.Widget, what="an ipywidgets widget")),
             mode=one_of(*_MODES), controls=_controls,
             image=optional(instance_of(widgets.HTML, what="an ipywidgets HTML")),
             stack=optional(instance_of(widgets.Stack, what="an ipywidgets Stack")),
             frames=sequence_of(instance_of(Frame, what="a Frame")),
             links=sequence_of(instance_of(Link, what="a jslink")))
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


@checked(max_frames=integer(low=1, high=_MAX_FRAMES), max_bytes=integer(low=1, high=_MAX_BYTES))
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
        what moves (as :meth:`mathcore.widgets.ch1_neurons.NeuronPlane.png` does), ~35 ms.
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
        Override :func:`~mathcore.widgets.mode`.
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
    _check_alt(alt)
    if chosen == "live":
        return _live(render, specs, alt, title)
    if printing():
        return _printed(render, specs, names, fixed, alt, title)
    frames = render_frames(render, specs, alt, static=names, fixed=fixed, max_frames=max_frames)
    box = _static(frames, specs, names, title)
    if box.nbytes > max_bytes:
        raise ValueError(
            f"the static twin holds {box.nbytes:,} bytes of frames ({len(frames)} frames), "
            f"more than max_bytes={max_bytes:,}: use fewer slider positions or smaller figures"
        )
    return box


# --- the printed figure (the PDF) ----------------------------------------------

#: Frames printed for one static slider; for two, frames along the first and along the
#: second. Two frames across the text width keep the frames' labels readable, and
#: three rows of them still fit on a page.
PRINT_FRAMES = {1: (4,), 2: (3, 2)}


# at most as many as a static twin may have frames: a larger count is a mistake, not a request
@checked(spec=instance_of(Slider, what="a Slider"), count=integer(low=1, high=_MAX_FRAMES))
def print_indices(spec: Slider, count: int) -> list[int]:
    """Positions of ``spec`` printed as small multiples: ``count`` of them spread
    evenly from the first to the last value, the default always among them
    (it replaces the nearest pick), so the printed figure includes what the
    reader first sees on screen.
    """
    n = len(spec.values)
    if n <= count:
        return list(range(n))
    picks = [round(i * (n - 1) / (count - 1)) for i in range(count)] if count > 1 else [0]
    default = spec.index(spec.default)
    if default not in picks:
        nearest = min(range(count), key=lambda k: abs(picks[k] - default))
        picks[nearest] = default
    return sorted(set(picks))


class PrintedFigure(FigureBox):
    """A static twin as printed: one PNG of a few frames, each titled with its slider values.

    It displays as ``image/png`` (with the alt text as ``text/plain``), which
    Sphinx's LaTeX builder includes as a figure; the sliders of the other modes
    would print as nothing. ``frames`` are the frames shown, in reading order.
    """

    def __init__(self, *, png: bytes, alt: str, frames, controls):
        if not isinstance(png, (bytes, bytearray)):
            raise TypeError(f"png must be PNG bytes, got {type(png).__name__}")
        plotting.png_data_uri(bytes(png[:8]))  # raises unless it is a PNG
        super().__init__([], mode="static", controls=controls, frames=frames)
        self.png = bytes(png)
        self.alt = plotting.check_alt(alt)

    @property
    def nbytes(self) -> int:
        return len(self.png)

    def _repr_mimebundle_(self, **kwargs):
        return {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": self.alt}

    def __repr__(self) -> str:
        return f"<interactive figure (printed): sliders {', '.join(self.controls)}>"


def _printed(render, specs: dict[str, Slider], names: list[str], fixed, alt, title) -> PrintedFigure:
    """Render the chosen frames as the static twin renders them, and lay them out on a grid."""
    _, _, rest = _plan(specs, names, fixed)
    picks = [[specs[n].values[i] for i in print_indices(specs[n], k)] for n, k in zip(names, PRINT_FRAMES[len(names)])]
    paint = _Painter(render, compress_level=6)
    frames = []
    for combo in itertools.product(*picks):
        values = {**rest, **dict(zip(names, combo))}
        frames.append(Frame(values, paint(values), _alt_text(alt, values)))
    paint.close()
    images = [matplotlib.image.imread(io.BytesIO(frame.png), format="png") for frame in frames]
    # A slider's frames fill rows of two (a 2 x 2 block for four); with two
    # sliders, one row per value of the first and one column per value of the second.
    cols = len(picks[1]) if len(names) == 2 else min(2, len(frames))
    rows = -(-len(frames) // cols)
    height, width = images[0].shape[:2]
    # At the frames' own pixel size: nothing is resampled, and two frames across
    # the text width print at about twice the screen's resolution.
    label_pt = 22  # about 10 pt once the figure is scaled to the text width
    inch = 1 / plotting.DPI
    fig = Figure(figsize=(cols * width * inch, rows * (height * inch + 0.5) + (0.6 if title else 0)),
                 dpi=plotting.DPI, layout="constrained")
    if title:
        fig.suptitle(plotting._check_text(title, "title"), fontsize=label_pt, fontweight="bold")
    for k, (frame, image) in enumerate(zip(frames, images)):
        ax = fig.add_subplot(rows, cols, k + 1)
        ax.imshow(image, interpolation="none")
        ax.set_axis_off()
        ax.set_title(", ".join(f"{specs[n].label} = {specs[n].text(frame.values[n])}" for n in names),
                     fontsize=label_pt)
    png = plotting.to_png(fig, close=True)
    shown = "; ".join(f"{', '.join(f'{specs[n].label} = {specs[n].text(f.values[n])}' for n in names)}: {f.alt}"
                      for f in frames)
    text = plotting.check_alt(f"{len(frames)} frames of the interactive figure{f' {title!r}' if title else ''}. {shown}")
    controls = {n: _selection_slider(specs[n], _slider_style(specs[m] for m in names)) for n in names}
    return PrintedFigure(png=png, alt=text, frames=frames, controls=controls)


class Blitter:
    """PNG frames of a figure whose moving artists are redrawn over a kept bitmap of the rest.

    A layout engine, if the figure has one, is run once with every artist
    visible and then switched off, so nothing shifts between frames and the
    kept bitmap stays valid. The book's figures use fixed positions instead:
    solving a constrained layout costs a full extra pass (0.2 to 0.4 s) when
    a builder is called.
    """

    def __init__(self, fig: Figure, dynamic: Sequence):
        self.fig = fig
        self.dynamic = sorted(dynamic, key=lambda a: a.get_zorder())
        self.canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        self._background = None

    def png(self, *, palette: bool = True, compress_level: int | None = None) -> bytes:
        if self._background is None:
            if self.fig.get_layout_engine() is not None:
                self.fig.draw_without_rendering()  # solves the layout with everything in place
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
