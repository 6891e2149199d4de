"""The owners' vote on a fund-use application, and the payment gate that reads it.

RULES.md §4 (Order 165 arts. 22–23): the committee (``assembly.call``) puts
the application to the owners of its 列支范围: an assembly of the scope with a
motion of Civil Code art. 278 item 5 (use of the fund: ordinary), optionally
with a second one of item 6 (raising the fund, a top-up: special) for the
shares the sub-ledgers cannot cover. The budget and scope are frozen from
then on: owners vote on what they were shown.

**No vote, no money** (RULES §4): ``application_payment_gate`` is registered
as the payment gate of ``FundUse.Source.APPLICATION``; the payment services
call it before any instruction or confirmation. It requires the motion's
outcome *approved* in the assembly's **final** result — RULES §3: the result
is published at once as preliminary, owners may object for 7 days, then the
final result is published; money waits for the final result, so an objection
is heard before anything is paid — over exactly the application's scope.
"""

from __future__ import annotations

from datetime import datetime

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from core.errors import Conflict, DomainError
from core.money import yuan
from funds.models import ApplicationAttachment, FundApplication, FundUse, RepairType
from funds.procedure.services.applications import application_lock
from funds.procedure.services.limit_settings import tolerance_text
from funds.procedure.services.payments import payment_source_register
from funds.procedure.services.scope import clean_scope_lists
from funds.procedure.services.steps import transition
from voting import counting
from voting import services as voting
from voting.models import Assembly, Motion
from voting.services.common import earliest_open_at, local_date

Status = FundApplication.Status
USE_ITEM = 5  # Civil Code art. 278 para 1 item (5): using the fund — ordinary
TOPUP_ITEM = 6  # item (6): raising the fund — special (RULES.md §2)


# --------------------------------------------------------------------------- the vote


def _motion_text(application: FundApplication) -> str:
    lines = [
        _("预算金额：%(y)s 元（明细和报价单见会议附件）。") % {"y": yuan(application.budget_fen)},
        _("列支范围：%(scope)s。") % {"scope": application.scope_text()},
        _("维修类别：%(type)s。") % {"type": RepairType(application.repair_type).label},
        tolerance_text(application.budget_fen, application.tolerance_pct),
    ]
    for item in application.items.all():
        lines.append(f"{item.position}. {item.name} {item.spec} {yuan(item.amount_fen)} 元".strip())
    lines.append(
        _(
            "费用由列支范围内业主按专有部分面积比例分摊（《住宅专项维修资金管理办法》第二十条、"
            "第二十一条），本页显示您本户的预计分摊金额。"
        )
    )
    return "\n".join(lines)


def _topup_text(application: FundApplication) -> str:
    from funds.procedure.services.apportionment import apportionment_compute

    estimate = apportionment_compute(application, application.budget_fen)
    return _(
        "按预算 %(budget)s 元估算，列支范围内有 %(n)d 套房屋的分户账余额不足以支付应分摊金额，"
        "合计差额 %(gap)s 元。本议题表决是否由相关业主按差额续筹维修资金"
        "（《住宅专项维修资金管理办法》第十七条）。"
    ) % {
        "budget": yuan(application.budget_fen),
        "n": len(estimate.shortfalls),
        "gap": yuan(estimate.shortfall_fen),
    }


def application_vote_create(
    *,
    application: FundApplication,
    actor,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    title: str = "",
    assembly: Assembly | None = None,
    include_topup: bool = False,
) -> FundApplication:
    """Put the application to the owners of its 列支范围 (Order 165 art. 22; RULES §2).

    The committee (``assembly.call``) creates a draft assembly of the scope
    (or adds the motion to an existing draft of the same area and scope) with
    an item-5 motion carrying the budget and scope; quotes and plans become the
    assembly's attachments. Noticing and opening the vote follow on the
    voting pages, as for any assembly.
    """
    permissions.require(actor, "assembly.call", application.area)
    with transaction.atomic():
        locked = application_lock(application)
        _vote_put(locked, actor, opens_at, closes_at, title, assembly, include_topup, attach=True)
    return locked


class _DryRun(Exception):
    """Raised to roll back ``application_vote_check``'s trial run."""


def application_vote_check(
    *,
    application: FundApplication,
    actor,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    title: str = "",
    assembly: Assembly | None = None,
    include_topup: bool = False,
) -> None:
    """Raise what ``application_vote_create`` would refuse, and change nothing.

    The confirmation page is shown only when the submit would succeed (issue #16
    item 8): every check of the real service runs — quote uploaded, budget, scope
    against the register, the assembly's dates and scope — inside a transaction
    rolled back at the end. Only copying the quotes (file I/O) is left out.
    """
    permissions.require(actor, "assembly.call", application.area)
    try:
        with transaction.atomic():
            locked = application_lock(application)
            _vote_put(
                locked, actor, opens_at, closes_at, title, assembly, include_topup, attach=False
            )
            raise _DryRun
    except _DryRun:
        pass


