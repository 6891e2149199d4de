"""Text messages to owners, and the periodic tick (RULES.md §3; DESIGN.md "Time").

Nothing here is needed for a vote to be right: status comes from the clock,
the roll is frozen by whatever first finds an assembly due, and a late job
only means a late message. The tick merely does early what would otherwise
wait for the first visitor (opening, counting, publishing).

Each message is claimed before it is sent: a ``NotificationSent`` row keyed
by (assembly, kind, person) is inserted first, and a person whose row exists
is skipped, so a task that runs twice (Celery redelivery with acks_late,
two beat schedulers) sends nothing twice. A send that fails removes its claim,
so the retry sends it. Texts never carry an ID number, a unit or a name.
The notice itself (hundreds of texts at once) goes through the send queue of
``text_sends`` instead: rows claimed one by one, progress shown on the page.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.sms import sms_send
from core.errors import DomainError
from core.text import cn_datetime
from estates.models import Person
from voting.models import Assembly, Ballot, NotificationSent, TextSend, VotingRight

from .opening import assembly_open
from .results import assembly_close_and_count, assembly_finalise
from .text_sends import Sent, notice_recipients, notice_text, text_sends_queue, text_sends_run

logger = logging.getLogger("gongzhi.voting")

REMIND_BEFORE = timedelta(hours=24)
Kind = NotificationSent.Kind


def _prefix() -> str:
    return f"【{settings.GONGZHI_BUREAU_NAME}】"


def _text(assembly: Assembly, kind: str) -> str:
    where = f"{assembly.area.name}业主大会会议《{assembly.title}》"
    if kind == Kind.OPEN:
        return (
            f"{_prefix()}{where}已开始表决，{cn_datetime(assembly.closes_at)}截止。"
            "请登录共治平台投票。"
        )
    if kind == Kind.CLOSING:
        return (
            f"{_prefix()}{where}将于{cn_datetime(assembly.closes_at)}截止表决，"
            "您的表决权尚未投票。请登录共治平台投票。"
        )
    serial = assembly.preliminary_publication.serial if assembly.preliminary_publication_id else ""
    deadline = cn_datetime(assembly.objection_deadline) if assembly.objection_deadline else ""
    return (
        f"{_prefix()}{where}表决结果已公告（编号{serial}）。如有异议，请于{deadline}前"
        "登录共治平台提出。"
    )


def recipients(assembly: Assembly, kind: str):
    """The persons a notice of ``kind`` goes to (with a phone), in a stable order."""
    if kind == Kind.NOTICE:
        # Before opening there is no frozen roll: the owners of the scope now.
        return notice_recipients(assembly)
    rights = VotingRight.objects.filter(assembly=assembly)
    if kind == Kind.CLOSING:
        rights = rights.exclude(Exists(Ballot.objects.filter(right=OuterRef("pk"))))
    people = Person.objects.filter(voting_rights__in=rights)
    return people.exclude(phone="").distinct().order_by("pk")


def _unsent(assembly: Assembly, kind: str):
    # Those already marked are left out up front; the claim below still settles races.
    sent = NotificationSent.objects.filter(assembly=assembly, kind=kind, person=OuterRef("pk"))
    return recipients(assembly, kind).exclude(Exists(sent))


def notifications_send(*, assembly: Assembly, kind: str) -> Sent:
    """Send notice ``kind`` of ``assembly`` to everyone who has not had it yet (idempotent)."""
    assembly = Assembly.objects.select_related(
        "area", "notice_publication", "preliminary_publication"
    ).get(pk=assembly.pk)
    if kind not in Kind.values:
        raise ValueError(f"unknown notice kind {kind!r}")
    if kind == Kind.NOTICE:
        # The notice goes through the send queue (``text_sends``): the scope's owners now,
        # queued once each (an owner registered since is added), then whatever is pending.
        with transaction.atomic():
            text_sends_queue(
                assembly=assembly,
                kind=TextSend.Kind.NOTICE,
                person_ids=notice_recipients(assembly).values_list("pk", flat=True),
                text=notice_text(assembly),
                enqueue=False,
            )
        return text_sends_run(assembly_id=assembly.pk)
    text = _text(assembly, kind)
    done = Sent()
    for person_id, phone in _unsent(assembly, kind).values_list("pk", "phone").iterator():
        try:
            with transaction.atomic():
                NotificationSent.objects.create(assembly=assembly, kind=kind, person_id=person_id)
        except IntegrityError:
            done.skipped += 1
            continue
        try:
            sms_send(phone=phone, text=text)
        except Exception:
            # Give the claim back so a retry sends it; never log the number.
            NotificationSent.objects.filter(
                assembly=assembly, kind=kind, person_id=person_id
            ).delete()
            logger.exception("voting notice %s of assembly %s failed", kind, assembly.pk)
            done.failed += 1
            continue
        done.sent += 1
    return done


def assemblies_tick(*, now: datetime | None = None) -> dict:
    """Open what is due, count what has closed, publish, remind, finalise: the periodic job.

    Every step is the same service a person would call, with the system as
    actor; one assembly's failure is logged and does not stop the others.
    """

    now = now or timezone.now()
    report = {"opened": [], "counted": [], "finalised": [], "notified": {}, "errors": []}

    def attempt(label: str, assembly_id: int, step) -> bool:
        try:
            step()
        except DomainError as exc:
            report["errors"].append({"assembly": assembly_id, "step": label, "code": exc.code})
            logger.warning("voting tick: %s of assembly %s refused: %s", label, assembly_id, exc)
            return False
        except Exception:
            report["errors"].append({"assembly": assembly_id, "step": label, "code": "error"})
            logger.exception("voting tick: %s of assembly %s failed", label, assembly_id)
            return False
        return True

    for assembly in Assembly.objects.filter(
        status=Assembly.Status.NOTICED, opens_at__lte=now, closes_at__gt=now
    ):
        if attempt(
            "open", assembly.pk, lambda a=assembly: assembly_open(assembly=a, actor=None, now=now)
        ):
            report["opened"].append(assembly.pk)

    for assembly in Assembly.objects.filter(
        status__in=[Assembly.Status.NOTICED, Assembly.Status.OPEN, Assembly.Status.CLOSED],
        closes_at__lte=now,
    ):
        if attempt(
            "count",
            assembly.pk,
            lambda a=assembly: assembly_close_and_count(assembly=a, actor=None, now=now),
        ):
            report["counted"].append(assembly.pk)

    for assembly in Assembly.objects.filter(
        status=Assembly.Status.PRELIMINARY, objection_deadline__lte=now
    ):
        if not assembly.objections.filter(answered_at__isnull=True).exists() and attempt(
            "finalise",
            assembly.pk,
            lambda a=assembly: assembly_finalise(assembly=a, actor=None, now=now),
        ):
            report["finalised"].append(assembly.pk)

    # Messages: the due ones, and any an earlier run could not deliver (markers skip the rest).
    due: list[tuple[Assembly, str]] = []
    for assembly in Assembly.objects.filter(status=Assembly.Status.NOTICED, opens_at__gt=now):
        due.append((assembly, Kind.NOTICE))
    for assembly in Assembly.objects.filter(status=Assembly.Status.OPEN, closes_at__gt=now):
        due.append((assembly, Kind.OPEN))
        if assembly.closes_at - now <= REMIND_BEFORE:
            due.append((assembly, Kind.CLOSING))
    for assembly in Assembly.objects.filter(status=Assembly.Status.PRELIMINARY):
        due.append((assembly, Kind.RESULT))
    for assembly, kind in due:
        sent = notifications_send(assembly=assembly, kind=kind)
        if sent.sent or sent.failed:
            report["notified"][f"{assembly.pk}:{kind}"] = sent.as_dict()
    return report
