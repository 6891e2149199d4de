"""The signed notice of a fund use and its apportionment (RULES.md §4 "Publication", §7).

Order 165 art. 30 and programme task 3: each use of the fund is published
with its apportionment. One notice per use, kind ``fund_use`` (维修资金使用公示)
for the normal procedure, ``emergency_repair`` for an emergency one (the
caller chooses); both kinds exist in ``publications.models.Kind``, so no
migration is needed. The apportionment table lists every unit of the
列支范围 by code with its area and share; shortfalls are given as a count
and a total only — which owner is short is not published.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.money import yuan
from core.text import cn_date
from funds.models import FundUse, PaymentInstruction
from funds.procedure.services.fund_use import fund_use_lock, paid_total
from funds.procedure.services.steps import transition
from publications.models import Kind
from publications.rendering import table_context
from publications.services import issued_file_guard, publication_issue

TEMPLATE = "funds/pdf/fund_use.html"


def fund_use_publication_context(
    fund_use: FundUse, *, extra: Sequence[tuple[str, str]] = (), intro: Sequence[str] = ()
) -> dict:
    """The notice's data: header fields, payments, the apportionment table and notes."""
    shares = list(fund_use.shares.order_by("unit_code"))
    payments = list(
        fund_use.payments.filter(status=PaymentInstruction.Status.CONFIRMED).order_by(
            "paid_on", "pk"
        )
    )
    area_total = sum((s.floor_area for s in shares), start=0)
    short = [s for s in shares if s.share_fen > s.charged_fen]
    fields = [
        (_("物业管理区域"), fund_use.area.name),
        (_("维修事项"), fund_use.title),
        (_("资金使用程序"), str(FundUse.Source(fund_use.source).label)),
        (_("列支范围"), fund_use.scope_text()),
        *extra,
        (_("批准金额"), _("%(y)s 元") % {"y": yuan(fund_use.budget_fen)}),
        (
            _("银行划款"),
            "；".join(
                _("%(day)s 划付 %(payee)s %(y)s 元")
                % {"day": cn_date(p.paid_on), "payee": p.payee_name, "y": yuan(p.amount_fen)}
                for p in payments
            )
            or _("无"),
        ),
        (_("结算金额"), _("%(y)s 元") % {"y": yuan(fund_use.final_cost_fen or 0)}),
    ]
    if fund_use.over_budget_reason:
        fields.append((_("超出批准金额的理由"), fund_use.over_budget_reason))
    fields += limits_rows(fund_use)
    fields += [
        (_("结算日期"), cn_date(fund_use.settled_on) if fund_use.settled_on else ""),
        (
            _("分摊"),
            _("%(n)d 套房屋，专有部分面积合计 %(area)s ㎡")
            % {"n": len(shares), "area": f"{area_total:.2f}"},
        ),
    ]
    rows = [
        [
            s.unit_code,
            f"{s.floor_area:.2f}",
            yuan(s.share_fen),
            _("开发建设单位未售") if s.developer_held else "",
        ]
        for s in shares
    ]
    notes = _apportionment_notes(short)
    return table_context(
        columns=[
            {"label": _("房屋编码"), "align": ""},
            {"label": _("专有部分面积（㎡）"), "align": "num"},
            {"label": _("分摊金额（元）"), "align": "num"},
            {"label": _("备注"), "align": ""},
        ],
        rows=rows,
        totals=[_("合计"), f"{area_total:.2f}", yuan(sum(s.share_fen for s in shares)), ""],
        lead=list(intro)
        or [
            _("%(area)s“%(title)s”已完成验收和结算，现将维修资金使用及各户分摊情况公示如下。")
            % {"area": fund_use.area.name, "title": fund_use.title}
        ],
        notes=notes,
        fields=fields,
        paid_fen=paid_total(fund_use),
    )


