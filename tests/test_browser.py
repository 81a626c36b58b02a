"""The built book in headless Chromium, offline: equations typeset, no script
errors, every slider of a static widget twin moves its figure, images have alt text.

The pages load MathJax and @jupyter-widgets/html-manager from the build itself
(_static/npm/, written by tools/vendor_npm.py from checked npm tarballs), so the
test serves the built folder on 127.0.0.1 and refuses every other request: a page
that reaches for a CDN fails. Screenshots of each page go to _build/screenshots/ for humans.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import sys
import threading
from pathlib import Path

import pytest

from conftest import BOOK_GROUP, ROOT, toc_files, unavailable

pytestmark = pytest.mark.xdist_group(BOOK_GROUP)

SCREENSHOTS = ROOT / "_build" / "screenshots"
PAGE_TIMEOUT_MS = 60_000
# ---------------------------------------------------------------- local server
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # the browser left a page while a file was still being sent: not an error of the book
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def site(built_book):
    """The built HTML served on 127.0.0.1 (module scripts and fetches need http://)."""
    handler = functools.partial(_QuietHandler, directory=str(built_book.html))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()



MATH_DONE = """async () => {
  const math = document.querySelectorAll('article .math');
  if (math.length === 0) return {math: 0, containers: 0, errors: 0};
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise)
    return {math: math.length, containers: -1, errors: 0};
  await MathJax.startup.promise;
  return {
    math: math.length,
    containers: document.querySelectorAll('article mjx-container').length,
    errors: document.querySelectorAll('article mjx-merror, article [data-mjx-error]').length,
  };
}"""

# The display equations are typeset and wide-math.js has marked those wider than the column, as it is now
MATH_SETTLED = """() => !document.querySelector('article .math') ||
    document.documentElement.dataset.mcMathWidth === String(document.querySelector('article').clientWidth)"""

WIDGETS_RENDERED = """() => {
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  return views.length === 0 || document.querySelectorAll('.jupyter-widgets').length > 0;
}"""

# What the reader sees as text, prose and rich outputs (Markdown, HTML), without
# code, plain-text outputs (<pre>), typeset math and scripts.
PROSE_TEXT = """() => {
  const article = document.querySelector('article.bd-article').cloneNode(true);
  article.querySelectorAll('pre, code, script, style, mjx-container, .cell_input')
    .forEach(e => e.remove());
  return article.textContent;
}"""


class LoadedPage:
    """A page of the book opened offline and settled, with everything it reported."""

    def __init__(self, browser, site: str, docname: str, viewport: dict | None = None, speech: bool = True):
        """``speech=False``: settled once the equations are typeset and marked (wide-math.js), without
        waiting for MathJax's web worker to give every equation its speech and Braille."""
        self.docname = docname
        self.errors: list[str] = []  # page errors, console errors, failed responses
        self.blocked: list[str] = []  # requests that left the local server (refused)
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        self.page = page = self.context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc} {exc.stack}"))
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(
            f"console: {msg.text} ({msg.location.get('url', '')})"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"))
        page.route("**/*", functools.partial(self._route, site))
        page.goto(f"{site}/{docname}.html", wait_until="load")
        # settled: MathJax has typeset the page and the widget manager has rendered
        if speech:
            self.math = page.evaluate(MATH_DONE)
        else:
            page.wait_for_function(MATH_SETTLED)
        page.wait_for_function(WIDGETS_RENDERED)
        page.wait_for_timeout(300)  # the widget views' first layout

    def _route(self, site, route):
        url = route.request.url
        if url.startswith(site) or url.startswith("data:"):
            route.continue_()
            return
        self.blocked.append(url)
        route.abort()

    def screenshot(self, suffix: str = "", element=None) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.docname.replace('/', '__')}{suffix}.png"
        if element is None:
            self.page.screenshot(path=str(path), full_page=True)
        else:
            element.screenshot(path=str(path))

    def close(self):
        self.context.close()


@pytest.fixture(scope="session")
def report():
    """Per page: equations typeset, sliders moved, errors seen, weight; written to
    _build/screenshots/report.json (and printed) when the browser tests end."""
    pages: dict[str, dict] = {}
    yield pages
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "report.json").write_text(json.dumps(pages, indent=1))
    for name, row in pages.items():
        print(f"{name}: {row}")


