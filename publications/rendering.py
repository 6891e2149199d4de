"""Django template → WeasyPrint → PDF/A-3b (DESIGN.md "Publications and signatures").

Chinese is set in Noto CJK (Debian ``fonts-noto-cjk``), subset and embedded.
A character the fonts lack would print silently as an empty box, so a
rendering that makes WeasyPrint log a missing glyph is refused, as is any
rendering on a machine where ``fc-list :lang=zh`` finds no Chinese font.
Templates extend ``publications/pdf/base.html``, which marks where the seal
goes with the element ``#gongzhi-seal``; its box on the page is returned so
the signature's visible seal lands exactly there.

Long tables (a 2,000-unit apportionment) are laid out as a *text grid*: each
row is one line of Noto Sans Mono CJK text whose cells are padded to fixed
column widths (Latin 1/2 em, Chinese 1 em), inside a single table cell under
a real repeated header row. WeasyPrint then shapes one line per row instead of
one box per cell, which is what makes such a notice take seconds instead of
half a minute. After layout every grid line is measured; if the fonts did not
keep it on the grid, the notice is rendered again as an ordinary table.
"""

# One piece because the WeasyPrint pipeline (fonts, glyph check, PDF/A, table grid)
# shares its font and glyph state.

from __future__ import annotations

import logging
import math
import re
import subprocess  # noqa: S404 - fc-list with fixed arguments
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.errors import DomainError

SEAL_ANCHOR = "gongzhi-seal"
TABLE_TEMPLATE = "publications/pdf/table.html"
PDF_VARIANT = "pdf/a-3b"
# WeasyPrint lays out in CSS px; PDF user space is in points (1 px = 0.75 pt).
PX_TO_PT = 0.75
_MISSING_GLYPH = ".notdef glyph rendered"

logger = logging.getLogger(__name__)

# --- The text grid of TABLE_TEMPLATE (see the module docstring).
# Context key of the grid; None makes the template lay out an ordinary table.
GRID_KEY = "grid"
# CSS class of a grid row, checked after layout (``_grid_misaligned``).
GRID_ROW_CLASS = "gz-grid-row"
GRID_FONT_PT = 9.0
# A grid column is a whole number of half-em "cells": Latin letters and digits
# take one, Chinese characters two (Noto Sans Mono CJK: 500 and 1000 units).
GRID_CELL_PT = GRID_FONT_PT / 2
# The A4 text block of base.html (210 mm - 2 × 18 mm), less the table's two
# 0.5 pt side borders.
TEXT_BLOCK_PT = (210 - 2 * 18) / 25.4 * 72
GRID_CELLS = int((TEXT_BLOCK_PT - 1) // GRID_CELL_PT)
_RULE_PT = 0.5
# The last rows are table rows of their own (the others share one): a page
# can then break between them, which is how the seal's block takes the last
# rows of the table with it (base.html, "the seal never stands alone").
GRID_TAIL_ROWS = 3
_MIN_COLUMN_CELLS = 4  # one padding cell each side and two for the text
# What a CSS width in ``columns`` means on the grid (``%`` of the text block).
_LENGTH_PT = {"pt": 1.0, "px": 0.75, "mm": 72 / 25.4, "cm": 720 / 25.4, "in": 72.0}
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%|pt|px|mm|cm|in|em)\s*$")
# Punctuation and symbols of East Asian width "ambiguous" (· — “” × ① … ※ →)
# are full width in Noto CJK for zh-Hans, as UAX #11 has them in East Asian
# text; these few are not (measured). Ambiguous letters (é, α) are not
# gridded at all. Whatever the fonts do, ``_grid_misaligned`` has the last word.
_AMBIGUOUS_NARROW = set("°′″№")
# HTML collapses these (and only these) white-space characters in a cell.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
# A line of a wrapped cell never starts with closing punctuation (GB/T 15834
# practice): the character before it moves down with it.
_NO_LINE_START = set("，。、；：？！）》」』】〕〉”’％,.;:?!)]}%")


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    seal_page: int  # 0-based
    seal_box: tuple[float, float, float, float]  # PDF points: llx, lly, urx, ury
    grid: bool = False  # a table was set as a text grid (``table_grid``)


def cjk_font_families() -> list[str]:
    """Families of the installed Chinese fonts, as fontconfig sees them (``fc-list :lang=zh``)."""
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "family"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.strip() for line in out.splitlines() if line.strip()})


def require_cjk_fonts() -> None:
    if not cjk_font_families():
        raise DomainError(
            "no_cjk_font",
            _(
                "服务器没有安装中文字体（fc-list :lang=zh 没有结果），无法生成公示文件，"
                "公示未发布。请安装 fonts-noto-cjk。"
            ),
        )


