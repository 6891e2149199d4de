"""The bank file of payment instructions (the custody bank's CSV, ``funds.ledger.reconciliation.bankfile``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import Conflict, DomainError
from funds.ledger.reconciliation import bankfile
from funds.models import PaymentInstruction
from funds.procedure.services.authority import APPROVE, step_require

Status = PaymentInstruction.Status


def payment_file_export(*, instructions: Sequence[PaymentInstruction], actor) -> bytes:
    """The CSV file for the custody bank (``funds.ledger.reconciliation.bankfile``): one row per open instruction.

    Only instructions still waiting for the bank go into the file, each from
    the account of its area's custody regime in force (Order 165 arts. 10, 15).
    """
    from funds.ledger.selectors import profile_of

    rows = []
    with transaction.atomic():
        ids = sorted(i.pk for i in instructions)
        locked = list(
            PaymentInstruction.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("fund_use__area")
            .order_by("pk")
        )
        for instruction in locked:
            fund_use = instruction.fund_use
            step_require(actor, fund_use.area, APPROVE, source=fund_use.source)
            if instruction.status != Status.INSTRUCTED:
                raise Conflict(
                    "not_instructed",
                    _("指令 %(key)s 不是待划款状态，不能导出。") % {"key": instruction.key},
                )
            profile = profile_of(instruction.fund_use.area)
            rows.append(
                {
                    "key": instruction.key,
                    "payer_bank": profile.bank_name,
                    "payer_account": profile.account_no,
                    "payee_name": instruction.payee_name,
                    "payee_bank": instruction.payee_bank,
                    "payee_account": instruction.payee_account,
                    "amount_fen": instruction.amount_fen,
                    "memo": instruction.memo,
                }
            )
        if not rows:
            raise DomainError("nothing_to_export", _("没有可导出的划款指令。"))
        now = timezone.now()
        first = [i.pk for i in locked if i.exported_at is None]
        if first:
            PaymentInstruction.objects.filter(pk__in=first).update(exported_at=now)
        audit_record(
            actor=actor,
            action="payment.export",
            object_type="funds.paymentinstruction",
            object_id=",".join(str(i.pk) for i in locked)[:100],
            summary={
                "instructions": [i.key for i in locked],
                "total_fen": sum(i.amount_fen for i in locked),
            },
        )
    return bankfile.bank_csv(rows)


# --------------------------------------------------------------------------- confirmation
