"""The steps every use-procedure service shares: a status transition (audited), an amount
in fen checked, today and a date in words."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import Conflict, DomainError


def local_today() -> date:
    return timezone.localdate()


def clean_fen(value, *, field: str, positive: bool = True) -> int:
    # bool is an int subclass; True fen is a bug, not one fen (DESIGN.md: integer fen).
    if isinstance(value, bool) or not isinstance(value, int) or value < (1 if positive else 0):
        message = _("金额必须是正的整数分。") if positive else _("金额不能为负。")
        raise DomainError("bad_amount", message, fields={field: message})
    if value > 10**15:
        raise DomainError("bad_amount", _("金额过大。"), fields={field: _("金额过大。")})
    return value


def transition(obj, new: str, *, actor, action: str, fields: dict | None = None, summary=None):
    """Move a locked row to ``new`` if its ``TRANSITIONS`` allow it; save; audit (STYLE.md §5)."""
    model = type(obj)
    old = obj.status
    if new not in model.TRANSITIONS[old]:
        raise Conflict(
            "bad_transition",
            _("当前状态为“%(old)s”，不能变为“%(new)s”。")
            % {"old": model.Status(old).label, "new": model.Status(new).label},
        )
    fields = fields or {}
    before = {"status": old, **{name: getattr(obj, name) for name in fields}}
    obj.status = new
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save(update_fields=["status", *fields])
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        before=_plain(before),
        after=_plain({"status": new, **fields}),
        summary={"id": obj.pk, "from": old, "to": new, **(summary or {})},
    )
    return obj


def _plain(values: dict) -> dict:
    # Foreign keys are recorded by id, not by object.
    return {k: (v.pk if hasattr(v, "_meta") else v) for k, v in values.items()}
