"""Chapter 7, Regularization: the penalty strength against the fit, the weights and the errors.

One interactive figure, :func:`penalty_strength` (:class:`RidgePath`): a
polynomial of high degree fitted by ridge regression to a few noisy samples of
sin(2πx), as the L2 penalty strength λ moves on a log scale. Three panels: the
fitted curve over the data; the magnitudes of the weights, as bars on a log
axis; the training and test errors against λ, with the current λ marked.

Every fit is computed once, exactly (:func:`mathcore.regularization.ridge_path`,
one SVD for all λ), when the figure is built; a slider move only looks one up.
The figure follows the fast path of the book's other figures: built once,
what never moves (axes, the data, the error curves) kept as a bitmap, and
only the curve, the bars, the marker and the read-out redrawn on top of it
(:class:`~mathcore.widgets.Blitter`). Labels are plain Unicode (λ, ²), not
mathtext, which costs milliseconds per string.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import data, plotting, regularization
from .._validate import as_float_array, check_scalar, checked, real
from ._core import Blitter, FigureBox, Slider, _check_mode, _env_mode, interactive_figure

__all__ = ["RidgePath", "penalty_strength", "L2_LIVE", "L2_STATIC"]

_BLUE, _VERMILLION = plotting.OKABE_ITO["blue"], plotting.OKABE_ITO["vermillion"]
_GREEN = plotting.OKABE_ITO["bluish_green"]

#: Positions of the live slider: λ = 10^k for k = -8, -7.75, ..., 1 (37 values).
#:
#: :meta hide-value:
L2_LIVE = tuple(float(10.0 ** (k / 4)) for k in range(-32, 5))
#: Positions of the static slider: every other half-decade, λ = 10^k for k = -8, -7.5, ..., 1 (19 frames).
#:
#: :meta hide-value:
L2_STATIC = L2_LIVE[::2]

#: The floor of the log axis of the weights' bars: smaller magnitudes show as no bar.
_BAR_FLOOR = 1e-4
#: Highest degree the figure takes: a bar per weight, and the bars already touch from degree 14.
MAX_DEGREE = 50


def _lam_text(lam: float) -> str:
    """λ as the slider and the alt text write it, e.g. "3.2e-05"."""
    return f"{lam:.2g}"


def _check_curve_data(x, y, name_x: str, name_y: str) -> tuple[np.ndarray, np.ndarray]:
    x = as_float_array(x, name_x, ndim=(1, 2))
    if x.ndim == 2:
        if x.shape[1] != 1:
            raise ValueError(f"{name_x} must have one feature (shape (n,) or (n, 1)), got shape {x.shape}")
        x = x[:, 0]
    y = as_float_array(y, name_y, ndim=1)
    if x.shape != y.shape:
        raise ValueError(f"{name_x} and {name_y} must have the same length, got {x.shape[0]} and {y.shape[0]}")
    return x, y


class RidgePath:
    """Ridge fits of a degree-``degree`` polynomial for every λ in ``l2s``, and the figure that shows one.

    Parameters
    ----------
    x, y : array_like
        Training inputs in [0, 1] (n,) or (n, 1) and targets (n,).
    x_test, y_test : array_like
        Held-out data from the same source, for the test error.
    degree : int
        Degree of the polynomial (:func:`mathcore.regularization.polynomial_features`), 1 to 50.
    l2s : sequence of float
        The penalty strengths, all > 0; the figure can show any of them.

    Attributes
    ----------
    W : ndarray (k, degree)
        The weights of each fit; ``b`` (k,) the biases.
    train_error, test_error : ndarray (k,)
        The mean squared error of each fit on the training and the test data.
    """

    #: Where the fitted curves are drawn.
    #:
    #: :meta hide-value:
    XS = np.linspace(0.0, 1.0, 300)  # (300,) where the curves are drawn

    def __init__(self, x, y, x_test, y_test, *, degree: int = 12, l2s=L2_LIVE):
        self.x, self.y = _check_curve_data(x, y, "x", "y")
        self.x_test, self.y_test = _check_curve_data(x_test, y_test, "x_test", "y_test")
        self.degree = check_scalar(degree, "degree", low=1, high=MAX_DEGREE, integer=True)
        l2s = as_float_array(l2s, "l2s", ndim=1)
        if (l2s <= 0).any():
            raise ValueError(f"every l2 in l2s must be > 0 (the axis is logarithmic), got {l2s[l2s <= 0][0]}")
        self.l2s = l2s  # (k,)
        # Inputs far outside [0, 1] or huge targets overflow in the powers and the squared errors: that is
        # refused below, naming them, instead of warned about there and failing later in Matplotlib.
        with np.errstate(over="ignore", invalid="ignore"):
            F = regularization.polynomial_features(self.x, self.degree)  # (n, D)
            F_test = regularization.polynomial_features(self.x_test, self.degree)  # (m, D)
            for name, values, powers in (("x", self.x, F), ("x_test", self.x_test, F_test)):
                if not np.isfinite(powers).all():
                    raise ValueError(f"{name} must lie near [0, 1]: its power {self.degree} overflows float64 "
                                     f"(|{name}| reaches {np.abs(values).max():.3g})")
            self.W, self.b = regularization.ridge_path(F, self.y, l2s)  # (k, D), (k,)
            self.train_error = np.mean((F @ self.W.T + self.b - self.y[:, None]) ** 2, axis=0)  # (k,)
            self.test_error = np.mean((F_test @ self.W.T + self.b - self.y_test[:, None]) ** 2, axis=0)  # (k,)
            self.curves = regularization.polynomial_features(self.XS, self.degree) @ self.W.T + self.b  # (300, k)
        if not all(np.isfinite(a).all() for a in (self.W, self.b, self.train_error, self.test_error, self.curves)):
            raise ValueError("x, y, x_test and y_test give fits or squared errors beyond float64 (inf or nan): "
                             "y and y_test are too large for this figure")
        self._build()

    @checked(l2=real())
    def index(self, l2: float) -> int:
        """Position of ``l2`` among the precomputed strengths (ValueError if it is not one)."""
        hits = np.flatnonzero(np.isclose(self.l2s, l2, rtol=1e-9, atol=0.0))
        if hits.size == 0:
            raise ValueError(f"l2 = {l2!r} is not one of the precomputed strengths {tuple(self.l2s)}")
        return int(hits[0])

    def _build(self) -> None:
        lo, hi = self.l2s.min(), self.l2s.max()
        with plotting.book_style():
            # 684 pixels wide: a book page shows it unscaled
            fig = Figure(figsize=(7.6, 3.3), dpi=plotting.DPI)
            fit = fig.add_axes((0.07, 0.3, 0.26, 0.58))
            bars = fig.add_axes((0.42, 0.3, 0.22, 0.58))
            err = fig.add_axes((0.75, 0.3, 0.23, 0.58))

            fit.set_title("Fit of degree %d" % self.degree, fontsize=10)
            fit.set(xlabel="x", ylabel="y", xlim=(0, 1), ylim=(-2.0, 2.0), yticks=(-2, -1, 0, 1, 2))
            fit.plot(self.x_test, self.y_test, ".", color="0.7", ms=3, label="test data", zorder=1)
            fit.plot(self.XS, data.true_curve(self.XS), ls="--", color="0.25", lw=1.2, label="sin 2πx", zorder=2)
            fit.plot(self.x, self.y, "o", color=_BLUE, mec="black", mew=0.6, ms=5.5, label="training data", zorder=4)
            (self.curve,) = fit.plot([], [], color=_VERMILLION, lw=2.0, label="fit", zorder=3)
            fig.legend(handles=fit.get_lines()[::-1], loc="lower left", bbox_to_anchor=(0.06, 0.085), fontsize=7.5,
                       ncols=4, frameon=False, handlelength=1.6, columnspacing=1.2)

            bars.set_title("Weight magnitudes |wₖ|", fontsize=10)
            top = max(float(np.abs(self.W).max()) * 3.0, 10.0)
            bars.set(yscale="log", ylim=(_BAR_FLOOR, top), xlabel="power k of tₖ = (2x − 1)ᵏ",
                     xlim=(0.4, self.degree + 0.6))
            ks = np.arange(1, self.degree + 1)
            bars.set_xticks(ks[::2] if self.degree > 8 else ks)
            plotting.log_axis(bars.yaxis, every=2)
            bars.grid(False, axis="x")
            # One LineCollection of thick segments, not a Rectangle per bar: one artist to redraw
            self.bars = bars.vlines(ks, _BAR_FLOOR, _BAR_FLOOR, color=_BLUE, linewidth=9.0, capstyle="butt")
            self.ks = ks

            err.set_title("Error against λ", fontsize=10)
            errors = np.concatenate([self.train_error, self.test_error])  # (2k,)
            # An exact fit (a constant y) has error 0, which a log axis cannot show; the limits are set
            # before the curves are drawn, so that no autoscaling of the log axis ever meets only zeros.
            positive = errors[errors > 0]
            ymin = positive.min() if positive.size else 1.0
            ymax = max(errors.max(), ymin)
            err.set(xscale="log", yscale="log", xlabel="penalty strength λ", ylabel="mean squared error",
                    xlim=(lo / 2, hi * 2), ylim=(ymin / 2, ymax * 12))  # room for the legend above the curves
            err.plot(self.l2s, self.train_error, color=_BLUE, label="training")
            err.plot(self.l2s, self.test_error, color=_VERMILLION, label="test")
            best = int(np.argmin(self.test_error))
            err.plot([self.l2s[best]], [self.test_error[best]], "*", color="white", mec="black", ms=11, zorder=3,
                     label="best test")
            err.legend(loc="upper right", fontsize=7)
            plotting.log_axis(err.xaxis, every=3)
            plotting.log_axis(err.yaxis)
            self.vline = err.axvline(lo, color="0.3", lw=1.0, ls=":", zorder=2)
            (self.train_marker,) = err.plot([], [], "o", color=_BLUE, mec="black", ms=7, zorder=4)
            (self.test_marker,) = err.plot([], [], "o", color=_VERMILLION, mec="black", ms=7, zorder=4)
            # The words are drawn once, in the kept bitmap; only the numbers are redrawn, each its own
            # short text: every glyph drawn costs time, spaces included.
            self.numbers = {}
            # (label position, number position) in figure coordinates, measured for 9.5-point DejaVu Sans
            for x0, x1, key, label in ((0.07, 0.115, "l2", "λ ="), (0.27, 0.395, "train", "training error"),
                                       (0.53, 0.625, "test", "test error"), (0.76, 0.825, "norm", "‖w‖ =")):
                fig.text(x0, 0.03, label, fontsize=9.5)
                self.numbers[key] = fig.text(x1, 0.03, "", fontsize=9.5, fontweight="bold")
        self.fig = fig
        self.axes = (fit, bars, err)
        self._blit = Blitter(fig, [self.curve, self.bars, self.vline, self.train_marker, self.test_marker,
                                   *self.numbers.values()])

    def update(self, l2: float) -> dict:
        """Show the fit at penalty strength ``l2``; return its numbers."""
        i = self.index(l2)
        self.curve.set_data(self.XS, self.curves[:, i])
        magnitudes = np.abs(self.W[i])  # (D,)
        tops = np.maximum(magnitudes, _BAR_FLOOR)  # (D,)
        self.bars.set_segments([[(k, _BAR_FLOOR), (k, t)] for k, t in zip(self.ks, tops)])
        lam = float(self.l2s[i])
        self.vline.set_xdata([lam, lam])
        self.train_marker.set_data([lam], [self.train_error[i]])
        self.test_marker.set_data([lam], [self.test_error[i]])
        info = {"l2": lam, "train": float(self.train_error[i]), "test": float(self.test_error[i]),
                "w": self.W[i], "b": float(self.b[i]), "norm": float(np.linalg.norm(self.W[i]))}
        for key, text in (("l2", _lam_text(lam)), ("train", f"{info['train']:.4f}"), ("test", f"{info['test']:.4f}"),
                          ("norm", f"{info['norm']:.3g}")):
            self.numbers[key].set_text(text)
        return info

    def __call__(self, l2: float) -> Figure:
        """The whole figure at penalty strength ``l2``."""
        self.update(l2)
        return self.fig

    def png(self, l2: float, *, palette: bool = True, compress_level: int | None = None) -> bytes:
        """The figure as PNG bytes, redrawing only what moves."""
        self.update(l2)
        return self._blit.png(palette=palette, compress_level=compress_level)

    def alt(self, l2: float) -> str:
        """Alt text of the frame at ``l2``."""
        i = self.index(l2)
        lam, train, test = float(self.l2s[i]), float(self.train_error[i]), float(self.test_error[i])
        best = int(np.argmin(self.test_error))
        w = np.abs(self.W[i])
        wiggle = float(np.abs(np.diff(self.curves[:, i], 2)).sum() * len(self.XS))  # total |curvature|, scaled
        ref = float(np.abs(np.diff(data.true_curve(self.XS), 2)).sum() * len(self.XS))
        if wiggle > 3 * ref:
            shape = "wiggles between the training points, chasing their noise"
        elif np.ptp(self.curves[:, i]) < 0.5:
            shape = "is almost flat, far below the peaks of the data"
        else:
            shape = "follows the sine wave smoothly"
        where = ("the penalty is too weak" if i < best else "the penalty is too strong" if i > best
                 else "this is the best test error of all strengths")
        return (
            f"Three panels for ridge regression with penalty strength lambda = {_lam_text(lam)}. Left: "
            f"{self.x.size} noisy training points of sin(2 pi x) and a degree-{self.degree} polynomial fit that "
            f"{shape}. Middle: bars of the {self.degree} weight magnitudes on a log scale, the largest "
            f"{w.max():.3g} and the smallest {w.min():.2g}. Right: training error (rising with lambda) and test "
            f"error (U-shaped, lowest at lambda = {_lam_text(float(self.l2s[best]))}) on log axes, with markers at "
            f"the current lambda: training error {train:.4f}, test error {test:.4f}; {where}."
        )


def penalty_strength(x, y, x_test, y_test, *, degree: int = 12, l2: float = 1e-6,
                     mode: str | None = None) -> FigureBox:
    r"""Chapter 7's figure: a ridge fit, its weights and its errors, as the penalty strength λ moves.

    Live: a slider over λ = 10^k, k = -8, -7.75, ..., 1 (37 positions, every
    fit precomputed). Static: k = -8, -7.5, ..., 1, 19 frames.

    Parameters
    ----------
    x, y : array_like
        Training data, inputs in [0, 1].
    x_test, y_test : array_like
        Test data.
    degree : int
        Degree of the fitted polynomial, 1 to 50.
    l2 : float
        Starting λ, one of :data:`L2_LIVE` (of :data:`L2_STATIC` in static mode).
    mode : {"live", "static"}, optional
        Override :func:`~mathcore.widgets.mode`.
    """
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    l2 = check_scalar(l2, "l2", low=0.0, low_open=True)
    values = L2_STATIC if chosen == "static" else L2_LIVE
    position = Slider(values, values[0], "penalty strength λ").index(l2)
    if position is None:
        raise ValueError(f"in {chosen} mode l2 must be one of {tuple(_lam_text(v) for v in values)}, got {l2}")
    path = RidgePath(x, y, x_test, y_test, degree=degree, l2s=L2_LIVE)
    level = 1 if chosen == "live" else 9  # fastest zlib level live; smallest frames in the page
    sliders = {"l2": Slider(values, values[position], "penalty strength λ", fmt="{:.2g}")}
    return interactive_figure(lambda l2: path.png(l2, compress_level=level), sliders, path.alt, mode=chosen)
