"""Casting ballots: online by the owner, on paper or by proxy through the committee (RULES.md §3).

One ballot per voting right, final once cast. Three things make that hold:

1. the service checks, under a lock on the assembly row (``select_for_update``),
   that the right has no ballot yet;
2. the same lock serialises the hash chain: ``seq`` = ballots cast + 1 and
   ``prev`` = the chain head, both kept on the assembly row, so seqs run
   1..n without gaps and no two ballots link to the same predecessor, even
   under concurrent submission (tests/voting/test_concurrency.py);
3. the ``ballot_one_per_right`` unique constraint refuses a second row even
   if something bypassed 1 and 2.

Who may cast the online ballot of a right: a person the frozen roll lists
as its holder (``VotingRight.holders``, the owners when voting opened) whose
login is bound to them (``Person.user``, RULES.md §3: phone + ID number). The
roll decides, not the login's current owner role: a sale after opening does
not move the vote (RULES.md §1), and the seller's role in the area may be
gone by then. Co-owners share one right and one ballot: the first to cast it
casts it for all (Civil Code art. 297 co-ownership; RULES.md §1).

The idempotency key makes a repeated submission (a double tap, a retried
request) return the ballot it already made instead of an error.
"""

# One piece because online, paper and proxy ballots all go through the one writer of the
# hash chain (``_record``, under the assembly lock) and its checks; split, the chain
# would have writers in several modules.

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import clean_text, datetime_text
from core.uploads import validate_upload
from estates.models import Person
from voting import boardformat
from voting.models import (
    Assembly,
    Ballot,
    VotingRight,
    VotingRightHolder,
)

from .choices import choices_clean, motions_of
from .common import assembly_lock, not_open_error
from .opening import open_locked

TRACKER_BYTES = 8  # 16 hex digits: 64 random bits, short enough to read out over the phone
MAX_KEY = 64


# --------------------------------------------------------------------------- helpers


def person_of(user) -> Person | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return Person.objects.filter(user=user).first()


def _clean_key(key: str) -> str:
    key = (key or "").strip()
    if len(key) > MAX_KEY:
        raise DomainError("bad_key", _("重复提交标识过长。"))
    return key


def _check_file(upload, field: str) -> None:
    if not upload:
        message = _("请上传文件。")
        raise DomainError("required", message, fields={field: message})
    try:
        validate_upload(upload)
    except ValidationError as exc:
        message = exc.messages[0]
        raise DomainError("bad_file", message, fields={field: message}) from None


def already_voted_error(ballot: Ballot, *, for_owner: bool = True) -> DomainError:
    """The refusal of a second ballot for a voted right; the owner's words say first that
    this submission did not count (a second tab, a form sent again: issue #16)."""
    if not for_owner:
        # The committee learns that a right voted, never when: cast times in seq
        # order would map units to the public board's ballots (RULES.md §3).
        return Conflict("already_voted", _("该表决权已经投票，投票后不能更改。"))
    return Conflict(
        "already_voted",
        _("已投票，本次提交未计入：该表决权已于%(when)s通过“%(channel)s”投票，投票后不能更改。")
        % {"when": datetime_text(ballot.cast_at), "channel": ballot.get_channel_display()},
    )


def _open_for_ballots(assembly: Assembly, now: datetime) -> bool:
    """Refuse unless voting is open at ``now``; open a due assembly first (freezing its roll).

    Returns True when this call froze the roll."""
    status = assembly.current_status(now)
    if status != Assembly.Status.OPEN:
        raise not_open_error(assembly, status)
    if assembly.status == Assembly.Status.NOTICED:
        # Due by the clock but nobody has opened it yet: the first ballot does.
        open_locked(assembly, actor=None, now=now)
        return True
    return False


