"""Building audit chains for the tests.

``record`` writes events the way every service does (``audit_record`` inside a
transaction). ``append_at`` writes a correctly chained event with a chosen
timestamp, for tests about dates; it chains exactly as ``audit_record`` does
so the result still verifies.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import transaction

from audit.chain import GENESIS, event_hash
from audit.models import AuditEvent, AuditHead
from audit.services import audit_record, event_fields


@pytest.fixture
def record():
    def write(n: int = 1, *, actor=None, action: str = "test.change", **kwargs) -> list[AuditEvent]:
        events = []
        for i in range(n):
            with transaction.atomic():
                events.append(
                    audit_record(
                        actor=actor,
                        action=action,
                        object_type=kwargs.get("object_type", "tests.thing"),
                        object_id=kwargs.get("object_id", i + 1),
                        before=kwargs.get("before"),
                        after=kwargs.get("after", {"n": i + 1}),
                        summary=kwargs.get("summary", {"说明": f"第{i + 1}次变更"}),
                    )
                )
        return events

    return write


@pytest.fixture
def append_at(db):
    def write(
        at: datetime,
        *,
        actor=None,
        action: str = "test.change",
        object_type: str = "tests.thing",
        object_id: str = "1",
    ) -> AuditEvent:
        with transaction.atomic():
            head, _ = AuditHead.objects.select_for_update().get_or_create(
                pk=1, defaults={"last_hash": GENESIS, "count": 0}
            )
            event = AuditEvent(
                seq=head.count + 1,
                at=at,
                actor=actor,
                actor_label=str(actor) if actor else "system",
                action=action,
                object_type=object_type,
                object_id=object_id,
                summary={},
                prev=head.last_hash,
            )
            event.hash = event_hash(event_fields(event))
            event.save(force_insert=True)
            AuditHead.objects.filter(pk=1).update(last_hash=event.hash, count=event.seq)
        return event

    return write
