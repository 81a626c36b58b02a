"""The book's figure look: palette, style, titles, alt text, PNG output, decision-region helpers."""

from __future__ import annotations

import base64
import io
import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PIL import Image

from mathcore import plotting

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _figure():
    fig, ax = plotting.figure("A rising line", "x", "y")
    ax.plot([0, 1], [0, 1])
    return fig


# --- palette and style ------------------------------------------------------------


def test_okabe_ito_palette_has_eight_distinct_colours():
    assert len(plotting.OKABE_ITO) == 8
    assert len(plotting.PALETTE) == 8
    assert set(plotting.PALETTE) == set(plotting.OKABE_ITO.values())
    rgb = np.array([to_rgb(c) for c in plotting.PALETTE])  # (8, 3)
    # Every pair differs by at least 60/255 in some channel (the closest pair,
    # blue and bluish green, by 63/255 in red): distinct on screen.
    for i, j in itertools.combinations(range(8), 2):
        assert np.abs(rgb[i] - rgb[j]).max() * 255 >= 60, (plotting.PALETTE[i], plotting.PALETTE[j])


def test_classes_differ_by_marker_shape_as_well_as_colour():
    n = len(plotting.CLASS_COLORS)
    assert len(set(plotting.CLASS_MARKERS)) == len(plotting.CLASS_MARKERS) >= n
    assert len(set(plotting.CLASS_COLORS)) == n


def test_book_style_is_applied_inside_the_block_and_restored_after():
    before = matplotlib.rcParams["figure.dpi"]
    with plotting.book_style():
        assert matplotlib.rcParams["figure.dpi"] == plotting.DPI
        cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        assert [c.upper() for c in cycle] == [c.upper() for c in plotting.PALETTE]
    assert matplotlib.rcParams["figure.dpi"] == before


def test_dpi_and_size_are_modest():
    assert 80 <= plotting.DPI <= 100
    fig = _figure()
    png = plotting.to_png(fig)
    width, height = Image.open(io.BytesIO(png)).size
    assert (width, height) == (round(6 * plotting.DPI), round(4 * plotting.DPI))


# --- figure() insists on a title ----------------------------------------------------


@pytest.mark.parametrize("title", ["", "   ", "\n"])
def test_figure_refuses_an_empty_title(title):
    with pytest.raises(ValueError, match="title"):
        plotting.figure(title)


def test_figure_refuses_a_title_that_is_not_text():
    with pytest.raises(TypeError, match="title"):
        plotting.figure(None)


def test_figure_sets_title_labels_limits_and_aspect():
    fig, ax = plotting.figure("Plane", "x1", "x2", equal=True, xlim=(-2, 2), ylim=(-1, 1))
    assert ax.get_title() == "Plane"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1, 1)
    assert ax.get_aspect() == 1.0


def test_figure_is_not_registered_with_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plotting.figure("Invisible to pyplot")
    # The inline backend shows every pyplot figure at the end of a cell: a
    # second copy, without alt text, of each figure shown with show().
    assert plt.get_fignums() == before


# --- PNG output ------------------------------------------------------------------------


@pytest.mark.parametrize("palette", [False, True])
def test_to_png_returns_a_valid_png(palette):
    png = plotting.to_png(_figure(), palette=palette)
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.verify()  # raises on a corrupt file


def test_to_png_is_deterministic_and_has_no_software_stamp():
    assert plotting.to_png(_figure()) == plotting.to_png(_figure())
    assert b"Software" not in plotting.to_png(_figure())


def test_to_png_closes_pyplot_figures():
    import matplotlib.pyplot as plt

    fig = plt.figure()
    plt.plot([0, 1])
    plotting.to_png(fig)
    assert fig.number not in plt.get_fignums()


def test_palette_png_is_smaller_and_keeps_colours_close():
    fig = _figure()
    exact = plotting.to_png(fig, close=False)
    small = plotting.to_png(fig, palette=True)
    assert len(small) < len(exact)
    a = np.asarray(Image.open(io.BytesIO(exact)).convert("RGB"), dtype=int)
    b = np.asarray(Image.open(io.BytesIO(small)).convert("RGB"), dtype=int)
    # Octree quantisation to 256 colours of a line plot: measured max error 14/255
    # on the book's figures; 32 leaves room for other content without hiding a
    # wrong colour (Okabe-Ito colours differ by 63/255 or more).
    assert np.abs(a - b).max() <= 32


