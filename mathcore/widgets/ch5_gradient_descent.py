"""Chapter 5, Gradient descent: the path of gradient descent, momentum, RMSProp or Adam on a 2-D quadratic.

The figure follows the fast path of Chapter 4's figures: built once, what never
moves (axes, contours, labels) kept as a bitmap, and each slider move redraws
only the path, the loss curve and the message on top of it (blitting). The
iterates come from :func:`mathcore.optim.minimize`, the rate in the message
from :func:`mathcore.optim.quadratic_rate`. Labels are plain Unicode (η, β, λ),
not mathtext, which costs 5 to 30 ms per new string.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import optim, plotting
from .._validate import MAX_ITERATIONS, array, check_scalar, checked, integer, one_of
from ._core import Blitter, FigureBox, Slider, _check_mode, _env_mode, interactive_figure

__all__ = ["QUADRATIC_CURVATURES", "QUADRATIC_START", "quadratic_descent", "DescentPlot", "descent_on_quadratic",
           "LR_VALUES", "OPTIMIZER_CHOICES"]

#: Hessian eigenvalues (lambda_1, lambda_2) of the figure's quadratic C(w) = (lambda_1 w_1^2 + lambda_2 w_2^2) / 2:
#: condition number 10, gradient descent stable for eta < 2 / 10 = 0.2.
QUADRATIC_CURVATURES = (1.0, 10.0)
#: Where every path starts.
QUADRATIC_START = (-4.5, 1.5)
#: Steps drawn.
STEPS = 40
#: Static positions of the learning-rate slider: both sides of 2/lambda_max = 0.2 and of 2(1 + beta)/lambda_max.
LR_VALUES = (0.01, 0.05, 0.1, 0.15, 0.19, 0.21, 0.3, 0.4)
#: The positions of the optimiser control: name -> (``optimizer`` of :func:`mathcore.optim.minimize`, momentum).
#: One control, not an optimiser and a momentum slider, because a static twin has at most two sliders.
OPTIMIZER_CHOICES = {"SGD": ("momentum", 0.0), "momentum 0.5": ("momentum", 0.5), "momentum 0.8": ("momentum", 0.8),
                     "momentum 0.9": ("momentum", 0.9), "RMSProp": ("rmsprop", 0.0), "Adam": ("adam", 0.0)}

_BLUE, _VERMILLION = plotting.OKABE_ITO["blue"], plotting.OKABE_ITO["vermillion"]
_LOSS_FLOOR, _LOSS_CEIL = 1e-8, 1e8  # the loss axis; a path's loss outside it leaves the plot


def _quadratic(lam: np.ndarray):
    def f(w):
        return 0.5 * float(w @ (lam * w))

    def grad(w):
        return lam * w  # (2,)

    return f, grad


@checked(steps=integer(low=1, high=MAX_ITERATIONS), curvatures=array(ndim=1), start=array(ndim=1),
         optimizer=one_of(*optim.OPTIMIZERS))
def quadratic_descent(lr: float, momentum: float = 0.0, *, steps: int = STEPS,
                      curvatures=QUADRATIC_CURVATURES, start=QUADRATIC_START,
                      optimizer: str = "momentum") -> tuple[optim.Path, float]:
    r"""Gradient descent on :math:`C(\mathbf w) = \frac12(\lambda_1 w_1^2 + \lambda_2 w_2^2)`: the path and its rate.

    Parameters
    ----------
    lr, momentum, optimizer : float, float, str
        As in :func:`mathcore.optim.minimize`.
    steps : int
        Steps taken, at least 1.
    curvatures : array_like, shape (2,)
        :math:`(\lambda_1, \lambda_2)`, finite real numbers.
    start : array_like, shape (2,)
        The first iterate, finite.

    Returns
    -------
    path : mathcore.optim.Path
        From :func:`mathcore.optim.minimize`, ``points`` (k, 2) with k <= steps + 1.
    rate : float
        :func:`mathcore.optim.quadratic_rate`: the error shrinks (rate < 1) or
        grows (rate > 1) by about this factor per step, the loss by its square.
        NaN for RMSProp and Adam, whose steps are not linear in the iterate, so
        that no single factor per step describes them.
    """
    lam = np.asarray(curvatures, dtype=np.float64)  # (2,)
    w0 = np.asarray(start, dtype=np.float64)  # (2,)
    for name, value in (("curvatures", lam), ("start", w0)):
        if value.shape != (2,):
            raise ValueError(f"{name} must hold 2 numbers, one per coordinate of w, got shape {value.shape}")
    f, grad = _quadratic(lam)
    with np.errstate(over="ignore", invalid="ignore"):
        c0 = f(w0)
    if not np.isfinite(c0):  # minimize would blame the gradient, which overflows with it
        raise ValueError(f"curvatures and start give a loss beyond float64 at the start ({c0}): they are too large")
    path = optim.minimize(f, grad, w0, lr=lr, steps=steps, momentum=momentum, optimizer=optimizer)
    if optimizer != "momentum":
        return path, float("nan")
    return path, optim.quadratic_rate(lr, lam, momentum)


def _verdict(rate: float, path: optim.Path) -> tuple[str, bool]:
    """The figure's message and whether it reports divergence (short: every glyph drawn costs time)."""
    if np.isnan(rate):  # RMSProp or Adam: no rate per step to quote, so the loss reached
        return f"no fixed rate: loss {path.values[-1]:.2g} at step {path.points.shape[0] - 1}", bool(path.diverged)
    if path.diverged:
        return f"DIVERGED at step {path.points.shape[0]}", True
    if rate > 1 + 1e-9:
        return f"DIVERGES: error ×{rate:.2f} per step", True
    if rate > 1 - 1e-9:
        return f"on the edge: error ×{rate:.2f} per step", False
    return f"converges: error ×{rate:.3f} per step", False


