"""Interactive figures: the mode switch, the static twin's widget tree, the live redraw, Chapter 1's neuron."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets
import numpy as np
import pytest
from ipywidgets.widgets.widget_link import Link
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.path import Path

from mathcore import data, plotting, widgets
from mathcore.widgets import Slider
from widget_helpers import FRAME_BUDGET, alt_of, assert_frames_small, slider_values, static_alts, timed_moves

def _line_figure(slope, shift=0.0):
    fig, ax = plotting.figure(f"Line with slope {slope}", "x", "y", ylim=(-3, 3))
    ax.plot([-1, 1], [shift - slope, shift + slope])
    return fig


def _labels(slider):
    return [label for label, _ in slider.options]


def _link_ends(link):
    (src, src_name), (dst, dst_name) = link.source, link.target
    return src, src_name, dst, dst_name


# --- mode -----------------------------------------------------------------------------------


def test_mode_follows_the_environment(monkeypatch):
    monkeypatch.delenv(widgets.ENV_VAR, raising=False)
    assert widgets.mode() == "live"
    monkeypatch.setenv(widgets.ENV_VAR, "1")
    assert widgets.mode() == "static"
    monkeypatch.setenv(widgets.ENV_VAR, "0")
    assert widgets.mode() == "live"


def test_mode_override_and_context_manager(monkeypatch):
    monkeypatch.setenv(widgets.ENV_VAR, "1")
    with widgets.using_mode("live"):
        assert widgets.mode() == "live"
        with widgets.using_mode("static"):
            assert widgets.mode() == "static"
        assert widgets.mode() == "live"
    assert widgets.mode() == "static"
    widgets.set_mode("live")
    try:
        assert widgets.mode() == "live"
    finally:
        widgets.set_mode(None)
    assert widgets.mode() == "static"


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode"):
        widgets.set_mode("interactive")
    with pytest.raises(ValueError, match="mode"):
        widgets.interactive_figure(_line_figure, {"slope": ((1, 2), 1, "slope")}, "Line", mode="html")


# --- sliders ------------------------------------------------------------------------------------


def test_slider_validation_names_the_problem():
    with pytest.raises(ValueError, match="default"):
        Slider((1, 2, 3), 4, "k")
    with pytest.raises(ValueError, match="values"):
        Slider((), 0, "k")
    with pytest.raises(ValueError, match="label"):
        Slider((1, 2), 1, "")
    with pytest.raises(ValueError, match="step"):
        Slider((1, 2), 1, "k", step=0)
    with pytest.raises(TypeError, match="values"):
        Slider("abc", "a", "k")
    with pytest.raises(TypeError, match=r"sliders\['k'\]"):
        widgets.interactive_figure(_line_figure, {"k": [1, 2]}, "Line")


def test_slider_matches_float_values_and_formats_them():
    s = Slider(np.linspace(0, 1, 11), 0.3, "k")
    assert s.index(0.30000000000000004) == 3  # 0.1 * 3 in floating point
    assert s.text(0.5) == "0.5"
    assert Slider((0, 90), 90, "angle", fmt="{:g}°").text(90) == "90°"
    assert Slider(("relu", "tanh"), "tanh", "f").text("tanh") == "tanh"


@pytest.mark.parametrize("kwargs, error, name", [
    ({"values": (0.0, float("nan"))}, ValueError, "values"),
    ({"values": (0.0, None)}, TypeError, "values"),
    ({"values": np.zeros((1, 2, 2))}, TypeError, "values"),
    ({"default": True}, TypeError, "default"),
    ({"default": 10**400}, ValueError, "default"),
    ({"default": np.zeros(3)}, TypeError, "default"),
    ({"step": float("inf")}, ValueError, "step"),
    ({"step": 10**400}, ValueError, "step"),
    ({"fmt": 1.0}, TypeError, "fmt"),
    ({"fmt": "abc"}, ValueError, "fmt"),
    ({"fmt": "{:d}"}, ValueError, "fmt"),
])
def test_slider_refuses_bad_positions_and_formats(kwargs, error, name):
    with pytest.raises(error, match=name):
        Slider(**{"values": (0.0, 1.0), "default": 0.0, "label": "k", **kwargs})


def test_slider_tells_true_from_one():
    s = Slider((0, 1), 0, "k")
    assert s.index(True) is None and s.index(1) == 1
    assert s.index(10**400) is None and s.text(10**400) == str(10**400)


@pytest.mark.parametrize("kwargs, error, name", [
    ({"static": 1.0}, TypeError, "static"), ({"fixed": "x"}, TypeError, "fixed"),
    ({"fixed": True}, TypeError, "fixed"), ({"alt": None}, TypeError, "alt"),
    ({"max_frames": 0}, ValueError, "max_frames"), ({"max_frames": 1.5}, TypeError, "max_frames"),
    ({"max_frames": 10**400}, ValueError, "max_frames"),
])
def test_render_frames_refuses_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        widgets.render_frames(**{"render": _line_figure, "sliders": {"slope": Slider((0.0, 1.0), 0.0, "k")},
                                 "alt": "A line", **kwargs})


@pytest.mark.parametrize("kwargs, error, name", [
    ({"max_bytes": None}, TypeError, "max_bytes"), ({"max_bytes": 0}, ValueError, "max_bytes"),
    ({"max_frames": float("nan")}, TypeError, "max_frames"), ({"max_frames": -1}, ValueError, "max_frames"),
    ({"sliders": {1: Slider((0.0, 1.0), 0.0, "k")}}, TypeError, "sliders"),
])
def test_interactive_figure_checks_its_budgets_in_either_mode(kwargs, error, name):
    with pytest.raises(error, match=name):
        widgets.interactive_figure(**{"render": _line_figure, "sliders": {"slope": Slider((0.0, 1.0), 0.0, "k")},
                                      "alt": "A line", "mode": "live", **kwargs})


def test_using_mode_forces_a_mode():
    with pytest.raises(ValueError, match="mode"):
        with widgets.using_mode(None):
            pass


@pytest.mark.parametrize("kwargs, error, name", [
    ({"children": None}, TypeError, "children"), ({"children": ["abc"]}, TypeError, "children"),
    ({"mode": "abc"}, ValueError, "mode"), ({"controls": "abc"}, TypeError, "controls"),
    ({"image": "abc"}, TypeError, "image"), ({"stack": True}, TypeError, "stack"),
    ({"frames": "abc"}, TypeError, "frames"), ({"links": None}, TypeError, "links"),
])
def test_figure_box_refuses_bad_parts(kwargs, error, name):
    with pytest.raises(error, match=name):
        widgets.FigureBox(**{"children": [], "mode": "live", "controls": {}, **kwargs})


# --- static twin: one slider -----------------------------------------------------------------------


SLOPES = (-2.0, -1.0, 0.0, 1.0, 2.0)


@pytest.fixture(scope="module")
def static_one():
    return widgets.interactive_figure(
        _line_figure,
        {"slope": Slider(SLOPES, 1.0, "slope")},
        lambda slope: f"A straight line through the origin with slope {slope:g}.",
        title="Slope",
        mode="static",
    )


def test_static_one_slider_stack_has_one_child_per_position(static_one):
    box = static_one
    assert isinstance(box, ipywidgets.VBox) and box.mode == "static"
    slider = box.controls["slope"]
    assert isinstance(slider, ipywidgets.SelectionSlider)
    assert slider_values(slider) == list(SLOPES)
    assert _labels(slider) == ["-2", "-1", "0", "1", "2"]  # the reader sees the real values, not indices
    stack = box.stack
    assert isinstance(stack, ipywidgets.Stack)
    assert len(stack.children) == len(SLOPES)
    assert all(isinstance(child, ipywidgets.HTML) for child in stack.children)
    assert stack in box.children and slider in box.children


def test_static_one_slider_is_jslinked_index_to_selected_index(static_one):
    box = static_one
    (link,) = box.links
    assert isinstance(link, Link) and link._model_name == "LinkModel"  # jslink, not Python-side link
    assert _link_ends(link) == (box.controls["slope"], "index", box.stack, "selected_index")
    assert box.stack.selected_index == box.controls["slope"].index == SLOPES.index(1.0)


def test_static_frames_are_described_and_differ(static_one):
    box = static_one
    htmls = [child.value for child in box.stack.children]
    alts = [alt_of(h) for h in htmls]
    assert all(a.strip() for a in alts)
    assert alts == [f"A straight line through the origin with slope {s:g}." for s in SLOPES]
    assert len({f.png for f in box.frames}) == len(SLOPES)  # every frame is a different picture
    assert [f.values for f in box.frames] == [{"slope": s} for s in SLOPES]


def test_static_frames_are_small(static_one):
    sizes = [len(f.png) for f in static_one.frames]
    assert max(sizes) < FRAME_BUDGET, sizes


def test_static_twin_repr_holds_no_image_data(static_one):
    text = repr(static_one)
    assert "base64" not in text and len(text) < 200


# --- static twin: two sliders ---------------------------------------------------------------------


def test_static_two_sliders_make_nested_stacks_linked_in_the_browser():
    slopes, shifts = (-1.0, 0.0, 1.0), (-1.0, 0.5, 1.0)
    box = widgets.interactive_figure(
        _line_figure,
        {"slope": Slider(slopes, 0.0, "slope"), "shift": Slider(shifts, 0.5, "shift")},
        "Line with slope {slope} shifted by {shift}",
        mode="static",
    )
    a, b = box.controls["slope"], box.controls["shift"]
    outer = box.stack
    assert len(outer.children) == len(slopes)
    assert all(isinstance(inner, ipywidgets.Stack) and len(inner.children) == len(shifts) for inner in outer.children)
    assert outer.selected_index == a.index == 1
    assert all(inner.selected_index == b.index == 1 for inner in outer.children)
    ends = {(_link_ends(link)[0], _link_ends(link)[2]) for link in box.links}
    assert ends == {(a, outer)} | {(b, inner) for inner in outer.children}
    assert all(_link_ends(link)[1::2] == ("index", "selected_index") for link in box.links)
    # Frame (i, j) shows slopes[i] and shifts[j].
    for i, inner in enumerate(outer.children):
        for j, page in enumerate(inner.children):
            assert alt_of(page.value) == f"Line with slope {slopes[i]} shifted by {shifts[j]}"
    assert len({f.png for f in box.frames}) == len(slopes) * len(shifts)


def test_static_subset_holds_other_sliders_at_fixedslider_values():
    seen = []

    def render(slope, shift, colour):
        seen.append((slope, shift, colour))
        return _line_figure(slope, shift)

    sliders = {
        "slope": Slider((0.0, 1.0), 1.0, "slope"),
        "shift": Slider((0.0, 1.0), 0.0, "shift"),
        "colour": Slider(("blue", "red"), "blue", "colour"),
    }
    with pytest.raises(ValueError, match="static"):
        widgets.interactive_figure(render, sliders, "A line", mode="static")  # three sliders, no subset
    box = widgets.interactive_figure(render, sliders, "A line", static=["slope"], fixed={"shift": 1.0},
                                     mode="static")
    assert list(box.controls) == ["slope"]
    assert seen == [(0.0, 1.0, "blue"), (1.0, 1.0, "blue")]
    with pytest.raises(ValueError, match="fixed"):
        widgets.interactive_figure(render, sliders, "A line", static=["slope"], fixed={"slope": 0.0},
                                   mode="static")
    with pytest.raises(ValueError, match="static"):
        widgets.interactive_figure(render, sliders, "A line", static=["speed"], mode="static")


def test_frame_and_byte_budgets_are_enforced():
    many = Slider(tuple(float(i) for i in range(11)), 0.0, "k")
    with pytest.raises(ValueError, match="max_frames"):
        widgets.render_frames(_line_figure, {"slope": many, "shift": many}, "A line", max_frames=100)
    with pytest.raises(ValueError, match="max_bytes"):
        widgets.interactive_figure(_line_figure, {"slope": Slider((0.0, 1.0), 0.0, "k")}, "A line",
                                   mode="static", max_bytes=1000)


def test_alt_text_is_required_for_every_frame():
    with pytest.raises(ValueError, match="alt"):
        widgets.interactive_figure(_line_figure, {"slope": Slider((0.0, 1.0), 0.0, "k")},
                                   lambda slope: "" if slope else "Flat line", mode="static")
    with pytest.raises(TypeError, match="alt"):
        widgets.interactive_figure(_line_figure, {"slope": Slider((0.0, 1.0), 0.0, "k")}, None, mode="static")


def test_render_must_return_a_figure_or_png():
    with pytest.raises(TypeError, match="render"):
        widgets.interactive_figure(lambda slope: None, {"slope": Slider((0.0,), 0.0, "k")}, "A line",
                                   mode="static")


# --- live ----------------------------------------------------------------------------------------------


def test_live_slider_change_redraws_the_image():
    calls = []

    def render(slope):
        calls.append(slope)
        return _line_figure(slope)

    box = widgets.interactive_figure(render, {"slope": Slider(SLOPES, 0.0, "slope", step=0.5)},
                                     "A line with slope {slope}", mode="live")
    assert box.mode == "live" and box.frames == [] and box.stack is None
    slider = box.controls["slope"]
    assert isinstance(slider, ipywidgets.FloatSlider)
    assert (slider.min, slider.max, slider.step, slider.value) == (-2.0, 2.0, 0.5, 0.0)
    before = box.image.value
    assert alt_of(before) == "A line with slope 0.0"
    slider.value = 1.5  # between the static positions: live sliders are continuous
    assert calls == [0.0, 1.5]
    assert box.image.value != before
    assert alt_of(box.image.value) == "A line with slope 1.5"


def test_live_figure_reused_in_place_redraws_with_a_frozen_layout():
    fig, ax = plotting.figure("A line through the origin", "x", "y", ylim=(-3, 3))
    (line,) = ax.plot([-1, 1], [0, 0])

    def render(slope):
        line.set_ydata([-slope, slope])
        return fig

    box = widgets.interactive_figure(render, {"slope": Slider(SLOPES, 0.0, "slope")}, "A line", mode="live")
    position = ax.get_position().bounds
    before = box.image.value
    box.controls["slope"].value = 2.0
    assert box.image.value != before
    # The second frame reuses the first frame's layout: axes do not jump between frames.
    assert not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    assert ax.get_position().bounds == position


def test_live_without_step_uses_the_static_positions():
    box = widgets.interactive_figure(_line_figure, {"slope": Slider(SLOPES, 0.0, "slope")}, "A line",
                                     mode="live")
    slider = box.controls["slope"]
    assert isinstance(slider, ipywidgets.SelectionSlider)
    before = box.image.value
    slider.value = 2.0
    assert box.image.value != before


def test_live_mode_stores_no_frames(monkeypatch):
    monkeypatch.setenv(widgets.ENV_VAR, "0")
    box = widgets.interactive_figure(_line_figure, {"slope": Slider(SLOPES, 0.0, "slope")}, "A line")
    assert box.mode == "live" and box.frames == []
    assert box.nbytes == len(box.image.value)  # one image, not one per position


# --- Chapter 1: the neuron's decision boundary --------------------------------------------------


def test_neuron_classes_for_the_and_neuron():
    X, y = data.logic_gate("AND")
    w, b = np.array([1.0, 1.0]), -1.5
    assert widgets.neuron_classes(X, w, b).tolist() == y.tolist() == [0, 0, 0, 1]
    points = np.array([[1.0, 1.0], [0.0, 0.0], [0.75, 0.75]])  # the last lies on the boundary
    assert widgets.neuron_classes(points, w, b).tolist() == [1, 0, 1]  # step(0) = 1


def test_boundary_geometry_distance_normal_and_foot():
    geo = widgets.boundary_geometry([1.0, 1.0], -1.5)
    assert geo.distance == pytest.approx(1.5 / np.sqrt(2), rel=1e-15)
    np.testing.assert_allclose(geo.normal, [2**-0.5, 2**-0.5], rtol=1e-15)
    np.testing.assert_allclose(geo.foot, [0.75, 0.75], rtol=1e-14)  # on the line: 0.75 + 0.75 - 1.5 = 0
    assert abs(geo.direction @ geo.normal) < 1e-15  # the line is perpendicular to w
    geo = widgets.boundary_geometry([0.0, 2.0], 1.0)  # x2 = -1/2, below the origin
    assert geo.distance == -0.5
    np.testing.assert_allclose(geo.foot, [0.0, -0.5], atol=1e-15)


def test_zero_weights_have_no_boundary():
    assert widgets.boundary_geometry([0.0, 0.0], 0.3) is None
    X = np.random.default_rng(0).uniform(-2, 2, size=(50, 2))  # (50, 2)
    assert (widgets.neuron_classes(X, np.zeros(2), 0.3) == 1).all()
    assert (widgets.neuron_classes(X, np.zeros(2), -0.3) == 0).all()


@pytest.mark.parametrize("w, b", [((1.0, 1.0), -1.5), ((-1.0, 0.3), 0.4), ((0.0, 1.0), 2.5), ((2.0, -2.0), 0.0),
                                  ((0.0, 0.0), 0.5), ((0.0, 0.0), -0.5), ((1.0, 0.0), 3.0)])
def test_shaded_polygon_is_exactly_the_class_one_region(w, b):
    polygon = widgets.half_plane_polygon(w, b)
    X = np.random.default_rng(1).uniform(-2, 2, size=(2000, 2))  # (2000, 2)
    expected = widgets.neuron_classes(X, np.array(w), b)
    if len(polygon) == 0:
        assert (expected == 0).all()
        return
    inside = Path(polygon).contains_points(X)
    # Points within 1e-9 of the line could go either way in contains_points;
    # none of these seeded points are that close.
    assert (inside == (expected == 1)).all()


def test_neuron_plane_with_zero_weights_shows_a_message_without_warnings():
    plane = widgets.NeuronPlane()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = plane.png(0.0, 0.0, 0.5)
    assert png.startswith(b"\x89PNG")
    assert plane.message.get_visible() and "no boundary" in plane.message.get_text()
    assert not plane.arrow.get_visible()
    plane.png(1.0, 0.0, 0.5)
    assert not plane.message.get_visible() and plane.arrow.get_visible()


def test_neuron_plane_fast_path_matches_a_full_redraw():
    plane = widgets.NeuronPlane("AND")
    plane.png(-1.0, 0.5, 0.2)  # a different frame first, so the blit really replaces it
    fast = plane.png(1.0, 1.0, -1.5, palette=False)
    full = plotting.to_png(plane(1.0, 1.0, -1.5), close=False)
    from io import BytesIO

    from PIL import Image

    a = np.asarray(Image.open(BytesIO(fast)).convert("RGB"), dtype=int)
    b = np.asarray(Image.open(BytesIO(full)).convert("RGB"), dtype=int)
    assert a.shape == b.shape
    # Spines are drawn twice on the fast path (once in the kept bitmap): their
    # antialiased edge pixels darken slightly. Everything else is identical.
    differ = np.abs(a - b).max(axis=-1) > 8
    assert differ.mean() < 0.002


@pytest.fixture(scope="module")
def boundary_static():
    return widgets.decision_boundary("AND", mode="static")


def test_decision_boundary_static_grid(boundary_static):
    box = boundary_static
    angle, b = box.controls["angle"], box.controls["b"]
    assert slider_values(angle) == [0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0]
    assert _labels(angle)[:3] == ["0°", "45°", "90°"]
    assert slider_values(b) == [-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0]
    assert angle.value == 45.0 and b.value == -1.0  # starts on the AND neuron
    assert len(box.stack.children) == 8 and all(len(inner.children) == 9 for inner in box.stack.children)
    assert len(box.frames) == 72 and len({f.png for f in box.frames}) == 72
    assert len(box.links) == 1 + 8


def test_decision_boundary_static_frames_are_described(boundary_static):
    alts = static_alts(boundary_static)
    assert len(set(alts)) == 72
    start = boundary_static.stack.children[1].children[2]  # 45°, b = -1
    assert "w = (0.71, 0.71)" in start.value and "4 of 4 right" in alt_of(start.value)
    flat = boundary_static.stack.children[2].children[4]  # 90°, b = 0: the line x2 = 0
    assert "w = (0.00, 1.00)" in alt_of(flat.value) and "points up" in alt_of(flat.value)


def test_decision_boundary_static_size_budget(boundary_static):
    assert_frames_small(boundary_static, 1_500_000)  # of a page that must stay well under 3 MB


def test_decision_boundary_static_frames_match_the_neuron(boundary_static):
    # The AND frame (45°, b = -1) classifies the gate's inputs correctly; the OR
    # frame (45°, b = -0.5) and the NAND frame (225°, b = 1) too.
    X, _ = data.logic_gate("AND")
    for angle, b, gate in ((45.0, -1.0, "AND"), (45.0, -0.5, "OR"), (225.0, 1.0, "NAND"), (225.0, 0.5, "NOR")):
        t = np.radians(angle)
        w = np.array([np.cos(t), np.sin(t)])
        assert widgets.neuron_classes(X, w, b).tolist() == data.logic_gate(gate)[1].tolist(), gate


def test_decision_boundary_live_sliders_redraw_fast():
    box = widgets.decision_boundary("AND", mode="live")
    assert list(box.controls) == ["w1", "w2", "b"]
    w1 = box.controls["w1"]
    assert isinstance(w1, ipywidgets.FloatSlider) and (w1.min, w1.max, w1.step) == (-2.0, 2.0, 0.1)
    assert (w1.value, box.controls["w2"].value, box.controls["b"].value) == (1.0, 1.0, -1.5)
    assert "4 of 4 right" in alt_of(box.image.value)
    times = timed_moves(box, [(w1, round(-1.4 + 0.2 * k, 1)) for k in range(15)])
    # Measured median 27-40 ms on a loaded 2-core machine; the bound is generous
    # for slower CI runners but still catches a return to full redraws (150+ ms).
    assert np.median(times) < 0.12, times


def test_decision_boundary_live_zero_weights():
    box = widgets.decision_boundary(mode="live")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        box.controls["w1"].value = 0.0
        box.controls["w2"].value = 0.0
    assert "no boundary" in alt_of(box.image.value)


def test_decision_boundary_argument_errors():
    with pytest.raises(ValueError, match="XNOR"):
        widgets.decision_boundary("XNOR")
    with pytest.raises(ValueError, match="w1"):
        widgets.decision_boundary(w1=3.0, mode="live")
    with pytest.raises(TypeError, match="b"):
        widgets.decision_boundary(b="low", mode="live")


def test_decision_boundary_checks_the_starting_values_in_static_mode_too():
    with pytest.raises(ValueError, match="w2"):
        widgets.decision_boundary(w2=2.5, mode="static")


@pytest.mark.parametrize("call, error, name", [
    (lambda: widgets.boundary_geometry([1.0, 1.0, 1.0], 0.5), ValueError, "w"),
    (lambda: widgets.boundary_geometry([1.0, np.inf], 0.5), ValueError, "w"),
    (lambda: widgets.boundary_geometry([1.0, 1.0], True), TypeError, "b"),
    (lambda: widgets.half_plane_polygon("1 1", 0.5), TypeError, "w"),
    (lambda: widgets.half_plane_polygon([1.0, 1.0], np.nan), ValueError, "b"),
    (lambda: widgets.half_plane_polygon([1.0, 1.0], 0.5, lim=0.0), ValueError, "lim"),
    (lambda: widgets.NeuronPlane(gate=1), TypeError, "gate"),
])
def test_chapter_1_geometry_refuses_bad_arguments_by_name(call, error, name):
    with pytest.raises(error, match=rf"^{name} "):
        call()


@pytest.fixture(scope="module")
def plain_plane():
    return widgets.NeuronPlane()


@pytest.mark.parametrize("method", ["update", "__call__", "png"])
@pytest.mark.parametrize("args, error, name", [
    (("1.0", 1.0, 0.0), TypeError, "w1"),  # NumPy would have read the string as 1.0
    ((1.0, True, 0.0), TypeError, "w2"),
    ((1.0, 1.0, np.nan), ValueError, "b"),
])
def test_neuron_plane_refuses_bad_slider_values_by_name(plain_plane, method, args, error, name):
    with pytest.raises(error, match=rf"^{name} "):
        getattr(plain_plane, method)(*args)


def test_decision_boundary_follows_the_environment(monkeypatch):
    monkeypatch.setenv(widgets.ENV_VAR, "1")
    assert widgets.decision_boundary().mode == "static"
    monkeypatch.setenv(widgets.ENV_VAR, "0")
    assert widgets.decision_boundary().mode == "live"
