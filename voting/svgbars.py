"""Horizontal bars as inline SVG, drawn to exact fractions (DESIGN.md "Pages": charts as
inline SVG rendered server-side — participation vs. quorum, approval vs. threshold).

Pure: standard library only, no Django, so the drawing is tested on its own.

Exactness without arithmetic: a bar's ``viewBox`` is exactly as wide as its
whole, in the whole's own integer unit (heads, or hundredths of m²). The
filled part is a rectangle exactly ``value`` wide and the line stands at
x = ``line``; nothing is divided, rounded or turned into a float here. The
browser stretches the box to the width of the page (``preserveAspectRatio
="none"``), and the line keeps a constant stroke whatever the stretch
(``vector-effect="non-scaling-stroke"``). So 4 of 6 heads against the 2/3
line is ``viewBox="0 0 6 24"``, a rectangle 4 wide and a line at x = 4.

The figures themselves are written beside the bar by the page, not inside
it: text in a stretched box would be stretched too, and at 375 px the words
need the full width. The bar carries its accessible name (``<title>`` and
``aria-label``), escaped here, and is returned as ``Markup`` — a ``str``
with ``__html__``, the protocol Django's templates (and markupsafe) use to
insert already-safe markup as it is.
"""

from __future__ import annotations

import re
from html import escape

HEIGHT = 24

TRACK = "#eef1f4"
REACHED = "#1a7f37"  # --ok in site.css
SHORT = "#9a6700"  # --warn
NEUTRAL = "#0b5cad"  # a bar with no line to reach
LINE = "#1f2328"

# Characters XML 1.0 does not allow; a motion title pasted from elsewhere may carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class Markup(str):
    """SVG text that is already escaped: templates insert it unchanged (``__html__``)."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)


def _text(value: str) -> str:
    # One line: an accessible name is read as a phrase, and XML turns a newline in an
    # attribute into a space anyway, which would make <title> and aria-label differ.
    return escape(" ".join(_NOT_XML.sub("", str(value)).split()), quote=True)


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be ≥ 0, got {value}")
    return value


def bar(
    *,
    value: int,
    total: int,
    label: str,
    line: int | None = None,
    reached: bool | None = None,
    height: int = HEIGHT,
) -> Markup:
    """One bar: ``value`` of ``total`` filled, an optional mark at ``line``.

    ``reached`` colours the filled part (green reached, amber not yet,
    blue when there is no line to reach). An empty whole (``total`` 0: nobody
    has taken part yet) draws the empty track only — there is no fraction to
    show and no line to place.
    """
    value = _count("value", value)
    total = _count("total", total)
    height = _count("height", height)
    if line is not None:
        line = _count("line", line)
    if height == 0:
        raise ValueError("height must be ≥ 1")
    name = _text(label)
    if total == 0:
        if value:
            raise ValueError(f"value {value} of an empty whole")
        width, value, line = 1, 0, None
    else:
        if value > total:
            raise ValueError(f"value {value} exceeds its whole {total}")
        if line is not None and line > total:
            raise ValueError(f"line {line} lies beyond the whole {total}")
        width = total
    if reached is None:
        fill, state = NEUTRAL, "none"
    else:
        fill, state = (REACHED, "reached") if reached else (SHORT, "short")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar" data-state="{state}" role="img"'
        f' aria-label="{name}" viewBox="0 0 {width} {height}" preserveAspectRatio="none"'
        f' width="100%" height="{height}" focusable="false">',
        f"<title>{name}</title>",
        f'<rect class="bar-track" x="0" y="0" width="{width}" height="{height}" fill="{TRACK}"/>',
    ]
    if value:
        parts.append(
            f'<rect class="bar-value" x="0" y="0" width="{value}" height="{height}" fill="{fill}"/>'
        )
    if line is not None:
        parts.append(
            f'<line class="bar-line" x1="{line}" y1="0" x2="{line}" y2="{height}"'
            f' stroke="{LINE}" stroke-width="3" vector-effect="non-scaling-stroke"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def percent_text(bps: int) -> str:
    """Basis points (1/100 of a percent, an int) → "66.66%"; no float on the way."""
    bps = _count("bps", bps)
    return f"{bps // 100}.{bps % 100:02d}%"
