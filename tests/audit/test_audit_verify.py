"""manage.py audit_verify: an intact chain passes; any edit or removal in the raw
database, bypassing the model, is found and the first broken event is named."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from audit.chain import GENESIS
from audit.models import AuditEvent, AuditHead
from audit.selectors import audit_chain_verify
from tests.tamper import tamper

pytestmark = pytest.mark.django_db

EVENTS = AuditEvent._meta.db_table
HEAD = AuditHead._meta.db_table


def run() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def raw(sql: str, params: list) -> None:
    # As the owner would: on PostgreSQL the events table's triggers refuse it otherwise.
    tamper(sql, params)


def column(name: str) -> str:
    return connection.ops.quote_name(AuditEvent._meta.get_field(name).column)


@pytest.fixture
def chain(personas, record):
    """Five events by two actors; the middle one (#3) is the one the tests tamper with."""
    events = record(2, actor=personas.reviewer)
    events += record(1, actor=personas.committee, before={"status": "draft"})
    events += record(2, actor=None)
    return events


def test_an_intact_chain_exits_0_and_prints_the_count_and_head(chain):
    code, out, err = run()

    assert code == 0
    assert out == f"OK: 5 events, head {chain[-1].hash}\n"
    assert err == ""


def test_an_empty_chain_is_intact():
    assert run() == (0, f"OK: 0 events, head {GENESIS}\n", "")


def test_a_chain_longer_than_one_chunk_verifies_and_reports_progress_per_chunk(chain):
    seen = []

    report = audit_chain_verify(chunk_size=2, progress=seen.append)

    assert (report.ok, report.count, report.head) == (True, 5, chain[-1].hash)
    assert seen == [2, 4]


def _new_value(field: str, event: AuditEvent, other_user_id: int):
    if field == "at":
        return connection.ops.adapt_datetimefield_value(event.at + timedelta(seconds=1))
    return {
        "seq": 0,  # still unique; now sorts first, so the walk meets it first
        "actor": other_user_id,
        "actor_label": event.actor_label + "x",
        "action": "test.forged",
        "object_type": "tests.other",
        "object_id": "999",
        "before_digest": "a" * 64,
        "after_digest": "b" * 64,
        "summary": '{"说明": "改过"}',
        "prev": "f" * 64,
        "hash": "e" * 64,
    }[field]


@pytest.mark.parametrize(
    "field",
    [
        "seq",
        "at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "before_digest",
        "after_digest",
        "summary",
        "prev",
        "hash",
    ],
)
def test_editing_any_stored_field_in_the_raw_database_exits_1_naming_that_event(
    chain, personas, field
):
    target = chain[2]
    raw(
        f"UPDATE {EVENTS} SET {column(field)} = %s WHERE id = %s",
        [_new_value(field, target, personas.outsider.pk), target.pk],
    )
    seq_now = AuditEvent.objects.values_list("seq", flat=True).get(pk=target.pk)

    code, out, err = run()

    assert code == 1
    assert out == ""
    assert err.startswith(f"BROKEN at event #{seq_now} (id {target.pk}): ")


def test_deleting_a_middle_event_in_the_raw_database_names_the_event_after_the_gap(chain):
    raw(f"DELETE FROM {EVENTS} WHERE id = %s", [chain[2].pk])

    code, _, err = run()

    assert code == 1
    assert err == f"BROKEN at event #4 (id {chain[3].pk}): seq 4 where 3 was expected\n"


def test_deleting_the_last_event_is_caught_by_the_head(chain):
    raw(f"DELETE FROM {EVENTS} WHERE id = %s", [chain[4].pk])

    code, _, err = run()

    assert code == 1
    assert err == (
        "BROKEN at event #5 (missing): the head counts 5 events but the chain ends at #4\n"
    )


def test_a_head_hash_that_does_not_match_the_last_event_exits_1(chain):
    raw(f"UPDATE {HEAD} SET last_hash = %s WHERE id = 1", ["c" * 64])

    code, _, err = run()

    assert code == 1
    assert err == (
        f"BROKEN at event #5 (id {chain[4].pk}): the head's hash does not match the last event\n"
    )


def test_an_event_inserted_past_the_head_in_the_raw_database_exits_1(chain):
    last = chain[-1]
    raw(
        f"INSERT INTO {EVENTS} (seq, at, actor_label, action, object_type, object_id,"
        " before_digest, after_digest, summary, prev, hash)"
        " VALUES (%s, %s, '', 'test.forged', 't', '1', '', '', '{}', %s, %s)",
        [6, connection.ops.adapt_datetimefield_value(last.at), last.hash, "d" * 64],
    )
    forged = AuditEvent.objects.get(seq=6)

    code, _, err = run()

    assert code == 1
    assert err == (
        f"BROKEN at event #6 (id {forged.pk}): event lies beyond the head of the chain (#5)\n"
    )


def test_a_repaired_looking_chain_still_fails_when_only_the_hash_was_recomputed_elsewhere(chain):
    # Editing an event and fixing its own hash still breaks the next link.
    from audit.chain import event_hash
    from audit.services import event_fields

    target = AuditEvent.objects.get(pk=chain[2].pk)
    fields = event_fields(target)
    fields["action"] = "test.forged"
    raw(
        f"UPDATE {EVENTS} SET action = %s, hash = %s WHERE id = %s",
        ["test.forged", event_hash(fields), target.pk],
    )

    code, _, err = run()

    assert code == 1
    assert err == (
        f"BROKEN at event #4 (id {chain[3].pk}): prev does not match the previous event's hash\n"
    )
