"""Recovery claims (追偿) of emergency repairs paid inside warranty (RULES.md §5, last paragraph).

Order 165 art. 18: the fund pays only after the warranty (质量管理条例 art. 40);
art. 25: what the developer or the builder owes is not the fund's. An urgent
repair inside warranty is still paid now (``emergency.services.decisions``)
and the bureau records who owes it and how much, and follows it up:

- ``recovery_claim_open`` (reviewer, ``application.review``): against the
  developer (建设单位) or the builder (施工单位), at most one claim each per
  application; the amount is positive and within the item's cap (more than the
  fast path could ever have paid is not this repair's claim);
- ``recovery_claim_claim`` (reviewer): the claim was made on the party (letter,
  notice); the amount may be restated (e.g. to the settled cost);
- ``recovery_claim_recover`` (reviewer): money came back, positive and at most
  the amount claimed;
- ``recovery_claim_abandon`` (approver, TOTP): the bureau gives the claim up,
  with reasons — money owed to the owners is not forgone by the person who
  tracks it alone.

Every step is one transaction: the application row (on opening) or the claim
row locked, the move checked against ``RecoveryClaim.TRANSITIONS``, the
reason required, an audit event written. Nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.money import yuan
from core.text import clean_text

from ..models import EmergencyApplication, RecoveryClaim
from ._common import application_lock

Status = RecoveryClaim.Status
REVIEW = "application.review"
APPROVE = "application.approve"
# A claim may be recorded once the bureau has the application under review, never after a refusal.
OPEN_FROM = frozenset(EmergencyApplication.Status) - {
    EmergencyApplication.Status.FILED,
    EmergencyApplication.Status.REFUSED,
}


@dataclass(frozen=True)
class ClaimInput:
    """What the reviewer enters for a new claim (the checklist page carries the same fields)."""

    against: str
    party_name: str
    amount_fen: int
    note: str = ""


def _state(claim: RecoveryClaim) -> dict:
    return {
        "application": claim.application_id,
        "against": claim.against,
        "party_name": claim.party_name,
        "amount_fen": claim.amount_fen,
        "status": claim.status,
        "recovered_fen": claim.recovered_fen,
    }


def _clean_amount(value, cap_fen: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= cap_fen:
        message = _("追偿金额须大于零且不超过该事项的费用上限 %(cap)s 元。") % {
            "cap": yuan(cap_fen)
        }
        raise DomainError("bad_amount", message, fields={field: message})
    return value


def recovery_claim_open(
    *,
    application: EmergencyApplication,
    actor,
    claim: ClaimInput,
    locked: bool = False,
    now: datetime | None = None,
) -> RecoveryClaim:
    """Record a claim against the developer or the builder (module docstring).

    ``locked``: the caller (the checklist) already holds the application's row lock.
    """
    permissions.require(actor, REVIEW, application)
    if claim.against not in RecoveryClaim.Against.values:
        message = _("请选择追偿对象：建设单位或施工单位。")
        raise DomainError("bad_against", message, fields={"recovery_against": message})
    party = clean_text(
        claim.party_name, field="recovery_party", required=True, limit=200, label=_("单位名称")
    )
    note = clean_text(
        claim.note,
        field="recovery_note",
        required=False,
        limit=2000,
        label=_("登记说明"),
        multiline=True,
    )
    now = now or timezone.now()
    with transaction.atomic():
        target = application if locked else application_lock(application)
        amount = _clean_amount(claim.amount_fen, target.item.cap_fen, "recovery_amount")
        if target.status not in OPEN_FROM:
            raise Conflict(
                "not_open",
                _("申请当前状态为“%(status)s”，不能登记追偿。")
                % {"status": target.get_status_display()},
            )
        if target.recovery_claims.filter(against=claim.against).exists():
            message = _("本申请已登记向%(party)s的追偿。") % {
                "party": RecoveryClaim.Against(claim.against).label
            }
            raise Conflict("claim_exists", message, fields={"recovery_against": message})
        row = RecoveryClaim.objects.create(
            application=target,
            against=claim.against,
            party_name=party,
            amount_fen=amount,
            note=note,
            recorded_by=actor,
            recorded_at=now,
        )
        audit_record(
            actor=actor,
            action="emergency.recovery_open",
            obj=row,
            after=_state(row),
            summary={"application": target.pk, "against": row.against, "amount_fen": amount},
        )
        return row


def _lock(claim: RecoveryClaim) -> RecoveryClaim:
    return (
        RecoveryClaim.objects.select_for_update(of=("self",))
        .select_related("application__item", "application__area")
        .get(pk=claim.pk)
    )


def _move(locked: RecoveryClaim, new: str, *, actor, fields: dict, now: datetime) -> RecoveryClaim:
    old = locked.status
    if new not in RecoveryClaim.TRANSITIONS[old]:
        raise Conflict(
            "bad_transition",
            _("追偿当前为“%(old)s”，不能变为“%(new)s”。")
            % {"old": Status(old).label, "new": Status(new).label},
        )
    before = _state(locked)
    locked.status = new
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *fields])
    audit_record(
        actor=actor,
        action=f"emergency.recovery_{new}",
        obj=locked,
        before=before,
        after=_state(locked),
        summary={
            "application": locked.application_id,
            "claim": locked.pk,
            "from": old,
            "to": new,
            "amount_fen": locked.amount_fen,
            "recovered_fen": locked.recovered_fen,
            "at": now.isoformat(),
        },
    )
    return locked


def _reason(value: str, label: str) -> str:
    return clean_text(value, field="note", required=True, limit=2000, label=label, multiline=True)


def recovery_claim_claim(
    *,
    claim: RecoveryClaim,
    actor,
    note: str,
    amount_fen: int | None = None,
    now: datetime | None = None,
) -> RecoveryClaim:
    """The claim was made on the party (open → claimed); the amount may be restated."""
    permissions.require(actor, REVIEW, claim.application)
    note = _reason(note, _("主张情况（如发函日期、文号）"))
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(claim)
        fields = {"claimed_at": now, "claim_note": note}
        if amount_fen is not None:
            fields["amount_fen"] = _clean_amount(
                amount_fen, locked.application.item.cap_fen, "amount"
            )
        return _move(locked, Status.CLAIMED, actor=actor, fields=fields, now=now)


def recovery_claim_recover(
    *,
    claim: RecoveryClaim,
    actor,
    recovered_fen: int,
    note: str,
    now: datetime | None = None,
) -> RecoveryClaim:
    """Money came back (claimed → recovered): positive, at most the amount claimed."""
    permissions.require(actor, REVIEW, claim.application)
    note = _reason(note, _("追回情况（如到账日期、凭证号）"))
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(claim)
        if (
            isinstance(recovered_fen, bool)
            or not isinstance(recovered_fen, int)
            or not 0 < recovered_fen <= locked.amount_fen
        ):
            message = _("追回金额须大于零且不超过追偿金额 %(amount)s 元。") % {
                "amount": yuan(locked.amount_fen)
            }
            raise DomainError("bad_amount", message, fields={"recovered": message})
        return _move(
            locked,
            Status.RECOVERED,
            actor=actor,
            fields={
                "recovered_fen": recovered_fen,
                "resolved_by": actor,
                "resolved_at": now,
                "resolution_note": note,
            },
            now=now,
        )


def recovery_claim_abandon(
    *, claim: RecoveryClaim, actor, reason: str, now: datetime | None = None
) -> RecoveryClaim:
    """The approver gives the claim up, with reasons (open or claimed → abandoned)."""
    permissions.require(actor, APPROVE, claim.application)
    reason = _reason(reason, _("放弃追偿的理由"))
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(claim)
        return _move(
            locked,
            Status.ABANDONED,
            actor=actor,
            fields={"resolved_by": actor, "resolved_at": now, "resolution_note": reason},
            now=now,
        )
