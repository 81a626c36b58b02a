"""One look for every figure in the book, and figures that carry alt text.

Every figure is made with :func:`figure` (which insists on a title), drawn in
the :func:`book_style` (the colour-blind-safe Okabe–Ito palette, modest DPI,
no top or right spines) and shown with :func:`show`, which insists on alt text.

Why :func:`show` emits HTML rather than a PNG output: myst-nb 1.4 takes an
image output's alt text only from *cell* metadata (``mystnb: {image: {alt:
...}}``), which code cannot set, and reads nothing but ``width`` and
``height`` from the output's own metadata. A ``text/html`` output holding
``<img alt="..." src="data:image/png;base64,...">`` is copied verbatim into
the built page (myst-nb ranks ``text/html`` above ``image/png`` for HTML
builders), and Jupyter, JupyterLab, VS Code and Colab all render it. The
``text/plain`` part of the same output is the alt text itself, so a terminal,
or nbval comparing outputs, sees the description rather than a figure repr.

When the PDF is built (``MATHCORE_STATIC=print``) :func:`show` emits an
``image/png`` output instead, at :data:`PRINT_DPI`: Sphinx's LaTeX builder
ignores ``text/html``, and would print the alt text in place of the figure.

The PNGs that :func:`show` embeds hold at most 256 colours (a third of the
bytes; committed notebooks stay small) and no "Software" stamp, so the same
drawing gives the same bytes and nbval can compare the output as text.

Figures are :class:`matplotlib.figure.Figure` objects made without pyplot, so
the inline backend never displays a second, alt-less copy at the end of a
cell, and nothing accumulates in pyplot's figure registry.

References: Okabe and Ito, "Color Universal Design" (2008),
https://jfly.uni-koeln.de/color/; W3C, "Images Tutorial" (WAI), on writing
alt text.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import re
from typing import Callable, Iterator, Mapping, Sequence

import numpy as np
from cycler import cycler
from matplotlib import colormaps, rc_context, rcParams
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Colormap, ListedColormap, is_color_like, to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullLocator

from ._validate import (as_float_array, check_scalar, checked, flag, instance_of, integer, optional, real,
                        sequence_of, text)

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "CLASS_COLORS",
    "CLASS_MARKERS",
    "STYLE",
    "DPI",
    "PRINT_DPI",
    "FIGSIZE",
    "book_style",
    "use_book_style",
    "figure",
    "to_png",
    "rgba_to_png",
    "png_data_uri",
    "img_html",
    "check_alt",
    "show",
    "plot_decision_region",
    "grid_labels",
    "plot_points",
    "image_grid",
    "plot_confusion_matrix",
    "power_of_ten",
    "log_axis",
]

#: The eight Okabe–Ito colours, by the names their authors gave them.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: The colour cycle: Okabe–Ito reordered so the first colours contrast most
#: (blue against vermillion), with black last (it is kept for boundaries and text).
PALETTE: tuple[str, ...] = tuple(
    OKABE_ITO[k]
    for k in ("blue", "vermillion", "bluish_green", "orange", "reddish_purple", "sky_blue", "yellow", "black")
)

#: Colour of class k in every classification figure (the first seven of the palette).
CLASS_COLORS: tuple[str, ...] = PALETTE[:7]

#: Marker of class k: shape differs as well as colour, so the classes survive
#: greyscale printing and every kind of colour vision.
CLASS_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X")

#: Dots per inch of every figure: small enough that a notebook with a dozen
#: figures stays well under a megabyte, large enough for 10-point text.
DPI: int = 90

#: Resolution of the figures in the PDF (``MATHCORE_STATIC=print``): print quality at the
#: text width, where a 6-inch figure is scaled to about 6.3 inches.
PRINT_DPI: int = 200

#: Default figure size in inches (540 x 360 pixels at :data:`DPI`).
FIGSIZE: tuple[float, float] = (6.0, 4.0)

#: The rcParams of the book's style.
#:
#: :meta hide-value:
STYLE: dict[str, object] = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.figsize": FIGSIZE,
    # Opaque white, so figures stay legible when the book is read in dark mode.
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#b0b0b0",
    "grid.linestyle": ":",
    "grid.linewidth": 0.8,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "font.size": 10,
    "legend.fontsize": 9,
    "legend.framealpha": 0.9,
    "lines.linewidth": 2.0,
    "lines.markersize": 6,
    "image.cmap": "cividis",
    "axes.formatter.use_mathtext": True,
}

# Matches the text Python or matplotlib would show for an object: "<Figure size
# 640x480 with 1 Axes>", "<matplotlib.figure.Figure object at 0x7f...>",
# "Figure(640x480)". Such a string describes nothing to a screen-reader user.
_DEFAULT_REPR = re.compile(r"^\s*<.*>\s*$|object at 0x[0-9a-fA-F]+|^\s*Figure\(\d+x\d+\)\s*$", re.DOTALL)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@contextlib.contextmanager
def book_style() -> Iterator[None]:
    """Apply the book's rcParams inside a ``with`` block, and restore them after.

    Examples
    --------
    >>> with book_style():
    ...     fig, ax = figure("Sigmoid", xlabel="z", ylabel="σ(z)")
    """
    with rc_context(STYLE):
        yield


def use_book_style() -> None:
    """Apply the book's rcParams for the rest of the session (call once per chapter)."""
    rcParams.update(STYLE)


