"""After voting: count, publish the preliminary result, objections, the final result (RULES.md §3).

Two steps, kept apart on purpose:

1. **count** (``assembly_count``): once ``closes_at`` has passed, the board is
   built from the ballots (``voting.board_store``), its ``result`` — the count of
   ``voting.counting`` — and head are stored, the assembly is *closed*.
   Database work only; it commits on its own.
2. **publish** (``assembly_result_publish``): the preliminary result notice is
   issued as a signed PDF (``publications.services.publication_issue``) with
   the board's head hash and the roll digest, the objection period starts,
   the assembly is *preliminary*.

``assembly_close_and_count`` runs both. If publishing fails (signing keys
missing, no Chinese font), the count stays done and the assembly stays
closed; running it again publishes. Nothing about the count depends on the
PDF, and the PDF is only ever made from a stored count.

Objections (RULES.md §3; filed and answered in ``services.objections``): owners of the frozen roll may object for
``GONGZHI_OBJECTION_DAYS`` days (default 7), counted like every period
(``core.periods``: the publication day not counted; a last day that is a
rest day moves to the next working day); the convener answers each; when the
period is over and every objection is answered the final result is
published. Published answers, not objections: an owner's objection may name
people, and a publication is kept for ever (RULES.md §7).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from core.errors import Conflict
from core.text import cn_date, cn_datetime, datetime_text
from publications.models import Kind
from publications.services import issued_file_guard, publication_issue
from voting import counting, shares
from voting.board_store import BoardMismatch, BoardNotReady, board_build
from voting.integrity import ballot_anchor, board_mismatch_alarm, board_mismatch_message
from voting.models import (
    CHOICE_LABELS,
    OUTCOME_LABELS,
    Assembly,
    RollSnapshot,
)

from .common import (
    assembly_lock,
    local_date,
    notify_after_commit,
    objection_days,
    objection_deadline,
    transition,
)
from .opening import open_locked

RESULT_TEMPLATE = "voting/result_notice.html"


def _require_caller(actor, assembly: Assembly) -> None:
    if actor is not None:
        permissions.require(actor, "assembly.call", assembly.area)


# --------------------------------------------------------------------------- count


def assembly_count(*, assembly: Assembly, actor=None, now: datetime | None = None) -> Assembly:
    """Close and count an assembly whose ``closes_at`` has passed (step 1, module docstring).

    ``actor`` None is the system (the periodic job). An assembly nobody opened
    (no ballot, no job) is opened first so that it has a roll: it then counts
    as no quorum, which is what happened. Already counted: returned as it is.
    A ballot that no longer matches the audit event written when it was cast
    stops the count (``voting.integrity``): an audit event records it, the
    bureau is alerted, and ``Conflict("board_mismatch")`` says
    "公示板校验失败".
    """
    _require_caller(actor, assembly)
    now = now or timezone.now()
    try:
        return _count(assembly, actor=actor, now=now)
    except BoardMismatch as exc:
        # The count stops; its transaction rolled back, the alarm is recorded
        # in one of its own (DESIGN.md "Trust anchors").
        board_mismatch_alarm(assembly, str(exc))
        raise Conflict("board_mismatch", board_mismatch_message()) from exc


def _board_check(assembly: Assembly, *, now: datetime | None = None) -> None:
    """Before a result notice is signed: the ballots still match their cast events.

    Outside the notice's transaction, so that the alarm of a refusal stays;
    ballots are final once cast, so nothing legitimate changes them in between.
    """
    try:
        board_build(assembly, now=now)
    except BoardNotReady:
        return  # the notice's own checks say why it cannot be published yet
    except BoardMismatch as exc:
        board_mismatch_alarm(assembly, str(exc))
        raise Conflict("board_mismatch", board_mismatch_message()) from exc


def _count(assembly: Assembly, *, actor, now: datetime) -> Assembly:
    with transaction.atomic():
        locked = assembly_lock(assembly)
        if locked.status in (
            Assembly.Status.CLOSED,
            Assembly.Status.PRELIMINARY,
            Assembly.Status.FINAL,
        ):
            return locked
        if locked.current_status(now) != Assembly.Status.CLOSED:
            raise Conflict(
                "not_closed",
                _("表决将于%(when)s截止，截止后才能计票。")
                % {"when": datetime_text(locked.closes_at)},
            )
        if locked.status == Assembly.Status.NOTICED:
            # The roll is frozen now, at the latest; the ballots are none.
            open_locked(locked, actor=None, now=max(now, locked.opens_at))
        board = board_build(locked, now=now)
        snapshot = RollSnapshot.objects.get(assembly=locked)
        transition(
            locked,
            Assembly.Status.CLOSED,
            actor=actor,
            action="assembly.close",
            fields={"closed_at": now, "result": board["result"]},
            summary={
                "ballots": len(board["ballots"]),
                "head": board["head"],
                "digest": snapshot.digest,
                "outcomes": {m: r["outcome"] for m, r in board["result"].items()},
            },
        )
    return locked


# --------------------------------------------------------------------------- notices


def board_url(assembly: Assembly) -> str:
    """The public URL of the board, when the pages that serve it are installed."""
    try:
        path = reverse("voting:board", args=[assembly.pk])
    except NoReverseMatch:
        return ""
    return settings.GONGZHI_PUBLIC_BASE_URL + path


def _motion_rows(assembly: Assembly) -> list[dict]:
    rows = []
    result = assembly.result or {}
    for motion in assembly.motions.prefetch_related("candidates").order_by("position"):
        count = result[motion.code]
        total = count["total"]
        participating = count["participating"]
        row = {
            "position": motion.position,
            "code": motion.code,
            "title": motion.title,
            "legal_basis": motion.legal_basis,
            "kind_label": motion.get_kind_display(),
            "threshold_text": motion.threshold_text,
            "outcome": count["outcome"],
            "outcome_label": str(OUTCOME_LABELS[count["outcome"]]),
            "quorum": count["quorum"],
            "total": total,
            "participating": participating,
            "participating_share": shares.participation_shares(count),
            "thresholds": count["thresholds"],
            "choices": [
                {
                    "label": str(CHOICE_LABELS[choice]),
                    "heads": count[choice]["heads"],
                    "area": count[choice]["area"],
                    **shares.choice_shares(count, choice),
                }
                for choice in counting.CHOICES
            ],
        }
        if motion.is_election:
            names = {c.code: c.name for c in motion.candidates.all()}
            row["seats"] = motion.seats
            row["candidates"] = [
                {
                    "name": names[code],
                    "heads": entry["heads"],
                    "area": entry["area"],
                    "passes": entry["passes"],
                    "elected": code in count["elected"],
                    "tied": code in count["tied"],
                }
                for code, entry in count["candidates"].items()
            ]
            row["elected"] = [names[code] for code in count["elected"]]
            row["tie"] = count["tie"]
            row["tied"] = [names[code] for code in count["tied"]]
            row["tied_seats"] = count["tied_seats"]
        rows.append(row)
    return rows


def _result_context(assembly: Assembly, *, final: bool, deadline: datetime | None) -> dict:
    snapshot = RollSnapshot.objects.get(assembly=assembly)
    channels = dict.fromkeys(("online", "paper", "proxy"), 0)
    for channel in assembly.ballots.values_list("channel", flat=True):
        channels[channel] += 1
    objections = []
    if final:
        objections = [
            {
                "number": n,
                "filed": cn_date(local_date(o.filed_at)),
                "motion": o.motion.title if o.motion_id else "",
                "answer": o.answer,
            }
            for n, o in enumerate(
                assembly.objections.select_related("motion").order_by("filed_at", "pk"), start=1
            )
        ]
    return {
        "final": final,
        "assembly": {
            "id": assembly.pk,
            "title": assembly.title,
            "convener": assembly.convener,
            "area": assembly.area.name,
            "scope": assembly.scope_text(),
            "opens": cn_datetime(assembly.opens_at),
            "closes": cn_datetime(assembly.closes_at),
            "notice_serial": (
                assembly.notice_publication.serial if assembly.notice_publication_id else ""
            ),
        },
        "roll": {
            "rights": snapshot.rights,
            "heads": snapshot.heads,
            "area": counting.cents_to_area(counting.area_to_cents(snapshot.area)),
            "units": snapshot.units,
            "digest": snapshot.digest,
            "taken": cn_datetime(snapshot.taken_at),
        },
        "ballots": {"total": assembly.ballots_cast, **channels},
        "head": assembly.chain_head,
        "board_url": board_url(assembly),
        "motions": _motion_rows(assembly),
        "objection_days": objection_days(),
        "objection_deadline": cn_datetime(deadline) if deadline else "",
        "objections": objections,
    }


def _result_title(assembly: Assembly, *, final: bool) -> str:
    if final:
        return _("业主大会会议表决结果公告（%(title)s）") % {"title": assembly.title}
    return _("业主大会会议表决结果公告（初步）（%(title)s）") % {"title": assembly.title}


def _period(assembly: Assembly) -> str:
    return f"{local_date(assembly.opens_at):%Y-%m-%d}至{local_date(assembly.closes_at):%Y-%m-%d}"


def assembly_result_publish(*, assembly: Assembly, actor=None) -> Assembly:
    """Publish the preliminary result of a counted assembly (step 2); the objection period starts."""

    _require_caller(actor, assembly)
    _board_check(assembly)
    with transaction.atomic():
        locked = assembly_lock(assembly)
        if locked.status in (Assembly.Status.PRELIMINARY, Assembly.Status.FINAL):
            return locked
        if locked.status != Assembly.Status.CLOSED:
            raise Conflict("not_counted", _("尚未计票，不能公布结果。"))
        # The deadline printed on the notice is computed from the issuing moment;
        # the publication's own moment follows within the same call.
        now = timezone.now()
        publication = publication_issue(
            kind=Kind.VOTE_RESULT_PRELIMINARY,
            area=locked.area,
            period=_period(locked),
            template=RESULT_TEMPLATE,
            context=_result_context(locked, final=False, deadline=objection_deadline(now)),
            actor=None,
            title=_result_title(locked, final=False),
            # The ballot chain's head and count, signed into the notice (DESIGN.md
            # "Trust anchors"): a later rewrite of the ballots cannot match it.
            anchors=[ballot_anchor(locked)],
        )
        deadline = objection_deadline(publication.issued_at)
        with issued_file_guard(publication):
            transition(
                locked,
                Assembly.Status.PRELIMINARY,
                actor=actor,
                action="assembly.result_preliminary",
                fields={"preliminary_publication": publication, "objection_deadline": deadline},
                summary={"serial": publication.serial, "head": locked.chain_head},
            )
        notify_after_commit(locked.pk, "result")
    return locked


def assembly_close_and_count(
    *, assembly: Assembly, actor=None, now: datetime | None = None
) -> Assembly:
    """Count (step 1, committed on its own) and publish the preliminary result (step 2)."""
    counted = assembly_count(assembly=assembly, actor=actor, now=now)
    return assembly_result_publish(assembly=counted, actor=actor)


def assembly_finalise(*, assembly: Assembly, actor=None, now: datetime | None = None) -> Assembly:
    """Publish the final result once the objection period is over and every objection answered."""

    _require_caller(actor, assembly)
    now = now or timezone.now()
    if (
        assembly.status == Assembly.Status.PRELIMINARY
        and assembly.objection_deadline is not None
        and now >= assembly.objection_deadline
    ):
        _board_check(assembly, now=now)
    with transaction.atomic():
        locked = assembly_lock(assembly)
        if locked.status == Assembly.Status.FINAL:
            return locked
        if locked.status != Assembly.Status.PRELIMINARY:
            raise Conflict("not_preliminary", _("初步结果尚未公告。"))
        if now < locked.objection_deadline:
            raise Conflict(
                "objection_period",
                _("异议期至%(when)s结束，之后才能公布最终结果。")
                % {"when": datetime_text(locked.objection_deadline)},
            )
        waiting = locked.objections.filter(answered_at__isnull=True).count()
        if waiting:
            raise Conflict(
                "objections_open",
                _("还有 %(count)d 条异议未答复，答复后才能公布最终结果。") % {"count": waiting},
            )
        publication = publication_issue(
            kind=Kind.VOTE_RESULT_FINAL,
            area=locked.area,
            period=_period(locked),
            template=RESULT_TEMPLATE,
            context=_result_context(locked, final=True, deadline=locked.objection_deadline),
            actor=None,
            title=_result_title(locked, final=True),
            # The ballot chain's head and count, signed into the notice (DESIGN.md
            # "Trust anchors"): a later rewrite of the ballots cannot match it.
            anchors=[ballot_anchor(locked)],
        )
        with issued_file_guard(publication):
            transition(
                locked,
                Assembly.Status.FINAL,
                actor=actor,
                action="assembly.finalise",
                fields={"final_publication": publication, "finalised_at": now},
                summary={"serial": publication.serial, "objections": locked.objections.count()},
            )
    return locked
