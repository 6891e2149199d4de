"""Correct one unit's demanded first deposit, with its reason (STYLE.md §12; Order 165 art. 7)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import permissions
from core.errors import DomainError
from core.money import parse_yuan, yuan
from estates.models import ManagementArea, Unit
from funds.ledger import services


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise CommandError(f"not a number: {value!r}") from None


def _fen(value: str) -> int:
    """Yuan per m² with at most two decimals → exact int fen (never through float)."""
    try:
        return parse_yuan(value)
    except ValueError as exc:
        raise CommandError(f"amount must be yuan with at most two decimals: {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Correct the first deposit demanded of one unit (RULES.md §4: corrections are "
        "explicit, audited and reasoned). Name what changes in its basis — --floor-area, "
        "--cost (yuan per m²), --rate — and --reason; the amount is computed from the basis. "
        "The demand in force is superseded (both are kept) and the correction is audited "
        "under --by (a bureau user). Exit 1 with the reason when refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="management area code")
        parser.add_argument("--unit", required=True, help="unit code, e.g. 1栋-1单元-101")
        parser.add_argument("--reason", required=True, help="why the demand is corrected")
        parser.add_argument("--by", required=True, help="username of the bureau staff member")
        parser.add_argument("--floor-area", type=_decimal, help="area in m², two decimals")
        parser.add_argument("--area-basis", choices=Unit.Basis.values)
        parser.add_argument("--cost", type=_fen, help="construction cost in yuan per m²")
        parser.add_argument("--rate", type=_decimal, help="deposit rate, 0.05–0.08")

    def handle(self, *args, area, unit, reason, by, floor_area, area_basis, cost, rate, **opts):
        found = Unit.objects.filter(area__code=area, code=unit).first()
        if not ManagementArea.objects.filter(code=area).exists() or found is None:
            raise CommandError(f"no unit {unit!r} in management area {area!r}")
        actor = get_user_model().objects.filter(username=by, is_active=True).first()
        if actor is None or not permissions.roles_of(actor) & permissions.BUREAU:
            raise CommandError(f"no active bureau user {by!r}")
        try:
            demand = services.first_deposit_correct(
                unit=found,
                reason=reason,
                actor=actor,
                floor_area=floor_area,
                area_basis=area_basis,
                cost_per_m2_fen=cost,
                deposit_rate=rate,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"OK {found.code}: first deposit {yuan(demand.supersedes.amount_fen)} → "
            f"{yuan(demand.amount_fen)} yuan (demand #{demand.pk})"
        )
