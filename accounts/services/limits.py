"""Guessing limits that hold at any parallelism: a try is reserved before its secret is checked.

Each limit allows ``limit`` tries of one kind per subject in a window that
starts at the first try and lasts ``window``; once it has passed, the next try
starts a new window. The reservation is one conditional UPDATE
(``count < limit or the window has passed``) on a row per (kind, subject),
inserted first if missing (INSERT … ON CONFLICT DO NOTHING): on PostgreSQL a
second UPDATE of the row waits for the first and re-checks the condition on
the row the first left, so twenty simultaneous requests reserve exactly
``limit`` tries and the others are refused without their secret ever being
looked at. The counter lives in the database, so every web worker and every
process shares it (DESIGN.md "Scale").

A fixed window, not a rolling one: ``limit`` tries at the end of one window
and ``limit`` at the start of the next are both allowed, so any stretch of
``window`` holds at most 2 × ``limit`` tries. That is the bound an attacker
gets; the promise is ``limit`` secrets checked per window.

Subjects (a username, a phone, a user id, a client address) are stored only
as an HMAC under a key derived from SECRET_KEY; nothing here is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ..models import TryCounter

TRY_KEEP = timedelta(days=1)  # longer than every window; older rows are purged


@dataclass(frozen=True)
class Tries:
    """The state of a subject's window after a reservation (or a refusal)."""

    reserved: bool
    count: int  # tries reserved in the window, this one included when reserved
    limit: int
    window_ends: datetime

    @property
    def left(self) -> int:
        return max(self.limit - self.count, 0)


def try_key(*, kind: str, subject: str) -> str:
    """HMAC-SHA256 of the subject, per kind: the stored key reveals no phone or name."""
    return salted_hmac(
        f"gongzhi.accounts.TryCounter.{kind}", subject, algorithm="sha256"
    ).hexdigest()


def try_reserve(
    *, kind: str, subject: str, limit: int, window: timedelta, now: datetime | None = None
) -> Tries:
    """Reserve one try of ``kind`` for ``subject``; ``reserved`` is False when none is left.

    Commits at once when called outside a transaction, so a try reserved
    before a wrong secret stays counted whatever happens afterwards. Inside a
    caller's transaction (a code send) the row stays locked until that
    commits, and a rollback gives the try back.
    """
    now = now or timezone.now()
    key = try_key(kind=kind, subject=subject)
    expired = Q(window_start__lte=now - window)
    rows = TryCounter.objects.filter(kind=kind, key=key)
    with transaction.atomic():
        # A row even for a subject never seen (a phone with no account): the UPDATE
        # below needs a row to lock. ON CONFLICT DO NOTHING if another request made it.
        TryCounter.objects.bulk_create(
            [TryCounter(kind=kind, key=key, window_start=now, count=0)], ignore_conflicts=True
        )
        reserved = (
            rows.filter(expired | Q(count__lt=limit)).update(
                count=Case(When(expired, then=Value(1)), default=F("count") + 1),
                window_start=Case(When(expired, then=Value(now)), default=F("window_start")),
            )
            == 1
        )
        # Read under the row lock the UPDATE took (PostgreSQL): exactly this try's count.
        count, start = rows.values_list("count", "window_start").get()
    return Tries(reserved=reserved, count=count, limit=limit, window_ends=start + window)


def tries_clear(*, kind: str, subject: str) -> None:
    """Forget a subject's tries (after the right secret: a password or TOTP login)."""
    TryCounter.objects.filter(kind=kind, key=try_key(kind=kind, subject=subject)).delete()


def tries_purge(*, now: datetime | None = None) -> int:
    """Delete counters whose window began more than a day ago (every window is shorter)."""
    now = now or timezone.now()
    deleted, _by_model = TryCounter.objects.filter(window_start__lt=now - TRY_KEEP).delete()
    return deleted
