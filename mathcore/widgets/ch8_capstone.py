"""Chapter 8, Capstone: learning curves recorded over a grid of learning rates and penalties.

The chapter trains one network per grid point, once, and records four
curves per run (:class:`TrainingCurves`); the sliders only choose which recorded run
to draw. Nothing is trained when a slider moves, so a move costs one blitted
redraw (the pattern of Chapter 1's :class:`~mathcore.widgets.NeuronPlane`):
axes, labels, legend and the faint curves of the other runs are drawn once and
kept as a bitmap; each move redraws the four curves of the chosen run and
its read-out on top.

Labels are plain Unicode (λ, η), not mathtext: parsing mathtext costs 5 to 30 ms
per string in every fresh kernel.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import plotting
from .._validate import MAX_ITERATIONS, as_float_array, check_scalar, checked, integer, optional, real
from ._core import Blitter, FigureBox, Slider, _check_mode, _env_mode, interactive_figure

__all__ = ["TrainingCurves", "LearningCurves", "learning_curves"]

_BLUE, _VERMILLION = plotting.OKABE_ITO["blue"], plotting.OKABE_ITO["vermillion"]
#: Loss axis limits (log scale): a run whose loss leaves them is said so in the read-out.
LOSS_LIM = (0.003, 10.0)
#: Accuracy axis limits.
ACC_LIM = (0.7, 1.0)
#: Column widths of the table under the panels, in characters.
_LABEL, _ACC, _LOSS = 20, 10, 11


class TrainingCurves(NamedTuple):
    """One recorded training run: data loss and accuracy after each epoch, on training and validation data.

    The losses are the mean cross-entropy without the penalty, so the
    training and validation curves measure the same thing. A run that
    diverged has fewer entries than epochs.

    Shapes
    ------
    every field : (epochs_run,).
    """

    train_loss: np.ndarray
    val_loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray


def _check_curves(curves, key) -> TrainingCurves:
    if not isinstance(curves, TrainingCurves):
        raise TypeError(f"runs[{key!r}] must be a TrainingCurves, got {type(curves).__name__}")
    fields = {}
    for name, values in curves._asdict().items():
        # a diverging run may record inf or nan in its last epoch: allow non-finite values
        arr = as_float_array(values, f"runs[{key!r}].{name}", ndim=1, finite=False, allow_empty=True)
        fields[name] = arr
    lengths = {a.size for a in fields.values()}
    if len(lengths) != 1:
        raise ValueError(f"runs[{key!r}] has curves of different lengths {sorted(lengths)}; each needs one "
                         "value per epoch")
    for name in ("train_acc", "val_acc"):
        a = fields[name]
        if np.any((a < 0) | (a > 1)):
            raise ValueError(f"runs[{key!r}].{name} must hold accuracies in [0, 1]")
    return TrainingCurves(**fields)


def _check_runs(runs, epochs=None) -> tuple[dict, tuple, tuple]:
    """Validate a grid of runs keyed by (lr, l2); return it with its sorted axes."""
    if not isinstance(runs, Mapping) or not runs:
        raise TypeError("runs must be a non-empty mapping (lr, l2) -> TrainingCurves")
    checked = {}
    for key, curves in runs.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"runs keys must be (learning rate, penalty) pairs, got {key!r}")
        lr = check_scalar(key[0], f"the learning rate of runs key {key!r}")
        l2 = check_scalar(key[1], f"the penalty of runs key {key!r}")
        checked[(lr, l2)] = _check_curves(curves, key)
    lrs = tuple(sorted({k[0] for k in checked}))
    l2s = tuple(sorted({k[1] for k in checked}))
    missing = [(a, b) for a in lrs for b in l2s if (a, b) not in checked]
    if missing:
        raise ValueError(f"runs must fill the grid of learning rates {lrs} and penalties {l2s}; missing {missing}")
    return checked, lrs, l2s


def _num(x: float, digits: int = 3) -> str:
    if not np.isfinite(x):
        return "not finite"
    return f"{x:.{digits}f}" if abs(x) < 1000 else f"{x:.2e}"


class LearningCurves:
    """A reusable two-panel figure: loss (log scale) and accuracy per epoch of one recorded run.

    The validation loss and accuracy of the ``background`` runs are drawn
    faintly behind, once, so the chosen run is always seen against the others.

    Parameters
    ----------
    runs : mapping (lr, l2) -> TrainingCurves
        A full grid of recorded runs.
    epochs : int, optional
        Length of the epoch axis; by default the longest run.
    background : iterable of (lr, l2), optional
        The runs drawn faintly behind; by default every run. Leave out runs
        whose curves are chaotic (a learning rate past the stable range):
        their last digits, and so their pixels, differ from one CPU to another.
    """

    @checked(epochs=optional(integer(low=1, high=MAX_ITERATIONS)))
    def __init__(self, runs: Mapping, epochs: int | None = None, background=None):
        self.runs, self.lrs, self.l2s = _check_runs(runs)
        self.background = tuple(self.runs) if background is None else tuple(
            self._key(*key, names=(f"background[{i}][0]", f"background[{i}][1]"))
            for i, key in enumerate(_check_background(background)))
        longest = max(c.train_loss.size for c in self.runs.values())
        self.epochs = max(1, longest) if epochs is None else epochs
        if self.epochs < max(1, longest):
            raise ValueError(f"epochs must be at least the longest run ({longest}), got {epochs}")
        with plotting.book_style():
            # 684 pixels wide: a book page shows it unscaled
            fig = Figure(figsize=(7.6, 3.9), dpi=plotting.DPI)
            left = fig.add_axes((0.085, 0.36, 0.385, 0.55))
            right = fig.add_axes((0.6, 0.36, 0.385, 0.55))
            ticks = np.arange(0, self.epochs + 1, max(1, self.epochs // 5))
            left.set(title="Cross-entropy per epoch", xlabel="epoch", ylabel="loss (log scale)",
                     yscale="log", xlim=(0.5, self.epochs + 0.5), ylim=LOSS_LIM, xticks=ticks[ticks > 0])
            right.set(title="Accuracy per epoch", xlabel="epoch", ylabel="accuracy",
                      xlim=(0.5, self.epochs + 0.5), ylim=ACC_LIM, xticks=ticks[ticks > 0])
            for c in map(self.runs.get, self.background):
                e = np.arange(1, c.train_loss.size + 1)
                left.plot(e, c.val_loss, color="0.82", lw=1.0, zorder=1)
                right.plot(e, c.val_acc, color="0.82", lw=1.0, zorder=1)
            self.lines = {}
            for ax, kind in ((left, "loss"), (right, "acc")):
                (self.lines[f"train_{kind}"],) = ax.plot([], [], color=_BLUE, lw=2.0, zorder=3)
                (self.lines[f"val_{kind}"],) = ax.plot([], [], color=_VERMILLION, lw=2.0, ls="--", zorder=4)
            handles = [Line2D([], [], color=_BLUE, lw=2.0, label="training"),
                       Line2D([], [], color=_VERMILLION, lw=2.0, ls="--", label="validation")]
            if len(self.runs) > 1 and self.background:
                handles.append(Line2D([], [], color="0.82", lw=1.0, label="validation, other runs"))
            # under the panels, beside the read-out: inside, the curves of an unstable run would cross it
            fig.legend(handles=handles, loc="lower right", bbox_to_anchor=(0.985, 0.0), fontsize=8, frameon=False)
            mono = dict(family="DejaVu Sans Mono", fontsize=9.5)
            # A small table under the panels. Its labels are drawn once, with the rest
            # of the figure; each move redraws only the numbers, as short a text as
            # possible (a text costs about 0.3 ms a character, spaces included).
            header = f"{'after the last epoch':<{_LABEL}}{'accuracy':>{_ACC}}{'loss':>{_LOSS}}"
            labels = fig.text(0.085, 0.025, f"{header}\nvalidation\ntraining", **mono)
            # the numbers start where the label column ends, in the same monospaced font
            width = labels.get_window_extent(FigureCanvasAgg(fig).get_renderer()).width / len(header)
            x = 0.085 + _LABEL * width / fig.bbox.width
            self.readout = fig.text(x, 0.025, "", **mono)
            self.note = fig.text(0.085 + len(header) * width / fig.bbox.width + 0.015, 0.06, "",
                                 color=_VERMILLION, **mono)
        self.fig, self.left, self.right = fig, left, right
        self._blit = Blitter(fig, [*self.lines.values(), self.readout, self.note])

    def _key(self, lr, l2, names=("lr", "l2")) -> tuple[float, float]:
        key = (check_scalar(lr, names[0]), check_scalar(l2, names[1]))
        if key not in self.runs:
            raise ValueError(f"no recorded run at lr={lr}, l2={l2}; the grid has lr in {self.lrs} and l2 in {self.l2s}")
        return key

    def curves(self, lr: float, l2: float) -> TrainingCurves:
        """The recorded run at learning rate ``lr`` and penalty ``l2``."""
        return self.runs[self._key(lr, l2)]

    def update(self, lr: float, l2: float) -> TrainingCurves:
        """Draw the run at (lr, l2); return its curves."""
        c = self.curves(lr, l2)
        e = np.arange(1, c.train_loss.size + 1)  # (epochs_run,)
        for name, values in c._asdict().items():
            self.lines[name].set_data(e, values)
        self.readout.set_text(self.summary(lr, l2))
        self.note.set_text(self.warning(lr, l2))
        return c

    def summary(self, lr: float, l2: float) -> str:
        """The numbers of the table under the panels: accuracy and loss after the run's last epoch."""
        c = self.curves(lr, l2)
        if c.train_loss.size == 0:
            return ""
        return "\n".join(f"{100 * acc[-1]:>{_ACC - 1}.1f}%{_num(loss[-1]):>{_LOSS}}"
                         for acc, loss in ((c.val_acc, c.val_loss), (c.train_acc, c.train_loss)))

    def warning(self, lr: float, l2: float) -> str:
        """What the curves cannot show: a run that diverged, a loss that leaves the axes ("" if neither)."""
        c = self.curves(lr, l2)
        n = c.train_loss.size
        if n == 0:
            return "diverged in epoch 1"
        notes = [] if n == self.epochs else [f"diverged after {n} epochs"]
        if any(not (np.isfinite(v) and LOSS_LIM[0] <= v <= LOSS_LIM[1]) for v in (*c.train_loss, *c.val_loss)):
            notes.append("loss leaves\nthe axes")
        return ",\n".join(notes)

    def __call__(self, lr: float, l2: float) -> Figure:
        """The whole figure for the run at (lr, l2)."""
        self.update(lr, l2)
        return self.fig

    def png(self, lr: float, l2: float, *, palette: bool = True, compress_level: int | None = None) -> bytes:
        """The figure as PNG bytes, redrawing only the chosen run's curves."""
        self.update(lr, l2)
        return self._blit.png(palette=palette, compress_level=compress_level)


