"""Committees (业委会 / 物管会) with their terms and members: audited writes (``register.edit``)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import clean_text

from ..models import Committee, CommitteeMember, ManagementArea
from .record_common import (
    EDIT,
    area_state,
    committee_state,
    member_state,
    save_if_changed,
)


def _term(term_start: date | None, term_end: date | None) -> None:
    if term_start is None:
        message = _("请填写任期开始日期。")
        raise DomainError("required", message, fields={"term_start": message})
    if term_end is not None and term_end < term_start:
        message = _("任期结束日期不能早于开始日期。")
        raise DomainError("invalid_term", message, fields={"term_end": message})


def _overlapping(committee: Committee) -> Committee | None:
    """Another committee of the same area whose term overlaps this one.

    One management area has one owners' assembly (物业管理条例 art. 9) and so
    one committee at a time; overlapping records would make "the committee"
    ambiguous for calling assemblies and filing applications (our invariant).
    """
    others = Committee.objects.filter(area_id=committee.area_id).exclude(pk=committee.pk)
    start, end = committee.term_start, committee.term_end or date.max
    for other in others:
        if other.term_start <= end and start <= (other.term_end or date.max):
            return other
    return None


def _is_current(committee: Committee, today: date) -> bool:
    return committee.term_start <= today and (
        committee.term_end is None or committee.term_end >= today
    )


def _sync_committee_status(committee: Committee, *, actor) -> None:
    """Keep annex 1's 业委会组建情况 in step with a committee in office today.

    ``accounts.permissions`` reads this field to decide who may act "where
    there is no committee" (RULES.md §5), so recording a current committee
    must update it. An ended term is not reversed automatically: whether an
    area then has "no committee" is for the bureau to record.
    """
    if not _is_current(committee, timezone.localdate()):
        return
    wanted = (
        ManagementArea.CommitteeStatus.OWNERS_COMMITTEE
        if committee.kind == Committee.Kind.OWNERS
        else ManagementArea.CommitteeStatus.INTERIM_COMMITTEE
    )
    area = ManagementArea.objects.select_for_update().get(pk=committee.area_id)
    if area.committee_status == wanted:
        return
    before = area_state(area)
    area.committee_status = wanted
    area.save(update_fields=["committee_status"])
    audit_record(
        actor=actor,
        action="area.update",
        obj=area,
        before=before,
        after=area_state(area),
        summary={"area": area.code, "changed": ["committee_status"], "committee": committee.pk},
    )


# --------------------------------------------------------------------------- committees


def committee_create(
    *,
    area: ManagementArea,
    actor,
    kind: str,
    term_start: date,
    term_end: date | None = None,
) -> Committee:
    """Record a committee (业委会 or 物管会) of ``area`` for one term."""
    require(actor, EDIT, area)
    if kind not in Committee.Kind.values:
        message = _("请选择业主委员会或物业管理委员会。")
        raise DomainError("invalid_kind", message, fields={"kind": message})
    _term(term_start, term_end)
    with transaction.atomic():
        # Lock the area: two clerks recording committees at once must not both
        # pass the overlap check.
        locked_area = ManagementArea.objects.select_for_update().get(pk=area.pk)
        committee = Committee(area=locked_area, kind=kind, term_start=term_start, term_end=term_end)
        other = _overlapping(committee)
        if other is not None:
            message = _("与该区域已有的%(kind)s任期（%(start)s 起）重叠。") % {
                "kind": other.get_kind_display(),
                "start": other.term_start.isoformat(),
            }
            raise Conflict("term_overlap", message, fields={"term_start": message})
        committee.save()
        audit_record(
            actor=actor,
            action="committee.create",
            obj=committee,
            after=committee_state(committee),
            summary={"area": locked_area.code, "kind": kind},
        )
        _sync_committee_status(committee, actor=actor)
    return committee


def committee_update(
    *,
    committee: Committee,
    actor,
    kind: str,
    term_start: date,
    term_end: date | None,
) -> Committee:
    require(actor, EDIT, committee.area)
    if kind not in Committee.Kind.values:
        message = _("请选择业主委员会或物业管理委员会。")
        raise DomainError("invalid_kind", message, fields={"kind": message})
    _term(term_start, term_end)
    with transaction.atomic():
        ManagementArea.objects.select_for_update().get(pk=committee.area_id)
        locked = Committee.objects.select_for_update().get(pk=committee.pk)
        before = committee_state(locked)
        locked.kind, locked.term_start, locked.term_end = kind, term_start, term_end
        after = committee_state(locked)

        def no_overlap():
            other = _overlapping(locked)
            if other is not None:
                message = _("与该区域已有的%(kind)s任期（%(start)s 起）重叠。") % {
                    "kind": other.get_kind_display(),
                    "start": other.term_start.isoformat(),
                }
                raise Conflict("term_overlap", message, fields={"term_start": message})

        if save_if_changed(
            locked,
            before=before,
            after=after,
            actor=actor,
            action="committee.update",
            summary={"area": locked.area.code},
            check=no_overlap,
        ):
            _sync_committee_status(locked, actor=actor)
    return locked


def _member_values(name: str, position: str) -> tuple[str, str]:
    name = clean_text(name, field="name", label=_("姓名"), limit=100, required=True)
    if position not in CommitteeMember.Position.values:
        message = _("请选择职务。")
        raise DomainError("invalid_position", message, fields={"position": message})
    return name, position


def _check_one_chair(committee: Committee, position: str, *, exclude: int | None = None) -> None:
    if position != CommitteeMember.Position.CHAIR:
        return
    chairs = committee.members.filter(position=CommitteeMember.Position.CHAIR)
    if exclude is not None:
        chairs = chairs.exclude(pk=exclude)
    if chairs.exists():
        message = _("该委员会已有主任，请先修改原主任的职务。")
        raise Conflict("chair_taken", message, fields={"position": message})


def committee_member_add(
    *, committee: Committee, actor, name: str, position: str
) -> CommitteeMember:
    require(actor, EDIT, committee.area)
    name, position = _member_values(name, position)
    with transaction.atomic():
        locked = Committee.objects.select_for_update().get(pk=committee.pk)
        _check_one_chair(locked, position)
        member = CommitteeMember.objects.create(committee=locked, name=name, position=position)
        audit_record(
            actor=actor,
            action="committee_member.add",
            obj=member,
            after=member_state(member),
            summary={"committee": locked.pk, "name": name, "position": position},
        )
    return member


def committee_member_update(
    *, member: CommitteeMember, actor, name: str, position: str
) -> CommitteeMember:
    require(actor, EDIT, member.committee.area)
    name, position = _member_values(name, position)
    with transaction.atomic():
        committee = Committee.objects.select_for_update().get(pk=member.committee_id)
        locked = CommitteeMember.objects.select_for_update().get(pk=member.pk)
        before = member_state(locked)
        locked.name, locked.position = name, position
        after = member_state(locked)
        save_if_changed(
            locked,
            before=before,
            after=after,
            actor=actor,
            action="committee_member.update",
            summary={"committee": committee.pk},
            check=lambda: _check_one_chair(committee, position, exclude=locked.pk),
        )
    return locked


def committee_member_remove(*, member: CommitteeMember, actor) -> None:
    """Remove a member from the record; the audit event keeps who it was."""
    require(actor, EDIT, member.committee.area)
    with transaction.atomic():
        Committee.objects.select_for_update().get(pk=member.committee_id)
        locked = CommitteeMember.objects.select_for_update().filter(pk=member.pk).first()
        if locked is None:
            return  # already removed: removing twice changes nothing
        before = member_state(locked)
        member_pk = locked.pk
        locked.delete()
        audit_record(
            actor=actor,
            action="committee_member.remove",
            object_type=CommitteeMember._meta.label_lower,
            object_id=member_pk,
            before=before,
            summary={
                "committee": before["committee"],
                "name": before["name"],
                "position": before["position"],
            },
        )