def test_to_png_composites_transparent_figures_on_white():
    fig = _figure()
    fig.patch.set_alpha(0.0)
    image = Image.open(io.BytesIO(plotting.to_png(fig))).convert("RGB")
    assert image.getpixel((0, 0)) == (255, 255, 255)


def test_to_png_refuses_non_figures():
    with pytest.raises(TypeError, match="fig"):
        plotting.to_png("not a figure")


def test_png_data_uri_round_trips():
    png = plotting.to_png(_figure())
    uri = plotting.png_data_uri(png)
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == png


def test_png_data_uri_refuses_non_png():
    with pytest.raises(ValueError, match="png_bytes"):
        plotting.png_data_uri(b"GIF89a....")
    with pytest.raises(TypeError, match="png_bytes"):
        plotting.png_data_uri("iVBOR")


# --- alt text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "alt",
    ["", "  ", "<Figure size 540x360 with 1 Axes>", "<matplotlib.figure.Figure object at 0x7f3a2c1d9e50>",
     "Figure(640x480)"],
)
def test_alt_text_must_describe_the_figure(alt):
    with pytest.raises(ValueError, match="alt"):
        plotting.check_alt(alt)


def test_alt_text_must_be_a_string():
    with pytest.raises(TypeError, match="alt"):
        plotting.check_alt(None)


def test_img_html_escapes_alt_text():
    png = plotting.to_png(_figure())
    html = plotting.img_html(png, 'A line from "a" to <b> & beyond')
    assert 'alt="A line from &quot;a&quot; to &lt;b&gt; &amp; beyond"' in html
    assert html.startswith("<img ") and 'src="data:image/png;base64,' in html


def test_show_displays_html_img_with_alt_and_plain_text_fallback(monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    plotting.show(_figure(), alt="A straight line rising from (0, 0) to (1, 1).")
    ((bundle, raw),) = shown
    assert raw is True
    assert set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"] == "A straight line rising from (0, 0) to (1, 1)."
    assert '<img src="data:image/png;base64,' in bundle["text/html"]
    assert 'alt="A straight line rising from (0, 0) to (1, 1)."' in bundle["text/html"]


def test_show_refuses_missing_alt_before_rendering():
    with pytest.raises(ValueError, match="alt"):
        plotting.show(_figure(), alt="")


# --- decision regions and points ------------------------------------------------------------


def test_grid_labels_are_indexed_rows_by_y_and_columns_by_x():
    labels = plotting.grid_labels(lambda P: (P[:, 0] > 0).astype(int), (-1, 1), (-1, 1), 4)
    # Columns at x = -1, -1/3, 1/3, 1: the right half is class 1 on every row.
    assert labels.tolist() == [[0, 0, 1, 1]] * 4
    labels = plotting.grid_labels(lambda P: (P[:, 1] > 0).astype(int), (-1, 1), (-1, 1), 4)
    assert labels.tolist() == [[0] * 4, [0] * 4, [1] * 4, [1] * 4]


def test_plot_decision_region_shades_by_class_and_draws_the_boundary():
    fig, ax = plotting.figure("Regions", equal=True)
    image = plotting.plot_decision_region(ax, lambda P: (P.sum(axis=1) > 0).astype(int), (-2, 2), (-2, 2),
                                          resolution=50)
    data = image.get_array()
    assert data.shape == (50, 50)
    assert data[0, 0] == 0 and data[-1, -1] == 1  # (-2, -2) is class 0, (2, 2) class 1
    assert len(ax.collections) == 1  # the contour of the boundary
    assert ax.get_xlim() == (-2, 2)
    plotting.to_png(fig)


def test_plot_decision_region_checks_the_prediction_shape():
    fig, ax = plotting.figure("Regions")
    with pytest.raises(ValueError, match="predict_fn"):
        plotting.plot_decision_region(ax, lambda P: np.zeros((len(P), 2)), (-1, 1), (-1, 1))
    with pytest.raises(ValueError, match="xlim"):
        plotting.plot_decision_region(ax, lambda P: np.zeros(len(P)), (1, -1), (-1, 1))


def test_plot_points_uses_one_colour_and_marker_per_class():
    fig, ax = plotting.figure("Points")
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.5, 0.2], [2.0, 1.0]])  # (4, 2)
    y = np.array([0, 1, 0, 2])  # (4,)
    artists = plotting.plot_points(ax, X, y, labels=["zero", "one", "two"])
    assert [a.get_label() for a in artists] == ["zero", "one", "two"]
    for k, artist in enumerate(artists):
        assert np.allclose(artist.get_facecolor()[0][:3], to_rgb(plotting.CLASS_COLORS[k]))
    paths = [a.get_paths()[0].vertices.shape for a in artists]
    assert len(set(paths)) == 3  # circle, square and triangle have different outlines
    assert len(artists[0].get_offsets()) == 2


