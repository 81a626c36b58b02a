"""What the widget tests of every chapter read off a figure box: alt text and slider values."""

import re

ALT = re.compile(r'<img [^>]*alt="([^"]*)"')


def alt_of(html: str) -> str:
    """The alt text of the first <img> in a static frame's HTML."""
    match = ALT.search(html)
    assert match, f"no <img alt=...> in {html[:80]!r}"
    return match.group(1)


def slider_values(slider) -> list:
    """The values a SelectionSlider offers, in order."""
    return [value for _, value in slider.options]
