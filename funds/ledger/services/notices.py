"""Telling owners about every posting to their sub-ledger (RULES.md §4).

"Every posting to a sub-ledger (deposit, interest, charge, refund) is
notified to that unit's owners (SMS through the pluggable sender, and the
owner's notice list)." The notice rows are written in the posting's own
database transaction (``notices_create``, bulk: an interest posting to
100,000 units is a few inserts); the text messages go out after commit from
a Celery task (``funds.tasks.posting_notices_send``), claimed in batches with
a compare-and-set so a task that runs twice sends nothing twice. The SMS is
never needed for the ledger to be right; the notice list always is there.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.sms import sms_send
from core.money import yuan
from estates.models import Ownership
from funds.ledger.models import PostingNotice, Transaction

from .bulk import db_datetime, insert_rows

logger = logging.getLogger("gongzhi.funds")

# Above this many units, owners are looked up by area (one query) not by an IN list.
_IN_LIST_LIMIT = 500
BATCH = 500
# The Celery task that sends one transaction's texts (registered by ``funds.tasks``).
SEND_TASK = "funds.posting_notices_send"


def notices_create(*, txn: Transaction, unit_lines: list[tuple[int, int]]) -> int:
    """One notice per (unit posted to, current owner); returns how many were written.

    ``unit_lines`` are (unit id, raw entry amount) — a credit to the sub-ledger
    (money in) is negative in the ledger and shown to the owner as positive.
    Must run inside the posting's transaction. The SMS task is queued on commit.
    """
    amounts = {unit_id: -amount for unit_id, amount in unit_lines}
    owners = Ownership.objects.filter(until__isnull=True)
    if len(amounts) > _IN_LIST_LIMIT:
        owners = owners.filter(unit__area_id=txn.area_id)
    else:
        owners = owners.filter(unit_id__in=list(amounts))
    now = db_datetime(timezone.now())
    pending = PostingNotice.Sms.PENDING
    # A unit co-owned twice over by one person (two open rows) is one notice.
    pairs = dict.fromkeys(
        (unit_id, person_id)
        for unit_id, person_id in owners.values_list("unit_id", "person_id")
        .order_by("pk")
        .iterator(chunk_size=20000)
        if unit_id in amounts
    )
    # The transaction is new, so no notice of it exists yet: plain inserts.
    written = insert_rows(
        PostingNotice,
        ["transaction", "unit", "person", "amount_fen", "created_at", "sms_status", "sms_claim"],
        (
            (txn.pk, unit_id, person_id, amounts[unit_id], now, pending, "")
            for unit_id, person_id in pairs
        ),
    )
    if written:
        transaction.on_commit(lambda: _enqueue(txn.pk))
    return written


def _enqueue(transaction_id: int) -> None:
    """Queue the texts by task name (``funds.tasks`` imports this module, never the reverse)."""
    try:
        current_app.tasks[SEND_TASK].delay(transaction_id)
    except Exception:
        # A broker outage must not undo or fail a posting; the periodic sweep retries.
        logger.exception("could not queue fund notices of transaction %s", transaction_id)


@dataclass
class Sent:
    sent: int = 0
    no_phone: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _text(notice: PostingNotice) -> str:
    txn = notice.transaction
    direction = "存入" if notice.amount_fen > 0 else "支出"
    # No name, ID number or unit code in a text (voting.services.notifications).
    return (
        f"【{settings.GONGZHI_BUREAU_NAME}】您的房屋维修资金分户账于{txn.value_date:%Y-%m-%d}"
        f"{direction}{yuan(abs(notice.amount_fen))}元（{txn.get_kind_display()}）。"
        "详情请登录共治平台查看。如有疑问请联系住建部门。"
    )


def posting_notices_send(*, transaction_id: int | None = None, limit: int | None = None) -> Sent:
    """Send the pending texts (of one transaction, or all), each at most once.

    Batched (an interest posting notifies every owner of the area): each
    batch of up to ``BATCH`` notices is claimed with one compare-and-set
    UPDATE (pending → sending, stamped with this run's claim token, STYLE.md
    §7) and read back by the token, so two runs never send the same text.
    Outcomes are written back in one UPDATE per outcome per batch. A failed
    send is marked ``failed``; ``posting_notices_retry`` puts it back.
    """
    done = Sent()
    pending = PostingNotice.objects.filter(sms_status=PostingNotice.Sms.PENDING)
    if transaction_id is not None:
        pending = pending.filter(transaction_id=transaction_id)
    ids = pending.order_by("pk").values_list("pk", flat=True)
    ids = list(ids[:limit] if limit else ids)
    for start in range(0, len(ids), BATCH):
        token = uuid.uuid4().hex
        # sms_at is the claim's time while sending: the sweep judges staleness by it.
        PostingNotice.objects.filter(
            pk__in=ids[start : start + BATCH], sms_status=PostingNotice.Sms.PENDING
        ).update(sms_status=PostingNotice.Sms.SENDING, sms_claim=token, sms_at=timezone.now())
        mine = PostingNotice.objects.filter(sms_claim=token, sms_status=PostingNotice.Sms.SENDING)
        no_phone: list[int] = []
        for notice in mine.select_related("transaction", "person").order_by("pk"):
            phone = notice.person.phone
            if not phone:
                no_phone.append(notice.pk)
                continue
            try:
                sms_send(phone=phone, text=_text(notice))
            except Exception:
                # Never log the number; the notice id is enough to find it.
                logger.exception("fund notice %s failed", notice.pk)
                status = PostingNotice.Sms.FAILED
                done.failed += 1
            else:
                status = PostingNotice.Sms.SENT
                done.sent += 1
            # Recorded at once: a worker killed later in the batch leaves no sent text
            # looking unsent (the sweep would send it again).
            mine.filter(pk=notice.pk).update(sms_status=status, sms_at=timezone.now())
        if no_phone:
            mine.filter(pk__in=no_phone).update(
                sms_status=PostingNotice.Sms.NO_PHONE, sms_at=timezone.now()
            )
            done.no_phone += len(no_phone)
    return done


def posting_notices_retry() -> int:
    """Put failed texts back in the queue, and ones left in ``sending`` for over an hour by a
    worker that died; returns how many. Run by the periodic sweep.

    Each outcome is recorded as soon as its text is sent, so a worker that
    died leaves at most the one text it was sending in doubt: that owner can
    get it twice. That is the better failure — a posting nobody was told
    about is what RULES.md §4 guards against.
    """
    stale = timezone.now() - timedelta(hours=1)
    again = PostingNotice.objects.filter(sms_status=PostingNotice.Sms.FAILED).update(
        sms_status=PostingNotice.Sms.PENDING
    )
    # By the claim's time, not the notice's: a notice that waited out a broker outage and
    # was claimed a minute ago belongs to a sender still at work.
    again += PostingNotice.objects.filter(
        sms_status=PostingNotice.Sms.SENDING, sms_at__lt=stale
    ).update(sms_status=PostingNotice.Sms.PENDING)
    return again
