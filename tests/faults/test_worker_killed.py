"""A Celery worker killed in the middle of a task, and the task run again (issue #9 item 3).

Every task is killed after part of its work (``tests.faults.killing``), then
delivered again — by the broker (acks_late) or by the periodic sweep. Run
again, each finishes what was left and does nothing twice: the register is
imported once and the job ends ``done``; no owner gets a text twice; a result
is counted and published once. What a kill can still cost is stated where it
happens (a text claimed at the moment of the kill is not sent again).

Tasks run eagerly here (no broker), so ``delay()`` runs the task in the test.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from accounts import sms
from accounts.sms import LocmemSender
from audit.models import AuditEvent
from estates import jobs, tasks
from estates.models import Building, ImportJob, Ownership, Person, Unit
from funds import tasks as fund_tasks
from funds.ledger.services import notices, transaction_post
from funds.models import PostingNotice, Transaction
from publications import signing
from publications.models import Publication, PublicationLogEntry, SerialCounter
from publications.selectors import log_verify
from tests.funds.conftest import build_fund
from tests.voting.conftest import ALL_APPROVE, close
from voting import services as voting_services
from voting import tasks as voting_tasks
from voting.models import Assembly, NotificationSent

from .dbfault import backend_terminate
from .killing import KILLED, die_at_audit, texts_by_phone

pytestmark = pytest.mark.django_db
NO_ROWS = {"Building": 0, "Unit": 0, "Person": 0, "Ownership": 0}
IMPORTED = {"Building": 2, "Unit": 48, "Person": 60, "Ownership": 65}


# What a job killed mid-import and then taken over records, in order.
TAKEN_OVER_AND_DONE = [
    "register.import_job_create",
    "register.import_job_running",
    "register.import_job_taken_over",
    "register.import_job_done",
]


def job_actions(job: ImportJob) -> list[str]:
    """The audit actions recorded for ``job``, in chain order."""
    return list(
        AuditEvent.objects.filter(object_type="estates.importjob", object_id=str(job.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def register_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Building, Unit, Person, Ownership)}


def queued_job(district, personas, data: bytes) -> ImportJob:
    """A job whose task has not been delivered yet (its on_commit never runs in a test
    transaction)."""
    return jobs.import_job_create(
        area=district.a1, data=data, filename="台账.csv", dry_run=False, actor=personas.reviewer
    )


def age(job: ImportJob, by: timedelta) -> None:
    """The clock has moved on ``by`` since the job was uploaded and claimed."""
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=job.created_at - by,
        started_at=None if job.started_at is None else job.started_at - by,
    )
    job.refresh_from_db()


def killed_mid_import(district, personas, sample, monkeypatch) -> tuple[ImportJob, dict]:
    job = queued_job(district, personas, sample)
    seen = die_at_audit(monkeypatch, "register.import", probe=register_counts)
    with pytest.raises(SystemExit, match=KILLED):
        tasks.register_import_job.delay(job.pk)
    monkeypatch.undo()
    job.refresh_from_db()
    return job, seen


# --------------------------------------------------------------------------- register import


def test_a_worker_killed_mid_import_leaves_the_job_running_and_nothing_imported(
    district, personas, sample, monkeypatch
):
    job, seen = killed_mid_import(district, personas, sample, monkeypatch)

    assert seen["at_kill"] == IMPORTED  # the whole register was written, not committed
    assert job.status == "running" and job.finished_at is None
    assert register_counts() == NO_ROWS
    assert not AuditEvent.objects.filter(action="register.import").exists()


def test_the_task_delivered_again_takes_over_a_job_its_killed_worker_left_running(
    district, personas, sample, monkeypatch
):
    job, _seen = killed_mid_import(district, personas, sample, monkeypatch)
    # Long enough that no run can still be alive, even without row locks (SQLite).
    age(job, jobs.STALE_AFTER + timedelta(seconds=1))

    outcome = tasks.register_import_job.delay(job.pk).get()
    again = tasks.register_import_job.delay(job.pk).get()

    job.refresh_from_db()
    assert (outcome, again) == ("done", None)
    assert job.status == "done" and job.report["counts"]["units_created"] == 48
    assert register_counts() == IMPORTED
    assert job_actions(job) == TAKEN_OVER_AND_DONE
    assert AuditEvent.objects.filter(action="register.import").count() == 1


def test_without_row_locks_a_job_running_for_less_than_an_hour_is_left_to_its_worker(
    district, personas, sample, monkeypatch
):
    if connection.features.has_select_for_update_skip_locked:
        pytest.skip("with row locks a live run is told from a dead one at once (PostgreSQL test)")
    job, _seen = killed_mid_import(district, personas, sample, monkeypatch)
    age(job, jobs.STALE_AFTER - timedelta(seconds=1))

    assert tasks.register_import_job.delay(job.pk).get() is None
    job.refresh_from_db()
    assert job.status == "running" and register_counts() == NO_ROWS

    age(job, timedelta(seconds=2))  # now an hour and a second
    assert tasks.register_import_job.delay(job.pk).get() == "done"


def test_the_sweep_runs_again_abandoned_and_lost_jobs_and_leaves_recent_ones_alone(
    district, personas, sample, monkeypatch
):
    # Killed while running (Celery acknowledges a task whose worker died: no redelivery).
    abandoned, _seen = killed_mid_import(district, personas, sample, monkeypatch)
    age(abandoned, jobs.STALE_AFTER + timedelta(seconds=1))
    # Queued as long ago, never started: the broker lost its message.
    lost = queued_job(district, personas, sample)
    age(lost, jobs.STALE_AFTER + timedelta(seconds=1))
    # Uploaded just now: its message is still on its way.
    recent = queued_job(district, personas, sample)
    age(recent, jobs.STALE_AFTER - timedelta(seconds=1))

    requeued = tasks.import_jobs_recover.delay().get()
    again = tasks.import_jobs_recover.delay().get()

    assert requeued == [lost.pk, abandoned.pk] and again == []
    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses == {abandoned.pk: "done", lost.pk: "done", recent.pk: "queued"}
    # The same file twice: imported by the first to run, unchanged by the second.
    assert register_counts() == IMPORTED
    assert AuditEvent.objects.filter(action="register.import").count() == 1


# --------------------------------------------------------------------------- fund notices


def multi_unit_posting(fund) -> Transaction:
    """One deposit to four sub-ledgers: texts to 甲 (101), 乙 (102), 丙 and 丁 (103);
    901 is the developer's, with no owner to tell."""
    units = ("101", "102", "103", "901")
    return transaction_post(
        kind=Transaction.Kind.DEPOSIT,
        lines=[(fund.bank, 10_000 * len(units))] + [(fund.sub(n), -10_000) for n in units],
        memo="批量交存",
        key="faults:deposit",
        actor=None,
    )