def _vote_put(locked, actor, opens_at, closes_at, title, assembly, include_topup, *, attach):
    """The draft assembly, the motion(s), the quotes attached (``attach``), the transition."""
    quotes = _vote_ready(locked)
    assembly = _vote_assembly(locked, assembly, opens_at, closes_at, title, actor)
    motion = voting.motion_add(
        assembly=assembly,
        title=_("使用维修资金：%(title)s（预算 %(y)s 元）")
        % {"title": locked.title, "y": yuan(locked.budget_fen)},
        item=USE_ITEM,
        actor=actor,
        description=_motion_text(locked),
        # RULES.md §1: an item 5–6 motion's 列支范围 equals its assembly's scope.
        scope_buildings=locked.scope_buildings,
        scope_unit_codes=locked.scope_unit_codes,
    )
    # voting.Motion.fund is the link point reserved for this issue (voting.models).
    motion.fund = {
        "application": locked.pk,
        "budget_fen": locked.budget_fen,
        "tolerance_pct": locked.tolerance_pct,
        "scope_buildings": locked.scope_buildings,
        "scope_unit_codes": locked.scope_unit_codes,
    }
    Motion.objects.filter(pk=motion.pk).update(fund=motion.fund)
    topup = None
    if include_topup:
        topup = voting.motion_add(
            assembly=assembly,
            title=_("续筹维修资金：%(title)s") % {"title": locked.title},
            item=TOPUP_ITEM,
            actor=actor,
            description=_topup_text(locked),
            scope_buildings=locked.scope_buildings,
            scope_unit_codes=locked.scope_unit_codes,
        )
    if attach:
        _quotes_attach(assembly, quotes, actor)
    transition(
        locked,
        Status.VOTING,
        actor=actor,
        action="fund_application.vote_create",
        fields={"assembly": assembly, "motion": motion, "topup_motion": topup},
        summary={"assembly": assembly.pk, "motion": motion.code},
    )


def vote_title(item_title: str) -> str:
    """The draft assembly's title for an item: "外墙修缮维修资金使用表决".

    An item named "…维修" must not read "…维修维修资金…" (issue #16 item 11): the
    word the item ends with is the one the phrase starts with, said once.
    """
    text = _("%(title)s维修资金使用表决") % {"title": item_title}
    while "维修维修" in text:
        text = text.replace("维修维修", "维修")
    return text


def _vote_ready(locked: FundApplication) -> list:
    """Refuse an application not ready for the owners' vote; its quotes and plans."""
    if locked.status != Status.DRAFT:
        raise Conflict("not_draft", _("只有草稿状态的申请可以提交表决。"))
    if locked.budget_fen <= 0:
        raise DomainError("no_budget", _("请先填写预算明细。"), fields={"items": _("必填。")})
    quotes = list(locked.attachments.filter(kind__in=ApplicationAttachment.PROPOSAL_KINDS))
    if not any(a.kind == ApplicationAttachment.Kind.QUOTE for a in quotes):
        raise DomainError(
            "no_quote",
            _("请先上传报价单：业主表决前须能看到预算依据。"),
            fields={"file": _("必填。")},
        )
    # The register may have changed since the draft was written.
    clean_scope_lists(locked.area, locked.scope_buildings, locked.scope_unit_codes)
    return quotes


def _vote_assembly(locked: FundApplication, assembly, opens_at, closes_at, title, actor):
    """A new draft assembly of the scope, or the chosen one if it is a draft of the same scope."""
    if assembly is None:
        if opens_at is None or closes_at is None:
            raise DomainError("bad_time", _("请填写表决开始和截止时间。"))
        _notice_room(opens_at)
        assembly = voting.assembly_create(
            area=locked.area,
            title=title or vote_title(locked.title),
            opens_at=opens_at,
            closes_at=closes_at,
            actor=actor,
            scope_buildings=locked.scope_buildings,
            scope_unit_codes=locked.scope_unit_codes,
        )
    elif (
        assembly.area_id != locked.area_id
        or assembly.status != Assembly.Status.DRAFT
        or sorted(assembly.scope_buildings) != locked.scope_buildings
        or sorted(assembly.scope_unit_codes) != locked.scope_unit_codes
    ):
        raise Conflict(
            "assembly_mismatch", _("所选会议须为本区域、表决范围与列支范围相同的草稿会议。")
        )
    return assembly


def _notice_room(opens_at: datetime) -> None:
    """Refuse a start the notice period cannot reach even if the notice went out now.

    RULES.md §3 (物业管理条例 art. 14): voting opens no earlier than the notice
    period after the notice; the notice is published after this draft, so the
    earliest possible start is counted from now. Checked here, before the
    committee confirms, not only when the notice is refused (issue #16 item 8).
    """
    earliest = earliest_open_at(timezone.now())
    if opens_at < earliest:
        message = _("表决开始时间不得早于%(date)s：须先发布会议公告，公告期满后才能开始表决。") % {
            "date": f"{local_date(earliest):%Y-%m-%d}"
        }
        raise DomainError("notice_period", message, fields={"opens_at": message})


