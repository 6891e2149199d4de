"""Objections to the preliminary result and the convener's answers (RULES.md §3).

Owners of the frozen roll object within the objection period
(``services.results``); the convener answers each, and the final result is
published only once every objection is answered (``assembly_finalise``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import clean_text, datetime_text
from voting.models import Assembly, Motion, Objection, VotingRight

from .ballots import person_of
from .common import assembly_lock

MAX_TEXT = 2000


def objection_file(
    *,
    assembly: Assembly,
    text: str,
    actor,
    motion: Motion | None = None,
    now: datetime | None = None,
) -> Objection:
    """An owner of the frozen roll objects to the preliminary result, within the period."""
    person = person_of(actor)
    text = clean_text(text, field="text", limit=MAX_TEXT, label=_("异议内容"), multiline=True)
    if motion is not None and motion.assembly_id != assembly.pk:
        raise DomainError("bad_motion", _("该议题不属于本次会议。"), fields={"motion": _("无效。")})
    now = now or timezone.now()
    with transaction.atomic():
        locked = assembly_lock(assembly)
        if locked.status != Assembly.Status.PRELIMINARY:
            raise Conflict("no_objection_period", _("现在不是异议期。"))
        if now >= locked.objection_deadline:
            raise Conflict(
                "objection_closed",
                _("异议期已于%(when)s结束。") % {"when": datetime_text(locked.objection_deadline)},
            )
        if (
            person is None
            or not VotingRight.objects.filter(assembly=locked, holder_rows__person=person).exists()
        ):
            raise Conflict("not_on_roll", _("只有本次表决名册中的业主可以对结果提出异议。"))
        objection = Objection.objects.create(
            assembly=locked, motion=motion, filed_by=actor, person=person, text=text, filed_at=now
        )
        audit_record(
            actor=actor,
            action="objection.file",
            obj=objection,
            after={"assembly": locked.pk, "motion": motion.code if motion else ""},
            summary={"assembly": locked.pk, "objection": objection.pk},
        )
    return objection


def objection_answer(
    *, objection: Objection, answer: str, actor, now: datetime | None = None
) -> Objection:
    """The convener's answer to an objection; it is published with the final result."""
    permissions.require(actor, "assembly.call", objection.assembly.area)
    answer = clean_text(answer, field="answer", limit=MAX_TEXT, label=_("答复"), multiline=True)
    now = now or timezone.now()
    with transaction.atomic():
        locked = assembly_lock(objection.assembly)
        if locked.status != Assembly.Status.PRELIMINARY:
            raise Conflict("finalised", _("结果已确定，不能再答复。"))
        row = Objection.objects.select_for_update().get(pk=objection.pk)
        if row.answered:
            raise Conflict("already_answered", _("该异议已答复。"))
        row.answer, row.answered_by, row.answered_at = answer, actor, now
        row.save(update_fields=["answer", "answered_by", "answered_at"])
        audit_record(
            actor=actor,
            action="objection.answer",
            obj=row,
            before={"answered": False},
            after={"answered": True},
            summary={"assembly": locked.pk, "objection": row.pk},
        )
    return row