@pytest.fixture
def fund(district):
    return build_fund(district.a1)


def owner_phones(fund) -> set[str]:
    return {fund.persons[name].phone for name in ("甲", "乙", "丙", "丁")}


def test_a_notice_task_killed_mid_batch_sends_no_text_twice_when_delivered_again(
    fund, dying_sender
):
    outbox = dying_sender(3)
    txn = multi_unit_posting(fund)

    with pytest.raises(SystemExit, match=KILLED):
        fund_tasks.posting_notices_send_task.delay(txn.pk)
    fund_tasks.posting_notices_send_task.delay(txn.pk)  # the broker delivers it again
    fund_tasks.posting_notices_sweep_task.delay()  # and the sweep runs within the hour

    assert len(outbox) == 2
    assert set(texts_by_phone(outbox).values()) == {1}
    # What the dead run claimed stays claimed (sent by nobody) until the sweep finds it stale.
    assert not PostingNotice.objects.filter(transaction=txn, sms_status="pending").exists()


def age_notices(by: timedelta) -> None:
    for notice in PostingNotice.objects.all():
        PostingNotice.objects.filter(pk=notice.pk).update(
            created_at=notice.created_at - by,
            sms_at=None if notice.sms_at is None else notice.sms_at - by,
        )


def test_after_a_killed_batch_the_sweep_gives_every_owner_the_text_exactly_once(fund, dying_sender):
    outbox = dying_sender(3)
    txn = multi_unit_posting(fund)
    with pytest.raises(SystemExit, match=KILLED):
        fund_tasks.posting_notices_send_task.delay(txn.pk)
    age_notices(timedelta(hours=1, seconds=1))

    fund_tasks.posting_notices_sweep_task.delay()

    assert texts_by_phone(outbox) == dict.fromkeys(owner_phones(fund), 1)


