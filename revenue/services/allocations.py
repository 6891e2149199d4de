"""The owners' decision on the use of a quarter's net (Civil Code arts. 282–283)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core import money
from core.errors import Conflict, DomainError
from core.text import clean_text
from core.uploads import validate_upload
from funds.apportion import apportion
from voting import counting
from voting.models import Assembly, Motion

from .. import selectors
from ..actions import ALLOCATE
from ..models import Allocation, AllocationShare
from ._common import area_lock, quarter_of, require_finished, upload_sha256

DECISION_LIMIT = 2000
REASON_LIMIT = 500


def _check_motion(motion: Motion, area) -> None:
    """The decision must be an approved, final motion of an assembly of the whole area.

    Income from the common parts belongs to all owners of the area (art. 282),
    so a vote of only some of them (a 列支范围) cannot decide it. Any matter of
    art. 278 may carry such a decision (the management covenant, item 2, can
    agree how revenue is shared — art. 283 "有约定的，按照约定"), but not an
    election, which decides nothing about money.
    """
    assembly = Assembly.objects.get(pk=motion.assembly_id)
    if assembly.area_id != area.pk:
        message = _("该议题不是本物业管理区域业主大会的议题。")
        raise DomainError("motion_area", message, fields={"motion": message})
    if not assembly.whole_area:
        message = _("该议题只由部分业主表决，不能决定全体业主的公共收益。")
        raise DomainError("motion_scope", message, fields={"motion": message})
    if motion.is_election:
        message = _("选举议题不能作为公共收益的分配决定。")
        raise DomainError("motion_kind", message, fields={"motion": message})
    if assembly.status != Assembly.Status.FINAL:
        message = _("该议题的表决结果尚未最终确定。")
        raise Conflict("motion_not_final", message, fields={"motion": message})
    outcome = (assembly.result or {}).get(motion.code, {}).get("outcome")
    if outcome != counting.APPROVED:
        message = _("该议题未获业主大会通过。")
        raise Conflict("motion_not_approved", message, fields={"motion": message})


def _state(allocation: Allocation) -> dict:
    return {
        "area": allocation.area.code,
        "period": allocation.period.key,
        "method": allocation.method,
        "net_fen": allocation.net_fen,
        "motion": allocation.motion_id,
        "decision_text": allocation.decision_text,
        "decision_file_sha256": allocation.decision_file_sha256,
        "decision_result": allocation.decision_result,
        "supersedes": allocation.supersedes_id,
        "reason": allocation.reason,
    }


def revenue_allocation_record(
    *,
    area,
    year: int,
    quarter: int,
    method: str,
    actor,
    motion: Motion | None = None,
    decision_text: str = "",
    decision_file=None,
    decision_result: str = "",
    reason: str = "",
    today: date | None = None,
) -> Allocation:
    """Record how the owners decided the net of a finished quarter is used.

    Art. 283: without an agreement of the owners the net is shared by each
    owner's share of exclusive area; that (``SHARE_BY_AREA``) needs no vote.
    Any other use (to the fund, or shared otherwise) needs the owners'
    decision: an approved motion of the area's assembly (``motion``), or, for
    a decision taken off the platform, its uploaded record (``decision_file``:
    the minutes or tally, PDF/JPEG/PNG) **and** its result
    (``decision_result``: participation and approval) — a text naming the
    decision is not enough. ``decision_text`` describes the use (required for
    ``OTHER``). Shared by area, every unit of the area gets
    ``funds.apportion`` of the net by floor area — exact to the fen, left-over
    fen to the largest remainders, ties by unit code (RULES.md §4).

    The net must be positive. A quarter already decided takes a new decision
    only with a ``reason``; the new one supersedes the old (both are kept).
    When a reversal after the decision leaves no positive net, the decision is
    superseded by one of method ``NONE`` (with a reason): nothing is shared,
    and the quarter's notice can be published again.
    """
    permissions.require(actor, ALLOCATE, area)
    period = quarter_of(year, quarter)
    require_finished(period, today or selectors.local_today())
    decision_text, decision_result, reason = _decision_clean(
        method=method,
        motion=motion,
        decision_text=decision_text,
        decision_file=decision_file,
        decision_result=decision_result,
        reason=reason,
    )
    if motion is not None:
        _check_motion(motion, area)

    with transaction.atomic():
        locked = area_lock(area)
        entries = list(selectors.quarter_entries(locked, period))
        net = selectors.totals_of(entries).net_fen
        current = selectors.current_allocation(locked, period)
        _check_net(method=method, net=net, current=current, period=period, reason=reason)
        units = list(locked.units.order_by("code"))
        if method == Allocation.Method.SHARE_BY_AREA and not units:
            raise Conflict("no_units", _("本区域台账中没有房屋，无法按面积分配。"))
        allocation = _allocation_store(
            Allocation(
                area=locked,
                year=period.year,
                quarter=period.quarter,
                method=method,
                net_fen=net,
                motion=motion,
                decision_text=decision_text,
                decision_result=decision_result if decision_file else "",
                supersedes=current,
                reason=reason if current is not None else "",
                recorded_by=actor,
            ),
            decision_file=decision_file,
        )
        shares = _shares_store(allocation, units)
        _allocation_audit(allocation, current=current, shares=shares, actor=actor)
    return allocation


def _allocation_audit(allocation: Allocation, *, current, shares: dict, actor) -> None:
    audit_record(
        actor=actor,
        action="revenue.allocation_record",
        obj=allocation,
        before=_state(current) if current is not None else None,
        after={**_state(allocation), "shares": shares},
        summary={
            "area": allocation.area.code,
            "period": allocation.period.key,
            "method": allocation.method,
            "net": money.yuan_plain(allocation.net_fen),
            "motion": allocation.motion_id or "",
            "supersedes": current.pk if current is not None else "",
            "units": len(shares),
        },
    )


def _decision_clean(
    *, method: str, motion, decision_text, decision_file, decision_result, reason
) -> tuple[str, str, str]:
    """The decision's texts cleaned, and its grounds checked against the method (art. 283):
    ``(decision_text, decision_result, reason)``."""
    if method not in Allocation.Method.values:
        message = _("请选择分配方式。")
        raise DomainError("bad_method", message, fields={"method": message})
    decision_text = clean_text(
        decision_text,
        field="decision_text",
        limit=DECISION_LIMIT,
        required=method == Allocation.Method.OTHER,
        label=_("决定内容"),
        multiline=True,
    )
    reason = clean_text(
        reason,
        field="reason",
        limit=REASON_LIMIT,
        required=False,
        label=_("更正原因"),
        multiline=True,
    )
    decision_result = clean_text(
        decision_result,
        field="decision_result",
        limit=DECISION_LIMIT,
        required=False,
        label=_("表决结果"),
        multiline=True,
    )
    if decision_file:
        try:
            validate_upload(decision_file)
        except ValidationError as exc:
            raise DomainError(
                "bad_file", exc.messages[0], fields={"decision_file": exc.messages[0]}
            ) from None
        if not decision_result:
            message = _("请写明书面记录中的表决结果（参与和同意的人数、面积）。")
            raise DomainError("no_result", message, fields={"decision_result": message})
    if method == Allocation.Method.NONE and (motion is not None or decision_file):
        message = _("无可分配的净收益时不登记分配决定的依据。")
        raise DomainError("bad_method", message, fields={"method": message})
    if (
        method in Allocation.NEEDS_DECISION
        and motion is None
        and not (decision_file and decision_result)
    ):
        message = _(
            "转入维修资金或不按面积分配须有业主的决定：请选择平台上表决通过的议题，"
            "或上传业主决定的书面记录并写明表决结果。"
        )
        raise DomainError("no_decision", message, fields={"motion": message})
    return decision_text, decision_result, reason


def _check_net(*, method: str, net: int, current: Allocation | None, period, reason: str) -> None:
    """The method fits the quarter's net as the ledger now has it (under the area lock), and
    a quarter already decided is decided again only with a reason."""
    if method == Allocation.Method.NONE:
        # A reversal after the decision wiped the net out: the decision is superseded,
        # not left standing against a net the ledger no longer has.
        if net > 0:
            message = _("%(period)s有净收益 %(net)s 元，请选择分配方式。") % {
                "period": period.label,
                "net": money.yuan(net),
            }
            raise DomainError("has_net", message, fields={"method": message})
        if current is None or current.method == Allocation.Method.NONE:
            raise Conflict(
                "no_net",
                _("%(period)s的净收益为 %(net)s 元，没有可分配的收益。")
                % {"period": period.label, "net": money.yuan(net)},
            )
    elif net <= 0:
        message = _("%(period)s的净收益为 %(net)s 元，没有可分配的收益。") % {
            "period": period.label,
            "net": money.yuan(net),
        }
        if current is not None and current.method != Allocation.Method.NONE:
            message += _("原分配决定可以“无可分配的净收益”取代。")
        raise Conflict("no_net", message, fields={"method": message})
    if current is not None and not reason:
        message = _("%(period)s已登记分配决定；如需更正，请填写更正原因。") % {
            "period": period.label
        }
        raise Conflict("already_decided", message, fields={"reason": message})


def _allocation_store(allocation: Allocation, *, decision_file) -> Allocation:
    """Insert the decision row (with its file); a concurrent decision of the quarter is a 409."""
    if decision_file:
        allocation.decision_file_sha256 = upload_sha256(decision_file)
        extension = decision_file.name.rsplit(".", 1)[-1].lower()
        allocation.decision_file.save(f"decision.{extension}", decision_file, save=False)
    try:
        with transaction.atomic():
            allocation.save(force_insert=True)
    except IntegrityError:
        if allocation.decision_file:
            allocation.decision_file.storage.delete(allocation.decision_file.name)
        # Another decision for this quarter was stored meanwhile (SQLite has no row lock).
        raise Conflict(
            "already_decided",
            _("%(period)s已登记分配决定。") % {"period": allocation.period.label},
        ) from None
    return allocation


def _shares_store(allocation: Allocation, units) -> dict[str, int]:
    """Shared by area: each unit's ``apportion`` of the net (RULES.md §4); else nothing."""
    if allocation.method != Allocation.Method.SHARE_BY_AREA:
        return {}
    shares = apportion(allocation.net_fen, {unit.code: unit.floor_area for unit in units})
    AllocationShare.objects.bulk_create(
        AllocationShare(
            allocation=allocation,
            unit=unit,
            unit_code=unit.code,
            floor_area=unit.floor_area,
            share_fen=shares[unit.code],
        )
        for unit in units
    )
    return shares
