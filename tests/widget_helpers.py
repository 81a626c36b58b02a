"""What the widget tests of every chapter read off a figure box: alt text, slider values, move times, sizes."""

import re
import time

ALT = re.compile(r'<img [^>]*alt="([^"]*)"')
#: Bytes of PNG per static frame: the budget in the design (a page must stay well under 3 MB)
FRAME_BUDGET = 25_000


def alt_of(html: str) -> str:
    """The alt text of the first <img> in a static frame's HTML."""
    match = ALT.search(html)
    assert match, f"no <img alt=...> in {html[:80]!r}"
    return match.group(1)


def static_alts(box) -> list[str]:
    """The alt text of every frame of a static twin, in the order its stack holds them."""
    return [alt_of(page.value) for inner in box.stack.children for page in inner.children]


def assert_frames_small(box, total: int) -> None:
    """Every frame of a static twin within :data:`FRAME_BUDGET`, and all of them within ``total`` bytes."""
    sizes = [len(f.png) for f in box.frames]
    assert max(sizes) < FRAME_BUDGET, max(sizes)
    assert box.nbytes < total, box.nbytes


def slider_values(slider) -> list:
    """The values a SelectionSlider offers, in order."""
    return [value for _, value in slider.options]


def timed_moves(box, moves, check=None) -> list[float]:
    """Seconds per move of a live figure ``box``, setting each ``(slider, value)`` of ``moves`` in turn.

    Every move must change the figure, and ``check(alt)``, if given, must hold for each new frame.
    """
    times, before = [], box.image.value
    for slider, value in moves:
        start = time.perf_counter()
        slider.value = value
        times.append(time.perf_counter() - start)
        assert box.image.value != before, f"moving {slider.description!r} to {value!r} left the figure as it was"
        before = box.image.value
        if check is not None:
            assert check(alt_of(before)), f"after moving {slider.description!r} to {value!r}: {alt_of(before)}"
    return times
