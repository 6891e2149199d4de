"""The money record of an approved repair (``FundUse``): opening it, locking it, its totals
(the lock and the totals live in ``use_rows``, below the reservations opened here).

Shared by the normal procedure and emergency repairs (``funds.procedure.models.fund_use``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import clean_text
from estates.models import ManagementArea
from funds.models import FundUse, PaymentInstruction
from funds.procedure import ceiling
from funds.procedure.services.limit_settings import retention_pct
from funds.procedure.services.reservations import basis_freeze, shortfall_demands_create
from funds.procedure.services.scope import clean_scope_lists
from funds.procedure.services.steps import clean_fen
from funds.procedure.services.use_rows import (  # noqa: F401 (re-exported)
    fund_use_lock,
    live_total,
    paid_total,
)

Status = PaymentInstruction.Status


def content_digest(**content) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


def fund_use_open(
    *,
    area: ManagementArea,
    source: str,
    source_key: str,
    title: str,
    budget_fen: int,
    scope_buildings: Iterable[str] = (),
    scope_unit_codes: Iterable[str] = (),
    actor=None,
    roll_assembly=None,
) -> FundUse:
    """Open the money record of an approved repair; idempotent on ``source_key``.

    No permission check of its own: the procedure that approved the repair
    calls it inside its approval (whose actor is recorded here). At approval
    (RULES.md §4) it also freezes the units and areas the cost is shared over
    — the roll of ``roll_assembly`` (the owners' vote), or without one (an
    emergency) the register now — and demands each unit's estimated shortfall
    from its owner (分摊补缴, ``funds.procedure.services.reservations``).
    """
    if source not in FundUse.Source.values:
        raise DomainError("bad_source", _("未知的资金使用来源。"))
    source_key = clean_text(source_key, field="source_key", limit=60)
    title = clean_text(title, field="title", limit=200)
    budget_fen = clean_fen(budget_fen, field="budget_fen")
    buildings, codes = clean_scope_lists(area, scope_buildings, scope_unit_codes)
    content = {
        "area": area.pk,
        "source": source,
        "title": title,
        "budget_fen": budget_fen,
        "scope": [buildings, codes],
    }
    with transaction.atomic():
        existing = FundUse.objects.select_for_update().filter(source_key=source_key).first()
        if existing is not None:
            stored = {
                "area": existing.area_id,
                "source": existing.source,
                "title": existing.title,
                "budget_fen": existing.budget_fen,
                "scope": [existing.scope_buildings, existing.scope_unit_codes],
            }
            if content_digest(**stored) != content_digest(**content):
                raise Conflict(
                    "idempotency_conflict",
                    _("来源 %(key)s 已有不同内容的资金使用记录。") % {"key": source_key},
                )
            return existing
        try:
            with transaction.atomic():
                fund_use = FundUse.objects.create(
                    area=area,
                    source=source,
                    source_key=source_key,
                    title=title,
                    budget_fen=budget_fen,
                    scope_buildings=buildings,
                    scope_unit_codes=codes,
                    opened_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            # A concurrent call with the same key won.
            return FundUse.objects.get(source_key=source_key)
        audit_record(
            actor=actor,
            action="fund_use.open",
            obj=fund_use,
            after={"status": fund_use.status, **content},
            summary={"fund_use": fund_use.pk, "source": source_key, "budget_fen": budget_fen},
        )
        basis_freeze(fund_use=fund_use, assembly=roll_assembly, actor=actor)
        shortfall_demands_create(fund_use=fund_use, actor=actor)
    return fund_use


def payable_limit(fund_use: FundUse) -> int:
    """What may be instructed in all: the approved amount, or the final cost once settled,
    less the 质保金 held until the works' warranty ends (``settlement_limits``).

    Before settlement the retention on the approved amount is held back, so
    that whatever the final cost (final − floor(final × R / 100) grows with
    it) the retention is still unpaid when settlement fixes it.
    """
    if fund_use.status == FundUse.Status.OPEN:
        return fund_use.budget_fen - ceiling.retention_fen(fund_use.budget_fen, retention_pct())
    return (fund_use.final_cost_fen or 0) - fund_use.retention_held_fen