def _check_background(background) -> list:
    if isinstance(background, (str, bytes)) or not hasattr(background, "__iter__"):
        raise TypeError(f"background must be an iterable of (lr, l2) pairs, got {type(background).__name__}")
    keys = list(background)
    for key in keys:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"background must hold (learning rate, penalty) pairs, got {key!r}")
    return keys


def _trend(values: np.ndarray) -> str:
    if values.size < 2 or not np.all(np.isfinite(values)):
        return "does not settle"
    best = int(np.argmin(values)) + 1
    if best == values.size:
        return "falls until the last epoch"
    return f"is lowest at epoch {best} and then rises"


def _alt(figure: LearningCurves, lr: float, l2: float) -> str:
    c = figure.curves(lr, l2)
    n = c.train_loss.size
    if n == 0:
        return (f"Learning curves for learning rate {lr:g} and penalty {l2:g}: the run diverged in its first "
                "epoch, so there is nothing to draw but the faint curves of the other runs.")
    others = sum(key != (float(lr), float(l2)) for key in figure.background)
    ended = f"all {n} epochs" if n == figure.epochs else f"{n} epochs before it diverged"
    return (
        f"Two panels of learning curves for learning rate {lr:g} and L2 penalty {l2:g}, over {ended}, drawn "
        f"against the faint validation curves of {others} other runs. Left, cross-entropy on a "
        f"log scale: the training loss ends at {_num(c.train_loss[-1])} and {_trend(c.train_loss)}; the "
        f"validation loss ends at {_num(c.val_loss[-1])} and {_trend(c.val_loss)}. Right, accuracy: "
        f"{100 * c.train_acc[-1]:.1f}% on the training images and {100 * c.val_acc[-1]:.1f}% on the validation "
        f"images after the last epoch (best validation accuracy {100 * np.nanmax(c.val_acc):.1f}%)."
    )


