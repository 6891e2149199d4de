"""The quarterly public-revenue notice, a signed publication (RULES.md §6–7).

The notice shows, for one area and one finished quarter: each category's
total, income, cost and net (Civil Code art. 282), every entry, and the
owners' decision on the net with each unit's share when it is shared by
area (art. 283). It is issued through ``publications.services.publication_issue``
(kind ``public_revenue``), so it carries a serial, a QR code to its
verification page, the bureau's signature and an entry in the publication log.

A quarter is published once; publishing it again is a correction: it needs
a reason, something in the ledger must have changed, and the new notice
supersedes the old one, which stays public (RULES.md §7).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core import money
from core.errors import Conflict
from core.text import clean_text
from publications.models import Kind
from publications.rendering import GRID_KEY, table_grid
from publications.services import publication_issue

from .. import selectors
from ..actions import PUBLISH
from ..models import (
    COST_CATEGORIES,
    INCOME_CATEGORIES,
    Allocation,
    Category,
    Direction,
    QuarterNotice,
)
from ..quarters import Quarter
from ._common import area_lock, quarter_of, require_finished

TEMPLATE = "revenue/quarter_notice.html"
PDF_LANGUAGE = "zh-hans"  # an official Chinese document, whatever the UI language
REASON_LIMIT = 500

ART_282 = (
    "《中华人民共和国民法典》第二百八十二条：建设单位、物业服务企业或者其他管理人等"
    "利用业主的共有部分产生的收入，在扣除合理成本之后，属于业主共有。"
)
ART_283 = (
    "《中华人民共和国民法典》第二百八十三条：对于建筑物及其附属设施的费用分摊、收益分配等事项，"
    "有约定的，按照约定；没有约定或者约定不明确的，按照业主专有部分面积所占比例确定。"
)
SPC_13 = (
    "业主有权查阅共有部分的使用和收益情况（《最高人民法院关于审理建筑物区分所有权纠纷案件"
    "适用法律若干问题的解释》第十三条第（三）项），可登录平台查看本区域公共收益明细账及凭证。"
)
SHARE_COLUMNS = [
    {"label": "序号", "align": "center", "width": "10%"},
    {"label": "房屋", "align": ""},
    {"label": "专有部分面积（㎡）", "align": "num", "width": "24%"},
    {"label": "应分金额（元）", "align": "num", "width": "22%"},
]


def _title(area, period: Quarter) -> str:
    return _("%(area)s公共收益收支公示（%(period)s）") % {
        "area": area.name,
        "period": period.label,
    }


def _entry_rows(state: selectors.QuarterState) -> list[dict]:
    rows = []
    for number, entry in enumerate(state.entries, start=1):
        if entry.is_reversal:
            note = _("冲正第 %(pk)s 号记录：%(reason)s") % {
                "pk": entry.reverses_id,
                "reason": entry.reason,
            }
        else:
            note = entry.memo
            if entry.pk in state.reversed:
                note = (note + " " if note else "") + _("（已冲正）")
        rows.append(
            {
                "number": number,
                "pk": entry.pk,
                "date": f"{entry.occurred_on:%Y-%m-%d}",
                "direction": str(Direction(entry.direction).label),
                "category": str(Category(entry.category).label),
                "counterparty": entry.counterparty,
                "note": note,
                "amount": money.yuan(entry.signed_fen),
                "reversal": entry.is_reversal,
            }
        )
    return rows


def _category_rows(by_category: dict[str, int], codes) -> list[dict]:
    return [
        {
            "label": str(Category(code).label),
            "amount": money.yuan(by_category[code]),
        }
        for code in codes
    ]


def decision_lines(allocation: Allocation) -> list[str]:
    lines = []
    motion = allocation.motion
    if motion is not None:
        assembly = motion.assembly
        serial = assembly.final_publication.serial if assembly.final_publication_id else ""
        text = _("业主大会会议“%(assembly)s”议题%(position)s“%(title)s”经表决通过（%(basis)s）") % {
            "assembly": assembly.title,
            "position": motion.position,
            "title": motion.title,
            "basis": motion.legal_basis,
        }
        if serial:
            text += _("，表决结果公告编号 %(serial)s") % {"serial": serial}
        lines.append(text + "。")
    if allocation.decision_file_sha256:
        lines.append(
            _("业主在平台外作出的决定，书面记录已存档（SHA-256 %(sha)s）；表决结果：%(result)s")
            % {"sha": allocation.decision_file_sha256, "result": allocation.decision_result}
        )
    if allocation.decision_text:
        lines.append(_("决定内容：%(text)s") % {"text": allocation.decision_text})
    if allocation.method == Allocation.Method.NONE:
        lines.append(_("冲正后本期没有可分配的净收益，原分配决定已被取代。"))
    if (
        motion is None
        and not allocation.decision_text
        and allocation.method == Allocation.Method.SHARE_BY_AREA
    ):
        lines.append(
            _(
                "业主对本期收益分配没有另行约定，依照民法典第二百八十三条按专有部分面积所占比例分配。"
            )
        )
    return lines


def _allocation_context(state: selectors.QuarterState) -> tuple[dict | None, dict | None]:
    allocation = state.allocation
    if allocation is None:
        return None, None
    shares = list(allocation.shares.order_by("unit_code"))
    rows = [
        [str(number), share.unit_code, f"{share.floor_area:.2f}", money.yuan(share.share_fen)]
        for number, share in enumerate(shares, start=1)
    ]
    total_area = sum((share.floor_area for share in shares), start=Decimal("0.00"))
    totals = (
        [
            "",
            _("合计（%(count)d 套）") % {"count": len(shares)},
            f"{total_area:.2f}",
            money.yuan(sum(share.share_fen for share in shares)),
        ]
        if shares
        else None
    )
    context = {
        "method": str(Allocation.Method(allocation.method).label),
        "net": money.yuan(allocation.net_fen),
        "decision": decision_lines(allocation),
        "superseded_reason": allocation.reason,
        "shares": rows,
        "share_totals": totals,
        "share_columns": SHARE_COLUMNS,
    }
    grid = table_grid(columns=SHARE_COLUMNS, rows=rows, totals=totals) if rows else None
    return context, grid


def notice_context(state: selectors.QuarterState, *, reason: str = "") -> dict:
    """The template's context for one quarter (also shown as the publish preview)."""
    period, totals = state.period, state.totals
    with translation.override(PDF_LANGUAGE):
        by_category = totals.by_category
        income_rows = _category_rows(by_category, INCOME_CATEGORIES)
        cost_rows = _category_rows(by_category, COST_CATEGORIES)
        allocation, grid = _allocation_context(state)
        if allocation is None:
            if totals.net_fen > 0:
                pending = _(
                    "本期净收益的使用尚待业主共同决定；业主没有约定或者约定不明确的，"
                    "按照业主专有部分面积所占比例确定（民法典第二百八十三条）。"
                )
            else:
                pending = _("本期净收益不为正数，没有可分配的收益。")
        else:
            pending = ""
        return {
            "title": _title(state.area, period),
            "intro": _(
                "根据《中华人民共和国民法典》第二百八十二条、第二百八十三条，现将本物业管理区域"
                "%(period)s（%(span)s）利用业主共有部分产生的收入、合理成本、净收益及其分配情况公示如下。"
            )
            % {"period": period.label, "span": period.span},
            "income_rows": income_rows,
            "cost_rows": cost_rows,
            "income": money.yuan(totals.income_fen),
            "cost": money.yuan(totals.cost_fen),
            "net": money.yuan(totals.net_fen),
            "entries": _entry_rows(state),
            "allocation": allocation,
            "pending": pending,
            "correction_reason": reason,
            "law": [ART_282, ART_283],
            "spc_13": SPC_13,
            GRID_KEY: grid,
        }