class _GlyphWatch(logging.Handler):
    """Collects WeasyPrint's missing-glyph warnings raised by this thread only."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.missing: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = record.getMessage()
        if message.startswith(_MISSING_GLYPH) and record.args:
            self.missing.append(str(record.args[0]))


def _missing_glyph_error(chars: list[str]) -> DomainError:
    unique = list(dict.fromkeys(chars))
    codes = "、".join(f"U+{ord(c[0]):04X}" for c in unique if c)
    return DomainError(
        "missing_glyph",
        _(
            "公示未发布：内容中有字体（Noto CJK）无法显示的字符 %(chars)s（%(codes)s），"
            "印出来会是空框。请改用常用字或通行写法后重新发布。"
        )
        % {"chars": "".join(unique), "codes": codes},
    )


def render_pdf(
    *, template: str, context: dict[str, Any], attachments: dict[str, bytes] | None = None
) -> RenderedPdf:
    """Render ``template`` with ``context`` to PDF/A-3b bytes, or raise ``DomainError``.

    A text grid (``context[GRID_KEY]``) that did not come out on its columns
    is rendered again with ``GRID_KEY`` None, as an ordinary table.
    ``attachments`` (name → bytes) are embedded as PDF/A-3 associated files
    of the document (the anchors, ``publications.anchors``).
    """
    require_cjk_fonts()
    weasy_logger = logging.getLogger("weasyprint")
    if weasy_logger.getEffectiveLevel() > logging.WARNING:
        weasy_logger.setLevel(logging.WARNING)
    watch = _GlyphWatch()
    weasy_logger.addHandler(watch)
    try:
        document = _layout(template, context)
        grid = bool(context.get(GRID_KEY))
        if grid and _grid_misaligned(document):
            # The installed fonts did not give every grid character exactly
            # 1/2 or 1 em (another Noto version, a substituted font): the
            # columns would not line up, so set it as an ordinary table.
            logger.warning("Text grid of %s off its columns; rendering a table.", template)
            document = _layout(template, {**context, GRID_KEY: None})
            grid = False
        # Missing glyphs are logged while drawing, i.e. here.
        data = document.write_pdf(
            pdf_variant=PDF_VARIANT, attachments=_attachments(attachments or {})
        )
    finally:
        weasy_logger.removeHandler(watch)
    if watch.missing:
        raise _missing_glyph_error(watch.missing)

    for index, page in enumerate(document.pages):
        anchor = page.anchors.get(SEAL_ANCHOR)
        if anchor is None:
            continue
        x1, y1, x2, y2 = anchor
        height = page.height
        box = (
            x1 * PX_TO_PT,
            (height - y2) * PX_TO_PT,
            x2 * PX_TO_PT,
            (height - y1) * PX_TO_PT,
        )
        return RenderedPdf(
            data=data, pages=len(document.pages), seal_page=index, seal_box=box, grid=grid
        )
    raise RuntimeError(f"Template {template} has no #{SEAL_ANCHOR} element for the seal.")


def _attachments(files: dict[str, bytes]) -> list:
    from weasyprint import Attachment

    # "Data": the file holds data the document shows (PDF/A-3 AFRelationship).
    return [Attachment(string=data, name=name, relationship="Data") for name, data in files.items()]


def _layout(template: str, context: dict[str, Any]):
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, context)
    # Only data: URIs (the QR code, the grid's rules): a notice never fetches
    # anything over the network.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=html, url_fetcher=fetcher, base_url=None).render()


def _grid_misaligned(document) -> bool:
    """Whether a line of a grid row is not exactly as wide as its cells say.

    A line's width is the sum of its glyphs' advances: one of the right width
    has every character on its cells, short of two errors cancelling out.
    (WeasyPrint has no public API for the laid-out boxes: ``_page_box``.)
    """
    from weasyprint.formatting_structure.boxes import TextBox

    cell_px = GRID_CELL_PT / PX_TO_PT
    for page in document.pages:
        for box in page._page_box.descendants():
            if not isinstance(box, TextBox) or box.element is None:
                continue
            if GRID_ROW_CLASS not in (box.element.get("class") or "").split():
                continue
            cells = _text_cells(box.text.replace("\n", ""))
            if cells is None or abs(box.width - cells * cell_px) > 0.01:
                return True
    return False


def table_context(
    *,
    columns: list[dict[str, str]],
    rows: list[list[str]],
    intro: list[str] = (),
    totals: list[str] | None = None,
    notes: list[str] = (),
    **extra: Any,
) -> dict[str, Any]:
    """The context of ``TABLE_TEMPLATE``, the general tabular notice.

    ``columns``: ``{"label", "align": "num"|"center"|"", "width": CSS width}``.
    Cells are already formatted text (money in yuan with 2 decimals, areas with
    2 places). The table is set as a text grid (``table_grid``) when every
    cell can be; a column's ``width`` (``%`` of the text block, or a length)
    then sets its share of the line, and columns without one share the rest
    by the length of their texts. Otherwise it is an ordinary table, "fixed"
    when every column has a width.
    """
    width = len(columns)
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise ValueError(f"Row {number} has {len(row)} cells for {width} columns.")
    if totals is not None and len(totals) != width:
        raise ValueError(f"The totals row has {len(totals)} cells for {width} columns.")
    return {
        "columns": list(columns),
        "rows": rows,
        "intro": list(intro),
        "totals": totals,
        "notes": list(notes),
        "fixed_layout": all(column.get("width") for column in columns),
        GRID_KEY: table_grid(columns=columns, rows=rows, totals=totals),
        **extra,
    }


def table_grid(
    *,
    columns: Sequence[dict[str, str]],
    rows: Sequence[Sequence[str]],
    totals: Sequence[str] | None = None,
) -> dict[str, Any] | None:
    """The text grid of a table: one padded line of monospace text per row.

    Returns None when a cell holds a character whose width on the grid is not
    known (East Asian width "neutral", ambiguous letters, ° ′ ″ №, combining
    marks, controls, unassigned code points): such a table is set as an
    ordinary one.
    A cell wider than its column wraps onto more lines of the same row.
    """
    if not columns or len(columns) * _MIN_COLUMN_CELLS > GRID_CELLS:
        return None
    body = [[_grid_text(cell) for cell in row] for row in rows]
    last = [_grid_text(cell) for cell in totals] if totals is not None else None
    everything = [*body, last] if last is not None else body
    if any(cell is None for row in everything for cell in row):
        return None
    # The header labels are set in the table's font (they wrap in their cells):
    # count them like grid text, two cells for a character it would not take.
    labels = [_HTML_SPACE.sub(" ", str(column.get("label", ""))).strip(" ") for column in columns]
    natural = [
        max(
            [_text_cells(labels[i]) or 2 * len(labels[i])]
            + [_text_cells(row[i]) for row in everything]
        )
        + 2
        for i in range(len(columns))
    ]
    cells = _grid_columns([column.get("width") for column in columns], natural)
    aligns = [column.get("align", "") for column in columns]
    edges = [sum(cells[:i]) for i in range(1, len(cells))]
    lines = [_grid_row(row, cells, aligns) for row in body]
    split = max(0, len(lines) - GRID_TAIL_ROWS)
    return {
        "font_size": f"{GRID_FONT_PT:g}pt",
        "width": _pt(sum(cells)),
        "columns": [_pt(n) for n in cells],
        "rules": _rules_svg(edges, sum(cells)),
        "rows": lines[:split],
        "tail": lines[split:],
        "totals": _grid_row(last, cells, aligns) if last is not None else None,
    }


def _pt(cells: int) -> str:
    return f"{cells * GRID_CELL_PT:g}pt"


def _rules_svg(edges: list[int], total: int) -> str:
    """The column rules of the grid body, drawn once per page as the table's background.

    Stretched to the table (``preserveAspectRatio="none"``); each rule is
    0.5 pt wide and starts at its column's left edge, like the header cells'
    left borders above it.
    """
    unit = 20  # per pt
    step = round(GRID_CELL_PT * unit)
    rule = round(_RULE_PT * unit)
    rects = "".join(f'<rect x="{edge * step}" y="0" width="{rule}" height="10"/>' for edge in edges)
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {total * step} 10" preserveAspectRatio="none">{rects}</svg>'
    )
    return "data:image/svg+xml," + quote(svg)


def _char_cells(char: str) -> int | None:
    category = unicodedata.category(char)
    if category[0] in "CMZ" and char != " ":
        return None  # controls, marks, separators other than the space, unassigned
    width = unicodedata.east_asian_width(char)
    if width in ("W", "F"):
        return 2
    if width in ("Na", "H"):
        return 1
    if width == "A" and category[0] != "L" and char not in _AMBIGUOUS_NARROW:
        return 2
    return None


_CELLS: dict[str, int | None] = {}


def _text_cells(text: str) -> int | None:
    total = 0
    for char in text:
        cells = _CELLS.get(char, -1)
        if cells == -1:
            cells = _CELLS[char] = _char_cells(char)
        if cells is None:
            return None
        total += cells
    return total


def _grid_text(cell: Any) -> str | None:
    """The cell as HTML would show it (white space collapsed), or None if not griddable."""
    text = _HTML_SPACE.sub(" ", str(cell)).strip(" ")
    return text if _text_cells(text) is not None else None


def _css_cells(width: Any) -> float | None:
    """A column's CSS width in grid cells, or None when there is none (or not a length)."""
    match = _LENGTH.match(str(width or ""))
    if not match or not float(match[1]):
        return None
    value, unit = float(match[1]), match[2]
    if unit == "%":
        return value / 100 * GRID_CELLS
    if unit == "em":
        return value * 2
    return value * _LENGTH_PT[unit] / TEXT_BLOCK_PT * GRID_CELLS