def _replay(existing: Ballot, *, right: VotingRight | None, choices: dict, channel: str) -> Ballot:
    """The ballot an idempotency key already made, if this request is the same one."""
    same = (
        existing.choices == choices
        and existing.channel == channel
        and (right is None or existing.right_id == right.pk)
    )
    if not same:
        raise Conflict("key_reused", _("该提交标识已用于另一张表决票。"))
    return existing


def _record(
    *,
    assembly: Assembly,
    right: VotingRight,
    choices: dict,
    channel: str,
    actor,
    now: datetime,
    voter_id: int | None = None,
    idempotency_key: str = "",
    scan=None,
    authorisation=None,
    proxy_name: str = "",
    checked: bool = False,
) -> Ballot:
    """Append one ballot to the locked assembly's chain; audit it. The caller holds the lock
    (``checked``: the caller has already seen, under it, that the right has no ballot)."""
    if not checked:
        existing = Ballot.objects.filter(right=right).first()
        if existing is not None:
            raise already_voted_error(existing, for_owner=channel == Ballot.Channel.ONLINE)
    seq = assembly.ballots_cast + 1
    ballot = Ballot(
        assembly=assembly,
        right=right,
        seq=seq,
        # Random, never derived from the voter (RULES.md §3).
        tracker=secrets.token_hex(TRACKER_BYTES),
        heads=right.heads,
        area=right.area,
        channel=channel,
        choices=choices,
        prev=assembly.chain_head,
        cast_at=now,
        entered_by=actor,
        voter_id=voter_id,
        proxy_name=proxy_name,
        idempotency_key=idempotency_key,
    )
    entry = ballot.board_entry()
    del entry["hash"]
    ballot.hash = boardformat.ballot_hash(entry)
    if scan is not None:
        ballot.scan.save(scan.name, scan, save=False)
    if authorisation is not None:
        ballot.authorisation.save(authorisation.name, authorisation, save=False)
    try:
        try:
            ballot.save(force_insert=True)
        except IntegrityError as exc:
            # The constraint caught what the check under the lock could not see (the
            # lock is the first line; this is the last). The transaction is spoiled
            # and rolls back; no savepoint is spent on a case the lock makes unreachable.
            if "right" in str(exc):
                raise Conflict("already_voted", _("该表决权已经投票，投票后不能更改。")) from None
            if "seq" in str(exc):
                # Only where the database has no row locks (SQLite, development): two
                # ballots read the same chain head; the later one is refused, not chained twice.
                raise Conflict("busy", _("同时提交的人较多，请重新提交。")) from None
            raise
        Assembly.objects.filter(pk=assembly.pk).update(ballots_cast=seq, chain_head=ballot.hash)
        audit_record(
            actor=actor,
            action=f"ballot.{channel}",
            obj=ballot,
            # Not the choices: the audit trail records that a ballot was cast, not how.
            after={"seq": seq, "hash": ballot.hash, "channel": channel},
            summary={"assembly": assembly.pk, "seq": seq, "channel": channel},
        )
    except BaseException:
        # Nothing of a refused attempt stays, not even its uploaded scan.
        for field in (ballot.scan, ballot.authorisation):
            if field:
                field.storage.delete(field.name)
        raise
    assembly.ballots_cast, assembly.chain_head = seq, ballot.hash
    return ballot


# --------------------------------------------------------------------------- services


def _holdings(assembly_id: int, actor) -> list[VotingRightHolder]:
    """The frozen-roll rights the person bound to ``actor`` holds, in roll order (one query)."""
    return list(
        VotingRightHolder.objects.filter(right__assembly_id=assembly_id, person__user=actor)
        .select_related("right")
        .order_by("right__position")
    )


def _not_on_roll(actor) -> DomainError:
    if person_of(actor) is None:
        return DomainError(
            "not_bound",
            _("您的账户尚未与业主名册绑定，不能网上投票。请先完成身份核验。"),
        )
    return Conflict(
        "not_on_roll",
        _("表决名册中没有您的表决权（名册在表决开始时冻结）。如有疑问请联系业委会。"),
    )