def revenue_quarter_publish(
    *,
    area,
    year: int,
    quarter: int,
    actor,
    reason: str = "",
    today: date | None = None,
) -> QuarterNotice:
    """Publish the signed notice of a finished quarter of ``area`` (module docstring).

    ``actor`` None is the system (a scheduled job); a user needs
    ``publication.issue`` in the area (bureau approver or admin, after TOTP).
    Refused: a quarter not yet over; a quarter already published without a
    ``reason`` (a correction), or with one when nothing changed; a decision
    on the net recorded against a net the ledger no longer shows.
    """
    if actor is not None:
        permissions.require(actor, PUBLISH, area)
    period = quarter_of(year, quarter)
    require_finished(period, today or selectors.local_today())
    reason = clean_text(
        reason,
        field="reason",
        limit=REASON_LIMIT,
        required=False,
        label=_("更正原因"),
        multiline=True,
    )

    with transaction.atomic():
        locked = area_lock(area)
        state = selectors.quarter_state(locked, period, today=today)
        _check_publishable(state, period, reason=reason)
        current = state.notice
        reason = reason if current is not None else ""
        context = notice_context(state, reason=reason)
        publication = publication_issue(
            kind=Kind.PUBLIC_REVENUE,
            area=locked,
            period=period.label,
            template=TEMPLATE,
            context=context,
            actor=actor,
            title=context["title"],
            supersedes=current.publication if current is not None else None,
            data_digest=state.digest,
        )
        try:
            notice = _notice_store(
                QuarterNotice(
                    area=locked,
                    year=period.year,
                    quarter=period.quarter,
                    publication=publication,
                    supersedes=current,
                    allocation=state.allocation,
                    income_fen=state.totals.income_fen,
                    cost_fen=state.totals.cost_fen,
                    net_fen=state.totals.net_fen,
                    entries=len(state.entries),
                    reason=reason,
                    published_by=actor if getattr(actor, "is_authenticated", False) else None,
                ),
                actor=actor,
            )
        except BaseException:
            # Everything rolls back; the signed file must not outlive its row.
            publication.file.storage.delete(publication.file.name)
            raise
    return notice


