"""The notice of a draft as it would be published, before the irreversible confirm.

Rendered from the notice's own template (``opening.NOTICE_TEMPLATE``, through
``voting/manage/notice_preview.pdf.html``, which only adds the watermark
"预览 — 未签名" on every page and leaves the seal box empty) with the same
context ``assembly_notice`` would use today. It is not a publication: no
serial is taken, nothing is signed, stored, logged or audited — a preview
changes nothing, so the convener may look as often as they like.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.text import cn_date
from publications.models import Kind
from publications.rendering import render_pdf
from voting.models import Assembly

from .assemblies import require_caller, require_draft
from .common import earliest_open_at, local_date
from .opening import notice_context

PREVIEW_TEMPLATE = "voting/manage/notice_preview.pdf.html"
# What stands where the serial would be: a preview has none.
PREVIEW_SERIAL = "预览（未编号）"
# A blank square where the QR code of the verification page would be (no serial to verify).
_NO_QR = (
    "data:image/svg+xml;charset=utf-8,%3Csvg xmlns='http://www.w3.org/2000/svg' "
    "width='10' height='10'%3E%3Crect width='10' height='10' fill='%23eeeeee'/%3E%3C/svg%3E"
)
PDF_LANGUAGE = "zh-hans"  # as publications.services: a notice is a Chinese document


def _header(area) -> str:
    community = area.community
    return (
        f"{settings.GONGZHI_DISTRICT_NAME} · {community.street.name}{community.name} · {area.name}"
    )


def assembly_notice_preview(*, assembly: Assembly, actor) -> bytes:
    """The unsigned PDF of the notice a draft would publish now (the convener only)."""
    require_caller(actor, assembly.area)
    require_draft(assembly)
    now = timezone.now()
    earliest = earliest_open_at(now)
    with translation.override(PDF_LANGUAGE):
        title = _("关于召开业主大会会议的公告（%(title)s）") % {"title": assembly.title}
        kind_label = str(Kind(Kind.ASSEMBLY_NOTICE).label)
        pub = {
            "serial": PREVIEW_SERIAL,
            "title": title,
            "kind": Kind.ASSEMBLY_NOTICE,
            "kind_label": kind_label,
            "period": f"{local_date(assembly.opens_at):%Y-%m-%d}至"
            f"{local_date(assembly.closes_at):%Y-%m-%d}",
            "issued_at": now,
            "issued_date": cn_date(local_date(now)),
            "bureau": settings.GONGZHI_BUREAU_NAME,
            "district": settings.GONGZHI_DISTRICT_NAME,
            "area": assembly.area,
            "header": _header(assembly.area),
            "verify_url": "（发布后生成）",
            "qr": _NO_QR,
            "anchors": [],
            "supersedes": None,
        }
        context = {**notice_context(assembly, earliest=earliest), "pub": pub, "preview": True}
        return render_pdf(template=PREVIEW_TEMPLATE, context=context).data