class SweepBesideSender(LocmemSender):
    """A sender still at work when the periodic sweep starts beside it (once, at its first text)."""

    swept = False

    def send(self, phone: str, text: str) -> None:
        if not SweepBesideSender.swept:
            SweepBesideSender.swept = True
            fund_tasks.posting_notices_sweep_task.delay()
        super().send(phone, text)


def test_a_sweep_beside_a_sender_still_at_work_sends_none_of_its_texts_again(fund, settings):
    settings.GONGZHI_SMS_BACKEND = "tests.faults.test_worker_killed.SweepBesideSender"
    SweepBesideSender.swept = False
    sms.outbox.clear()
    txn = multi_unit_posting(fund)
    # Its texts waited out a broker outage: the notices are over an hour old.
    age_notices(timedelta(hours=1, seconds=1))

    notices.posting_notices_send(transaction_id=txn.pk)

    assert SweepBesideSender.swept
    assert texts_by_phone(sms.outbox) == dict.fromkeys(owner_phones(fund), 1)


# --------------------------------------------------------------------------- voting


def test_a_notice_run_killed_midway_texts_nobody_twice_and_loses_only_the_text_in_flight(
    assembly, register, dying_sender
):
    outbox = dying_sender(3)
    assert not NotificationSent.objects.exists()  # the opening's texts wait for its commit

    with pytest.raises(SystemExit, match=KILLED):
        voting_tasks.notify.delay(assembly.pk, "open")
    report = voting_tasks.notify.delay(assembly.pk, "open").get()

    # Six owners on the roll with a phone (戊 and 己 share a right, each gets a text).
    claimed = NotificationSent.objects.filter(assembly=assembly, kind="open")
    assert claimed.count() == 6
    assert report == {"sent": 3, "skipped": 0, "failed": 0}
    assert len(outbox) == 5 and set(texts_by_phone(outbox).values()) == {1}
    # At most once: the text claimed when the worker died is not sent by a later run.
    assert voting_tasks.notify.delay(assembly.pk, "open").get() == {
        "sent": 0,
        "skipped": 0,
        "failed": 0,
    }


def test_a_tick_killed_while_signing_the_result_publishes_it_once_when_run_again(
    assembly, register, publishing, outbox, monkeypatch
):
    for name in ("甲", "乙", "丙", "丁", "戊"):
        voting_services.ballot_cast(
            assembly=assembly, choices=ALL_APPROVE, actor=register.user(name)
        )
    close(assembly)
    monkeypatch.setattr(signing._kept_key_signer_class(), "sign_raw", _killed)

    with pytest.raises(SystemExit, match=KILLED):
        voting_tasks.assemblies_tick.delay()
    monkeypatch.undo()

    # The count committed on its own; the notice died with the worker, serial and all.
    stored = Assembly.objects.get(pk=assembly.pk)
    assert stored.status == "closed" and stored.result["m1"]["outcome"] == "approved"
    assert not Publication.objects.exists() and not PublicationLogEntry.objects.exists()
    assert not SerialCounter.objects.filter(last__gt=0).exists()
    assert outbox == []

    report = voting_tasks.assemblies_tick.delay().get()
    later = voting_tasks.assemblies_tick.delay().get()

    stored = Assembly.objects.get(pk=assembly.pk)
    assert (report["counted"], report["errors"], later["counted"]) == ([assembly.pk], [], [])
    assert stored.status == "preliminary"
    assert stored.preliminary_publication.serial.endswith("-000001")
    assert Publication.objects.count() == 1
    assert log_verify() == (1, None, "")
    # The result texts went out once, with the first tick that published.
    assert NotificationSent.objects.filter(assembly=assembly, kind="result").count() == 6
    assert len(outbox) == 6 and set(texts_by_phone(outbox).values()) == {1}