def test_plot_points_checks_shapes_and_labels():
    fig, ax = plotting.figure("Points")
    with pytest.raises(ValueError, match="X"):
        plotting.plot_points(ax, np.zeros((3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="y"):
        plotting.plot_points(ax, np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="y"):
        plotting.plot_points(ax, np.zeros((2, 2)), np.array([0.5, 1.0]))


# --- image grids and confusion matrices ----------------------------------------------------


def test_image_grid_lays_out_captioned_images():
    imgs = np.arange(5 * 4 * 4, dtype=float).reshape(5, 4, 4)  # (5, 4, 4)
    fig, axes = plotting.image_grid(imgs, [f"image {k}" for k in range(5)], "Five images", ncols=3)
    assert axes.shape == (2, 3)
    shown = [ax for ax in axes.ravel() if ax.images]
    assert len(shown) == 5 and [ax.get_title() for ax in shown] == [f"image {k}" for k in range(5)]
    np.testing.assert_array_equal(shown[2].images[0].get_array(), imgs[2])
    assert not axes.ravel()[5].images  # the sixth cell is empty
    assert plotting.to_png(fig).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    "images, titles, match",
    [
        (np.zeros((2, 4)), ["a", "b"], "shape \\(m, h, w\\)"),
        (np.zeros((2, 4, 4)), ["a"], "titles must be a sequence of 2 strings"),
        (np.zeros((1, 4, 4)), "a", "titles must be a sequence"),
        (np.full((1, 2, 2), np.nan), ["a"], "finite"),
    ],
)
def test_image_grid_checks_its_input(images, titles, match):
    with pytest.raises(ValueError, match=match):
        plotting.image_grid(images, titles, "Images")


def test_image_grid_needs_a_title():
    with pytest.raises(ValueError, match="title must not be empty"):
        plotting.image_grid(np.zeros((1, 2, 2)), ["a"], " ")


def test_plot_confusion_matrix_writes_every_count_and_shades_mistakes():
    M = np.array([[40, 2, 0], [1, 35, 0], [0, 0, 44]])
    fig, ax = plotting.figure("Confusion")
    image = plotting.plot_confusion_matrix(ax, M, labels=["a", "b", "c"])
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["40", "2", "1", "35", "44"])  # zeros are left blank
    data = image.get_array()
    assert np.ma.is_masked(data[0, 0]) and data[0, 1] == 2  # NaN, masked: the mistakes' own scale excludes the diagonal
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert plotting.to_png(fig).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    "M, kwargs, match",
    [
        (np.ones((2, 3)), {}, "square"),
        (np.array([[1, -1], [0, 1]]), {}, "non-negative"),
        (np.eye(2), {"labels": ["a"]}, "name all 2 classes"),
    ],
)
def test_plot_confusion_matrix_checks_its_input(M, kwargs, match):
    fig, ax = plotting.figure("Confusion")
    with pytest.raises(ValueError, match=match):
        plotting.plot_confusion_matrix(ax, M, **kwargs)