@pytest.fixture(scope="module", params=toc_files())
def loaded(request, browser, site, report):
    """Each page loaded once; its tests run in order on the same page."""
    loaded = LoadedPage(browser, site, request.param)
    loaded.screenshot()  # as a reader first sees it
    loaded.report = report.setdefault(request.param, {})
    yield loaded
    loaded.report["errors"] = len(loaded.errors)
    loaded.close()


def test_page_loads_offline_without_errors(loaded):
    assert loaded.blocked == [], f"{loaded.docname}: requests that left the book: {loaded.blocked}"
    assert loaded.errors == [], f"{loaded.docname}: {loaded.errors}"


def test_math_typesets(loaded):
    result = loaded.math
    loaded.report["equations_typeset"] = result["containers"]
    assert result["containers"] >= result["math"], f"{loaded.docname}: not all math typeset: {result}"
    assert result["errors"] == 0, f"{loaded.docname}: MathJax errors {result}"
    prose = loaded.page.evaluate(PROSE_TEXT)
    for raw in ("$$", "\\frac", "\\begin{", "\\(", "\\["):
        assert raw not in prose, f"{loaded.docname}: raw LaTeX {raw!r} visible in the text"


WIDE_EQUATIONS = """() => [...document.querySelectorAll('article mjx-container[display="true"]')]
    .filter(c => c.scrollWidth > c.clientWidth + 1)
    .map(c => {
        const item = MathJax.startup.document.getMathItemsWithin(c)[0];
        return `${c.scrollWidth} px in ${c.clientWidth} px: ${(item ? item.math : c.textContent).trim().slice(0, 100)}`;
    })"""


def test_display_equations_fit_the_column(loaded):
    """At 1280 px no displayed equation is wider than the text: a wider one is cut at the column's edge,
    and nothing tells the reader that the rest is there to scroll to. A long derivation breaks with
    ``Derivation(wrap=...)``, a docstring's equation with a line break. (On a phone they scroll.)"""
    wide = loaded.page.evaluate(WIDE_EQUATIONS)
    loaded.report["equations_too_wide"] = len(wide)
    assert wide == [], f"{loaded.docname}: equations wider than the column: {wide}"


WIDE_CODE = """() => [...document.querySelectorAll('article div.cell_input pre, article div.cell_output pre')]
    .filter(p => p.scrollWidth > p.clientWidth + 1)
    .map(p => `${p.scrollWidth} px in ${p.clientWidth} px: ${p.textContent.trim().split('\\n')[0].slice(0, 60)}`)"""


def test_code_and_printed_output_fit_the_column(loaded):
    """At 1280 px no code cell and no printed output is cut off at the column's edge (the static test
    in tests/test_contents.py keeps lines to 80 characters; this measures what the page shows)."""
    wide = loaded.page.evaluate(WIDE_CODE)
    loaded.report["code_too_wide"] = len(wide)
    assert wide == [], f"{loaded.docname}: code or output wider than the column: {wide}"


PHONE = {"width": 390, "height": 844}
WIDE_MARKS = """() => [...document.querySelectorAll('article mjx-container[display="true"]')]
    .filter(c => c.scrollWidth > c.clientWidth + 1)
    .map(c => {
        const note = document.getElementById(c.getAttribute('aria-describedby') || '');
        return {marked: c.classList.contains('mc-wide'), tabindex: c.getAttribute('tabindex'),
                note: note ? note.textContent : null, noteShown: !!note && note.getBoundingClientRect().height > 0};
    })"""


