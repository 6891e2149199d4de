"""Reminders and escalation of response times (RULES.md §5): the Celery task, idempotent.

a1 lies in street A: its escalation goes to street A's officer, never street B's.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts import sms
from emergency import services, tasks
from emergency.models import DeadlineNotice, EmergencyApplication
from tests.emergency.conftest import review

pytestmark = pytest.mark.django_db
Stage = DeadlineNotice.Stage


@pytest.fixture
def phones(personas):
    for name, phone in (
        ("reviewer", "13900000011"),
        ("approver", "13900000012"),
        ("street_officer", "13900000013"),
        ("other_street_officer", "13900000014"),
        ("committee", "13900000015"),
    ):
        user = getattr(personas, name)
        user.phone = phone
        user.save(update_fields=["phone"])
    return personas


def sent_to(deadline: str, stage: str) -> set[str]:
    return set(
        DeadlineNotice.objects.filter(deadline=deadline, stage=stage).values_list(
            "recipient__username", flat=True
        )
    )


def test_nothing_is_sent_while_a_review_has_more_than_a_day_left(filed, phones):
    report = services.reminders_send(now=filed.review_due_at - timedelta(hours=24, seconds=1))
    assert report == {"sent": 0, "recorded": 0, "skipped": 0, "failed": 0}
    assert sms.outbox == []


def test_a_review_due_within_a_day_reminds_the_bureaus_reviewers_and_approvers(filed, phones):
    report = services.reminders_send(now=filed.review_due_at - timedelta(hours=24))
    assert sent_to("review", Stage.REMIND) == {"reviewer", "approver"}
    assert report["sent"] == 2
    assert {m.phone for m in sms.outbox} == {"13900000011", "13900000012"}
    text = sms.outbox[0].text
    assert f"紧急维修申请第{filed.pk}号" in text
    assert "住建局审核时限将于" in text
    assert "13900000015" not in text


def test_an_overdue_review_is_escalated_to_the_street_and_the_bureau(filed, phones):
    services.reminders_send(now=filed.review_due_at)
    assert sent_to("review", Stage.ESCALATE) == {
        "reviewer",
        "approver",
        "street_a",
        "bureau_admin",
    }
    assert "street_b" not in sent_to("review", Stage.ESCALATE)
    assert any("已于" in m.text and "请督办" in m.text for m in sms.outbox)


def test_running_twice_sends_nothing_twice(filed, phones):
    moment = filed.review_due_at + timedelta(hours=1)
    first = services.reminders_send(now=moment)
    messages = len(sms.outbox)
    second = services.reminders_send(now=moment)
    assert first["sent"] == 3  # reviewer, approver, street officer have phones
    assert first["recorded"] == 1  # the admin has none: recorded for the dashboard only
    assert second == {"sent": 0, "recorded": 0, "skipped": 4, "failed": 0}
    assert len(sms.outbox) == messages


def test_a_failed_message_gives_its_claim_back_for_the_next_run(
    filed, phones, settings, monkeypatch
):
    calls = {"n": 0}

    def flaky(self, phone, text):
        calls["n"] += 1
        if phone == "13900000011" and calls["n"] < 3:
            raise RuntimeError("gateway down")
        sms.outbox.append(sms.SmsMessage(phone=phone, text=text))

    monkeypatch.setattr(sms.LocmemSender, "send", flaky)
    moment = filed.review_due_at - timedelta(hours=1)
    first = services.reminders_send(now=moment)
    assert first["failed"] == 1
    assert not DeadlineNotice.objects.filter(recipient=phones.reviewer).exists()
    second = services.reminders_send(now=moment)
    assert second["sent"] == 1
    assert DeadlineNotice.objects.filter(recipient=phones.reviewer).count() == 1


def test_a_decided_review_is_not_reminded(filed, phones):
    services.application_refuse(application=filed, actor=phones.reviewer, reason="不属于紧急情形")
    report = services.reminders_send(now=filed.review_due_at + timedelta(days=3))
    assert report["sent"] == report["recorded"] == 0


def test_an_overdue_works_start_reminds_the_applicant_and_escalates(filed, phones, verified):
    review(filed, phones.reviewer)
    approved = services.application_approve(application=filed, actor=verified(phones.approver))
    services.reminders_send(now=approved.works_start_due_at)
    assert sent_to("works_start", Stage.ESCALATE) == {
        "committee_a1",
        "street_a",
        "approver",
        "bureau_admin",
    }


def test_state_never_depends_on_the_job(filed, phones):
    services.reminders_send(now=filed.review_due_at + timedelta(days=1))
    assert EmergencyApplication.objects.get(pk=filed.pk).status == "filed"


def test_the_celery_task_wraps_the_service(filed, phones):
    # Eager in tests; the task reads the real clock, at which nothing is due yet.
    assert tasks.reminders_send.delay().get() == {
        "sent": 0,
        "recorded": 0,
        "skipped": 0,
        "failed": 0,
    }