# --- log axes ----------------------------------------------------------------------------------

def test_log_axis_labels_powers_of_ten_in_plain_text():
    fig = Figure()
    ax = fig.add_subplot(xscale="log", yscale="log", xlim=(1e-8, 1e8), ylim=(0.03, 0.4))
    plotting.log_axis(ax.xaxis, every=4)
    plotting.log_axis(ax.yaxis, ticks=[0.05, 0.1, 0.2])
    xlabels = [ax.xaxis.get_major_formatter()(v) for v in ax.get_xticks() if 1e-8 <= v <= 1e8]
    assert xlabels == ["10⁻⁸", "10⁻⁴", "10⁰", "10⁴", "10⁸"]
    # ticks that are not all powers of ten are written as plain numbers, 0.1 included
    assert [ax.yaxis.get_major_formatter()(v) for v in (0.05, 0.1, 0.2)] == ["0.05", "0.1", "0.2"]
    assert "$" not in "".join(xlabels)  # never mathtext, whose layout is slow
    assert len(ax.xaxis.get_minorticklocs()) == 0 and len(ax.yaxis.get_minorticklocs()) == 0
    plotting.log_axis(ax.yaxis, ticks=[1e-20, 1e-15, 1.0])
    assert [ax.yaxis.get_major_formatter()(v) for v in (1e-20, 1.0)] == ["10⁻²⁰", "10⁰"]


def test_power_of_ten():
    assert [plotting.power_of_ten(v) for v in (1e-4, 1.0, 10.0, 0.5, 0.0, -1.0)] == \
        ["10⁻⁴", "10⁰", "10¹", "0.5", "0", "-1"]


def test_log_axis_rejects_bad_input():
    fig = Figure()
    ax = fig.add_subplot(yscale="log")
    with pytest.raises(ValueError, match="every must be >= 1"):
        plotting.log_axis(ax.yaxis, every=0)
    with pytest.raises(TypeError, match="ax.yaxis"):
        plotting.log_axis(ax)
    with pytest.raises(ValueError, match="positive"):
        plotting.log_axis(ax.yaxis, ticks=[0.0, 1.0])
    with pytest.raises(ValueError, match="ticks"):
        plotting.log_axis(ax.yaxis, ticks=[[1.0]])


def _rgba():
    return np.zeros((4, 4, 4), dtype=np.uint8)


@pytest.mark.parametrize("kwargs, error, name", [
    ({"palette": None}, TypeError, "palette"),
    ({"palette": "no"}, TypeError, "palette"),
    ({"palette": 1}, TypeError, "palette"),
    ({"compress_level": "2"}, TypeError, "compress_level"),
    ({"compress_level": float("nan")}, TypeError, "compress_level"),
    ({"compress_level": True}, TypeError, "compress_level"),
    ({"compress_level": 10}, ValueError, "compress_level"),
    ({"compress_level": -1}, ValueError, "compress_level"),
])
@pytest.mark.parametrize("encode", [lambda **kw: plotting.to_png(_figure(), **kw),
                                    lambda **kw: plotting.rgba_to_png(_rgba(), **kw)], ids=["to_png", "rgba_to_png"])
def test_png_encoders_refuse_bad_options(encode, kwargs, error, name):
    # every chapter widget's png() forwards palette and compress_level here
    with pytest.raises(error, match=name):
        encode(**kwargs)


@pytest.mark.parametrize("kwargs, error, name", [
    ({"close": None}, TypeError, "close"), ({"close": "no"}, TypeError, "close"),
    ({"dpi": "90"}, TypeError, "dpi"), ({"dpi": float("nan")}, ValueError, "dpi"),
    ({"dpi": True}, TypeError, "dpi"), ({"dpi": 0}, ValueError, "dpi"), ({"dpi": 10**6}, ValueError, "dpi"),
])
def test_to_png_refuses_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        plotting.to_png(_figure(), **kwargs)


def test_rgba_to_png_refuses_ragged_pixels():
    with pytest.raises(TypeError, match="rgba"):
        plotting.rgba_to_png([[1.0, 2.0], [3.0]])