def _quotes_attach(assembly: Assembly, quotes: list, actor) -> None:
    """The quotes and plans become the assembly's attachments (what the owners see)."""
    for attachment in quotes:
        with attachment.file.open("rb") as handle:
            voting.attachment_add(
                assembly=assembly,
                title=f"{attachment.get_kind_display()}：{attachment.title}",
                file=File(handle, name=attachment.original_name),
                actor=actor,
            )


APPROVED, FAILED, PENDING, CANCELLED = "approved", "failed", "pending", "cancelled"


def vote_state(application: FundApplication) -> str:
    """Where the owners' vote stands: approved (final), failed, pending or cancelled."""
    assembly, motion = application.assembly, application.motion
    if assembly is None or motion is None:
        return PENDING
    if assembly.status == Assembly.Status.CANCELLED:
        return CANCELLED
    outcome = ((assembly.result or {}).get(motion.code) or {}).get("outcome")
    if assembly.status == Assembly.Status.FINAL and outcome == counting.APPROVED:
        return APPROVED
    if (
        assembly.status in (Assembly.Status.PRELIMINARY, Assembly.Status.FINAL)
        and outcome != counting.APPROVED
    ):
        return FAILED
    return PENDING


def application_vote_conclude(*, application: FundApplication, actor) -> FundApplication:
    """Take the vote's result: approved (final) → submitted to the bureau; failed → ended;
    a cancelled assembly → back to draft for a new vote; still running → refused."""
    if not (
        permissions.can(actor, "fund.apply", application.area)
        or permissions.can(actor, "assembly.call", application.area)
    ):
        permissions.require(actor, "fund.apply", application.area)
    with transaction.atomic():
        locked = application_lock(application)
        if locked.status != Status.VOTING:
            raise Conflict("not_voting", _("该申请不在表决阶段。"))
        state = vote_state(locked)
        if state == PENDING:
            raise Conflict(
                "vote_pending", _("表决结果尚未最终确定（须待异议期届满、最终结果公告后）。")
            )
        if state == APPROVED:
            return transition(
                locked,
                Status.SUBMITTED,
                actor=actor,
                action="fund_application.submit",
                fields={"submitted_at": timezone.now()},
                summary={"assembly": locked.assembly_id},
            )
        if state == FAILED:
            return transition(
                locked, Status.VOTE_FAILED, actor=actor, action="fund_application.vote_failed"
            )
        return transition(
            locked,
            Status.DRAFT,
            actor=actor,
            action="fund_application.vote_cancelled",
            fields={"assembly": None, "motion": None, "topup_motion": None},
        )


# --------------------------------------------------------------------------- the money gate


def vote_covers(application: FundApplication, fund_use: FundUse | None = None) -> bool:
    """The application's item-5 motion passed in a final result, over exactly its scope."""
    assembly, motion = application.assembly, application.motion
    if assembly is None or motion is None:
        return False
    voted = motion.fund or {}
    scopes = [
        (sorted(assembly.scope_buildings), sorted(assembly.scope_unit_codes)),
        (application.scope_buildings, application.scope_unit_codes),
    ]
    if fund_use is not None:
        scopes.append((fund_use.scope_buildings, fund_use.scope_unit_codes))
        if fund_use.budget_fen > voted.get("budget_fen", 0):
            return False
        # The ceiling is the owners' too: never a tolerance above the one they voted.
        if fund_use.tolerance_pct > voted.get("tolerance_pct", 0):
            return False
    return (
        motion.item == USE_ITEM
        and motion.assembly_id == assembly.pk
        and assembly.area_id == application.area_id
        and all(scope == scopes[0] for scope in scopes)
        and vote_state(application) == APPROVED
    )


def application_payment_gate(fund_use: FundUse) -> None:
    """No vote, no money (module docstring): raise unless the vote approved this use."""
    application = (
        FundApplication.objects.filter(fund_use=fund_use)
        .select_related("assembly", "motion")
        .first()
    )
    if application is None or not vote_covers(application, fund_use):
        raise DomainError(
            "no_vote",
            _(
                "未经列支范围内业主表决通过（以最终表决结果为准），不能拨付维修资金"
                "（《住宅专项维修资金管理办法》第二十二条）。"
            ),
        )
    if application.status not in FundApplication.PAYABLE:
        raise Conflict("not_approved", _("该申请尚未批准，不能拨付。"))


def _application_paid(fund_use: FundUse, instruction, actor) -> None:
    application = FundApplication.objects.select_for_update().get(fund_use=fund_use)
    if application.status == Status.APPROVED:
        transition(
            application,
            Status.PAID,
            actor=actor,
            action="fund_application.paid",
            summary={"instruction": instruction.key},
        )


payment_source_register(
    FundUse.Source.APPLICATION, gate=application_payment_gate, on_confirmed=_application_paid
)
