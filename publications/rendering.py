"""Django template → WeasyPrint → PDF/A-3b (DESIGN.md "Publications and signatures").

Chinese is set in Noto CJK (Debian ``fonts-noto-cjk``), subset and embedded.
A character the fonts lack would print silently as an empty box, so a
rendering that makes WeasyPrint log a missing glyph is refused, as is any
rendering on a machine where ``fc-list :lang=zh`` finds no Chinese font.
Templates extend ``publications/pdf/base.html``, which marks where the seal
goes with the element ``#gongzhi-seal``; its box on the page is returned so
the signature's visible seal lands exactly there.
"""

from __future__ import annotations

import logging
import subprocess  # noqa: S404 - fc-list with fixed arguments
import threading
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from gongzhi.errors import DomainError

SEAL_ANCHOR = "gongzhi-seal"
TABLE_TEMPLATE = "publications/pdf/table.html"
PDF_VARIANT = "pdf/a-3b"
# WeasyPrint lays out in CSS px; PDF user space is in points (1 px = 0.75 pt).
PX_TO_PT = 0.75
_MISSING_GLYPH = ".notdef glyph rendered"


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    seal_page: int  # 0-based
    seal_box: tuple[float, float, float, float]  # PDF points: llx, lly, urx, ury


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


def render_pdf(*, template: str, context: dict[str, Any]) -> RenderedPdf:
    """Render ``template`` with ``context`` to PDF/A-3b bytes, or raise ``DomainError``."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    require_cjk_fonts()
    html = render_to_string(template, context)
    weasy_logger = logging.getLogger("weasyprint")
    if weasy_logger.getEffectiveLevel() > logging.WARNING:
        weasy_logger.setLevel(logging.WARNING)
    watch = _GlyphWatch()
    weasy_logger.addHandler(watch)
    try:
        # Only data: URIs (the QR code): a notice never fetches anything over the network.
        fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
        document = HTML(string=html, url_fetcher=fetcher, base_url=None).render()
        data = document.write_pdf(pdf_variant=PDF_VARIANT)
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
        return RenderedPdf(data=data, pages=len(document.pages), seal_page=index, seal_box=box)
    raise RuntimeError(f"Template {template} has no #{SEAL_ANCHOR} element for the seal.")


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
    2 places). With a width on every column the table is laid out "fixed",
    which keeps a 2,000-row table fast.
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
        **extra,
    }
