"""The notice's texts: queued as rows, sent by a worker, each at most once (voting.services.text_sends)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.sms import LocmemSender, SmsSender
from voting import services, tasks
from voting.models import TextSend
from voting.services import text_sends
from voting.services.text_sends import (
    MAX_ATTEMPTS,
    STALE_AFTER,
    notice_recipients,
    notice_text,
    text_sends_progress,
    text_sends_queue,
    text_sends_resume,
)

from .conftest import ORDINARY, make_assembly, mark_noticed

pytestmark = pytest.mark.django_db

HERE = "tests.voting.test_text_sends"


class RefusingGateway(SmsSender):
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("SMS gateway unreachable")


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, no except Exception."""


class DiesAfterTwo(LocmemSender):
    delivered = 0

    def send(self, phone: str, text: str) -> None:
        if DiesAfterTwo.delivered == 2:
            raise WorkerKilled
        DiesAfterTwo.delivered += 1
        super().send(phone, text)


@pytest.fixture
def noticed(register, personas):
    return mark_noticed(
        make_assembly(register.area, personas.committee, motions=(ORDINARY,)), days_ago=1
    )


def queue(assembly, *, kind=TextSend.Kind.NOTICE, round=0) -> int:  # noqa: A002
    with transaction.atomic():
        return text_sends_queue(
            assembly=assembly,
            kind=kind,
            round=round,
            person_ids=notice_recipients(assembly).values_list("pk", flat=True),
            text=notice_text(assembly),
            enqueue=False,
        )


def statuses(assembly) -> dict[str, int]:
    rows = TextSend.objects.filter(assembly=assembly)
    return {
        s: rows.filter(status=s).count()
        for s in TextSend.Status.values
        if rows.filter(status=s).exists()
    }