def _ax():
    return plotting.figure("Axes")[1]


_REGION = {"predict_fn": lambda P: (P[:, 0] > 0).astype(int), "xlim": (-1.0, 1.0), "ylim": (-1.0, 1.0),
           "resolution": 10}


@pytest.mark.parametrize("call, kwargs, error, name", [
    ("figure", {"figsize": None}, TypeError, "figsize"),
    ("figure", {"figsize": (6.0, float("inf"))}, ValueError, "figsize"),
    ("figure", {"equal": "yes"}, TypeError, "equal"),
    ("figure", {"xlim": 1.0}, TypeError, "xlim"),
    ("figure", {"ylim": (1.0, 0.0)}, ValueError, "ylim"),
    ("grid_labels", {"predict_fn": None}, TypeError, "predict_fn"),
    ("grid_labels", {"resolution": 0}, ValueError, "resolution"),
    ("grid_labels", {"resolution": 10**400}, ValueError, "resolution"),
    ("grid_labels", {"xlim": (-1.0, float("nan"))}, ValueError, "xlim"),
    ("plot_decision_region", {"ax": None}, TypeError, "ax"),
    ("plot_decision_region", {"alpha": 2.0}, ValueError, "alpha"),
    ("plot_decision_region", {"boundary": None}, TypeError, "boundary"),
    ("plot_decision_region", {"boundary_color": "no-such-colour"}, ValueError, "boundary_color"),
    ("plot_points", {"X": np.array([[0.0, np.nan]])}, ValueError, "X"),
    ("plot_points", {"y": np.array([0, 1j])}, TypeError, "y"),
    ("plot_points", {"labels": "ab"}, TypeError, "labels"),
    ("plot_points", {"labels": ["only one"]}, ValueError, "labels"),
    ("plot_points", {"size": 0}, ValueError, "size"),
    ("plot_points", {"edgecolor": None}, TypeError, "edgecolor"),
    ("image_grid", {"titles": None}, ValueError, "titles"),
    ("image_grid", {"cell": True}, TypeError, "cell"),
    ("image_grid", {"ncols": 10**400}, ValueError, "ncols"),
    ("image_grid", {"cmap": None}, TypeError, "cmap"),
    ("plot_confusion_matrix", {"ax": "ax"}, TypeError, "ax"),
    ("plot_confusion_matrix", {"M": [[1, 2], [3]]}, TypeError, "M"),
    ("plot_confusion_matrix", {"labels": True}, TypeError, "labels"),
    ("plot_confusion_matrix", {"cmap": "no-such-map"}, ValueError, "cmap"),
    ("power_of_ten", {"value": float("nan")}, ValueError, "value"),
    ("power_of_ten", {"value": True}, TypeError, "value"),
    ("log_axis", {"every": 10**400}, ValueError, "every"),
])
def test_plotting_refuses_bad_arguments_by_name(call, kwargs, error, name):
    valid = {
        "figure": lambda: {"title": "A title"},
        "grid_labels": lambda: dict(_REGION),
        "plot_decision_region": lambda: {"ax": _ax(), **_REGION},
        "plot_points": lambda: {"ax": _ax(), "X": np.zeros((2, 2)), "y": np.array([0, 1]), "labels": ["a", "b"]},
        "image_grid": lambda: {"images": np.zeros((2, 3, 3)), "titles": ["a", "b"], "title": "Images"},
        "plot_confusion_matrix": lambda: {"ax": _ax(), "M": np.eye(2)},
        "power_of_ten": lambda: {"value": 100.0},
        "log_axis": lambda: {"axis": Figure().add_subplot(yscale="log").yaxis},
    }[call]()
    with pytest.raises(error, match=name):
        getattr(plotting, call)(**{**valid, **kwargs})


def test_plot_points_takes_legend_names_from_a_mapping():
    artists = plotting.plot_points(_ax(), np.zeros((2, 2)), np.array([0, 2]), labels={0: "zero", 2: "two"})
    assert [a.get_label() for a in artists] == ["zero", "two"]
