"""Writing audit events. Called by every service that changes state, inside its transaction."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .chain import FIELDS, GENESIS, digest, event_hash
from .models import AuditEvent, AuditHead


def _timestamp(value) -> str:
    # Microsecond ISO form in UTC: the same text on SQLite and PostgreSQL.
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _json_value(value: Any) -> Any:
    """``value`` as it will read back from the JSON column.

    The hash must be computed over what the database returns, not over what
    the caller passed: integer keys come back as strings (and then sort
    differently), tuples as lists, Decimals and lazy strings must become text
    before they can be stored at all.
    """
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


# The model attribute behind each field the chain hashes (audit.chain.FIELDS, the one
# list of an event's recorded fields) and the hash: the same names, but the actor's id.
COLUMNS = {**{name: name for name in FIELDS}, "actor": "actor_id", "hash": "hash"}


def event_fields(event: AuditEvent) -> dict[str, Any]:
    """The recorded fields of a stored event, as the chain hashes them."""
    return row_fields({key: getattr(event, attr) for key, attr in COLUMNS.items()})


def row_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The same from a ``values(*COLUMNS.values())`` row (keyed by chain field names),
    for walks over millions of events that skip building model instances."""
    row["at"] = _timestamp(row["at"])
    return row


def state_digest(state: Any) -> str:
    """Digest of an object's state (a dict of its fields) for before/after."""
    if state is None:
        return ""
    # Decimal areas, dates and lazy strings are normal in a state dict (DESIGN.md
    # "Conventions"); the canonical form only knows JSON types.
    return digest(_json_value(state))


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: Any = None,
    after: Any = None,
    summary: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    Must run inside ``transaction.atomic()`` together with the change it
    records, so that the change and its record commit or vanish together.
    ``summary`` is shown on the audit page: never put ID numbers or phones in it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction of the change.")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if not object_type:
        raise ValueError("audit_record needs obj or object_type.")

    # Serialise writers on the head row: the chain has exactly one next link.
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS, "count": 0})
        head = AuditHead.objects.select_for_update().get(pk=1)

    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        seq=head.count + 1,
        # Microseconds are the precision both SQLite and PostgreSQL keep.
        at=timezone.now(),
        actor=user,
        actor_label=str(user)[:150] if user else "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before_digest=state_digest(before),
        after_digest=state_digest(after),
        summary=_json_value(summary or {}),
        prev=head.last_hash,
    )
    event.hash = event_hash(event_fields(event))
    event.save(force_insert=True)
    AuditHead.objects.filter(pk=1).update(last_hash=event.hash, count=event.seq)
    return event