def test_publishing_queues_one_row_per_owner_and_sends_after_commit(
    register, personas, publishing, outbox, django_capture_on_commit_callbacks
):
    assembly = make_assembly(
        register.area, personas.committee, motions=(ORDINARY,), opens_in=timedelta(days=40)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.assembly_notice(assembly=assembly, actor=personas.committee)

    # Nothing is sent inside the publishing transaction: six rows wait for the worker.
    assert outbox == []
    assert statuses(assembly) == {"pending": 6}
    assert len(callbacks) == 1
    callbacks[0]()  # the task queued by name, run eagerly here
    assert statuses(assembly) == {"sent": 6}
    assert sorted(m.phone for m in outbox) == sorted(
        o.person.phone for o in register.owners.values()
    )
    assembly.refresh_from_db()
    assert f"编号{assembly.notice_publication.serial}" in outbox[0].text


def test_running_the_task_twice_sends_each_text_once(noticed, outbox):
    assert queue(noticed) == 6
    assert queue(noticed) == 6  # queuing again adds no row

    assert tasks.text_sends_run(noticed.pk) == {"sent": 6, "skipped": 0, "failed": 0}
    assert tasks.text_sends_run(noticed.pk) == {"sent": 0, "skipped": 0, "failed": 0}
    assert len(outbox) == 6
    assert len({m.phone for m in outbox}) == 6


def test_a_row_claimed_by_another_worker_is_not_sent_again(noticed, outbox):
    queue(noticed)
    first = TextSend.objects.filter(assembly=noticed).order_by("pk").first()
    TextSend.objects.filter(pk=first.pk).update(
        status=TextSend.Status.SENDING, claimed_at=timezone.now()
    )
    assert tasks.text_sends_run(noticed.pk)["sent"] == 5
    assert first.person.phone not in {m.phone for m in outbox}


def test_a_worker_killed_after_two_sends_then_a_rerun_sends_the_rest_exactly_once(
    noticed, settings, outbox
):
    queue(noticed)
    DiesAfterTwo.delivered = 0
    settings.GONGZHI_SMS_BACKEND = f"{HERE}.DiesAfterTwo"
    with pytest.raises(WorkerKilled):
        tasks.text_sends_run(noticed.pk)
    assert len(outbox) == 2
    assert statuses(noticed) == {"pending": 3, "sending": 1, "sent": 2}

    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    # The broker delivers the task again: the three never claimed go out.
    assert tasks.text_sends_run(noticed.pk)["sent"] == 3
    # The one in doubt waits out STALE_AFTER (its worker might still be at it) ...
    now = timezone.now()
    assert text_sends_resume(now=now + STALE_AFTER - timedelta(seconds=5))["released"] == 0
    # ... then the resume sends it.
    report = text_sends_resume(now=now + STALE_AFTER + timedelta(seconds=5))
    assert report["released"] == 1 and report["sent"] == 1
    assert statuses(noticed) == {"sent": 6}
    assert len(outbox) == 6 and len({m.phone for m in outbox}) == 6


def test_a_failed_send_is_recorded_and_retried_at_most_three_times(noticed, settings, outbox):
    queue(noticed)
    settings.GONGZHI_SMS_BACKEND = f"{HERE}.RefusingGateway"
    for attempt in range(1, MAX_ATTEMPTS):
        assert tasks.text_sends_run(noticed.pk) == {"sent": 0, "skipped": 0, "failed": 6}
        # Tried ``attempt`` times, fewer than three: back in the queue, the error kept.
        assert statuses(noticed) == {"pending": 6}
        assert set(TextSend.objects.values_list("attempts", "error")) == {
            (attempt, "ConnectionError")
        }
    assert tasks.text_sends_run(noticed.pk)["failed"] == 6
    assert statuses(noticed) == {"failed": 6}
    assert set(TextSend.objects.values_list("attempts", flat=True)) == {MAX_ATTEMPTS}

    # The gateway is back: a failed row is not tried a fourth time.
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    assert text_sends_resume()["sent"] == 0
    assert outbox == []
    progress = text_sends_progress(noticed)
    assert progress == {
        "total": 6, "sent": 0, "failed": 6, "waiting": 0, "finished": True, "percent": 100,
    }  # fmt: skip


def test_the_second_attempt_that_succeeds_sends_the_text(noticed, settings, outbox):
    queue(noticed)
    settings.GONGZHI_SMS_BACKEND = f"{HERE}.RefusingGateway"
    tasks.text_sends_run(noticed.pk)
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    assert tasks.text_sends_resume()["sent"] == 6
    assert set(TextSend.objects.values_list("status", "attempts", "error")) == {("sent", 2, "")}


def test_an_interrupted_row_out_of_attempts_is_given_up_not_resent(noticed, outbox):
    queue(noticed)
    row = TextSend.objects.filter(assembly=noticed).first()
    claimed = timezone.now() - STALE_AFTER - timedelta(seconds=1)
    TextSend.objects.filter(pk=row.pk).update(
        status="sending", attempts=MAX_ATTEMPTS, claimed_at=claimed
    )
    report = text_sends_resume()
    assert report["given_up"] == 1 and report["sent"] == 5
    row.refresh_from_db()
    assert (row.status, row.error) == ("failed", "interrupted")


def test_progress_counts_sent_failed_and_waiting(noticed, outbox):
    assert text_sends_progress(noticed)["total"] == 0
    queue(noticed)
    text_sends.text_sends_run(assembly_id=noticed.pk, limit=4)
    first_waiting = TextSend.objects.filter(status="pending").order_by("pk").first()
    TextSend.objects.filter(pk=first_waiting.pk).update(status="failed")
    assert text_sends_progress(noticed) == {
        "total": 6, "sent": 4, "failed": 1, "waiting": 1, "finished": False, "percent": 83,
    }  # fmt: skip


def test_a_reminder_round_is_a_second_text_to_the_same_person(noticed, outbox):
    queue(noticed)
    queue(noticed, kind=TextSend.Kind.REMINDER, round=1)
    assert TextSend.objects.count() == 12
    assert text_sends_resume()["sent"] == 12
    assert text_sends_progress(noticed, kind="reminder", round=1)["sent"] == 6


def test_the_resume_command_sends_what_is_pending_and_is_safe_to_rerun(noticed, outbox, capsys):
    queue(noticed)
    call_command("notice_sends_resume")
    assert '"sent": 6' in capsys.readouterr().out
    call_command("notice_sends_resume")
    assert '"sent": 0' in capsys.readouterr().out
    assert len(outbox) == 6


def test_the_resume_command_exits_non_zero_when_a_send_failed(noticed, settings, outbox):
    queue(noticed)
    settings.GONGZHI_SMS_BACKEND = f"{HERE}.RefusingGateway"
    with pytest.raises(SystemExit) as exit_:
        call_command("notice_sends_resume")
    assert exit_.value.code == 1


def test_the_tick_queues_and_sends_the_notice_of_a_noticed_assembly_once(noticed, outbox):
    services.assemblies_tick()
    services.assemblies_tick()
    assert len(outbox) == 6
    assert statuses(noticed) == {"sent": 6}
