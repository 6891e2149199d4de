"""Emergency applications from filing to the bureau's decision, and the works after it.

The fast path of Order 165 art. 24 (RULES.md §5): an item on the bureau's
whitelist is applied for directly — no owners' vote — by the committee
(业委会 or 物管会), or by the property company or the street / community office
where the area has no committee (``emergency.apply``). Filing checks what the
item asks for; anything the fast path does not cover (an item not on the
current list, a cost above the item's cap) is refused with the normal
procedure offered instead (RULES.md §4: vote, then apply) — never accepted.

Filing also starts the reviewer's checklist (RULES.md §5, last paragraph): the
repair type follows the item's facility (``FACILITY_REPAIR_TYPE``) and the
art. 18 warranty of every building of the 列支范围 is checked on the filing day
and stored (``warranty_snapshot``), so that a deemed approval is barred from
the start for an application inside warranty or with an unknown completion
date.

The bureau's decision is in ``decisions``, the works after it in ``works``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Role
from audit.services import audit_record
from core.errors import Conflict, DomainError, PermissionDeniedError
from core.money import yuan
from core.text import clean_text, join_list
from estates.models import Building, ManagementArea, Unit
from funds.procedure import warranty
from funds.procedure.services.application_review import scope_warranty_checks

from .. import deadlines
from ..models import (
    FACILITY_REPAIR_TYPE,
    FILING_EVIDENCE,
    EmergencyApplication,
    Problem,
    WhitelistItem,
)
from ._common import district_tz, normal_procedure_text, state
from .evidence import Upload, evidence_clean, evidence_store
from .whitelist import current_version

APPLY = "emergency.apply"
# Which role an applicant files as, when they hold several (the committee first).
APPLICANT_ROLES = (
    Role.COMMITTEE_MEMBER,
    Role.PROPERTY_STAFF,
    Role.STREET_OFFICER,
    Role.COMMUNITY_OFFICER,
)
DEPUTY_ROLES = frozenset({Role.PROPERTY_STAFF, Role.STREET_OFFICER, Role.COMMUNITY_OFFICER})


def times_of(item: WhitelistItem) -> deadlines.Times:
    return deadlines.Times(
        review_days=item.review_days, payment_days=item.payment_days, start_hours=item.start_hours
    )


def warranty_snapshot(
    *,
    area: ManagementArea,
    scope_buildings: list[str],
    scope_unit_codes: list[str],
    repair_type: str,
    on: date,
) -> dict:
    """The warranty fields of an application: each building of the scope checked on ``on``
    (``funds.procedure.warranty``; Order 165 art. 18, 质量管理条例 art. 40) and the scope's overall
    status — "unknown" when a completion date is missing, never "out" (RULES.md §5)."""
    checks = scope_warranty_checks(
        area=area,
        scope_buildings=scope_buildings,
        scope_unit_codes=scope_unit_codes,
        repair_type=repair_type,
        on=on,
    )
    return {
        "repair_type": repair_type,
        "warranty": {
            c.building: [
                c.status,
                c.completed_on.isoformat() if c.completed_on else None,
                c.ends_on.isoformat() if c.ends_on else None,
            ]
            for c in checks
        },
        "warranty_status": warranty.overall(checks),
    }


# --------------------------------------------------------------------------- filing checks


def _require_applicant(actor, area: ManagementArea) -> str:
    """The role ``actor`` files under for ``area``; a clear refusal when there is none."""
    if permissions.can(actor, APPLY, area):
        held = permissions.roles_of(actor)
        return next(role for role in APPLICANT_ROLES if role in held)
    has_committee = area.committee_status != ManagementArea.CommitteeStatus.NOT_FORMED
    # A property company or street office that does reach the area (it may read the
    # register there) is refused because the area has a committee: say so (RULES.md §5).
    if (
        has_committee
        and permissions.roles_of(actor) & DEPUTY_ROLES
        and permissions.can(actor, "register.view", area)
    ):
        raise PermissionDeniedError(
            _(
                "%(area)s已成立%(committee)s，紧急维修申请应由%(committee)s提出；"
                "物业服务企业或街道（社区）只能在未成立业委会/物管会的区域提出。"
            )
            % {"area": area.name, "committee": area.get_committee_status_display()},
            code="committee_applies",
        )
    raise PermissionDeniedError(
        _(
            "您不能为%(area)s提出紧急维修申请：只有该区域的业委会（物管会）成员，"
            "或在未成立业委会的区域由物业服务企业、街道（社区）提出。"
        )
        % {"area": area.name},
        code="not_applicant",
    )


def _current_item(item_code: str) -> WhitelistItem:
    version = current_version()
    item = None
    if version is not None and item_code:
        item = version.items.filter(code=item_code).first()
    if item is None:
        where = (
            _("现行紧急维修事项清单（第%(n)d版）") % {"n": version.number}
            if version
            else _("紧急维修事项清单")
        )
        message = (
            _("所选事项不在%(where)s上，不能走紧急维修快速通道。") % {"where": where}
            + normal_procedure_text()
        )
        raise DomainError("not_on_whitelist", message, fields={"item": message})
    return item


def _clean_estimate(item: WhitelistItem, estimate_fen: int, prepayment_fen: int) -> None:
    if isinstance(estimate_fen, bool) or not isinstance(estimate_fen, int) or estimate_fen <= 0:
        message = _("请填写大于零的预算金额。")
        raise DomainError("bad_estimate", message, fields={"estimate": message})
    if estimate_fen > item.cap_fen:
        message = (
            _(
                "预算 %(estimate)s 元超过“%(item)s”的费用上限 %(cap)s 元，"
                "超出上限的维修不能走紧急维修快速通道。"
            )
            % {"estimate": yuan(estimate_fen), "item": item.name, "cap": yuan(item.cap_fen)}
            + normal_procedure_text()
        )
        raise DomainError("over_cap", message, fields={"estimate": message})
    if (
        isinstance(prepayment_fen, bool)
        or not isinstance(prepayment_fen, int)
        or not 0 <= prepayment_fen <= estimate_fen
    ):
        message = _("申请预拨的金额须在零和预算金额之间。")
        raise DomainError("bad_prepayment", message, fields={"prepayment": message})


def _clean_scope(
    area: ManagementArea, buildings: Iterable[str], unit_codes: Iterable[str]
) -> tuple[list[str], list[str]]:
    """The 列支范围 (RULES.md §1): building names and unit codes of ``area``; both empty = all."""
    buildings = sorted({" ".join(str(b).split()) for b in buildings or () if str(b).strip()})
    codes = sorted({" ".join(str(c).split()) for c in unit_codes or () if str(c).strip()})
    known_buildings = set(
        Building.objects.filter(area=area, name__in=buildings).values_list("name", flat=True)
    )
    known_codes = set(Unit.objects.filter(area=area, code__in=codes).values_list("code", flat=True))
    unknown = [b for b in buildings if b not in known_buildings] + [
        c for c in codes if c not in known_codes
    ]
    if unknown:
        # A typo must not shrink (or silently widen) who bears the cost.
        message = _("列支范围中有本区域没有的楼栋或房屋：%(names)s。") % {
            "names": join_list(unknown)
        }
        raise DomainError("bad_scope", message, fields={"scope": message})
    if not Unit.objects.filter(area=area).exists():
        message = _("本区域台账中还没有房屋，无法确定列支范围。")
        raise Conflict("empty_scope", message, fields={"scope": message})
    return buildings, codes


def _clean_problems(area: ManagementArea, problem_ids: Iterable[int]) -> list[Problem]:
    ids = sorted({int(pk) for pk in problem_ids or ()})
    if not ids:
        return []
    # Problems of this area, or of its community with no area named.
    problems = list(
        Problem.objects.filter(
            Q(area=area) | Q(area__isnull=True, community=area.community_id), pk__in=ids
        )
    )
    if len(problems) != len(ids):
        message = _("只能关联本区域（或本社区）问题整治台账中的问题。")
        raise DomainError("bad_problems", message, fields={"problems": message})
    return problems


# --------------------------------------------------------------------------- filing


def application_file(
    *,
    area: ManagementArea,
    item_code: str,
    description: str,
    estimate_fen: int,
    evidence: Sequence[tuple[str, Upload]],
    actor,
    scope_buildings: Iterable[str] = (),
    scope_unit_codes: Iterable[str] = (),
    prepayment_fen: int = 0,
    problem_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> EmergencyApplication:
    """File an emergency application for ``area`` under the current whitelist.

    Everything is checked before anything is written; a refusal stores
    nothing, not even the files. ``now`` (default: the clock) is the filing
    moment, as the other services take it.
    """
    role = _require_applicant(actor, area)
    item = _current_item((item_code or "").strip())
    description = clean_text(
        description,
        field="description",
        required=True,
        limit=5000,
        label=_("情况说明"),
        multiline=True,
    )
    _clean_estimate(item, estimate_fen, prepayment_fen)
    buildings, codes = _clean_scope(area, scope_buildings, scope_unit_codes)
    problems = _clean_problems(area, problem_ids)
    files = evidence_clean(item, evidence, stage_kinds=FILING_EVIDENCE)

    now = now or timezone.now()
    checked = warranty_snapshot(
        area=area,
        scope_buildings=buildings,
        scope_unit_codes=codes,
        repair_type=FACILITY_REPAIR_TYPE.get(item.facility, warranty.OTHER),
        on=timezone.localdate(now, district_tz()),
    )
    with transaction.atomic():
        application = EmergencyApplication.objects.create(
            area=area,
            item=item,
            description=description,
            estimate_fen=estimate_fen,
            prepayment_fen=prepayment_fen,
            scope_buildings=buildings,
            scope_unit_codes=codes,
            applicant=actor,
            applicant_role=role,
            filed_at=now,
            review_due_at=deadlines.review_due(now, times_of(item), district_tz()),
            **checked,
        )
        application.problems.set(problems)
        stored = evidence_store(application, files, actor)
        audit_record(
            actor=actor,
            action="emergency.file",
            obj=application,
            after={**state(application), "evidence": [e.sha256 for e in stored]},
            summary={
                "application": application.pk,
                "area": area.code,
                "item": item.code,
                "whitelist_version": item.version.number,
                "estimate_fen": estimate_fen,
                "evidence": len(stored),
                "repair_type": checked["repair_type"],
                "warranty_status": checked["warranty_status"],
            },
        )
    return application