def _grid_columns(widths: list[Any], natural: list[int]) -> list[int]:
    """Whole cells per column, filling the line (an ordinary table is 100% wide)."""
    count = len(natural)
    total = GRID_CELLS
    wanted = [_css_cells(width) for width in widths]
    fixed = {i: w for i, w in enumerate(wanted) if w is not None}
    auto = [i for i in range(count) if i not in fixed]
    room_for_fixed = total - _MIN_COLUMN_CELLS * len(auto)
    if sum(fixed.values()) > room_for_fixed:
        scale = room_for_fixed / sum(fixed.values())
        fixed = {i: w * scale for i, w in fixed.items()}
    shares = [0.0] * count
    for i, w in fixed.items():
        shares[i] = w
    room = total - sum(fixed.values())
    if auto:
        # Water-filling: a short column gets what its longest text needs, the
        # long ones share the rest equally (their texts wrap).
        level_columns = sorted(auto, key=lambda i: natural[i])
        left = room
        for position, i in enumerate(level_columns):
            fair = left / (len(level_columns) - position)
            shares[i] = min(natural[i], fair)
            left -= shares[i]
        if left > 0:  # every text fits: spread what is left like a 100% table
            weight = sum(shares[i] for i in auto)
            for i in auto:
                shares[i] += left * shares[i] / weight
    elif room > 0:
        weight = sum(shares)
        shares = [w + room * w / weight for w in shares]
    return _whole_cells(shares, total)


