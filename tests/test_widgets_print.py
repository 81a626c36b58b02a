"""The printed figures of the PDF edition (MATHCORE_STATIC=print): every interactive
figure prints as one PNG of a few of its static twin's frames, labelled with their values."""

from __future__ import annotations

import base64
import inspect
import io

import numpy as np
import pytest
from PIL import Image

from mathcore import data, plotting, widgets
from mathcore.exercises.ch6_backprop import HAND_PARAMS, HAND_X

from test_widgets_ch4_losses import _data as _losses_data
from test_widgets_ch8_capstone import _runs


@pytest.fixture
def print_env(monkeypatch):
    monkeypatch.setenv(widgets.ENV_VAR, widgets.PRINT)


def _builders() -> set[str]:
    """Every interactive-figure builder: the exported functions that return a FigureBox."""
    return {
        name for name in widgets.__all__
        if inspect.isfunction(fn := getattr(widgets, name)) and name != "interactive_figure"
        and inspect.signature(fn).return_annotation in ("FigureBox", widgets.FigureBox)
    }


def _regression():
    x, y = data.regression_curve(n=15, noise=0.2, seed=1)
    x_test, y_test = data.regression_curve(n=60, noise=0.2, seed=100)
    return x, y, x_test, y_test


# One call per builder, with the chapters' arguments made small where they cost time.
CALLS = {
    "decision_boundary": lambda: widgets.decision_boundary("AND"),
    "xor_network": lambda: widgets.xor_network(),
    "curve_approximation": lambda: widgets.curve_approximation(),
    "gradient_depth": lambda: widgets.gradient_depth(),
    "softmax_temperature": lambda: widgets.softmax_temperature(),
    "init_depth": lambda: widgets.init_depth(),
    "loss_and_gradient": lambda: widgets.loss_and_gradient(),
    "cost_surface": lambda: widgets.cost_surface(*_losses_data()),
    "descent_on_quadratic": lambda: widgets.descent_on_quadratic(),
    "weight_slice": lambda: widgets.weight_slice(list(HAND_PARAMS), HAND_X[None, :], np.array([[1.0]]),
                                                 weight="w⁽²⁾₁₁"),
    "penalty_strength": lambda: widgets.penalty_strength(*_regression()),
    "learning_curves": lambda: widgets.learning_curves(_runs()),
}


def test_every_builder_has_a_print_call():
    # A new builder must be added here, so that its printed figure is tested too.
    assert set(CALLS) == _builders()


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_interactive_figure_prints_as_small_multiples(name, print_env):
    box = CALLS[name]()
    assert isinstance(box, widgets.PrintedFigure)
    bundle = box._repr_mimebundle_()
    # one image, nothing Sphinx's LaTeX builder would drop (no widget view, no HTML)
    assert set(bundle) == {"image/png", "text/plain"}
    png = io.BytesIO(base64.b64decode(bundle["image/png"]))
    image = Image.open(png)
    assert image.format == "PNG"
    n_static = len(box.controls)
    expected = widgets.PRINT_FRAMES[n_static]
    assert 2 <= len(box.frames) <= int(np.prod(expected))
    # frames side by side: the printed image is wider than one frame, and taller for a grid
    frame = Image.open(io.BytesIO(box.frames[0].png))
    assert image.width >= 2 * frame.width
    # every frame's values are in the alt text, which describes each frame
    for f in box.frames:
        assert f.alt in bundle["text/plain"]
    # distinct frames: the slider values printed differ from one frame to the next
    assert len({tuple(sorted(map(str, f.values.items()))) for f in box.frames}) == len(box.frames)


def test_the_stored_and_html_modes_do_not_print(monkeypatch):
    for value in ("1", ""):
        monkeypatch.setenv(widgets.ENV_VAR, value)
        assert not widgets.printing()
        assert not isinstance(widgets.softmax_temperature(), widgets.PrintedFigure)
    monkeypatch.setenv(widgets.ENV_VAR, widgets.PRINT)
    assert widgets.mode() == "static"
    with widgets.using_mode("live"):  # a forced live figure stays live
        assert widgets.softmax_temperature().mode == "live"


@pytest.mark.parametrize("n, default, count, expected", [
    (9, 2, 2, [2, 8]),         # the default replaces the nearest even pick
    (8, 1, 3, [1, 4, 7]),
    (5, 0, 4, [0, 1, 3, 4]),
    (3, 1, 4, [0, 1, 2]),      # fewer positions than frames: all of them
    (1, 0, 4, [0]),
    (7, 3, 1, [3]),            # one frame: the default
])
def test_print_indices_spread_and_keep_the_default(n, default, count, expected):
    spec = widgets.Slider(tuple(range(n)), default, "x")
    assert widgets.print_indices(spec, count) == expected


def test_print_indices_refuse_bad_input():
    spec = widgets.Slider((1, 2, 3), 2, "x")
    with pytest.raises(ValueError):
        widgets.print_indices(spec, 0)
    with pytest.raises(TypeError):
        widgets.print_indices((1, 2, 3), 2)


def _shown(monkeypatch) -> list[dict]:
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda bundle, raw: shown.append(bundle))
    fig, ax = plotting.figure("A line")
    ax.plot([0, 1], [0, 1])
    plotting.show(fig, "A rising line.")
    return shown


def test_show_prints_a_png_at_print_resolution(monkeypatch, print_env):
    (bundle,) = _shown(monkeypatch)
    # the LaTeX builder takes image/png; text/html would leave only the alt text on paper
    assert set(bundle) == {"image/png", "text/plain"} and bundle["text/plain"] == "A rising line."
    image = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    assert image.width == round(plotting.FIGSIZE[0] * plotting.PRINT_DPI)


def test_show_is_html_in_the_book_and_in_a_kernel(monkeypatch):
    for value in ("1", ""):
        monkeypatch.setenv(widgets.ENV_VAR, value)
        (bundle,) = _shown(monkeypatch)
        assert set(bundle) == {"text/html", "text/plain"}
