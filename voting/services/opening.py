"""Notice, opening (the roll frozen) and cancelling of an assembly (RULES.md §1, §3, §7).

The notice is a signed publication (RULES.md §7). It is issued by the
system (``publication_issue(actor=None)``) on behalf of the convener, inside
the transaction that marks the assembly noticed: the notice date is the
publication's moment, and a notice that could not be published is no
notice — nothing changes and no serial is used.

Opening freezes the roll of the scope (``estates.selectors.area_roll``) into
``RollSnapshot`` and ``VotingRight`` rows with each right's holders; it is
reached however the assembly is first found due — the convener, the periodic
job, the first ballot or the count (``open_locked``) — so no vote ever
depends on a job having run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from contextlib import nullcontext
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.errors import Conflict, DomainError
from core.text import clean_text, cn_date, cn_datetime, date_text, datetime_text
from estates import roll as roll_core
from estates.models import ManagementArea, Ownership
from publications.models import Kind
from publications.services import issued_file_guard, publication_issue
from voting.models import Assembly, RollSnapshot, TextSend, VotingRight, VotingRightHolder

from .assemblies import assembly_scope_check, require_caller, require_draft, scope_roll
from .common import (
    assembly_lock,
    earliest_open_at,
    local_date,
    notice_days,
    notify_after_commit,
    transition,
)
from .text_sends import notice_recipients, notice_text, text_sends_queue

logger = logging.getLogger("gongzhi.voting")

NOTICE_TEMPLATE = "voting/assembly_notice.html"
BATCH = 1000


# --------------------------------------------------------------------------- notice


def notice_context(assembly: Assembly, *, earliest: datetime, cancelled: str = "") -> dict:
    motions = []
    for motion in assembly.motions.prefetch_related("candidates"):
        motions.append(
            {
                "position": motion.position,
                "title": motion.title,
                "description": motion.description,
                "legal_basis": motion.legal_basis,
                "kind_label": motion.get_kind_display(),
                "threshold_text": motion.threshold_text,
                "scope_text": motion.scope_text(),
                "seats": motion.seats,
                "candidates": [
                    {"name": c.name, "statement": c.statement} for c in motion.candidates.all()
                ],
            }
        )
    return {
        "assembly": {
            "title": assembly.title,
            "convener": assembly.convener,
            "area": assembly.area.name,
            "scope": assembly.scope_text(),
            "opens": cn_datetime(assembly.opens_at),
            "closes": cn_datetime(assembly.closes_at),
            "rules": [line for line in assembly.rules_text.splitlines() if line.strip()],
        },
        "motions": motions,
        "attachments": [
            {"title": a.title, "sha256": a.sha256, "size": a.size}
            for a in assembly.attachments.all()
        ],
        "notice_days": notice_days(),
        "earliest": cn_date(local_date(earliest)),
        "cancelled": cancelled,
    }


def _period(assembly: Assembly) -> str:
    return f"{local_date(assembly.opens_at):%Y-%m-%d}至{local_date(assembly.closes_at):%Y-%m-%d}"


def _published_earliest(assembly: Assembly) -> datetime:
    """The first moment voting may open, counted as when the notice was published.

    With the calendar as it stood then (``core.calendar.as_of``): a holiday the
    bureau enters later never moves an opening the notice announced (RULES.md §2
    "Periods").
    """
    with calendar.as_of(assembly.notice_published_at):
        return earliest_open_at(assembly.notice_published_at)


def _notice_period_error(earliest: datetime) -> DomainError:
    message = _(
        "表决开始时间不得早于%(date)s：公告发布之日不计入，须满 %(days)d 日"
        "（期间最后一日为法定节假日的，顺延至节假日后的第一个工作日）。"
    ) % {"date": date_text(local_date(earliest)), "days": notice_days()}
    return Conflict("notice_period", message, fields={"opens_at": message})


def assembly_notice(*, assembly: Assembly, actor, now: datetime | None = None) -> Assembly:
    """Publish the notice of a draft (signed PDF) and mark it noticed; the notice date is now.

    Refused when voting would open before the notice period has run
    (``core.periods``: art. 201 and 203, RULES.md §3), with the first date
    it may open; refused without motions, with a scope that has no voting right,
    or with a scope or motion that breaks the scope rule (RULES.md §1,
    ``assemblies.assembly_scope_check``).
    """

    require_caller(actor, assembly.area)
    now = now or timezone.now()
    with transaction.atomic():
        locked = assembly_lock(assembly)
        require_draft(locked)
        motions = list(locked.motions.prefetch_related("candidates"))
        if not motions:
            raise Conflict("no_motions", _("会议至少需要一个表决议题。"))
        if locked.closes_at <= now:
            message = _("截止时间已过，请修改表决时间。")
            raise Conflict("bad_window", message, fields={"closes_at": message})
        scope_roll(locked.area, locked.scope_buildings, locked.scope_unit_codes)
        # RULES.md §1 "Scope", checked again: the register or the rule may have moved
        # since the motions were added (voting.scoperule).
        assembly_scope_check(locked)
        earliest = earliest_open_at(now)
        if locked.opens_at < earliest:
            raise _notice_period_error(earliest)
        publication = publication_issue(
            kind=Kind.ASSEMBLY_NOTICE,
            area=locked.area,
            period=_period(locked),
            template=NOTICE_TEMPLATE,
            context=notice_context(locked, earliest=earliest),
            actor=None,
            title=_("关于召开业主大会会议的公告（%(title)s）") % {"title": locked.title},
        )
        with issued_file_guard(publication):
            # The notice date is the publication's; it can only be later than ``now``.
            if locked.opens_at < earliest_open_at(publication.issued_at):
                raise _notice_period_error(earliest_open_at(publication.issued_at))
            transition(
                locked,
                Assembly.Status.NOTICED,
                actor=actor,
                action="assembly.notice",
                fields={
                    "notice_published_at": publication.issued_at,
                    "notice_publication": publication,
                },
                summary={"serial": publication.serial},
            )
        # The texts are queued here and sent by a worker after commit (``text_sends``):
        # the request returns at once, the manage page shows their progress.
        text_sends_queue(
            assembly=locked,
            kind=TextSend.Kind.NOTICE,
            person_ids=notice_recipients(locked).values_list("pk", flat=True),
            text=notice_text(locked),
        )
    return locked


# --------------------------------------------------------------------------- opening


def _owners_now(area: ManagementArea) -> dict[str, dict[int, str]]:
    """Unit code → {person id: ID-number HMAC} of the current owners of every unit of ``area``."""
    owners: dict[str, dict[int, str]] = defaultdict(dict)
    rows = Ownership.objects.filter(unit__area=area, until__isnull=True).values_list(
        "unit__code", "person_id", "person__id_hmac"
    )
    for code, person_id, key in rows.iterator(chunk_size=5000):
        owners[code][person_id] = key
    return owners


def _roll_freeze(assembly: Assembly, now: datetime) -> RollSnapshot:
    """Freeze the scope's roll for ``assembly`` (locked): snapshot, rights and their holders.

    The holders of a right are read in a second query; if the register
    changed in between (a sale committed by an import at that instant) the
    owner-set key of what we read no longer matches the roll's right, and
    the opening is refused rather than freezing a roll that disagrees with
    itself.
    """
    roll = scope_roll(assembly.area, assembly.scope_buildings, assembly.scope_unit_codes)
    owners = _owners_now(assembly.area)
    totals = roll.totals
    snapshot = RollSnapshot.objects.create(
        assembly=assembly,
        taken_at=now,
        rights=totals["rights"],
        heads=totals["heads"],
        area=totals["area"],
        units=totals["units"],
        digest=roll.digest,
        scope={"buildings": assembly.scope_buildings, "unit_codes": assembly.scope_unit_codes},
        unit_areas=[[code, basis, str(area)] for code, basis, area in roll.unit_areas],
    )
    rights: list[VotingRight] = []
    holders: list[list[int]] = []
    for position, right in enumerate(roll.rights, start=1):
        persons: dict[int, str] = {}
        if not right.is_developer:
            for code in right.unit_codes:
                persons.update(owners.get(code, {}))
            if roll_core.owner_set_key(persons.values()) != right.key:
                raise Conflict("register_changed", _("业主名册正在更新，请稍后再开启表决。"))
        rights.append(
            VotingRight(
                assembly=assembly,
                position=position,
                key=right.key,
                heads=right.heads,
                area=right.area,
                unit_codes=list(right.unit_codes),
                is_developer=right.is_developer,
            )
        )
        holders.append(sorted(persons))
    VotingRight.objects.bulk_create(rights, batch_size=BATCH)
    VotingRightHolder.objects.bulk_create(
        (
            VotingRightHolder(right=right, person_id=person_id)
            for right, persons in zip(rights, holders, strict=True)
            for person_id in persons
        ),
        batch_size=BATCH,
    )
    return snapshot


def open_locked(assembly: Assembly, *, actor, now: datetime) -> Assembly:
    """Open a locked, noticed assembly whose time has come: freeze its roll (RULES.md §1).

    Used by ``assembly_open`` and by whatever first finds the assembly due
    (a ballot, the count, the periodic job), so the roll is frozen however
    the opening is reached and never depends on a job having run.
    """
    if now < assembly.opens_at:
        raise Conflict(
            "not_yet",
            _("表决将于%(when)s开始，届时才能开启。") % {"when": datetime_text(assembly.opens_at)},
        )
    if assembly.notice_published_at is None:
        raise Conflict("not_noticed", _("会议尚未发布公告。"))
    earliest = _published_earliest(assembly)
    if now < earliest:
        raise Conflict(
            "notice_period",
            _("公告期未满，最早可于%(date)s开始表决。") % {"date": date_text(local_date(earliest))},
        )
    snapshot = _roll_freeze(assembly, now)
    return transition(
        assembly,
        Assembly.Status.OPEN,
        actor=actor,
        action="assembly.open",
        fields={"opened_at": now},
        summary={
            "rights": snapshot.rights,
            "heads": snapshot.heads,
            "area": str(Decimal(snapshot.area)),
            "digest": snapshot.digest,
        },
    )


def assembly_open(*, assembly: Assembly, actor, now: datetime | None = None) -> Assembly:
    """Open voting: freeze the roll. ``actor`` None is the system (the periodic job).

    Naturally idempotent: an assembly already open is returned as it is.
    Refused before ``opens_at`` and before the notice period has run, with
    the date it may open.
    """
    if actor is not None:
        require_caller(actor, assembly.area)
    now = now or timezone.now()
    with transaction.atomic():
        locked = assembly_lock(assembly)
        if locked.status == Assembly.Status.OPEN:
            return locked
        if locked.status != Assembly.Status.NOTICED:
            raise Conflict(
                "bad_transition",
                _("会议当前状态为“%(status)s”，不能开启表决。")
                % {"status": locked.get_status_display()},
            )
        if now >= locked.closes_at:
            raise Conflict("closed", _("表决时间已过，不能再开启。"))
        open_locked(locked, actor=actor, now=now)
        notify_after_commit(locked.pk, "open")
    return locked


# --------------------------------------------------------------------------- cancelling


def assembly_cancel(
    *, assembly: Assembly, actor, reason: str, now: datetime | None = None
) -> Assembly:
    """Cancel an assembly before voting opens; a published notice is superseded by a cancellation.

    After ``opens_at`` a vote runs its course: cancelling then would let a
    convener stop a vote that is going the wrong way.
    """

    require_caller(actor, assembly.area)
    reason = clean_text(reason, field="reason", limit=2000, label=_("取消原因"), multiline=True)
    now = now or timezone.now()
    with transaction.atomic():
        locked = assembly_lock(assembly)
        current = locked.current_status(now)
        if current not in (Assembly.Status.DRAFT, Assembly.Status.NOTICED):
            raise Conflict(
                "too_late",
                _("表决已开始或已结束（%(status)s），不能取消。")
                % {"status": Assembly.Status(current).label},
            )
        serial = ""
        if locked.notice_publication_id is not None:
            publication = publication_issue(
                kind=Kind.ASSEMBLY_NOTICE,
                area=locked.area,
                period=_period(locked),
                template=NOTICE_TEMPLATE,
                context=notice_context(
                    locked, earliest=_published_earliest(locked), cancelled=reason
                ),
                actor=None,
                title=_("关于取消业主大会会议的公告（%(title)s）") % {"title": locked.title},
                supersedes=locked.notice_publication,
            )
            serial = publication.serial
        with issued_file_guard(publication) if serial else nullcontext():
            transition(
                locked,
                Assembly.Status.CANCELLED,
                actor=actor,
                action="assembly.cancel",
                fields={"cancelled_at": now, "cancel_reason": reason},
                summary={"serial": serial},
            )
    return locked