def _right_to_cast(locked: Assembly, holdings, right: VotingRight | None) -> VotingRight:
    """Which of the caller's rights this online ballot is for (under the assembly lock):
    the one named, else the only one that has not voted yet."""
    held = {h.right_id: h.right for h in holdings}
    if len(held) == 1 and locked.voted is False:
        voted: set[int] = set()
    else:
        voted = set(Ballot.objects.filter(right_id__in=held).values_list("right_id", flat=True))
    if right is not None:
        if right.pk not in held:
            raise DomainError("not_your_right", _("这不是您的表决权。"))
        if right.pk in voted:
            raise already_voted_error(Ballot.objects.get(right_id=right.pk))
        return held[right.pk]
    open_rights = [r for pk, r in held.items() if pk not in voted]
    if not open_rights:
        raise already_voted_error(Ballot.objects.filter(right_id__in=held).latest("seq"))
    if len(open_rights) > 1:
        raise DomainError(
            "choose_right",
            _("您有多个表决权，请选择为哪一处房屋投票。"),
            fields={"right": _("请选择房屋。")},
        )
    return open_rights[0]


def ballot_cast(
    *,
    assembly: Assembly,
    choices: Mapping,
    actor,
    right: VotingRight | None = None,
    idempotency_key: str = "",
    now: datetime | None = None,
) -> Ballot:
    """An owner's online ballot (module docstring). ``right`` is needed only when the
    owner holds more than one right that has not voted yet.

    What cannot change is read before the lock — the motions (fixed at the
    notice) and the caller's rights (fixed when the roll froze) — so the
    lock is held only for the check that the right has not voted, the insert,
    the chain head and the audit event.
    """
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise _not_on_roll(None)
    key = _clean_key(idempotency_key)
    motions = motions_of(assembly)
    holdings = _holdings(assembly.pk, actor)
    if not holdings and assembly.status == Assembly.Status.OPEN:
        # The roll is frozen and does not list this login's person: nothing to lock for.
        raise _not_on_roll(actor)
    now = now or timezone.now()
    with transaction.atomic():
        # One round trip for the lock and, for the usual single right, whether it voted.
        locked = assembly_lock(
            assembly,
            voted=Exists(Ballot.objects.filter(right_id__in=[h.right_id for h in holdings])),
        )
        if key:
            existing = Ballot.objects.filter(assembly=locked, idempotency_key=key).first()
            if existing is not None:
                if existing.voter_id not in {h.person_id for h in holdings}:
                    raise Conflict("key_reused", _("该提交标识已用于另一张表决票。"))
                cleaned = choices_clean(motions, choices, channel=Ballot.Channel.ONLINE)
                return _replay(
                    existing, right=right, choices=cleaned, channel=Ballot.Channel.ONLINE
                )
        if _open_for_ballots(locked, now) or not holdings:
            # The roll was frozen just now, here or by a ballot that held the lock before.
            holdings = _holdings(locked.pk, actor)
            locked.voted = None
        # The status first, then the choices: a closed vote says so before anything else.
        cleaned = choices_clean(motions, choices, channel=Ballot.Channel.ONLINE)
        if not holdings:
            raise _not_on_roll(actor)
        right = _right_to_cast(locked, holdings, right)
        return _record(
            assembly=locked,
            right=right,
            choices=cleaned,
            channel=Ballot.Channel.ONLINE,
            actor=actor,
            now=now,
            voter_id=holdings[0].person_id,
            idempotency_key=key,
            checked=True,
        )