# Bounds on sizes, each far beyond the book's use: a larger value is a typo, and would exhaust memory
# (a figure of 1000 inches is 90,000 pixels a side) instead of drawing.
_MAX_INCHES = 100
_MAX_RESOLUTION = 3000  # a 3000 x 3000 grid is 9 million predictions, near MAX_SAMPLES
_MAX_MARKER_AREA = 10_000  # points², a marker 100 points (1.4 inches) across
_MAX_NCOLS = 1000
_MAX_EVERY = 100  # a tick every 100 decades, of the 630 that float64 spans

_ax = instance_of(Axes, what="a Matplotlib Axes")
_figsize = sequence_of(real(low=0, low_open=True, high=_MAX_INCHES), length=2)


def _limits(value, name: str) -> tuple[float, float]:
    low, high = sequence_of(real(), length=2)(value, name)
    if not low < high:
        raise ValueError(f"{name} must be (low, high) with low < high, got {value!r}")
    return low, high


def _colour(value, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a Matplotlib colour name such as 'black', got {type(value).__name__}")
    if not is_color_like(value):
        raise ValueError(f"{name} must be a Matplotlib colour such as 'black' or '#0072B2', got {value!r}")
    return value


def _cmap(value, name: str):
    if isinstance(value, Colormap):
        return value
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a colour map or its name, got {type(value).__name__}")
    if value not in colormaps:
        raise ValueError(f"{name} must name a Matplotlib colour map such as 'Blues', got {value!r}")
    return value


def _check_text(value, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__} {value!r}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty, got {value!r}")
    return value


@checked(figsize=_figsize, equal=flag, xlim=optional(_limits), ylim=optional(_limits))
def figure(
    title: str,
    xlabel: str | None = None,
    ylabel: str | None = None,
    *,
    figsize: tuple[float, float] = FIGSIZE,
    equal: bool = False,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
) -> tuple[Figure, Axes]:
    """A new titled figure with one axes, in the book's style.

    Parameters
    ----------
    title : str
        The axes title; required and non-empty, because every figure in the
        book says what it shows.
    xlabel, ylabel : str, optional
        Axis labels.
    figsize : (float, float)
        Size in inches.
    equal : bool
        Use equal aspect, for geometry in the plane (a right angle must look right).
    xlim, ylim : (float, float), optional
        Axis limits, low before high.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Made without pyplot, so it is displayed only by :func:`show`.
    ax : matplotlib.axes.Axes
    """
    _check_text(title, "title")
    for name, label in (("xlabel", xlabel), ("ylabel", ylabel)):
        if label is not None:
            _check_text(label, name)
    with book_style():
        fig = Figure(figsize=figsize, dpi=DPI, layout="constrained")
        ax = fig.add_subplot()
        ax.set_title(title)
        if xlabel is not None:
            ax.set_xlabel(xlabel)
        if ylabel is not None:
            ax.set_ylabel(ylabel)
        if equal:
            ax.set_aspect("equal")
        if xlim is not None:
            ax.set_xlim(*xlim)
        if ylim is not None:
            ax.set_ylim(*ylim)
    return fig, ax


# zlib's compression levels, as rgba_to_png accepts them.
_COMPRESS_LEVEL = optional(integer(low=0, high=9))

# The highest resolution to_png renders at: a 6 x 4 inch figure at 1000 DPI is already
# 24 million pixels (100 MB of RGBA), far beyond a page's needs.
_MAX_DPI = 1000


@checked(fig=instance_of(Figure, what="a matplotlib Figure"), close=flag,
         dpi=optional(real(low=0, low_open=True, high=_MAX_DPI)), palette=flag, compress_level=_COMPRESS_LEVEL)
def to_png(
    fig: Figure,
    *,
    close: bool = True,
    dpi: float | None = None,
    palette: bool = False,
    compress_level: int | None = None,
) -> bytes:
    """Render ``fig`` to PNG bytes, and close it unless ``close=False``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    close : bool
        Close the figure afterwards (only a figure made through pyplot needs
        it; :func:`figure` never registers with pyplot).
    dpi : float, optional
        Resolution; the figure's own DPI by default.
    palette : bool
        Store at most 256 colours (octree quantisation, no dithering): about
        a third of the bytes, with every colour within 14/255 of the original.
        Used for slider frames and notebook figures, whose size is paid on
        every page load; keep the default (exact colours) for anything that
        is measured.
    compress_level : int, optional
        zlib level, 0 to 9, as in :func:`rgba_to_png`.

    Returns
    -------
    bytes
        A PNG with no text metadata, so the same drawing gives the same bytes.
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    old_dpi = fig.dpi
    if dpi is not None:
        fig.dpi = dpi
    try:
        canvas.draw()
        png = rgba_to_png(canvas.buffer_rgba(), palette=palette, compress_level=compress_level)
    finally:
        if dpi is not None:
            fig.dpi = old_dpi
    if close:
        _close_if_pyplot(fig)
    return png


@checked(palette=flag, compress_level=_COMPRESS_LEVEL)
def rgba_to_png(rgba, *, palette: bool = False, compress_level: int | None = None) -> bytes:
    """Encode an RGBA pixel buffer as PNG, over white where it is transparent.

    ``palette`` as in :func:`to_png`; ``compress_level`` is zlib's, 0 to 9
    (default 9 with a palette, 6 without; 1 is fastest, for live redraws).

    Shapes
    ------
    rgba : (height, width, 4) uint8.
    """
    from PIL import Image  # a matplotlib dependency; imported late to keep import time low

    try:
        arr = np.asarray(rgba)  # (h, w, 4)
    except ValueError as exc:  # ragged nested lists
        raise TypeError(f"rgba must be a uint8 array of shape (h, w, 4), got {type(rgba).__name__}: {exc}") from None
    if arr.ndim != 3 or arr.shape[2] != 4 or arr.dtype != np.uint8:
        raise ValueError(f"rgba must be a uint8 array of shape (h, w, 4), got {arr.dtype} {arr.shape}")
    image = Image.fromarray(np.ascontiguousarray(arr), "RGBA")
    if arr[..., 3].min() < 255:
        # A transparent figure background would turn black in an RGB PNG.
        white = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(white, image)
    image = image.convert("RGB")
    if palette:
        image = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    if compress_level is None:
        compress_level = 9 if palette else 6
    image.save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


def _close_if_pyplot(fig: Figure) -> None:
    # Only a figure made through pyplot is registered there and needs closing;
    # if pyplot was never imported, no figure can be.
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close(fig)


def png_data_uri(png_bytes: bytes) -> str:
    """``data:image/png;base64,...`` for PNG bytes, to put in an ``<img src>``."""
    if not isinstance(png_bytes, (bytes, bytearray)):
        raise TypeError(f"png_bytes must be bytes, got {type(png_bytes).__name__}")
    if not bytes(png_bytes[:8]) == _PNG_SIGNATURE:
        raise ValueError(f"png_bytes is not a PNG: it starts with {bytes(png_bytes[:8])!r}")
    return "data:image/png;base64," + base64.b64encode(png_bytes).decode("ascii")


def check_alt(alt) -> str:
    """Return ``alt`` if it is usable alt text, else raise.

    Alt text must be a non-empty string that describes the figure; the
    default repr of a figure (``<Figure size 540x360 with 1 Axes>``) is refused.
    """
    _check_text(alt, "alt")
    if _DEFAULT_REPR.search(alt):
        raise ValueError(f"alt must describe the figure, not be an object's repr; got {alt!r}")
    return alt


def img_html(png_bytes: bytes, alt: str) -> str:
    """An ``<img>`` element with the PNG inline and the alt text escaped."""
    check_alt(alt)
    # max-width keeps a figure inside narrow columns (phones, split panes).
    return (
        f'<img src="{png_data_uri(png_bytes)}" alt="{html.escape(alt, quote=True)}" '
        'style="max-width:100%; height:auto;">'
    )


def show(fig: Figure, alt: str, *, palette: bool = True) -> None:
    """Display ``fig`` in a notebook as an image whose alt text is ``alt``; close it.

    The output is a ``text/html`` ``<img>`` (see the module docstring for why)
    with ``alt`` as its ``text/plain`` fallback. Outside IPython it does nothing
    visible but still validates and renders, so scripts and tests exercise it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str
        What the figure shows, for readers who cannot see it.
    palette : bool
        Store at most 256 colours (see :func:`to_png`), keeping committed
        notebooks small.
    """
    check_alt(alt)
    from .widgets import printing  # imported late: mathcore.widgets imports this module

    if printing():
        png = to_png(fig, palette=palette, dpi=PRINT_DPI)
        bundle = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": alt}
    else:
        png = to_png(fig, palette=palette)
        bundle = {"text/html": img_html(png, alt), "text/plain": alt}
    from IPython.display import display  # imported late: mathcore works without IPython

    display(bundle, raw=True)


@checked(ax=_ax, xlim=_limits, ylim=_limits, resolution=integer(low=2, high=_MAX_RESOLUTION),
         alpha=real(low=0, high=1), boundary=flag, boundary_color=_colour)
def plot_decision_region(
    ax: Axes,
    predict_fn: Callable[[np.ndarray], np.ndarray],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    *,
    resolution: int = 200,
    n_classes: int = 2,
    alpha: float = 0.3,
    boundary: bool = True,
    boundary_color: str = "black",
):
    """Shade the plane by predicted class and draw the decision boundary.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    predict_fn : callable
        Maps points ``X`` of shape (m, 2) to integer labels of shape (m,),
        each in ``range(n_classes)``.
    xlim, ylim : (float, float)
        The rectangle to shade.
    resolution : int
        Grid points per side; the shading is an image of this many pixels.
    n_classes : int
        Number of classes, for the colours (class k gets ``CLASS_COLORS[k]``).
    alpha : float
        Opacity of the shading, light enough for points drawn on top to stand out.
    boundary : bool
        Also draw the lines between classes (contours of the label grid).
    boundary_color : str

    Returns
    -------
    image : matplotlib.image.AxesImage
        The shading; ``image.set_data(labels)`` with a new (resolution,
        resolution) label grid redraws it without rebuilding the axes.

    Shapes
    ------
    predict_fn : (m, 2) -> (m,) with m = resolution**2.
    """
    if not isinstance(n_classes, int) or isinstance(n_classes, bool) or not 2 <= n_classes <= len(CLASS_COLORS):
        raise ValueError(f"n_classes must be an integer in [2, {len(CLASS_COLORS)}], got {n_classes!r}")
    labels = grid_labels(predict_fn, xlim, ylim, resolution)  # (r, r)
    cmap = _light_cmap(n_classes, alpha)
    image = ax.imshow(
        labels,
        origin="lower",
        extent=(*xlim, *ylim),
        cmap=cmap,
        vmin=-0.5,
        vmax=n_classes - 0.5,
        interpolation="nearest",
        aspect=ax.get_aspect(),
        zorder=0,
    )
    if boundary and np.unique(labels).size > 1:
        xs = np.linspace(*xlim, resolution)  # (r,)
        ys = np.linspace(*ylim, resolution)  # (r,)
        ax.contour(xs, ys, labels, levels=np.arange(n_classes - 1) + 0.5, colors=boundary_color, linewidths=1.5)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return image


@checked(xlim=_limits, ylim=_limits, resolution=integer(low=2, high=_MAX_RESOLUTION))
def grid_labels(predict_fn, xlim, ylim, resolution: int) -> np.ndarray:
    """Labels of ``predict_fn`` on a ``resolution`` x ``resolution`` grid, rows along y.

    Shapes
    ------
    returns (resolution, resolution), entry [i, j] at (x_j, y_i).
    """
    if not callable(predict_fn):
        raise TypeError(f"predict_fn must be a function of the points, got {type(predict_fn).__name__}")
    xs = np.linspace(*xlim, resolution)  # (r,)
    ys = np.linspace(*ylim, resolution)  # (r,)
    gx, gy = np.meshgrid(xs, ys)  # (r, r) each
    points = np.column_stack([gx.ravel(), gy.ravel()])  # (r*r, 2)
    labels = np.asarray(predict_fn(points))  # (r*r,)
    if labels.shape != (points.shape[0],):
        raise ValueError(f"predict_fn must return shape ({points.shape[0]},), got {labels.shape}")
    return labels.reshape(gx.shape).astype(int)  # (r, r)


def _light_cmap(n_classes: int, alpha: float) -> ListedColormap:
    # Blend with white instead of using transparency: the grid lines then
    # stay visible on top, and PNGs compress better (opaque flat colours).
    colors = [tuple(alpha * c + (1 - alpha) for c in to_rgb(CLASS_COLORS[k])) for k in range(n_classes)]
    return ListedColormap(colors)


def _class_names(value, name: str):
    if isinstance(value, Mapping):
        for k, label in value.items():
            text(label, f"{name}[{k!r}]")
        return value
    return sequence_of(text)(value, name)


@checked(ax=_ax, labels=optional(_class_names), size=real(low=0, low_open=True, high=_MAX_MARKER_AREA),
         edgecolor=_colour)
def plot_points(
    ax: Axes,
    X,
    y,
    *,
    labels: Sequence[str] | Mapping[int, str] | None = None,
    size: float = 40,
    edgecolor: str = "black",
) -> list:
    """Scatter 2-D points, one colour and one marker shape per class.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    X : array_like
        Points, shape (n, 2).
    y : array_like
        Integer class labels, shape (n,), each in ``range(len(CLASS_COLORS))``.
    labels : sequence or mapping of str, optional
        Legend text of each class; "class k" by default.
    size : float
        Marker area in points².
    edgecolor : str
        Marker edge, so a point stays visible on shading of its own colour.

    Returns
    -------
    list of matplotlib.collections.PathCollection, one per class present.

    Shapes
    ------
    X : (n, 2); y : (n,).
    """
    X = as_float_array(X, "X", allow_empty=True)  # (n, 2)
    y = as_float_array(y, "y", allow_empty=True)  # (n,)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}")
    if y.size and (not np.all(y == np.round(y)) or y.min() < 0 or y.max() >= len(CLASS_COLORS)):
        raise ValueError(f"y must hold integer labels in [0, {len(CLASS_COLORS) - 1}], got values {np.unique(y)}")
    y = y.astype(int)  # (n,)
    if labels is not None:
        named = set(labels) if isinstance(labels, Mapping) else set(range(len(labels)))
        missing = sorted(set(np.unique(y).tolist()) - named)
        if missing:
            raise ValueError(f"labels must name every class of y, but has no name for class {missing[0]}")
    artists = []
    for k in np.unique(y):
        name = labels[k] if labels is not None else f"class {k}"
        mask = y == k  # (n,)
        artists.append(
            ax.scatter(
                X[mask, 0],
                X[mask, 1],
                s=size,
                c=CLASS_COLORS[k],
                marker=CLASS_MARKERS[k],
                edgecolors=edgecolor,
                linewidths=0.8,
                label=name,
                zorder=3,
            )
        )
    return artists


# --- images and confusion matrices (Chapter 8) ---------------------------------------------



@checked(ncols=integer(low=1, high=_MAX_NCOLS), cell=real(low=0, low_open=True, high=_MAX_INCHES), cmap=_cmap)
def image_grid(
    images,
    titles: Sequence[str],
    title: str,
    *,
    ncols: int = 8,
    cell: float = 0.95,
    cmap: str = "gray_r",
) -> tuple[Figure, np.ndarray]:
    """Small grey-scale images side by side, each with a caption, in the book's style.

    Parameters
    ----------
    images : array_like
        ``m`` images of ``h`` x ``w`` pixels (darker is larger, as ink on
        paper); each is scaled to its own range.
    titles : sequence of str
        One caption per image (e.g. ``"true 3\\npred 8"``).
    title : str
        The figure's title; required, as for :func:`figure`.
    ncols : int
        Images per row.
    cell : float
        Width in inches of each image's cell (the height adds room for the caption).
    cmap : str
        Colour map.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : ndarray of Axes, shape (rows, ncols); unused cells are switched off.

    Shapes
    ------
    images : (m, h, w); titles : (m,).
    """
    _check_text(title, "title")
    imgs = as_float_array(images, "images", allow_empty=True)  # (m, h, w)
    if imgs.ndim != 3 or imgs.shape[0] == 0:
        raise ValueError(f"images must have shape (m, h, w) with m >= 1, got {imgs.shape}")
    if isinstance(titles, str) or not isinstance(titles, Sequence | np.ndarray) or len(titles) != imgs.shape[0]:
        raise ValueError(f"titles must be a sequence of {imgs.shape[0]} strings, one per image")
    m = imgs.shape[0]
    ncols = min(ncols, m)
    nrows = -(-m // ncols)
    lines = max(str(t).count("\n") + 1 for t in titles)
    # Fixed positions, not a constrained layout: solving one for dozens of axes
    # costs a second drawing pass (0.3 s and more).
    caption = 0.17 * lines  # inches of caption above each image
    head = 0.45  # inches for the figure title
    width, height = cell * ncols, (cell + caption) * nrows + head
    with book_style():
        fig = Figure(figsize=(width, height), dpi=DPI)
        fig.suptitle(title, fontsize=12, fontweight="bold", y=1 - 0.12 / height, va="top")
        axes = np.empty((nrows, ncols), dtype=object)
        side = 0.82 * cell  # each image is square, with a margin around it
        for r in range(nrows):
            for c in range(ncols):
                left = c * cell + (cell - side) / 2
                bottom = height - head - (r + 1) * (cell + caption) + (cell - side) / 2
                ax = fig.add_axes((left / width, bottom / height, side / width, side / height))
                ax.set_axis_off()
                k = r * ncols + c
                if k < m:
                    ax.imshow(imgs[k], cmap=cmap, interpolation="nearest")
                    ax.set_title(str(titles[k]), fontsize=8.5, fontweight="normal", pad=3)
                axes[r, c] = ax
    return fig, axes


@checked(ax=_ax, labels=optional(sequence_of(text)), cmap=_cmap)
def plot_confusion_matrix(ax: Axes, M, *, labels: Sequence[str] | None = None, cmap: str = "Blues"):
    """Draw a confusion matrix as a shaded table of counts: true class down, predicted across.

    The off-diagonal cells, the mistakes, are shaded on their own scale
    (a diagonal of 40s would otherwise wash out every 1), the diagonal in
    grey; every non-zero count is written in its cell.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    M : array_like
        Square matrix of non-negative counts (rows: true class).
    labels : sequence of str, optional
        Class names; ``"0"``, ``"1"``, ... by default.
    cmap : str
        Colour map of the mistakes.

    Returns
    -------
    image : matplotlib.image.AxesImage

    Shapes
    ------
    M : (K, K).
    """
    as_float_array(M, "M", allow_empty=True, finite=False)  # refuses what is not real numbers
    M = np.asarray(M)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.size == 0:
        raise ValueError(f"M must be a square matrix of counts, got shape {M.shape}")
    if not np.issubdtype(M.dtype, np.number) or M.dtype == bool or not np.all(np.isfinite(M)) or M.min() < 0:
        raise ValueError("M must hold finite, non-negative counts")
    K = M.shape[0]
    labels = [str(k) for k in range(K)] if labels is None else list(labels)
    if len(labels) != K:
        raise ValueError(f"labels must name all {K} classes, got {len(labels)}")
    off = M.astype(float).copy()  # (K, K)
    np.fill_diagonal(off, np.nan)
    image = ax.imshow(off, cmap=cmap, vmin=0, vmax=max(1.0, np.nanmax(off) if K > 1 else 1.0))
    ax.imshow(np.where(np.eye(K, dtype=bool), 1.0, np.nan), cmap=ListedColormap(["#d9d9d9"]), vmin=0, vmax=1)
    high = 0.6 * max(1.0, np.nanmax(off) if K > 1 else 1.0)
    for j in range(K):
        for k in range(K):
            if M[j, k]:
                dark = j != k and M[j, k] > high
                ax.text(k, j, f"{M[j, k]:g}", ha="center", va="center", fontsize=8,
                        color="white" if dark else "black", fontweight="bold" if j == k else "normal")
    ax.set_xticks(range(K), labels)
    ax.set_yticks(range(K), labels)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.grid(False)
    return image


# --- log axes ---------------------------------------------------------------------------------

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@checked(value=real())
def power_of_ten(value: float, _pos=None) -> str:
    """A log-axis tick label in plain Unicode: ``10⁻⁴`` for 1e-4, other values as ``{:g}``.

    The signature is a Matplotlib ``FuncFormatter``'s.
    """
    if value > 0:
        exponent = np.log10(value)
        if abs(exponent - round(exponent)) < 1e-9:
            return "10" + str(int(round(exponent))).translate(_SUPERSCRIPT)
    return f"{value:g}"


def log_axis(axis, *, every: int = 1, ticks=None) -> None:
    """Label a logarithmic ``axis`` (``ax.xaxis`` or ``ax.yaxis``) in plain text, without minor ticks.

    By default at every ``every``-th power of ten, written ``10ⁿ``; with
    ``ticks``, at those values, written ``10ⁿ`` if every one is a power of ten
    and as plain numbers otherwise (for an axis spanning a decade or less). Matplotlib's default log labels are mathtext, and laying out
    each new one costs 5 to 40 ms; its eight minor ticks per decade slow the
    layout further. Together they added about a second to a chapter with a few
    log axes, and tens of milliseconds to a slider move that redraws one.
    """
    if not isinstance(axis, Axis):
        raise TypeError(f"axis must be a Matplotlib axis such as ax.yaxis, got {type(axis).__name__}")
    every = check_scalar(every, "every", low=1, high=_MAX_EVERY, integer=True)
    if ticks is None:
        axis.set_major_locator(LogLocator(base=10.0 ** every, numticks=30))
        axis.set_major_formatter(FuncFormatter(power_of_ten))
    else:
        ticks = as_float_array(ticks, "ticks", ndim=1)
        if np.any(ticks <= 0):
            raise ValueError("ticks on a log axis must be positive")
        exponents = np.log10(ticks)
        powers = bool(np.all(np.abs(exponents - np.round(exponents)) < 1e-9))
        axis.set_major_locator(FixedLocator(ticks))
        axis.set_major_formatter(FuncFormatter(power_of_ten if powers else lambda value, _pos=None: f"{value:g}"))
    axis.set_minor_locator(NullLocator())
