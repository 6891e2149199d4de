"""The motions of a draft assembly (Civil Code art. 278; RULES.md §1 "Scope").

A motion's kind and threshold follow from its art. 278 item
(``kind_for_item``); an election carries seats and candidates; the scope rule
(``voting.scoperule``) is checked under the assembly lock, and again at notice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import DomainError
from core.text import clean_text
from voting import counting
from voting.models import Assembly, Candidate, Motion, kind_for_item

from .assemblies import TEXT_LIMIT, clean_scope, motion_scope_check, require_caller, require_draft
from .common import assembly_lock


def _kind_of(item) -> str:
    """The motion kind of a Civil Code art. 278 item, or a ``DomainError`` naming ``item``."""
    try:
        return kind_for_item(int(item))
    except (TypeError, ValueError):
        message = _("请选择《民法典》第二百七十八条规定的事项（第一至第九项）。")
        raise DomainError("bad_item", message, fields={"item": message}) from None


def _candidate(entry: str | tuple[str, str]) -> tuple[str, str]:
    name, statement = (entry, "") if isinstance(entry, str) else entry
    return (
        clean_text(name, field="candidates", limit=100, label=_("候选人姓名")),
        clean_text(
            statement or "", field="candidates", limit=TEXT_LIMIT, required=False, multiline=True
        ),
    )


def _election_people(
    kind: str, seats: int | None, candidates: Sequence[str | tuple[str, str]]
) -> list[tuple[str, str]]:
    """The (name, statement) of each candidate of an election; nothing for another kind,
    which must then have neither seats nor candidates."""
    if kind != counting.ELECTION:
        if seats is not None or candidates:
            message = _("只有选举议题（第三项）才有应选名额和候选人。")
            raise DomainError("not_election", message, fields={"seats": message})
        return []
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        message = _("请填写应选名额（至少 1 名）。")
        raise DomainError("bad_seats", message, fields={"seats": message})
    people = [_candidate(entry) for entry in candidates]
    if not people:
        message = _("选举议题至少需要一名候选人。")
        raise DomainError("no_candidates", message, fields={"candidates": message})
    if len({name for name, _statement in people}) != len(people):
        message = _("候选人姓名重复，请加以区分（如注明楼栋）。")
        raise DomainError("duplicate_candidates", message, fields={"candidates": message})
    return people


def motion_add(
    *,
    assembly: Assembly,
    title: str,
    item: int,
    actor,
    description: str = "",
    seats: int | None = None,
    candidates: Sequence[str | tuple[str, str]] = (),
    scope_buildings: Iterable[str] = (),
    scope_unit_codes: Iterable[str] = (),
    common_parts: Iterable[str] = (),
) -> Motion:
    """Add a motion; its kind follows from the Civil Code art. 278 item (``kind_for_item``).

    An election (item 3) needs ``seats`` ≥ 1 and its candidates, each a name
    or a (name, statement) pair; other motions take neither.

    Scope (RULES.md §1, ``voting.scoperule``): items 5–6 give their 列支范围
    in ``scope_buildings`` / ``scope_unit_codes`` (both empty = the whole
    area), and it must equal the assembly's scope; items 7–8 name there the
    buildings and unit stairs whose common parts they concern, and in
    ``common_parts`` any area-wide ones (keys of ``scoperule.AREA_WIDE_PARTS``),
    all shared only by units in the scope; items 1–4 and 9 need the whole
    area. Checked again at notice (``opening.assembly_notice``).
    """
    require_caller(actor, assembly.area)
    title = clean_text(title, field="title", limit=200, label=_("名称"))
    kind = _kind_of(item)
    people = _election_people(kind, seats, candidates)
    motion_buildings = clean_scope(scope_buildings)
    motion_codes = clean_scope(scope_unit_codes)
    parts = clean_scope(common_parts)
    with transaction.atomic():
        locked = assembly_lock(assembly)
        require_draft(locked)
        # Under the lock: the scope checked is the one the motion is added to.
        motion_scope_check(
            locked,
            item=int(item),
            scope_buildings=motion_buildings,
            scope_unit_codes=motion_codes,
            common_parts=parts,
        )
        position = max(locked.motions.values_list("position", flat=True), default=0) + 1
        motion = Motion.objects.create(
            assembly=locked,
            position=position,
            code=f"m{position}",
            title=title,
            description=clean_text(
                description, field="description", limit=TEXT_LIMIT, required=False, multiline=True
            ),
            item=int(item),
            kind=kind,
            seats=seats if kind == counting.ELECTION else None,
            scope_buildings=motion_buildings,
            scope_unit_codes=motion_codes,
            common_parts=parts,
        )
        Candidate.objects.bulk_create(
            Candidate(motion=motion, position=n, code=f"c{n}", name=name, statement=statement)
            for n, (name, statement) in enumerate(people, start=1)
        )
        audit_record(
            actor=actor,
            action="motion.add",
            obj=motion,
            after={
                "code": motion.code,
                "item": motion.item,
                "kind": kind,
                "seats": motion.seats,
                "scope": [motion_buildings, motion_codes],
                "common_parts": parts,
            },
            summary={"assembly": locked.pk, "motion": motion.code, "title": title, "kind": kind},
        )
    return motion


def motion_remove(*, motion: Motion, actor) -> None:
    """Remove a motion from a draft. Codes of the others stay as they are (m1, m3 …)."""
    require_caller(actor, motion.assembly.area)
    with transaction.atomic():
        locked = assembly_lock(motion.assembly)
        require_draft(locked)
        audit_record(
            actor=actor,
            action="motion.remove",
            obj=motion,
            before={"code": motion.code, "title": motion.title},
            summary={"assembly": locked.pk, "motion": motion.code},
        )
        motion.delete()
