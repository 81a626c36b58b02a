"""Run a chapter of the built site's JupyterLite (``lite/``, tools/lite.py) in headless Chromium, offline.

Shared by ``tests/test_lite.py`` (which fails on what it finds) and ``benchmarks/lite.py`` (which
times it). The site is served on 127.0.0.1; every request to another host is refused and recorded.
The service worker stays allowed: JupyterLite serves the kernel's file access through it (blocked,
every file read fails with 501).

What one run measures (``run_chapter``): seconds from opening the chapter until the kernel is idle
with Pyodide started, seconds for "Run All Cells", bytes the browser received (Content-Length of
every response from the server, the kernel's web worker included, not counting the service
worker's replays of them), the error and stderr outputs, and, for each interactive figure, whether
moving its first slider changed the figure (the kernel recomputed it).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
KERNEL_TIMEOUT_S = 180
RUN_TIMEOUT_S = 600
SLIDER_TIMEOUT_S = 60
# Matplotlib's notice on its first import in a fresh Pyodide file system: it builds its font cache
# (a few seconds), which a local kernel has done once for all (the Makefile's venv target).
FONT_CACHE_NOTICE = "Matplotlib is building the font cache; this may take a moment."

STATE = """() => {
  const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
  const stderr = [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(e => {
      const cell = e.closest('.jp-CodeCell');
      const prompt = cell && cell.querySelector('.jp-InputPrompt') ? cell.querySelector('.jp-InputPrompt').textContent.trim() : '';
      return {prompt: prompt, text: e.textContent};
    });
  return {status: indicator ? indicator.dataset.status : null, prompts: prompts, stderr: stderr};
}"""

# Each output holding a slider: its index among outputs with sliders, and what it shows.
FIGURE_OF = """el => [...el.querySelectorAll('img, svg, canvas, pre')].map(e =>
    e.tagName === 'IMG' ? e.getAttribute('src') : e.tagName === 'CANVAS' ? e.toDataURL() : e.outerHTML).join('|')"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # the browser left a page while a file was still being sent: not an error of the book
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(folder: Path):
    """``folder`` served on 127.0.0.1 for the duration: its base URL."""
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _wait(page, predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while True:
        state = page.evaluate(STATE)
        if predicate(state):
            return state
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done after {timeout_s:.0f} s (kernel {state['status']}, "
                               f"prompts {' '.join(state['prompts'])})")
        page.wait_for_timeout(250)


def _problems(state) -> list[str]:
    return [f"{o['prompt']} {o['text'].strip()}" for o in state["stderr"] if o["text"].strip() != FONT_CACHE_NOTICE]


def run_chapter(browser, site: str, notebook: str, screenshot: Path | None = None) -> dict:
    """Open ``lite/notebooks/?path=notebook`` as the launch entry does, run every cell, move the sliders."""
    result = {"notebook": notebook, "blocked": [], "errors": [], "sliders": 0, "sliders_unchanged": [],
              "bytes": 0, "kernel_ready_s": None, "run_all_s": None}
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="allow")
    pyodide_started = threading.Event()

    def route(route):
        url = route.request.url
        if url.startswith((site + "/", "data:", "blob:")):
            route.continue_()
        else:
            result["blocked"].append(url)
            route.abort()

    def on_response(response):
        if response.from_service_worker:
            return  # a file the browser already counted once, replayed to the page
        result["bytes"] += int(response.headers.get("content-length") or 0)
        if response.url.endswith("/static/pyodide/python_stdlib.zip"):
            pyodide_started.set()

    context.route("**/*", route)
    context.on("response", on_response)
    page = context.new_page()
    page.on("pageerror", lambda exc: result["errors"].append(f"pageerror: {exc}"))
    try:
        start = time.perf_counter()
        page.goto(f"{site}/lite/notebooks/index.html?path={notebook}", wait_until="load")
        _wait(page, lambda s: s["status"] == "idle" and pyodide_started.is_set(), KERNEL_TIMEOUT_S, "kernel")
        result["kernel_ready_s"] = round(time.perf_counter() - start, 1)

        start = time.perf_counter()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.get_by_text("Run All Cells", exact=True).click()

        def finished(state):
            # stops at the first error, as "Run All" does (the later cells stay unrun)
            done = state["status"] == "idle" and state["prompts"] and all(p[1:-2].isdigit() for p in state["prompts"])
            return done or any("Traceback" in o["text"] for o in state["stderr"])

        state = _wait(page, finished, RUN_TIMEOUT_S, f"{notebook}: Run All Cells")
        result["run_all_s"] = round(time.perf_counter() - start, 1)
        result["errors"] += _problems(state)
        if not result["errors"]:
            _move_sliders(page, result)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
    except TimeoutError as exc:
        result["errors"].append(str(exc))
        if screenshot is not None:
            page.screenshot(path=str(screenshot))
    finally:
        context.close()
    return result


def _move_sliders(page, result: dict) -> None:
    """The first slider of each interactive figure, dragged to its far end: the figure must change."""
    outputs = page.locator(".jp-CodeCell .jp-Cell-outputArea:has(.widget-slider .noUi-handle)")
    for i in range(outputs.count()):
        output = outputs.nth(i)
        output.scroll_into_view_if_needed()
        before = output.evaluate(FIGURE_OF)
        # dragged with the mouse: JupyterLab's notebook takes the arrow keys for itself
        track = output.locator(".widget-slider .noUi-target").first.bounding_box()
        handle = output.locator(".widget-slider .noUi-handle").first.bounding_box()
        x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
        # To the end farther from the handle: a shorter drag can snap back to the same value on a slider
        # of few values (Chapter 8's three learning rates: from the middle, a quarter is a tie).
        far = track["x"] + 2 if x > track["x"] + track["width"] / 2 else track["x"] + track["width"] - 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(far, y, steps=5)
        page.mouse.up()
        result["sliders"] += 1
        deadline = time.monotonic() + SLIDER_TIMEOUT_S
        while output.evaluate(FIGURE_OF) == before:
            if time.monotonic() > deadline:
                result["sliders_unchanged"].append(i)
                break
            page.wait_for_timeout(200)