class DescentPlot:
    """Two panels: the path of gradient descent on the contours of a 2-D quadratic, and its loss per step."""

    XLIM, YLIM = (-5.0, 5.0), (-2.5, 2.5)

    def __init__(self):
        lam = np.asarray(QUADRATIC_CURVATURES)
        with plotting.book_style():
            # 684 x 306 pixels: a book page shows it unscaled
            fig = Figure(figsize=(7.6, 3.4), dpi=plotting.DPI)
            left = fig.add_axes((0.07, 0.3, 0.46, 0.6))
            right = fig.add_axes((0.64, 0.3, 0.33, 0.6))
            w1 = np.linspace(*self.XLIM, 201)  # (201,)
            w2 = np.linspace(*self.YLIM, 101)  # (101,)
            G1, G2 = np.meshgrid(w1, w2)  # (101, 201) each
            Cgrid = 0.5 * (lam[0] * G1**2 + lam[1] * G2**2)  # (101, 201)
            left.contour(w1, w2, Cgrid, levels=[0.25, 1, 2.5, 5, 10, 17, 26], colors="0.55", linewidths=0.8)
            left.plot([0], [0], "*", color="black", ms=10, zorder=3)
            left.set(xlim=self.XLIM, ylim=self.YLIM, xlabel="w₁  (curvature λ₁ = 1)", ylabel="w₂  (λ₂ = 10)")
            left.set_aspect("equal")
            left.set_title("Path on the contours of C(w)", fontsize=10)
            left.grid(False)
            right.set(yscale="log", ylim=(_LOSS_FLOOR, _LOSS_CEIL), xlim=(0, STEPS), xlabel="step t",
                      ylabel="loss C(wₜ)")
            plotting.log_axis(right.yaxis, every=4)
            right.set_title("Loss per step (log scale)", fontsize=10)
            right.axhline(0.5 * float(np.asarray(QUADRATIC_START) @ (lam * np.asarray(QUADRATIC_START))),
                          color="0.6", lw=0.8, ls="--")
            (self.path_line,) = left.plot([], [], "-o", color=_BLUE, ms=3.5, lw=1.3, zorder=4)
            (self.loss_line,) = right.plot([], [], "-", color=_BLUE, lw=1.8, zorder=4)
            fig.text(0.07, 0.03, "SGD, momentum: stable exactly when η < 2(1 + β)/λmax = 0.2 (1 + β). "
                     "RMSProp, Adam: steps of order η.", fontsize=9, color="0.3")
            self.message = fig.text(0.07, 0.1, "", fontsize=11, va="bottom", fontweight="bold")
        self.fig, self.left, self.right = fig, left, right
        self._blit = Blitter(fig, [self.path_line, self.loss_line, self.message])

    def update(self, lr: float, optimizer: str = "SGD") -> dict:
        """Draw the path for ``lr`` and ``optimizer`` (a key of :data:`OPTIMIZER_CHOICES`); return what is drawn."""
        path, rate = _descent(lr, optimizer)
        message, bad = _verdict(rate, path)
        colour = _VERMILLION if bad else _BLUE
        # positions far outside the axes are clipped anyway; capping them keeps Agg's paths finite and fast
        pts = np.clip(path.points, -1e6, 1e6)  # (k, 2)
        self.path_line.set_data(pts[:, 0], pts[:, 1])
        self.path_line.set_color(colour)
        values = np.clip(path.values, _LOSS_FLOOR / 10, _LOSS_CEIL * 10)  # (k,)
        self.loss_line.set_data(np.arange(values.size), values)
        self.loss_line.set_color(colour)
        self.message.set_text(message)
        self.message.set_color(_VERMILLION if bad else "black")
        return {"path": path, "rate": rate, "message": message, "diverges": bad}

    def __call__(self, lr: float, optimizer: str = "SGD") -> Figure:
        self.update(lr, optimizer)
        return self.fig

    def png(self, lr: float, optimizer: str = "SGD", *, palette: bool = True,
            compress_level: int | None = None) -> bytes:
        """The figure as PNG bytes, redrawing only what moves."""
        self.update(lr, optimizer)
        return self._blit.png(palette=palette, compress_level=compress_level)