def _apportionment_notes(short: list) -> list[str]:
    """The notice's notes: the legal basis and rounding of the apportionment, the shortfalls."""
    notes = [
        _(
            "分摊依据《住宅专项维修资金管理办法》第二十条、第二十一条：维修费用由列支范围内的业主"
            "按各自专有部分面积比例分摊，开发建设单位未售出房屋的份额由开发建设单位承担。"
        ),
        _(
            "分摊取整规则：每户先取“结算金额×本户面积÷总面积”向下取整到分，剩余的分按余数从大到小"
            "逐户各加 1 分，余数相同的按房屋编码升序；各户分摊合计等于结算金额。"
        ),
    ]
    if short:
        notes.append(
            _(
                "其中 %(n)d 套房屋的分户账余额不足以支付应分摊金额，已扣划其全部余额，不足部分合计"
                " %(y)s 元由相关业主补交后扣划（分户账不记负数）。"
            )
            % {"n": len(short), "y": yuan(sum(s.share_fen - s.charged_fen for s in short))}
        )
    notes.append(_("业主可登录平台查看本人分户账的每一笔记录。"))
    return notes


def fund_use_publish(
    *,
    fund_use: FundUse,
    actor,
    kind: str = Kind.FUND_USE,
    title: str | None = None,
    extra: Sequence[tuple[str, str]] = (),
    intro: Sequence[str] = (),
) -> FundUse:
    """Issue the signed notice of a settled use (``publication.issue``; actor None = system)."""
    with transaction.atomic():
        locked = fund_use_lock(fund_use)
        if locked.status == FundUse.Status.PUBLISHED:
            return locked
        if locked.status != FundUse.Status.SETTLED:
            raise Conflict("not_settled", _("结算分摊后才能公示。"))
        opened = timezone.localdate(locked.opened_at)
        publication = publication_issue(
            kind=kind,
            area=locked.area,
            period=f"{opened:%Y-%m-%d}至{locked.settled_on:%Y-%m-%d}",
            template=TEMPLATE,
            context=fund_use_publication_context(locked, extra=extra, intro=intro),
            actor=actor,
            title=title or _("维修资金使用及分摊公示（%(title)s）") % {"title": locked.title},
        )
        with issued_file_guard(publication):
            transition(
                locked,
                FundUse.Status.PUBLISHED,
                actor=actor,
                action="fund_use.publish",
                fields={"publication": publication, "published_at": publication.issued_at},
                summary={"serial": publication.serial},
            )
    return locked


def limits_rows(fund_use: FundUse) -> list[tuple[str, str]]:
    """The notice's rows on what bounded the settlement (RULES.md §4 "use"): the owners'
    tolerance and ceiling, the supplementary votes that approved an excess, the 质保金."""
    from funds.procedure.services.settlement_limits import ceiling_of
    from funds.procedure.services.supplementary_votes import supplementary_approved

    rows = []
    if fund_use.tolerance_pct:
        rows.append(
            (
                _("结算上限"),
                _("%(y)s 元（业主同意超支不超过 %(n)d%%）")
                % {"y": yuan(ceiling_of(fund_use)), "n": fund_use.tolerance_pct},
            )
        )
    votes = [
        v
        for v in fund_use.supplementary_votes.select_related("assembly", "motion", "fund_use")
        if supplementary_approved(v)
    ]
    if votes:
        rows.append(
            (
                _("超支补充表决"),
                "；".join(
                    _("%(title)s：同意超出 %(y)s 元")
                    % {"title": v.assembly.title, "y": yuan(v.excess_fen)}
                    for v in votes
                ),
            )
        )
    if fund_use.retention_fen:
        rows.append(
            (
                _("质保金"),
                _("%(y)s 元，工程保修期至 %(day)s，届满后支付")
                % {
                    "y": yuan(fund_use.retention_fen),
                    "day": cn_date(fund_use.warranty_ends_on) if fund_use.warranty_ends_on else "",
                },
            )
        )
    return rows