def _committee_entry(
    *,
    assembly: Assembly,
    right: VotingRight,
    choices: Mapping,
    actor,
    channel: str,
    idempotency_key: str,
    now: datetime | None,
    **files,
) -> Ballot:
    permissions.require(actor, "ballot.enter_paper", assembly)
    if right.assembly_id != assembly.pk:
        raise DomainError("not_this_assembly", _("该表决权不属于本次会议。"))
    key = _clean_key(idempotency_key)
    motions = motions_of(assembly)
    now = now or timezone.now()
    with transaction.atomic():
        locked = assembly_lock(assembly)
        if key:
            existing = Ballot.objects.filter(assembly=locked, idempotency_key=key).first()
            if existing is not None:
                cleaned = choices_clean(motions, choices, channel=channel)
                return _replay(existing, right=right, choices=cleaned, channel=channel)
        _open_for_ballots(locked, now)
        cleaned = choices_clean(motions, choices, channel=channel)
        return _record(
            assembly=locked,
            right=right,
            choices=cleaned,
            channel=channel,
            actor=actor,
            now=now,
            idempotency_key=key,
            **files,
        )


def ballot_enter_paper(
    *,
    assembly: Assembly,
    right: VotingRight,
    choices: Mapping,
    scan,
    actor,
    idempotency_key: str = "",
    now: datetime | None = None,
) -> Ballot:
    """A paper ballot entered by the committee with the scanned sheet (PDF/JPEG/PNG ≤ 10 MB).

    Refused when the right has already voted, online or otherwise (and an
    online ballot is refused after this one). Paper ballots must be entered
    before ``closes_at``: late ballots are refused whatever their channel (RULES.md §3).
    """
    _check_file(scan, "scan")
    return _committee_entry(
        assembly=assembly,
        right=right,
        choices=choices,
        actor=actor,
        channel=Ballot.Channel.PAPER,
        idempotency_key=idempotency_key,
        now=now,
        scan=scan,
    )


def ballot_enter_proxy(
    *,
    assembly: Assembly,
    right: VotingRight,
    choices: Mapping,
    authorisation,
    proxy_name: str,
    actor,
    scan=None,
    idempotency_key: str = "",
    now: datetime | None = None,
) -> Ballot:
    """A proxy's ballot, entered by the committee with the written authorisation naming
    the proxy and the assembly (RULES.md §3: one proxy per right — one ballot per right
    makes that so). ``scan`` is the proxy's marked sheet, when there is one.
    """
    proxy_name = clean_text(proxy_name, field="proxy_name", limit=100, label=_("受托人姓名"))
    _check_file(authorisation, "authorisation")
    if scan:
        _check_file(scan, "scan")
    return _committee_entry(
        assembly=assembly,
        right=right,
        choices=choices,
        actor=actor,
        channel=Ballot.Channel.PROXY,
        idempotency_key=idempotency_key,
        now=now,
        authorisation=authorisation,
        proxy_name=proxy_name,
        scan=scan or None,
    )


def ballot_trace(*, actor, assembly: Assembly, tracker: str) -> dict:
    """Who stands behind a ballot — for the bureau, in a dispute (``ballot.trace``, RULES.md §3).

    Looking behind the secrecy of the ballot leaves its own audit event.
    """
    permissions.require(actor, "ballot.trace", assembly)
    ballot = (
        Ballot.objects.select_related("right", "voter", "entered_by")
        .filter(assembly=assembly, tracker=(tracker or "").strip().lower())
        .first()
    )
    if ballot is None:
        raise DomainError("not_found", _("没有这个查验码。"))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="ballot.trace",
            obj=ballot,
            summary={"assembly": assembly.pk, "seq": ballot.seq},
        )
    return {
        "seq": ballot.seq,
        "tracker": ballot.tracker,
        "channel": ballot.channel,
        "cast_at": ballot.cast_at,
        "unit_codes": list(ballot.right.unit_codes),
        "is_developer": ballot.right.is_developer,
        "voter": ballot.voter.name if ballot.voter else "",
        "entered_by": str(ballot.entered_by),
        "proxy_name": ballot.proxy_name,
        # Storage names of the sheet and the authorisation, for the bureau's own download view.
        "scan": ballot.scan.name or "",
        "authorisation": ballot.authorisation.name or "",
    }
