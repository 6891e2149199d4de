"""The units and areas a use is shared over, frozen at approval, and what the register
changed since (RULES.md §4 "Apportionment"; package docstring)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import DomainError
from estates.models import Unit
from funds.models import (
    ApportionmentBasis,
    FundUse,
)
from funds.procedure.services.scope import scope_units
from voting.models import RollSnapshot, VotingRight

# --------------------------------------------------------------------------- the frozen basis


@dataclass(frozen=True)
class BasisUnit:
    unit_id: int
    code: str
    area: Decimal
    developer_held: bool


def _digest(rows: list) -> str:
    return hashlib.sha256(
        json.dumps(rows, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


def _rows_from_roll(fund_use, assembly) -> list[list]:
    """The roll's units and areas (RULES §1: frozen when voting opened), with their ids."""
    snapshot = RollSnapshot.objects.filter(assembly=assembly).first()
    if snapshot is None:
        raise DomainError("no_roll", _("表决名册尚未冻结，不能按名册分摊。"))
    developer = {
        code
        for codes in VotingRight.objects.filter(assembly=assembly, is_developer=True).values_list(
            "unit_codes", flat=True
        )
        for code in codes
    }
    ids = dict(
        Unit.objects.filter(
            area_id=fund_use.area_id, code__in=[c for c, _b, _a in snapshot.unit_areas]
        ).values_list("code", "pk")
    )
    rows = []
    for code, _basis, area in snapshot.unit_areas:
        if code not in ids:
            raise DomainError(
                "roll_unit_missing",
                _("表决名册中的房屋 %(code)s 已不在登记簿中，请核实后再批准。") % {"code": code},
            )
        rows.append(
            [ids[code], code, str(Decimal(area).quantize(Decimal("0.01"))), code in developer]
        )
    return sorted(rows, key=lambda r: r[1])


def _rows_from_register(fund_use: FundUse) -> list[list]:
    units = scope_units(fund_use.area, fund_use.scope_buildings, fund_use.scope_unit_codes)
    return [
        [pk, code, str(area), bool(dev)]
        for pk, code, area, dev in units.order_by("code").values_list(
            "pk", "code", "floor_area", "developer_held"
        )
    ]


def basis_freeze(*, fund_use: FundUse, assembly=None, actor=None) -> ApportionmentBasis:
    """Freeze the units and areas ``fund_use`` is shared over (once; module docstring).

    ``assembly``: the owners' vote that approved the use — its frozen roll is
    the basis. Without one (an emergency, art. 24) the register of the
    列支范围 now, at approval, is frozen.
    """
    existing = ApportionmentBasis.objects.filter(fund_use=fund_use).first()
    if existing is not None:
        return existing
    if assembly is not None:
        rows, source = _rows_from_roll(fund_use, assembly), ApportionmentBasis.Source.ROLL
    else:
        rows, source = _rows_from_register(fund_use), ApportionmentBasis.Source.APPROVAL
    if not rows:
        raise DomainError("empty_scope", _("列支范围内没有任何房屋。"))
    total = sum((Decimal(r[2]) for r in rows), Decimal("0.00"))
    try:
        with transaction.atomic():
            basis = ApportionmentBasis.objects.create(
                fund_use=fund_use,
                source=source,
                assembly=assembly,
                units=rows,
                area_total=total,
                digest=_digest(rows),
            )
    except IntegrityError:
        return ApportionmentBasis.objects.get(fund_use=fund_use)
    audit_record(
        actor=actor,
        action="fund_use.basis_freeze",
        obj=basis,
        after={"source": source, "digest": basis.digest, "area_total": str(total)},
        summary={
            "fund_use": fund_use.pk,
            "units": len(rows),
            "assembly": getattr(assembly, "pk", None),
        },
    )
    return basis


def roll_units(obj) -> list[BasisUnit] | None:
    """The units and areas of the roll frozen for ``obj``'s vote (an application whose vote
    has opened), or None before: what the owners' ballots showed their estimate on."""
    assembly_id = getattr(obj, "assembly_id", None)
    if not assembly_id or not RollSnapshot.objects.filter(assembly_id=assembly_id).exists():
        return None
    rows = _rows_from_roll(obj, obj.assembly)
    return [BasisUnit(pk, code, Decimal(area), bool(dev)) for pk, code, area, dev in rows]


def basis_units(basis: ApportionmentBasis) -> list[BasisUnit]:
    return [BasisUnit(pk, code, Decimal(area), bool(dev)) for pk, code, area, dev in basis.units]


@dataclass(frozen=True)
class Discrepancy:
    code: str
    kind: str  # "added" | "removed" | "area"
    frozen_area: Decimal | None
    register_area: Decimal | None

    @property
    def label(self) -> str:
        return {
            "added": _("冻结后新增，不参与分摊（须经新的决定）"),
            "removed": _("已不在列支范围（仍按冻结时分摊）"),
            "area": _("面积已变更（仍按冻结时的面积分摊）"),
        }[self.kind]


def basis_discrepancies(
    *, area, scope_buildings, scope_unit_codes, units: list[BasisUnit]
) -> list[Discrepancy]:
    """What the register says now against the frozen units and areas (RULES §4: shown to
    the reviewer, never applied)."""
    frozen = {u.code: u.area for u in units}
    now = dict(
        scope_units(area, scope_buildings, scope_unit_codes).values_list("code", "floor_area")
    )
    rows = []
    for code in sorted(set(frozen) | set(now)):
        if code not in frozen:
            rows.append(Discrepancy(code, "added", None, now[code]))
        elif code not in now:
            rows.append(Discrepancy(code, "removed", frozen[code], None))
        elif frozen[code] != now[code]:
            rows.append(Discrepancy(code, "area", frozen[code], now[code]))
    return rows


def application_discrepancies(application) -> list[Discrepancy]:
    """For the reviewer before approval: the vote's frozen roll against today's register."""
    assembly = application.assembly
    snapshot = RollSnapshot.objects.filter(assembly=assembly).first() if assembly else None
    if snapshot is None:
        return []
    units = [BasisUnit(0, code, Decimal(area), False) for code, _b, area in snapshot.unit_areas]
    return basis_discrepancies(
        area=application.area,
        scope_buildings=application.scope_buildings,
        scope_unit_codes=application.scope_unit_codes,
        units=units,
    )