def test_equations_too_wide_for_a_phone_say_so_and_scroll_by_keyboard(loaded):
    """Narrowed to 390 px (MathJax does not break again), an equation that does not fit scrolls inside its
    box: it is marked (a visible note, its description for screen readers), it takes the keyboard focus,
    and moving through its parts with the arrow keys (MathJax's explorer) scrolls it."""
    page = loaded.page
    try:
        page.set_viewport_size(PHONE)
        page.wait_for_function(MATH_SETTLED)
        marks = page.evaluate(WIDE_MARKS)
        loaded.report["equations_wider_than_a_phone"] = len(marks)
        for mark in marks:
            assert mark["marked"] and mark["tabindex"] == "0", f"{loaded.docname}: {mark}"
            assert mark["noteShown"] and "scroll sideways" in mark["note"], f"{loaded.docname}: {mark}"
        if marks:
            box = page.locator("article mjx-container.mc-wide").first
            box.scroll_into_view_if_needed()
            box.focus()
            # MathJax 4's explorer: down into the equation's parts, then right through them
            # (the explorer highlights each part after the key event: a reader's pace, not a burst)
            for key in ["ArrowDown", "ArrowDown"] + ["ArrowRight"] * 20:
                page.keyboard.press(key)
                page.wait_for_timeout(150)
                if box.evaluate("e => e.scrollLeft > 0"):
                    break
            assert box.evaluate("e => e.contains(document.activeElement) && e.scrollLeft > 0"), \
                f"{loaded.docname}: the arrow keys did not bring the hidden side of a wide equation into view"
            loaded.screenshot("__phone-wide-equation", element=box.locator("xpath=../.."))
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.wait_for_function(MATH_SETTLED)
    assert page.evaluate(WIDE_MARKS) == [] and page.locator(".mc-wide-note").count() == 0, \
        f"{loaded.docname}: marks left at 1280 px"
    assert loaded.errors == [], f"{loaded.docname}: {loaded.errors}"


def _visible_images(output) -> list[str]:
    return output.evaluate("""el => [...el.querySelectorAll('img')]
        .filter(img => img.offsetParent !== null && img.getBoundingClientRect().width > 0)
        .map(img => img.getAttribute('src'))""")


def _move_every_slider(loaded) -> int:
    """Move each slider of each static twin one step; fail if its figure stays the same. Returns the count."""
    page, moved = loaded.page, 0
    outputs = page.locator("article .cell_output:has(.widget-slider)")
    for i in range(outputs.count()):
        output = outputs.nth(i)
        handles = output.locator(".widget-slider .noUi-handle")
        assert handles.count() > 0, f"{loaded.docname}: slider without a handle in output {i}"
        for j in range(handles.count()):
            before = _visible_images(output)
            assert before, f"{loaded.docname}: output {i} shows no image next to its slider"
            handles.nth(j).focus()
            handles.nth(j).press("ArrowRight")
            page.wait_for_timeout(200)
            after = _visible_images(output)
            assert after != before, f"{loaded.docname}: moving slider {j} of output {i} left the figure unchanged"
            moved += 1
            loaded.screenshot(f"__output{i}-slider{j}-moved", element=output)
    return moved


