"""Text messages queued as rows and sent by a worker (``voting.models.TextSend``).

Publishing a whole area's notice used to send its hundreds of texts inside
the convener's request. Now the publishing transaction only writes one
``pending`` row per recipient (``text_sends_queue``: a bulk insert that
ignores rows already there, so queuing twice queues nothing twice) and,
after commit, a Celery task named ``RUN_TASK`` sends them
(``text_sends_run``). The manage page reads the progress from the rows.

Each row is claimed with a compare-and-set, ``pending → sending`` on exactly
one row (STYLE.md §7), before its text goes out, and its outcome is written
as soon as it is known: a task that runs twice, or two workers, never send one
row twice. A send that raises is put back to ``pending`` until it has been
tried ``MAX_ATTEMPTS`` times, then stays ``failed`` (shown on the page). A
worker killed while sending leaves its one row in ``sending``;
``text_sends_resume`` (the periodic job, the worker's start and the command
``notice_sends_resume``) puts such a row back after ``STALE_AFTER`` and sends
whatever is pending. That one text may then reach its owner twice — as in
``funds.ledger.services.notices``, the better failure than an owner never told
of the assembly (RULES.md §3: all owners are notified).

Rows are general: ``kind`` notice or reminder, ``round`` the reminder's number.
A reminder queues its non-voters with ``text_sends_queue(kind=REMINDER,
round=n, …)`` and is then sent, shown and resumed by the same code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.sms import sms_send
from core.text import cn_datetime
from estates.models import Ownership, Person
from voting.models import Assembly, TextSend

logger = logging.getLogger("gongzhi.voting")

# The task that sends an assembly's pending rows (registered by ``voting.tasks``).
RUN_TASK = "voting.text_sends_run"
# A text whose send raised is tried again by the next run, at most this many times in all.
MAX_ATTEMPTS = 3
# A row left in ``sending`` this long belongs to a worker that died (a send takes a second).
STALE_AFTER = timedelta(minutes=15)

Status = TextSend.Status


@dataclass
class Sent:
    sent: int = 0
    skipped: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def notice_text(assembly: Assembly) -> str:
    """The notice's text: where, what, when and the serial; never a unit, a name or an ID."""
    serial = assembly.notice_publication.serial if assembly.notice_publication_id else ""
    return (
        f"【{settings.GONGZHI_BUREAU_NAME}】{assembly.area.name}业主大会会议《{assembly.title}》"
        f"已发布公告（编号{serial}），将于{cn_datetime(assembly.opens_at)}开始表决，"
        f"{cn_datetime(assembly.closes_at)}截止。请登录共治平台查看。"
    )


def notice_recipients(assembly: Assembly):
    """The persons with a phone who own a unit of the scope now (no roll exists before opening)."""
    units = Ownership.objects.filter(unit__area=assembly.area, until__isnull=True)
    if not assembly.whole_area:
        units = units.filter(unit__building__name__in=assembly.scope_buildings) | units.filter(
            unit__code__in=assembly.scope_unit_codes
        )
    people = Person.objects.filter(pk__in=units.values("person_id"))
    return people.exclude(phone="").distinct().order_by("pk")


def text_sends_queue(
    *,
    assembly: Assembly,
    kind: str,
    person_ids: Iterable[int],
    text: str,
    round: int = 0,  # noqa: A002 - the model's field name
    enqueue: bool = True,
) -> int:
    """One ``pending`` row per person not queued yet for (assembly, kind, round); how many now.

    Runs in the caller's transaction; with ``enqueue`` the sending task is
    queued once it commits (a broker outage is logged: the periodic resume
    sends them).
    """
    now = timezone.now()
    TextSend.objects.bulk_create(
        (
            TextSend(
                assembly=assembly, kind=kind, round=round, person_id=pk, text=text, created_at=now
            )
            for pk in person_ids
        ),
        batch_size=500,
        ignore_conflicts=True,
    )
    if enqueue:
        assembly_id = assembly.pk
        transaction.on_commit(lambda: text_sends_enqueue(assembly_id))
    return TextSend.objects.filter(assembly=assembly, kind=kind, round=round).count()


def text_sends_enqueue(assembly_id: int) -> None:
    """Queue the sending task by name (services never import their task module, STYLE.md §14)."""
    try:
        current_app.tasks[RUN_TASK].delay(assembly_id)
    except Exception:
        logger.exception("voting: could not queue the texts of assembly %s", assembly_id)


def _send_one(pk: int) -> str:
    """Claim row ``pk``, send it, record the outcome: ``sent``, ``failed`` or ``skipped``."""
    claimed = TextSend.objects.filter(pk=pk, status=Status.PENDING).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    if claimed != 1:
        return "skipped"  # another run has it, or it is done
    row = TextSend.objects.select_related("person").get(pk=pk)
    mine = TextSend.objects.filter(pk=pk, status=Status.SENDING)
    if not row.person.phone:
        mine.update(status=Status.FAILED, error="no_phone")
        return "failed"
    try:
        sms_send(phone=row.person.phone, text=row.text)
    except Exception as exc:
        # Never log the number; the row id is enough to find it.
        logger.warning("voting: text %s failed (attempt %s): %r", pk, row.attempts, exc)
        again = Status.PENDING if row.attempts < MAX_ATTEMPTS else Status.FAILED
        mine.update(status=again, error=type(exc).__name__[:100], claimed_at=None)
        return "failed"
    # Recorded at once: a worker killed later leaves no sent text looking unsent.
    mine.update(status=Status.SENT, sent_at=timezone.now(), error="")
    return "sent"


def text_sends_run(*, assembly_id: int | None = None, limit: int | None = None) -> Sent:
    """Send the pending rows (of one assembly, or all), each at most once per claim."""
    pending = TextSend.objects.filter(status=Status.PENDING)
    if assembly_id is not None:
        pending = pending.filter(assembly_id=assembly_id)
    ids = pending.order_by("pk").values_list("pk", flat=True)
    done = Sent()
    # A row put back after a failure is not tried again in this run: the next one retries.
    for pk in list(ids[:limit] if limit else ids):
        outcome = _send_one(pk)
        setattr(done, outcome, getattr(done, outcome) + 1)
    return done


def text_sends_resume(*, now: datetime | None = None) -> dict:
    """Put back rows a dead worker left in ``sending``, then send every pending row."""
    now = now or timezone.now()
    stale = TextSend.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_AFTER)
    released = stale.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=Status.PENDING, error="interrupted", claimed_at=None
    )
    given_up = stale.update(status=Status.FAILED, error="interrupted")
    return {"released": released, "given_up": given_up, **text_sends_run().as_dict()}


def text_sends_progress(assembly: Assembly, *, kind: str = TextSend.Kind.NOTICE, round: int = 0):  # noqa: A002
    """Counts of the rows of (assembly, kind, round): total, sent, failed, waiting, percent."""
    counts = TextSend.objects.filter(assembly=assembly, kind=kind, round=round).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=Status.SENT)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
    )
    total = counts["total"]
    waiting = total - counts["sent"] - counts["failed"]
    done = counts["sent"] + counts["failed"]
    return {
        **counts,
        "waiting": waiting,
        "finished": total > 0 and waiting == 0,
        # Whole percent rounded down: 100 only when nothing is left.
        "percent": (done * 100 // total) if total else 0,
    }