def _descent(lr: float, optimizer: str) -> tuple[optim.Path, float]:
    """:func:`quadratic_descent` for a position of the optimiser control."""
    if not (isinstance(optimizer, str) and optimizer in OPTIMIZER_CHOICES):
        raise ValueError(f"optimizer must be one of {list(OPTIMIZER_CHOICES)}, got {optimizer!r}")
    name, momentum = OPTIMIZER_CHOICES[optimizer]
    return quadratic_descent(lr, momentum, optimizer=name)


def _alt(lr: float, optimizer: str) -> str:
    path, rate = _descent(lr, optimizer)
    _, bad = _verdict(rate, path)
    name, momentum = OPTIMIZER_CHOICES[optimizer]
    who = (f"gradient descent with learning rate {lr:.2f} and momentum {momentum:.2f}" if name == "momentum"
           else f"{optimizer} with learning rate {lr:.2f}")
    head = (f"Two panels for {who} on a quadratic bowl whose elliptical contours are ten times steeper across (w2) "
            f"than along (w1), starting at (-4.5, 1.5). ")
    if np.isnan(rate):
        end = path.points[-1]
        return head + (f"Its first step is diagonal, equally long in both coordinates whatever their slopes, and "
                       f"it keeps moving by steps of the order of the learning rate in each coordinate; after "
                       f"{path.points.shape[0] - 1} steps it is at ({end[0]:.2f}, {end[1]:.2f}). The loss goes from "
                       f"{path.values[0]:.1f} to {path.values[-1]:.2g}; the message quotes no rate per step, "
                       f"because this optimiser has none.")
    if bad:
        return head + (f"The path zig-zags across the valley with growing swings and leaves the plot; the loss "
                       f"curve on the right climbs steadily on its log scale, growing about {rate ** 2:.2f}-fold "
                       f"per step. A red message says the iteration diverges.")
    end = path.points[-1]
    if rate > 1 - 1e-9:
        return head + (f"The path bounces between the walls of the valley with swings that neither grow nor shrink "
                       f"(the factor per step is {rate:.2f}); the loss curve levels off instead of falling.")
    return head + (f"The path moves towards the minimum at the origin and ends after {path.points.shape[0] - 1} "
                   f"steps at ({end[0]:.2f}, {end[1]:.2f}); the loss falls from {path.values[0]:.1f} to "
                   f"{path.values[-1]:.2g}, shrinking about {rate ** 2:.3f}-fold per step.")


def descent_on_quadratic(*, lr: float = 0.1, optimizer: str = "SGD", mode: str | None = None) -> FigureBox:
    r"""Chapter 5's figure: learning rate and optimiser against the path and the loss on a 2-D quadratic.

    Left, the contours of :math:`C(\mathbf w) = \frac12(w_1^2 + 10 w_2^2)` and
    the first 40 iterates of SGD (full-batch gradient descent), momentum with
    :math:`\beta` = 0.5, 0.8 or 0.9, RMSProp or Adam from :math:`(-4.5, 1.5)`;
    right, the loss per step on a log axis. A message states the rate per step
    and whether the iteration converges (for RMSProp and Adam, which have no
    rate per step, the loss reached); a diverging path is drawn in vermillion
    and leaves the plot. Live: a learning-rate slider from 0.01 to 0.4 in steps
    of 0.01 and the optimiser's six positions. Static: 8 learning rates x 6
    optimisers = 48 frames.

    Parameters
    ----------
    lr : float
        Starting learning rate, in [0.01, 0.4].
    optimizer : str
        Starting optimiser, a key of :data:`OPTIMIZER_CHOICES`.
    mode : {"live", "static"}, optional
        Override :func:`~mathcore.widgets.mode`.
    """
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    lr = check_scalar(lr, "lr", low=0.01, high=0.4)
    if not (isinstance(optimizer, str) and optimizer in OPTIMIZER_CHOICES):
        raise ValueError(f"optimizer must be one of {list(OPTIMIZER_CHOICES)}, got {optimizer!r}")
    if chosen == "static" and lr not in LR_VALUES:
        raise ValueError(f"in static mode lr must be one of {LR_VALUES}, got {lr}")
    plot = DescentPlot()
    sliders = {
        "lr": Slider(tuple(sorted(set(LR_VALUES) | {lr})), lr, "learning rate η", step=0.01),
        "optimizer": Slider(tuple(OPTIMIZER_CHOICES), optimizer, "optimiser"),
    }
    level = 1 if chosen == "live" else 9  # fastest zlib level live; smallest frames in the page
    return interactive_figure(lambda lr, optimizer: plot.png(lr, optimizer, compress_level=level), sliders, _alt,
                              mode=chosen)