def _check_publishable(state: selectors.QuarterState, period: Quarter, *, reason: str) -> None:
    """A first notice, or a correction (with a reason) of one the ledger has moved on from,
    and never against a decision on a net the ledger no longer shows."""
    current = state.notice
    if current is not None and not reason:
        message = _(
            "%(period)s已经公示（%(serial)s）。如需更正，请填写更正原因，新公示将取代原公示。"
        ) % {"period": period.label, "serial": current.publication.serial}
        raise Conflict("already_published", message, fields={"reason": message})
    if current is not None and current.publication.data_digest == state.digest:
        raise Conflict(
            "unchanged",
            _("%(period)s的账目自上次公示（%(serial)s）以来没有变化，无需更正。")
            % {"period": period.label, "serial": current.publication.serial},
        )
    if state.allocation_stale:
        raise Conflict(
            "allocation_stale",
            _(
                "分配决定登记的净收益（%(decided)s 元）与当前账目的净收益（%(net)s 元）不一致，"
                "请先更正分配决定。"
            )
            % {
                "decided": money.yuan(state.allocation.net_fen),
                "net": money.yuan(state.totals.net_fen),
            },
        )


def _notice_store(notice: QuarterNotice, *, actor) -> QuarterNotice:
    """Insert the notice row and audit it; a concurrent first notice of the quarter is a 409."""
    period = notice.period
    supersedes = notice.supersedes.publication.serial if notice.supersedes is not None else ""
    try:
        with transaction.atomic():
            notice.save(force_insert=True)
    except IntegrityError:
        # A concurrent first notice of this quarter won (SQLite: no row lock).
        raise Conflict(
            "already_published", _("%(period)s已经公示。") % {"period": period.label}
        ) from None
    audit_record(
        actor=actor,
        action="revenue.quarter_publish",
        obj=notice,
        after={
            "area": notice.area.code,
            "period": period.key,
            "serial": notice.publication.serial,
            "income_fen": notice.income_fen,
            "cost_fen": notice.cost_fen,
            "net_fen": notice.net_fen,
            "allocation": notice.allocation_id,
            "supersedes": supersedes,
        },
        summary={
            "area": notice.area.code,
            "period": period.key,
            "serial": notice.publication.serial,
            "net": money.yuan_plain(notice.net_fen),
            "supersedes": supersedes,
        },
    )
    return notice