def _killed(self, data, digest_algorithm):
    raise SystemExit(KILLED)


# --------------------------------------------------------------------------- emergency


def test_a_reminder_run_killed_midway_texts_nobody_twice(district, personas, dying_sender):
    from emergency.models import DeadlineNotice
    from emergency.services import reminders_send
    from tests.emergency.conftest import file_application
    from tests.estates.helpers import make_unit

    make_unit(district.a1, "101", building="1栋", registered="89.50")
    for name, phone in (
        ("reviewer", "13900000011"),
        ("approver", "13900000012"),
        ("street_officer", "13900000013"),
    ):
        user = getattr(personas, name)
        user.phone = phone
        user.save(update_fields=["phone"])
    filed = file_application(personas.committee, district.a1)
    # An hour overdue: escalated to the bureau's reviewer and approver, street A's officer
    # and the admin (no phone: recorded for the dashboard only).
    moment = filed.review_due_at + timedelta(hours=1)
    outbox = dying_sender(2)

    with pytest.raises(SystemExit, match=KILLED):
        reminders_send(now=moment)
    report = reminders_send(now=moment)

    assert report == {"sent": 1, "recorded": 1, "skipped": 2, "failed": 0}
    assert len(outbox) == 2 and set(texts_by_phone(outbox).values()) == {1}
    # At most once: the approver's text, claimed when the worker died, is not sent later.
    assert "13900000012" not in texts_by_phone(outbox)
    assert DeadlineNotice.objects.filter(application=filed).count() == 4
    assert reminders_send(now=moment) == {"sent": 0, "recorded": 0, "skipped": 4, "failed": 0}


# --------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_job_whose_worker_session_died_is_taken_over_at_once(
    district, personas, sample, monkeypatch
):
    seen = die_at_audit(
        monkeypatch, "register.import", probe=register_counts, before=backend_terminate
    )

    # Committed, so its task runs at once (eager) — and its worker dies mid-import.
    with pytest.raises(SystemExit, match=KILLED):
        queued_job(district, personas, sample)
    monkeypatch.undo()
    connection.close()
    job = ImportJob.objects.get()
    assert seen["at_kill"] == IMPORTED
    assert job.status == "running" and register_counts() == NO_ROWS

    assert tasks.register_import_job.delay(job.pk).get() == "done"
    assert register_counts() == IMPORTED
    assert tasks.register_import_job.delay(job.pk).get() is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_job_still_running_is_neither_taken_over_nor_queued_again(
    district, personas, sample, monkeypatch
):
    elsewhere: dict = {}

    def second_worker():
        # Another worker gets the same task (and the sweep runs) while the first one imports.
        job_id = ImportJob.objects.values_list("pk", flat=True).get()
        try:
            # (.result: an eager result, read without the "inside a task" guard of .get())
            elsewhere["delivery"] = tasks.register_import_job.delay(job_id).result
            elsewhere["sweep"] = jobs.import_jobs_recover()
        finally:
            connections.close_all()

    def meanwhile():
        thread = threading.Thread(target=second_worker)
        thread.start()
        thread.join(timeout=60)
        elsewhere["finished"] = not thread.is_alive()
        return register_counts()

    original = AuditEvent.save

    def save(self, *args, **kwargs):
        if self.action == "register.import" and "seen" not in elsewhere:
            elsewhere["seen"] = meanwhile()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AuditEvent, "save", save)

    job = queued_job(district, personas, sample)  # committed: its task runs at once

    job.refresh_from_db()
    assert elsewhere["seen"] == IMPORTED  # the first worker was mid-import
    assert elsewhere["finished"]
    assert (elsewhere["delivery"], elsewhere["sweep"]) == (None, [])
    assert job.status == "done" and register_counts() == IMPORTED
    assert not AuditEvent.objects.filter(action="register.import_job_taken_over").exists()
