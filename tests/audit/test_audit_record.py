"""audit_record chains events; stored events can be neither changed nor removed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from audit.chain import GENESIS, event_hash
from audit.models import AppendOnlyError, AuditEvent, AuditHead
from audit.services import audit_record, event_fields

pytestmark = pytest.mark.django_db


def test_events_recorded_in_one_transaction_get_seq_one_to_n_and_link_to_each_other(personas):
    with transaction.atomic():
        events = [
            audit_record(
                actor=personas.reviewer, action="test.change", object_type="t", object_id=i
            )
            for i in range(4)
        ]

    stored = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in stored] == [1, 2, 3, 4]
    assert stored[0].prev == GENESIS
    assert [e.prev for e in stored[1:]] == [e.hash for e in stored[:-1]]
    assert [e.hash for e in stored] == [e.hash for e in events]


def test_events_recorded_in_separate_transactions_continue_the_same_chain(record):
    first = record(2)
    second = record(1)

    assert second[0].seq == 3
    assert second[0].prev == first[1].hash


def test_the_head_row_holds_the_count_and_hash_of_the_newest_event(record):
    events = record(3)

    head = AuditHead.objects.get(pk=1)
    assert (head.count, head.last_hash) == (3, events[2].hash)


def test_a_stored_event_hashes_to_its_hash_after_reading_it_back(record):
    # Integer keys come back from the JSON column as strings and Decimals must
    # be stored as text: the hash is taken over what the database returns.
    record(
        1,
        summary={10: "ten", 9: "nine", "area": Decimal("89.50")},
        before={"area": Decimal("1.10")},
    )

    stored = AuditEvent.objects.get(seq=1)
    assert stored.summary == {"10": "ten", "9": "nine", "area": "89.50"}
    assert event_hash(event_fields(stored)) == stored.hash


def test_the_actor_label_is_the_users_name_or_system(personas, record):
    by_user = record(1, actor=personas.owner)[0]
    by_system = record(1, actor=None)[0]

    assert (by_user.actor_id, by_user.actor_label) == (personas.owner.pk, "业主甲")
    assert (by_system.actor_id, by_system.actor_label) == (None, "system")


def test_obj_gives_the_object_type_and_id(personas):
    with transaction.atomic():
        event = audit_record(actor=personas.reviewer, action="test.touch", obj=personas.owner)

    assert (event.object_type, event.object_id) == ("accounts.user", str(personas.owner.pk))


def test_without_obj_or_object_type_nothing_is_recorded():
    with transaction.atomic(), pytest.raises(ValueError):
        audit_record(actor=None, action="test.change")

    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_a_transaction_raises_and_records_nothing():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action="test.change", object_type="t", object_id=1)

    assert AuditEvent.objects.count() == 0


def test_saving_a_stored_event_again_raises_and_changes_nothing(record):
    event = record(1)[0]
    event.action = "forged"

    with pytest.raises(AppendOnlyError):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).action == "test.change"


def test_deleting_a_stored_event_raises_and_keeps_it(record):
    event = record(1)[0]

    with pytest.raises(AppendOnlyError):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_raises_and_changes_nothing(record):
    record(2)

    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(action="forged")

    assert AuditEvent.objects.filter(action="forged").count() == 0


def test_queryset_delete_raises_and_keeps_every_row(record):
    record(2)

    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=1).delete()

    assert AuditEvent.objects.count() == 2