# The theme's switch (pydata-sphinx-theme 0.17's setTheme) sets the mode on <html> and remembers
# it; with reduced motion the theme's buttons restyle at once instead of in a 0.15 s transition.
SET_THEME = """async mode => {
  document.documentElement.dataset.mode = mode;
  document.documentElement.dataset.theme = mode;
  localStorage.setItem('mode', mode);
  localStorage.setItem('theme', mode);
  document.querySelectorAll('.dropdown-menu').forEach(el => el.classList.toggle('dropdown-menu-dark', mode === 'dark'));
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""


# What a keyboard and screen-reader user gets from each slider of a static twin
# (_static/slider-a11y.js, _static/a11y.css): its name and value as Chromium's accessibility
# tree would read them, the figure and the live status after one arrow key, the focus ring.
SLIDER_STATE = """h => {
  const slider = h.closest('.widget-slider'), figure = slider.parentElement.closest('.widget-box');
  const region = figure.querySelector(':scope > .mc-slider-status');
  const images = [...figure.querySelectorAll('img')].filter(i => i.offsetParent !== null && i.getBoundingClientRect().width > 0);
  const s = getComputedStyle(h);
  let back = h.parentElement, bg = 'rgba(0, 0, 0, 0)';
  for (; back; back = back.parentElement) {  // the first opaque background behind the handle
    bg = getComputedStyle(back).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(bg) && bg !== 'transparent') break;
  }
  return {
    label: slider.querySelector('.widget-label').textContent.trim(),
    shown: slider.querySelector('.widget-readout').textContent.trim(),
    valuetext: h.getAttribute('aria-valuetext'),
    images: images.map(i => [i.getAttribute('src'), i.getAttribute('alt')]),
    live: region && region.getAttribute('aria-live'), status: region && region.textContent,
    focused: h === document.activeElement, focusVisible: h.matches(':focus-visible'),
    outline: [s.outlineStyle, s.outlineWidth, s.outlineColor], boxShadow: s.boxShadow, background: bg,
  };
}"""


def _rgb(css: str) -> tuple[float, ...]:
    channels = re.match(r"rgba?\(([^)]*)\)", css)
    assert channels, f"not an rgb() colour: {css!r}"
    return tuple(float(c) for c in re.split(r"[ ,/]+", channels.group(1).strip())[:3])


def _contrast(a: str, b: str) -> float:
    """WCAG 2.1's contrast ratio of two CSS rgb() colours."""
    def luminance(css):
        lin = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in _rgb(css)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_sliders_work_by_keyboard_and_are_announced(loaded):
    """Each slider of a static twin, focused and moved one step with ArrowRight: it is named by
    its description and its aria-valuetext is the value it shows; the figure's image and alt text
    change; the figure's polite live region, silent on page load, says the new values; the focus
    ring is drawn with at least 3:1 contrast against the page, in light and in dark mode."""
    page = loaded.page
    handles = page.locator("article .widget-slider .noUi-handle")
    if handles.count() == 0:
        pytest.skip(f"{loaded.docname} has no sliders")
    statuses = page.evaluate("() => [...document.querySelectorAll('article .mc-slider-status')].map(r => r.textContent)")
    assert statuses and not any(statuses), f"{loaded.docname}: live regions {statuses} (announced on page load?)"
    try:
        for mode in ("light", "dark"):
            page.evaluate(SET_THEME, mode)
            for j in range(handles.count()):
                handle = handles.nth(j)
                where = f"{loaded.docname} ({mode}), slider {j}"
                handle.scroll_into_view_if_needed()
                before = handle.evaluate(SLIDER_STATE)
                assert before["label"], where
                named = page.locator("article").get_by_role("slider", name=before["label"], exact=True)
                assert named.count() >= 1, f"{where}: no slider named {before['label']!r} in the accessibility tree"
                assert before["valuetext"] == before["shown"], f"{where}: {before}"
                assert before["live"] == "polite", f"{where}: no polite live region: {before}"
                handle.focus()
                key = "ArrowLeft" if handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax") \
                    else "ArrowRight"
                page.keyboard.press(key)
                page.wait_for_timeout(150)
                after = handle.evaluate(SLIDER_STATE)
                assert after["shown"] != before["shown"] and after["valuetext"] == after["shown"], f"{where}: {after}"
                assert len(after["images"]) == 1, f"{where}: {len(after['images'])} frames visible"
                assert after["images"][0][0] != before["images"][0][0], f"{where}: the image did not change"
                assert after["images"][0][1] != before["images"][0][1], f"{where}: the alt text did not change"
                assert f"{after['label']} = {after['shown']}" in after["status"], f"{where}: status {after['status']!r}"
                assert after["status"] != before["status"], f"{where}: the live region did not change"
                assert after["focused"] and after["focusVisible"], f"{where}: {after}"
                style, width, colour = after["outline"]
                assert style != "none" and float(width.removesuffix("px")) >= 2, f"{where}: no focus outline {after}"
                ratio = _contrast(colour, after["background"])
                assert ratio >= 3, f"{where}: focus ring {colour} on {after['background']}: {ratio:.2f}:1"
                loaded.screenshot(f"__slider{j}-focused-{mode}", element=handle.locator(
                    "xpath=ancestor::div[contains(@class, 'widget-box')][1]"))
                page.keyboard.press("ArrowLeft" if key == "ArrowRight" else "ArrowRight")  # as it was
                page.wait_for_timeout(150)
    finally:
        page.evaluate(SET_THEME, "light")
    assert loaded.errors == [], f"{loaded.docname}: {loaded.errors}"


def test_sliders_move_their_figures(loaded):
    """Each slider of a static twin, moved one step, changes the figure beside it."""
    loaded.report["sliders_moved"] = _move_every_slider(loaded)
    if not loaded.report["sliders_moved"]:
        pytest.skip(f"{loaded.docname} has no sliders")
    assert loaded.errors == [], f"{loaded.docname}: {loaded.errors}"


