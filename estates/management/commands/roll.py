"""Print the voting roll of a management area or a scope within it (RULES.md §1)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from estates.models import ManagementArea, Unit
from estates.selectors import area_roll


def _names(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    names = [part.strip() for part in raw.replace("，", ",").split(",") if part.strip()]
    if not names:
        raise CommandError("--buildings / --units 不能为空。")
    return names


class Command(BaseCommand):
    help = (
        "The voting roll (SPC arts. 8-9) of --area, or of a scope: --buildings and/or "
        "--units (comma-separated; a unit is in scope if its building or its code is "
        "listed). --json prints {rights, heads, area, units, digest}; otherwise a table "
        "of the voting rights. Read-only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="management area code")
        parser.add_argument("--buildings", help="building names, e.g. 1栋,2栋")
        parser.add_argument("--units", help="unit codes, e.g. 1栋-1单元-101")
        parser.add_argument("--json", action="store_true", help="print the totals as JSON")

    def handle(self, *args, area: str, buildings: str | None, units: str | None, **options):
        target = ManagementArea.objects.filter(code=area).first()
        if target is None:
            raise CommandError(f"物业管理区域 {area} 不存在。")
        wanted_buildings, wanted_units = _names(buildings), _names(units)
        # An unknown building or unit code must not shrink the scope (and with it
        # the quorum) silently: refuse it by name.
        if wanted_buildings:
            known = set(
                Unit.objects.filter(area=target, building__name__in=wanted_buildings)
                .values_list("building__name", flat=True)
                .distinct()
            )
            missing = [name for name in wanted_buildings if name not in known]
            if missing:
                raise CommandError(f"区域 {area} 中没有这些楼栋的房屋：{'、'.join(missing)}")
        if wanted_units:
            known = set(
                Unit.objects.filter(area=target, code__in=wanted_units).values_list(
                    "code", flat=True
                )
            )
            missing = [code for code in wanted_units if code not in known]
            if missing:
                raise CommandError(f"区域 {area} 中没有这些房屋：{'、'.join(missing)}")
        try:
            result = area_roll(target, buildings=wanted_buildings, unit_codes=wanted_units)
        except ValueError as exc:
            # E.g. a delivered unit with no current owner: the register needs fixing.
            raise CommandError(f"无法生成表决名册：{exc}") from None

        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        self.stdout.write(f"{target.name}（{target.code}）表决名册")
        self.stdout.write(f"{'序号':>4}  {'人数':>4}  {'面积(㎡)':>12}  房屋")
        for number, right in enumerate(result.rights, start=1):
            label = "（开发商）" if right.is_developer else ""
            self.stdout.write(
                f"{number:>6}  {right.heads:>6}  {right.area:>14}  "
                f"{'、'.join(right.unit_codes)}{label}"
            )
        totals = result.as_json()
        self.stdout.write(
            f"合计：表决权 {totals['rights']} 个，人数 {totals['heads']}，"
            f"面积 {totals['area']} ㎡，房屋 {totals['units']} 套"
        )
        self.stdout.write(f"摘要（SHA-256）：{totals['digest']}")