def _whole_cells(shares: list[float], total: int) -> list[int]:
    """Round shares to whole cells (at least the minimum) summing to ``total``."""
    cells = [max(_MIN_COLUMN_CELLS, math.floor(share)) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: shares[i] - cells[i], reverse=True)
    while sum(cells) < total:
        for i in by_remainder:
            if sum(cells) == total:
                break
            cells[i] += 1
    while sum(cells) > total:
        widest = max(range(len(cells)), key=lambda i: cells[i])
        cells[widest] -= 1
    return cells


def _grid_row(cells: Sequence[str], widths: list[int], aligns: list[str]) -> str:
    columns = [_wrap(text, width - 2) for text, width in zip(cells, widths, strict=True)]
    height = max(len(lines) for lines in columns)
    lines = []
    for n in range(height):
        parts = []
        for lines_of_cell, width, align in zip(columns, widths, aligns, strict=True):
            text = lines_of_cell[n] if n < len(lines_of_cell) else ""
            parts.append(" " + _aligned(text, width - 2, align) + " ")
        # A blank line keeps one space: an empty line box would have no height.
        lines.append("".join(parts).rstrip() or " ")
    return "\n".join(lines)


def _aligned(text: str, width: int, align: str) -> str:
    pad = width - (_text_cells(text) or 0)
    if align == "num":
        return " " * pad + text
    if align == "center":
        return " " * (pad // 2) + text + " " * (pad - pad // 2)
    return text + " " * pad


def _pieces(text: str) -> Iterator[str]:
    """Break opportunities: a space, each Chinese character, a run of Latin letters or digits."""
    run = ""
    for char in text:
        if char == " " or _CELLS[char] == 2:
            if run:
                yield run
                run = ""
            yield char
        else:
            run += char
    if run:
        yield run


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells (a cell's text in the grid)."""
    if _text_cells(text) <= width:
        return [text]
    lines: list[list[str]] = [[]]
    used = 0
    for piece in _pieces(text):
        size = _text_cells(piece)
        if piece == " ":
            if not used:
                continue
            if used + 1 <= width:
                lines[-1].append(piece)
                used += 1
            else:
                lines.append([])
                used = 0
        elif size > width:  # longer than a whole line: cut it where the line is full
            for char in piece:
                if used + _CELLS[char] > width:
                    lines.append([])
                    used = 0
                lines[-1].append(char)
                used += _CELLS[char]
        else:
            if used + size > width:
                carried = []
                # Closing punctuation does not start a line: the Chinese
                # character before it moves down with it.
                before = lines[-1][-1] if len(lines[-1]) > 1 else ""
                if piece[0] in _NO_LINE_START and _text_cells(before) == 2 and size + 2 <= width:
                    carried = [lines[-1].pop()]
                lines.append(carried)
                used = 2 * len(carried)
            lines[-1].append(piece)
            used += size
    wrapped = ("".join(line).strip(" ") for line in lines)
    return [line for line in wrapped if line]
