"""The convener's turnout help: reminder texts to the rights not yet voted, audited exports.

RULES.md §3: whether a right voted is not secret — the convener needs it for
paper ballots and reminders — how it voted is; nothing here reads a choice.

Reminders (issue #16), our policy as settings: at most
``GONGZHI_TURNOUT_REMINDERS_PER_DAY`` a calendar day (Asia/Shanghai) and
``GONGZHI_TURNOUT_REMINDERS_PER_ASSEMBLY`` in all (defaults 1 and 3), only
while voting is open. Both limits are counted under the assembly row's lock
(ballots take the same lock), so two submits at once cannot both pass; the
confirmation form's token makes a double submit find the reminder already
made instead of a refusal. The texts are written as rows in the same
transaction and sent after commit by the Celery task ``REMINDER_TASK``,
queued by name (``voting.tasks`` imports this module, never the reverse),
each claimed with a compare-and-set so a task that runs twice sends nothing
twice. Texts carry no name, unit or ID number.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.sms import sms_send
from audit.services import audit_record
from core.errors import Conflict
from voting.models import Assembly, ReminderText, RollSnapshot, TurnoutReminder
from voting.selectors_turnout import reminder_recipients

from .common import assembly_lock, cn_datetime, local_date

logger = logging.getLogger("gongzhi.voting")

CALL = "assembly.call"
REMINDER_TASK = "voting.turnout_reminder_send"


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
    """Queue the reminder text to every phone of a right not yet voted (module docstring)."""
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
        rights, phones = reminder_recipients(locked)
        if not phones:
            raise Conflict(
                "no_recipients",
                _("没有可以发送的对象：未投票的表决权都没有登记手机号，或全部已投票。"),
            )
        reminder = TurnoutReminder.objects.create(
            assembly=locked,
            sent_by=actor,
            sent_at=now,
            day=local_date(now),
            text=reminder_text(locked),
            rights=rights,
            recipients=len(phones),
            idempotency_key=key,
        )
        ReminderText.objects.bulk_create(
            ReminderText(reminder=reminder, phone=phone) for phone in phones
        )
        audit_record(
            actor=actor,
            action="assembly.turnout_reminder",
            obj=locked,
            summary={
                "assembly": locked.pk,
                "reminder": reminder.pk,
                "rights": rights,
                "recipients": len(phones),
                "day": reminder.day.isoformat(),
            },
        )
        reminder_id = reminder.pk
        transaction.on_commit(lambda: _enqueue(reminder_id))
    return reminder


def _enqueue(reminder_id: int) -> None:
    try:
        current_app.tasks[REMINDER_TASK].delay(reminder_id)
    except Exception:
        # The broker is down: the texts stay pending; the next run of the task sends them.
        logger.exception("voting: could not queue reminder %s", reminder_id)


@dataclass
class Sent:
    sent: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def turnout_reminder_deliver(*, reminder_id: int) -> Sent:
    """Send the pending texts of one reminder, each at most once (claimed, STYLE.md §7)."""
    done = Sent()
    reminder = TurnoutReminder.objects.filter(pk=reminder_id).first()
    if reminder is None:
        return done
    token = uuid.uuid4().hex
    ReminderText.objects.filter(reminder=reminder, status=ReminderText.Status.PENDING).update(
        status=ReminderText.Status.SENDING, claim=token
    )
    mine = ReminderText.objects.filter(claim=token, status=ReminderText.Status.SENDING)
    for row in mine.order_by("pk"):
        try:
            sms_send(phone=row.phone, text=reminder.text)
        except Exception:
            logger.exception("voting: reminder text %s failed", row.pk)  # never the number
            status = ReminderText.Status.FAILED
            done.failed += 1
        else:
            status = ReminderText.Status.SENT
            done.sent += 1
        mine.filter(pk=row.pk).update(status=status, sent_at=timezone.now())
    return done


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
