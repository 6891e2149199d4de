"""The convener's turnout help: reminder texts to the rights not yet voted, audited exports.

RULES.md §3: whether a right voted is not secret — the convener needs it for
paper ballots and reminders — how it voted is; nothing here reads a choice.

Reminders (issue #16), our policy as settings: at most
``GONGZHI_TURNOUT_REMINDERS_PER_DAY`` a calendar day (Asia/Shanghai) and
``GONGZHI_TURNOUT_REMINDERS_PER_ASSEMBLY`` in all (defaults 1 and 3), only
while voting is open. Both limits are counted under the assembly row's lock
(ballots take the same lock), so two submits at once cannot both pass; the
confirmation form's token makes a double submit find the reminder already
made instead of a refusal. The n-th reminder of an assembly is round n of
the assembly's text queue (``voting.services.text_sends``): one ``TextSend``
row of kind reminder per person, written in the same transaction and sent
after commit, each claimed with a compare-and-set, retried, resumed after a
worker dies, its progress read from the rows — the same code as the notice.
Texts carry no name, unit or ID number.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict
from core.text import cn_datetime
from voting.models import Assembly, RollSnapshot, TextSend, TurnoutReminder
from voting.selectors_turnout import reminder_recipients

from .common import assembly_lock, local_date
from .text_sends import text_sends_queue

CALL = "assembly.call"


def reminder_limits() -> tuple[int, int]:
    """(per day, per assembly), from the settings (gongzhi/settings.py reads the env once)."""
    return (
        settings.GONGZHI_TURNOUT_REMINDERS_PER_DAY,
        settings.GONGZHI_TURNOUT_REMINDERS_PER_ASSEMBLY,
    )


def reminder_text(assembly: Assembly) -> str:
    """The text every recipient gets (shown on the confirmation page before sending)."""
    return (
        f"【{settings.GONGZHI_BUREAU_NAME}】{assembly.area.name}业主大会会议《{assembly.title}》"
        f"正在表决，{cn_datetime(assembly.closes_at)}截止，您的表决权尚未投票。"
        f"请登录共治平台投票，或向召集人（{assembly.convener}）领取纸质表决票。"
    )


def reminder_refusal(assembly: Assembly, *, now: datetime) -> Conflict | None:
    """Why a reminder cannot be sent now (None: it can). Read without a lock for the
    confirmation page; the service asks again under the lock."""
    if assembly.current_status(now) != Assembly.Status.OPEN:
        return Conflict("not_open", _("只能在表决进行中发送催投提醒。"))
    if not RollSnapshot.objects.filter(assembly=assembly).exists():
        return Conflict("not_frozen", _("表决名册尚未冻结，暂不能发送催投提醒。"))
    per_day, per_assembly = reminder_limits()
    sent = TurnoutReminder.objects.filter(assembly=assembly)
    if sent.count() >= per_assembly:
        return Conflict(
            "reminder_limit",
            _("本次会议已发送 %(n)d 次催投提醒，已达上限，不能再发送。") % {"n": per_assembly},
        )
    if sent.filter(day=local_date(now)).count() >= per_day:
        return Conflict(
            "reminder_today",
            _("今天已发送过催投提醒（每天最多 %(n)d 次），请明天再发送。") % {"n": per_day},
        )
    return None


def turnout_reminder_send(
    *, assembly: Assembly, actor, key: str, now: datetime | None = None
) -> TurnoutReminder:
    """Queue the reminder text to every person with a phone holding a right not yet voted
    (module docstring)."""
    permissions.require(actor, CALL, assembly)
    now = now or timezone.now()
    key = (key or "").strip()[:64] or uuid.uuid4().hex
    with transaction.atomic():
        locked = assembly_lock(assembly)
        done = TurnoutReminder.objects.filter(assembly=locked, idempotency_key=key).first()
        if done is not None:
            return done  # the same confirmation submitted twice: one reminder
        refusal = reminder_refusal(locked, now=now)
        if refusal is not None:
            raise refusal
        rights, people = reminder_recipients(locked)
        if not people:
            raise Conflict(
                "no_recipients",
                _("没有可以发送的对象：未投票的表决权都没有登记手机号，或全部已投票。"),
            )
        text = reminder_text(locked)
        reminder = TurnoutReminder.objects.create(
            assembly=locked,
            # Counted under the assembly's lock: rounds 1, 2, 3 without a gap or a clash.
            round=TurnoutReminder.objects.filter(assembly=locked).count() + 1,
            sent_by=actor,
            sent_at=now,
            day=local_date(now),
            text=text,
            rights=rights,
            recipients=len(people),
            idempotency_key=key,
        )
        # Sent after commit by the queue's task; resumed by its periodic job if the broker is down.
        text_sends_queue(
            assembly=locked,
            kind=TextSend.Kind.REMINDER,
            round=reminder.round,
            person_ids=people,
            text=text,
        )
        audit_record(
            actor=actor,
            action="assembly.turnout_reminder",
            obj=locked,
            summary={
                "assembly": locked.pk,
                "reminder": reminder.pk,
                "round": reminder.round,
                "rights": rights,
                "recipients": len(people),
                "day": reminder.day.isoformat(),
            },
        )
    return reminder


def turnout_export_record(*, assembly: Assembly, actor, rows: int) -> None:
    """Audit one export of the not-yet-voted list (who took the list, when, how long)."""
    permissions.require(actor, CALL, assembly)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="assembly.turnout_export",
            obj=assembly,
            summary={"assembly": assembly.pk, "rows": rows},
        )
