"""Locking a ``FundUse`` row and reading its instruction totals: the lowest layer of the
money record, read by ``fund_use`` and the reservations it opens with.
"""

from __future__ import annotations

from django.db.models import Sum

from funds.models import FundUse, PaymentInstruction

Status = PaymentInstruction.Status


def fund_use_lock(fund_use: FundUse) -> FundUse:
    return (
        FundUse.objects.select_for_update(of=("self",)).select_related("area").get(pk=fund_use.pk)
    )


def live_total(fund_use: FundUse) -> int:
    """Σ instructed and confirmed (not cancelled) instructions, fen."""
    total = fund_use.payments.filter(status__in=PaymentInstruction.LIVE).aggregate(
        total=Sum("amount_fen")
    )["total"]
    return total or 0


def paid_total(fund_use: FundUse) -> int:
    """Σ confirmed instructions (money that left the bank), fen."""
    total = fund_use.payments.filter(status=Status.CONFIRMED).aggregate(total=Sum("amount_fen"))[
        "total"
    ]
    return total or 0
