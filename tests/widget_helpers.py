"""What the widget tests of every chapter read off a figure box: alt text, slider values, move times."""

import re
import time

ALT = re.compile(r'<img [^>]*alt="([^"]*)"')


def alt_of(html: str) -> str:
    """The alt text of the first <img> in a static frame's HTML."""
    match = ALT.search(html)
    assert match, f"no <img alt=...> in {html[:80]!r}"
    return match.group(1)


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
