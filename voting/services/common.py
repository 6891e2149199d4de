"""What every voting service shares: settings, the clock, locking and the transition table."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core import periods
from core.errors import Conflict, DomainError
from core.text import datetime_text
from voting.models import Assembly

logger = logging.getLogger("gongzhi.voting")

# Floor of the notice period: 物业管理条例 art. 14, "a setting; never shorter" (RULES.md §3).
MIN_NOTICE_DAYS = 15


def notice_days() -> int:
    days = getattr(settings, "GONGZHI_NOTICE_DAYS", MIN_NOTICE_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or days < MIN_NOTICE_DAYS:
        raise ImproperlyConfigured(
            f"GONGZHI_NOTICE_DAYS must be a whole number ≥ {MIN_NOTICE_DAYS}, not {days!r}."
        )
    return days


def objection_days() -> int:
    days = getattr(settings, "GONGZHI_OBJECTION_DAYS", 7)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured(
            f"GONGZHI_OBJECTION_DAYS must be a whole number ≥ 1, not {days!r}."
        )
    return days


def working_days() -> bool:
    return bool(getattr(settings, "GONGZHI_PERIODS_IN_WORKING_DAYS", False))


def local_date(moment: datetime) -> date:
    # Days are the district's days (Asia/Shanghai), whatever the request's time zone.
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def earliest_open_at(notice_at: datetime) -> datetime:
    """The first moment voting may open after a notice published at ``notice_at`` (core.periods)."""
    day = periods.notice_earliest_open(
        local_date(notice_at), notice_days(), working_days=working_days()
    )
    return start_of_day(day)


def objection_deadline(published_at: datetime) -> datetime:
    """00:00 after the last day of the objection period that starts with the publication."""
    day = periods.period_expires(
        local_date(published_at), objection_days(), working_days=working_days()
    )
    return start_of_day(day)


def assembly_lock(assembly: Assembly, **annotations) -> Assembly:
    """The assembly row, locked for the rest of the transaction (a fresh copy).

    ``annotations`` ride along in the same query (``FOR UPDATE OF`` the
    assembly row only, so a subquery locks nothing else).
    """
    return (
        Assembly.objects.select_for_update(of=("self",)).annotate(**annotations).get(pk=assembly.pk)
    )


def state(assembly: Assembly) -> dict:
    return {
        "status": assembly.status,
        "title": assembly.title,
        "opens_at": assembly.opens_at,
        "closes_at": assembly.closes_at,
        "ballots_cast": assembly.ballots_cast,
        "chain_head": assembly.chain_head,
    }


def transition(
    assembly: Assembly,
    new: str,
    *,
    actor,
    action: str,
    fields: dict | None = None,
    summary: dict | None = None,
) -> Assembly:
    """Move a locked assembly to ``new`` if the table allows it; save, audit (STYLE.md §5)."""
    old = assembly.status
    if new not in Assembly.TRANSITIONS[old]:
        raise Conflict(
            "bad_transition",
            _("会议当前状态为“%(old)s”，不能变为“%(new)s”。")
            % {"old": Assembly.Status(old).label, "new": Assembly.Status(new).label},
        )
    before = state(assembly)
    assembly.status = new
    for name, value in (fields or {}).items():
        setattr(assembly, name, value)
    assembly.save(update_fields=["status", *(fields or {})])
    audit_record(
        actor=actor,
        action=action,
        obj=assembly,
        before=before,
        after=state(assembly),
        summary={"assembly": assembly.pk, "from": old, "to": new, **(summary or {})},
    )
    return assembly


def closed_message(assembly: Assembly) -> str:
    return _("表决已于%(when)s截止，不再接受投票。") % {"when": datetime_text(assembly.closes_at)}


def not_open_error(assembly: Assembly, status: str) -> DomainError:
    """Why a ballot cannot be taken now, in words an owner understands."""
    if status == Assembly.Status.DRAFT:
        return Conflict("not_noticed", _("本次会议尚未发布公告，不能投票。"))
    if status == Assembly.Status.NOTICED:
        return Conflict(
            "not_open",
            _("表决将于%(when)s开始，请届时再投票。") % {"when": datetime_text(assembly.opens_at)},
        )
    if status == Assembly.Status.CANCELLED:
        return Conflict("cancelled", _("本次会议已取消。"))
    return Conflict("closed", closed_message(assembly))


# ---------------------------------------------------------------- text messages later
# A service never imports its tasks module (STYLE.md §14): ``voting.tasks``
# registers how messages are queued, and the services ask for it after commit.
_notify_queue: Callable[[int, str], object] | None = None


def notify_queue_register(queue: Callable[[int, str], object]) -> None:
    """Called once by ``voting.tasks``: ``queue(assembly_id, kind)`` enqueues the messages."""
    global _notify_queue
    _notify_queue = queue


def notify_after_commit(assembly_id: int, kind: str) -> None:
    """Queue notice ``kind`` of the assembly once the transaction commits."""
    transaction.on_commit(lambda: notify_now(assembly_id, kind))


def notify_now(assembly_id: int, kind: str) -> None:
    """Queue the text messages; runs after commit. Never lets a message fail the action."""
    if _notify_queue is None:
        # No task module loaded (a script): the tick sends them later.
        return
    try:
        _notify_queue(assembly_id, kind)
    except Exception:
        # The broker is down or a sender failed in eager mode: the tick sends them later.
        logger.exception("voting: could not queue %s messages of assembly %s", kind, assembly_id)
