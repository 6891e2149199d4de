"""Opening an area's accounts and setting its fund profile (Order 165 arts. 7, 10)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import Conflict, DomainError
from estates.models import ManagementArea, Unit
from funds.ledger.deposit_rule import MAX_RATE, MIN_RATE
from funds.ledger.models import Account, CustodyRegime, FundProfile

Kind = Account.Kind

GENERAL_KINDS = (Kind.AREA_FUND, Kind.WORKS, Kind.DEVELOPER, Kind.PAYABLE, Kind.INCOME)


def accounts_ensure(*, area: ManagementArea, actor=None) -> int:
    """Open every account of ``area`` that is missing; return how many were opened.

    Order 165 art. 10: one fund account per area and one sub-ledger per unit.
    Both custody regimes' bank accounts exist from the start (art. 15: the
    balance moves between them). Idempotent and safe to run concurrently
    (the unique constraints decide; conflicts are skipped). Bulk: one insert
    for any number of units.
    """
    with transaction.atomic():
        have_general = set(
            Account.objects.filter(area=area, unit__isnull=True).values_list("kind", "regime")
        )
        new = [
            Account(area=area, kind=kind, regime="")
            for kind in GENERAL_KINDS
            if (kind, "") not in have_general
        ] + [
            Account(area=area, kind=Kind.BANK, regime=regime)
            for regime in CustodyRegime.values
            if (Kind.BANK, regime) not in have_general
        ]
        with_account = Account.objects.filter(area=area, kind=Kind.UNIT).values("unit_id")
        new += [
            Account(area=area, kind=Kind.UNIT, unit_id=unit_id)
            for unit_id in Unit.objects.filter(area=area)
            .exclude(pk__in=with_account)
            .order_by("pk")
            .values_list("pk", flat=True)
            .iterator(chunk_size=10000)
        ]
        if not new:
            return 0
        before = Account.objects.filter(area=area).count()
        Account.objects.bulk_create(new, batch_size=5000, ignore_conflicts=True)
        opened = Account.objects.filter(area=area).count() - before
        if opened:
            audit_record(
                actor=actor,
                action="fund.accounts_open",
                obj=area,
                summary={"opened": opened},
            )
    return opened


def fund_profile_set(
    *,
    area: ManagementArea,
    deposit_rate,
    cost_per_m2_fen: int,
    bank_name: str,
    account_no: str,
    actor,
    regime: str = CustodyRegime.BUREAU,
) -> FundProfile:
    """Create or change an area's deposit terms and custody bank details (Order 165 art. 7).

    New terms apply to new demands only (RULES.md §4): every unit not demanded
    yet is demanded on them (``first_deposits_demand``); a unit's stored
    first deposit is never recomputed from a later price.

    The regime is chosen when the profile is created; later it changes only
    through ``custody_transfer`` (art. 15), which moves the balance with it.
    """
    if not isinstance(deposit_rate, Decimal) or not MIN_RATE <= deposit_rate <= MAX_RATE:
        raise DomainError(
            "bad_rate",
            _("首期交存比例必须在 5%–8% 之间（《住宅专项维修资金管理办法》第七条）。"),
            fields={"deposit_rate": _("必须在 0.05–0.08 之间。")},
        )
    if deposit_rate.as_tuple().exponent < -4:
        raise DomainError(
            "bad_rate", _("交存比例最多四位小数。"), fields={"deposit_rate": _("无效。")}
        )
    if type(cost_per_m2_fen) is not int or cost_per_m2_fen <= 0:
        raise DomainError(
            "bad_cost", _("每平方米造价必须是正的整数分。"), fields={"cost_per_m2_fen": _("无效。")}
        )
    if not bank_name.strip() or not account_no.strip():
        raise DomainError("bank_required", _("请填写专户银行和账号。"))
    if regime not in CustodyRegime.values:
        raise DomainError("bad_regime", _("未知的资金管理方式。"))
    with transaction.atomic():
        profile = FundProfile.objects.select_for_update().filter(area=area).first()
        before = profile_state(profile) if profile else None
        if profile is None:
            profile = FundProfile(area=area, regime=regime)
        elif regime != profile.regime:
            raise Conflict(
                "use_custody_transfer", _("资金管理方式只能通过账户移交变更（第十五条）。")
            )
        profile.deposit_rate = deposit_rate
        profile.cost_per_m2_fen = cost_per_m2_fen
        profile.bank_name = bank_name.strip()
        profile.account_no = account_no.strip()
        profile.updated_at = timezone.now()
        profile.save()
        accounts_ensure(area=area, actor=actor)
        audit_record(
            actor=actor,
            action="fund.profile_set",
            obj=profile,
            before=before,
            after=profile_state(profile),
            summary={
                "area": area.code,
                "rate": str(deposit_rate),
                "cost_per_m2_fen": cost_per_m2_fen,
            },
        )
        # Order 165 art. 7, RULES.md §4: units not demanded yet are demanded on
        # these terms; units already demanded keep their stored amount.
        from .deposits import first_deposits_demand

        first_deposits_demand(area=area, actor=actor)
    return profile


def profile_state(profile: FundProfile) -> dict:
    return {
        "regime": profile.regime,
        "deposit_rate": str(profile.deposit_rate),
        "cost_per_m2_fen": profile.cost_per_m2_fen,
        "bank_name": profile.bank_name,
        "account_no": profile.account_no,
    }