def test_images_have_alt_text(loaded):
    images = loaded.page.evaluate("""() => [...document.querySelectorAll('article.bd-article img')]
        .map(img => ({alt: img.getAttribute('alt'), src: (img.getAttribute('src') || '').slice(0, 80)}))""")
    for image in images:
        alt = (image["alt"] or "").strip()
        assert alt, f"{loaded.docname}: image without alt text: {image}"
        assert not alt.startswith("<"), f"{loaded.docname}: alt text is a Python repr: {image}"
        src = image["src"]
        file_name = "" if src.startswith("data:") else src.rsplit("/", 1)[-1]
        assert not (alt.lower().endswith((".png", ".jpg", ".jpeg", ".svg", ".gif"))
                    or (file_name and file_name in alt)), \
            f"{loaded.docname}: alt text is the file name, not a description: {image}"


# A page's own weight: its HTML (with any embedded widget state) and the images it
# shows from the book's folder; the theme's shared scripts and styles are not counted.
MAX_PAGE_BYTES = 3_000_000


def test_page_weight(loaded, built_book):
    page_file = built_book.html / f"{loaded.docname}.html"
    total = page_file.stat().st_size
    for src in loaded.page.evaluate("() => [...document.querySelectorAll('article img')].map(i => i.src)"):
        if src.startswith("http://127.0.0.1"):
            local = built_book.html / src.split("/", 3)[3].split("?")[0]
            total += local.stat().st_size if local.is_file() else 0
    loaded.report["weight_kb"] = round(total / 1024)
    assert total < MAX_PAGE_BYTES, f"{loaded.docname} weighs {total:,} bytes"


FIGURE_BACKGROUNDS = """() => Promise.all([...document.querySelectorAll('article.bd-article img')]
  .filter(img => img.offsetParent !== null && img.naturalWidth > 0)
  .map(img => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(1, 1, 1, 1).data;  // a corner: the figure's background
    return {src: img.getAttribute('src').slice(0, 60), rgba: [...d]};
  }))"""


def test_dark_mode_keeps_figures_readable(loaded):
    page = loaded.page
    button = page.locator(".theme-switch-button").first
    for _ in range(3):  # the toggle cycles light, dark, auto
        if page.evaluate("document.documentElement.dataset.theme") == "dark":
            break
        button.click()
        page.wait_for_timeout(100)
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    loaded.screenshot("__dark")
    # Figures are drawn on an opaque white background, so dark mode shows them as
    # light cards: dark lines on a transparent figure would vanish into the page.
    for figure in page.evaluate(FIGURE_BACKGROUNDS):
        r, g, b, a = figure["rgba"]
        assert a == 255 and min(r, g, b) > 200, f"{loaded.docname}: figure not on an opaque light background: {figure}"
    assert loaded.errors == [], f"{loaded.docname}: {loaded.errors}"