@checked(lr=optional(real()), l2=optional(real()))
def learning_curves(runs: Mapping, *, lr: float | None = None, l2: float | None = None,
                    epochs: int | None = None, background=None, mode: str | None = None) -> FigureBox:
    r"""Chapter 8's figure: the recorded learning curves of one run of a grid, picked by two sliders.

    Left, the training and validation cross-entropy per epoch (log scale);
    right, the training and validation accuracy; behind, faintly, the
    validation curves of the ``background`` runs (by default every run of the grid). The sliders choose the
    learning rate :math:`\eta` and the L2 penalty :math:`\lambda`; live and
    static alike they step through the grid's values (a run exists only
    there), so the static twin has ``len(lrs) * len(l2s)`` frames.

    Parameters
    ----------
    runs : mapping (lr, l2) -> TrainingCurves
        Recorded runs filling a grid of learning rates and penalties.
    lr, l2 : float, optional
        The run shown first; by default the middle of each axis of the grid.
    epochs : int, optional
        Length of the epoch axis; by default the longest run.
    background : iterable of (lr, l2), optional
        The runs drawn faintly behind (see :class:`LearningCurves`).
    mode : {"live", "static"}, optional
        Override :func:`~mathcore.widgets.mode`.
    """
    chosen = _check_mode(mode) if mode is not None else _env_mode()
    figure = LearningCurves(runs, epochs, background)
    lr = figure.lrs[len(figure.lrs) // 2] if lr is None else lr
    l2 = figure.l2s[len(figure.l2s) // 2] if l2 is None else l2
    figure.curves(lr, l2)  # refuses a starting point off the grid
    sliders = {
        "lr": Slider(figure.lrs, lr, "learning rate η"),
        "l2": Slider(figure.l2s, l2, "L2 penalty λ"),
    }
    level = 1 if chosen == "live" else 9  # fastest zlib level live; smallest frames in the page
    return interactive_figure(lambda lr, l2: figure.png(lr, l2, compress_level=level), sliders,
                              lambda lr, l2: _alt(figure, lr, l2), mode=chosen)