# ---------------------------------------------------------------- WCAG 2.1 AA (axe-core)
# axe-core is for the tests only: fetched and checked like the pages' own npm packages
# (tools/vendor_npm.py) into .cache/npm/, injected into each page, never part of the book.
AXE = {"name": "axe-core", "version": "4.14.1",  # npm view axe-core@4.14.1 dist.integrity
       "integrity": "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Violations we accept, each (rule id, regular expression its elements' selectors must match,
# why it cannot be fixed in Jupyter Book 1's theme). README.md names this list. Empty: every
# violation the audit found is fixed (_static/a11y.css, theme-a11y.js, slider-a11y.js).
AXE_ALLOWED: list[tuple[str, str, str]] = []
# Pages of the build that are not in _toc.yml (Sphinx's own), audited too.
SPHINX_PAGES = ["genindex", "py-modindex", "search"]

# axe's color-contrast rule spends most of a page's audit on the few thousand highlighted
# code tokens (2,861 of about 2,900 elements it checks on Chapter 3). They are left out of
# axe's run and checked by CODE_CONTRAST instead: the same WCAG ratio (4.5:1, code is normal
# text), per distinct token colour on its block's background, in a few milliseconds.
CODE_TOKENS = "div.highlight pre span"
AXE_RUN = """([tags, rules]) => axe.run({exclude: [[CODE_TOKENS]]},
    rules ? {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations']}
          : {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(r => r.violations.map(v => ({id: v.id, help: v.help,
      nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))})))""".replace(
    "CODE_TOKENS", json.dumps(CODE_TOKENS))
CODE_CONTRAST = """selector => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = el => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
      if (rgb(c).length < 4 || rgb(c)[3] > 0) return c; } return 'rgb(255, 255, 255)'; };
  const seen = new Map();
  for (const span of document.querySelectorAll(selector)) {
    if (!span.textContent.trim() || span.offsetParent === null) continue;
    const fg = getComputedStyle(span).color, bg = background(span.closest('pre'));
    const key = span.className + ' ' + fg + ' on ' + bg;
    if (seen.has(key)) continue;
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    seen.set(key, (hi + 0.05) / (lo + 0.05));
  }
  return [...seen].filter(([, ratio]) => ratio < 4.5).map(([key, ratio]) => `${key}: ${ratio.toFixed(2)}:1`);
}"""
# The page's structure is the same in both modes: dark mode re-runs only the rules on colour.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


@pytest.fixture(scope="session")
def axe_script() -> Path:
    from vendor_npm import VendorError, fetch

    try:
        package = fetch(AXE["name"], AXE["version"], AXE["integrity"], ROOT / ".cache" / "npm")
    except VendorError as exc:
        unavailable(str(exc))
    return package / "axe.min.js"


def _audit(page, axe_script: Path) -> dict[str, list[str]]:
    """The violations axe-core finds that AXE_ALLOWED does not list, by mode: "rule: selector (what fails)"."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script))
    found = {}
    page.emulate_media(reduced_motion="reduce")
    try:
        for mode, rules in (("light", None), ("dark", COLOUR_RULES)):
            page.evaluate(SET_THEME, mode)
            found[mode] = [
                f"{v['id']}: {n['target']} ({' '.join(n['summary'].split())[:200]})"
                for v in page.evaluate(AXE_RUN, [WCAG_21_AA, rules]) for n in v["nodes"]
                if not any(v["id"] == rule and re.search(where, n["target"]) for rule, where, _ in AXE_ALLOWED)
            ] + [f"code contrast: {bad}" for bad in page.evaluate(CODE_CONTRAST, CODE_TOKENS)]
    finally:
        page.evaluate(SET_THEME, "light")
        page.emulate_media(reduced_motion=None)
    return found


def test_wcag_21_aa_in_light_and_dark_mode(loaded, axe_script):
    """axe-core's WCAG 2.0/2.1 A and AA rules on the page as a reader has it, in both colour modes."""
    found = _audit(loaded.page, axe_script)
    loaded.report["wcag_violations"] = {mode: len(v) for mode, v in found.items()}
    assert found == {"light": [], "dark": []}, f"{loaded.docname}: {json.dumps(found, indent=1)}"


@pytest.mark.parametrize("docname", SPHINX_PAGES)
def test_wcag_21_aa_of_sphinx_pages(docname, browser, site, axe_script):
    loaded = LoadedPage(browser, site, docname)
    try:
        found = _audit(loaded.page, axe_script)
    finally:
        loaded.close()
    assert found == {"light": [], "dark": []}, f"{docname}: {json.dumps(found, indent=1)}"


def test_every_page_is_audited(built_book):
    pages = {p.relative_to(built_book.html).with_suffix("").as_posix() for p in built_book.html.rglob("*.html")
             if not {"_static", "_sources"} & set(p.parts) and p.relative_to(built_book.html).parts[0] != "lite"}
    # (lite/ is JupyterLab's own application, tested in tests/test_lite.py)
    assert pages - {"index"} == set(toc_files()) | set(SPHINX_PAGES)  # index.html only redirects


SEARCH_RESULTS = """() => [...document.querySelectorAll('#search-results a')].map(a => a.getAttribute('href'))"""


@pytest.mark.parametrize("docname", [d for d in toc_files() if d != toc_files()[0]])
def test_search_finds_the_chapter(docname, browser, site, built_book):
    page_html = (built_book.html / f"{docname}.html").read_text()
    title = re.search(r"<h1>(.*?)<a class=\"headerlink\"", page_html, re.DOTALL)
    assert title, f"{docname}: no title"
    words = re.findall(r"[A-Za-z]{5,}", re.sub(r"<[^>]+>", " ", title.group(1)))
    assert words, f"{docname}: no searchable word in its title {title.group(1)!r}"
    loaded = LoadedPage(browser, site, "search")
    try:
        loaded.page.goto(f"{site}/search.html?q={words[-1].lower()}", wait_until="load")
        loaded.page.wait_for_function("() => document.querySelectorAll('#search-results a').length > 0")
        links = loaded.page.evaluate(SEARCH_RESULTS)
    finally:
        loaded.close()
    assert any(docname in (link or "") for link in links), f"searching {words[-1]!r} did not find {docname}: {links}"


CHAPTER_PAGES = [d for d in toc_files() if re.fullmatch(r"book/\d\d_\w+", d)]
# Display equations a 390 px column cannot hold even broken (no operator or relation to break at), per
# chapter at most. Under MathJax 3, which does not break lines, 70 of the book's did not fit.
UNBREAKABLE_AT_MOST = 2


@pytest.mark.parametrize("docname", CHAPTER_PAGES)
def test_a_phone_gets_display_equations_broken_to_fit(docname, browser, site):
    """Opened at 390 px, MathJax 4 breaks each display equation to the column; the few it cannot are
    marked as scrollable."""
    loaded = LoadedPage(browser, site, docname, viewport=PHONE, speech=False)
    try:
        marks = loaded.page.evaluate(WIDE_MARKS)
        assert len(marks) <= UNBREAKABLE_AT_MOST, f"{docname}: {len(marks)} display equations wider than a phone"
        assert all(m["marked"] and m["noteShown"] for m in marks), f"{docname}: {marks}"
        assert loaded.errors == [] and loaded.blocked == [], f"{docname}: {loaded.errors} {loaded.blocked}"
    finally:
        loaded.close()


# ---------------------------------------------------------------- from disk


@pytest.fixture(scope="session")
def unpacked(built_book, tmp_path_factory) -> str:
    """The offline archive of the build (tools/archive.py, `make archive`), unzipped: its file:// URL."""
    import zipfile

    from archive import TOP, archive, files_of

    folder = tmp_path_factory.mktemp("offline")
    first, second = archive(built_book.html, folder / "a.zip"), archive(built_book.html, folder / "b.zip")
    assert first.read_bytes() == second.read_bytes(), "the same build gave two different archives"
    with zipfile.ZipFile(first) as zf:
        names = zf.namelist()
        zf.extractall(folder)
    assert names == [f"{TOP}/{p.relative_to(built_book.html).as_posix()}" for p in files_of(built_book.html)]
    assert f"{TOP}/index.html" in names and not any("/.doctrees/" in n or n.endswith(".buildinfo") for n in names)
    assert not any(n.startswith(f"{TOP}/lite/") for n in names), "JupyterLite cannot run from disk: not in the archive"
    return (folder / TOP).as_uri()


@pytest.mark.parametrize("docname", CHAPTER_PAGES)
def test_a_chapter_opened_from_disk_typesets_and_its_sliders_move(docname, browser, unpacked):
    """file://, as a reader who unzipped the offline archive: no server, no network."""
    loaded = LoadedPage(browser, unpacked, docname)
    try:
        assert loaded.blocked == [], f"{docname} from disk: requests that left the book: {loaded.blocked}"
        assert loaded.math["math"] > 0 and loaded.math["containers"] >= loaded.math["math"], loaded.math
        assert loaded.math["errors"] == 0, loaded.math
        assert _move_every_slider(loaded) > 0, f"{docname}: no slider moved from disk"
        assert loaded.errors == [], f"{docname} from disk: {loaded.errors}"
    finally:
        loaded.close()


def test_search_works_from_disk(browser, unpacked):
    loaded = LoadedPage(browser, unpacked, "search")
    try:
        loaded.page.goto(f"{unpacked}/search.html?q=backpropagation", wait_until="load")
        loaded.page.wait_for_function("() => document.querySelectorAll('#search-results a').length > 0")
        links = loaded.page.evaluate(SEARCH_RESULTS)
        assert loaded.errors == [], loaded.errors
    finally:
        loaded.close()
    assert any("06_backprop" in (link or "") for link in links), links
