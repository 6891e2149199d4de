"""Two prepayment deadlines (issue 16 item 9; RULES.md §5): the bureau's payment instruction
within 2 working days of the approval, and the bank's confirmation within
GONGZHI_EMERGENCY_BANK_CONFIRM_DAYS working days [1] of the instruction — each shown and
escalated on its own. "按时完成" for the bank only once its confirmation is recorded in time.

2026 calendar: Fri 13 Nov → Mon 16 Nov is the next working day (weekend between);
National Day 1–7 Oct off, Sat 10 Oct a swapped working day.
"""

from __future__ import annotations

import importlib
from contextlib import contextmanager
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from core import periods
from emergency import deadlines, selectors, services
from emergency.deadlines import Deadline, Facts
from emergency.models import DeadlineNotice, EmergencyApplication
from funds.models import PaymentInstruction

from .conftest import file_application
from .test_money import approve, confirm, instruct
from .test_reminders import phones, sent_to  # noqa: F401 - fixture

SH = ZoneInfo("Asia/Shanghai")
Stage = DeadlineNotice.Stage


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SH)


# --------------------------------------------------------------------------- the pure clock


def test_one_working_day_after_a_friday_instruction_ends_at_midnight_after_monday():
    assert deadlines.bank_due(at("2026-11-13"), 1, SH) == at("2026-11-17", "00:00")


def test_the_holiday_is_skipped_and_a_swapped_saturday_counts():
    assert deadlines.bank_due(at("2026-09-30"), 1, SH) == at("2026-10-09", "00:00")
    assert deadlines.bank_due(at("2026-10-09"), 1, SH) == at("2026-10-11", "00:00")


def test_a_confirmation_in_the_last_minute_is_on_time_and_one_minute_later_is_late():
    due = deadlines.bank_due(at("2026-11-13"), 1, SH)
    after = at("2026-11-20")
    assert Deadline(deadlines.BANK, due, at("2026-11-16", "23:59")).state(after) == deadlines.MET
    assert Deadline(deadlines.BANK, due, at("2026-11-17", "00:00")).state(after) == deadlines.LATE
    unconfirmed = Deadline(deadlines.BANK, due)
    assert unconfirmed.state(at("2026-11-16", "23:59")) == deadlines.DUE_SOON
    assert unconfirmed.state(at("2026-11-17", "00:00")) == deadlines.OVERDUE


def test_the_bank_clock_exists_only_once_the_instruction_went_out():
    base = {
        "review_due_at": at("2026-11-12", "00:00"),
        "decided_at": at("2026-11-11"),
        "approved": True,
        "prepayment": True,
        "payment_due_at": at("2026-11-14", "00:00"),
        "works_start_due_at": at("2026-11-12"),
    }
    assert deadlines.BANK not in [d.kind for d in deadlines.deadlines(Facts(**base))]
    instructed = Facts(**base, paid_at=at("2026-11-13"), bank_due_at=at("2026-11-17", "00:00"))
    assert [d.kind for d in deadlines.deadlines(instructed)] == [
        deadlines.REVIEW,
        deadlines.PAYMENT,
        deadlines.BANK,
        deadlines.WORKS_START,
    ]


# --------------------------------------------------------------------------- on an application


@contextmanager
def issued_at(moment: datetime):
    """Payment instructions made inside go out at ``moment`` (their ``instructed_at`` default)."""
    field = PaymentInstruction._meta.get_field("instructed_at")
    with mock.patch.object(field, "_get_default", lambda: moment):
        yield


@pytest.fixture
def approved(funded, personas, verified):
    """An approved a1 application asking for a 4,000.00 prepayment."""
    application = file_application(
        personas.committee, funded.a1, estimate_fen=20_000_00, prepayment_fen=4_000_00
    )
    return approve(application, personas, verified)


@pytest.fixture
def instructed(approved, personas, verified):
    """The whole prepayment instructed Fri 13 Nov 10:00 (through the service)."""
    with issued_at(at("2026-11-13")):
        instruction = instruct(approved, personas, verified, 4_000_00)
    approved.refresh_from_db()
    assert instruction.instructed_at == at("2026-11-13")
    return approved, instruction


def rows(application, now):
    return {row.kind: row for row in selectors.deadline_rows(application, now)}


def test_the_instruction_meets_the_payment_deadline_but_not_the_bank_one(instructed):
    application, _ = instructed
    shown = rows(application, at("2026-11-16", "12:00"))
    assert shown["payment"].state_label == "按时完成"
    assert shown["bank_confirm"].label == "银行划款确认"
    assert shown["bank_confirm"].due_at == at("2026-11-17", "00:00")
    assert shown["bank_confirm"].state == deadlines.DUE_SOON
    assert shown["bank_confirm"].state_label != "按时完成"
    assert rows(application, at("2026-11-17", "00:00"))["bank_confirm"].state_label == "已逾期"


@pytest.mark.parametrize(
    ("confirmed", "label"),
    [(("2026-11-16", "23:59"), "按时完成"), (("2026-11-17", "00:00"), "逾期完成")],
)
def test_the_bank_deadline_is_met_only_by_a_confirmation_in_time(
    instructed, personas, confirmed, label
):
    application, instruction = instructed
    confirm(application, personas, instruction)
    PaymentInstruction.objects.filter(pk=instruction.pk).update(confirmed_at=at(*confirmed))
    application.refresh_from_db()
    assert rows(application, at("2026-11-20"))["bank_confirm"].state_label == label


def test_a_longer_bank_setting_at_the_instruction_moves_the_deadline_by_working_days(
    approved, personas, verified, settings
):
    settings.GONGZHI_EMERGENCY_BANK_CONFIRM_DAYS = 2
    with issued_at(at("2026-11-13")):
        instruct(approved, personas, verified, 4_000_00)
    approved.refresh_from_db()
    assert approved.bank_due_at == at("2026-11-18", "00:00")
    assert rows(approved, at("2026-11-16"))["bank_confirm"].due_at == at("2026-11-18", "00:00")


def test_the_bank_deadline_is_reminded_and_escalated_on_its_own(instructed, phones):  # noqa: F811
    services.reminders_send(now=at("2026-11-15", "23:59"))  # more than a day left
    assert not DeadlineNotice.objects.filter(deadline="bank_confirm").exists()
    services.reminders_send(now=at("2026-11-16", "00:00"))  # exactly a day left
    assert sent_to("bank_confirm", Stage.REMIND) == {"reviewer", "approver"}
    services.reminders_send(now=at("2026-11-17", "00:00"))
    assert sent_to("bank_confirm", Stage.ESCALATE) == {
        "reviewer",
        "approver",
        "street_a",
        "bureau_admin",
    }
    # The instruction went out in time: nothing about the payment deadline.
    assert not DeadlineNotice.objects.filter(deadline="payment").exists()


def test_a_recorded_confirmation_stops_the_escalation(instructed, phones, personas):  # noqa: F811
    application, instruction = instructed
    confirm(application, personas, instruction)
    PaymentInstruction.objects.filter(pk=instruction.pk).update(
        confirmed_at=at("2026-11-16", "15:00")
    )
    services.reminders_send(now=at("2026-11-17", "00:00"))
    assert not DeadlineNotice.objects.filter(deadline="bank_confirm").exists()


# --------------------------------------------------------------------------- stored when it starts


def test_the_bank_deadline_is_stored_at_the_first_instruction(approved, personas, verified):
    assert approved.bank_due_at is None  # approved, nothing instructed: no bank clock
    assert deadlines.BANK not in rows(approved, at("2026-11-13"))
    with issued_at(at("2026-11-13", "23:59")):  # Fri, last minute: Mon 16 Nov counts
        instruct(approved, personas, verified, 4_000_00)
    stored = EmergencyApplication.objects.get(pk=approved.pk).bank_due_at
    assert stored == at("2026-11-17", "00:00")


def test_an_instruction_just_after_midnight_counts_from_the_next_day(approved, personas, verified):
    with issued_at(at("2026-11-16", "00:00")):  # Mon: its own day is not counted
        instruct(approved, personas, verified, 4_000_00)
    approved.refresh_from_db()
    assert approved.bank_due_at == at("2026-11-18", "00:00")


def test_a_later_setting_does_not_move_a_running_bank_deadline(instructed, settings):
    application, _ = instructed
    settings.GONGZHI_EMERGENCY_BANK_CONFIRM_DAYS = 3
    assert deadlines.bank_due(at("2026-11-13"), 3, SH) == at("2026-11-19", "00:00")  # if counted
    application.refresh_from_db()
    assert application.bank_due_at == at("2026-11-17", "00:00")
    assert rows(application, at("2026-11-16"))["bank_confirm"].due_at == at("2026-11-17", "00:00")


def test_a_corrected_holiday_calendar_does_not_move_a_running_bank_deadline(instructed):
    application, _ = instructed
    # A later entry makes Mon 16 Nov a day off: counted now, the deadline would move a day.
    corrected = periods.YearCalendar(
        year=2026, rest_days=frozenset({date(2026, 11, 16)}), work_days=frozenset()
    )
    periods.set_calendar_source(lambda year: corrected if year == 2026 else None)
    assert deadlines.bank_due(at("2026-11-13"), 1, SH) == at("2026-11-18", "00:00")
    application.refresh_from_db()
    assert application.bank_due_at == at("2026-11-17", "00:00")
    shown = rows(application, at("2026-11-17", "00:00"))["bank_confirm"]
    assert (shown.due_at, shown.state) == (at("2026-11-17", "00:00"), deadlines.OVERDUE)


def test_a_second_instruction_does_not_move_the_bank_deadline(approved, personas, verified):
    with issued_at(at("2026-11-13")):
        instruct(approved, personas, verified, 1_500_00, key="k1")
    with issued_at(at("2026-11-16")):
        second = instruct(approved, personas, verified, 2_500_00, key="k2")
    assert second.instructed_at == at("2026-11-16")
    approved.refresh_from_db()
    assert approved.bank_due_at == at("2026-11-17", "00:00")
    with issued_at(at("2026-11-16")):  # a repeated submit of the first: the same instruction
        instruct(approved, personas, verified, 1_500_00, key="k1")
    approved.refresh_from_db()
    assert approved.bank_due_at == at("2026-11-17", "00:00")


def test_the_reminders_read_the_stored_bank_deadline(instructed, phones):  # noqa: F811
    application, _ = instructed
    # Stored later than the working-day count would put it: the reminders follow the column.
    EmergencyApplication.objects.filter(pk=application.pk).update(
        bank_due_at=at("2026-11-20", "00:00")
    )
    services.reminders_send(now=at("2026-11-18", "23:59"))  # a computed clock would escalate
    assert not DeadlineNotice.objects.filter(deadline="bank_confirm").exists()
    services.reminders_send(now=at("2026-11-19", "00:00"))  # exactly a day left
    assert sent_to("bank_confirm", Stage.REMIND) == {"reviewer", "approver"}
    assert not DeadlineNotice.objects.filter(deadline="bank_confirm", stage=Stage.ESCALATE)
    services.reminders_send(now=at("2026-11-20", "00:00"))
    assert "street_a" in sent_to("bank_confirm", Stage.ESCALATE)


def test_the_api_detail_shows_the_stored_bank_deadline(instructed, personas):
    application, _ = instructed
    client = APIClient()
    client.force_authenticate(personas.reviewer)
    body = client.get(f"/api/v1/emergency/applications/{application.pk}/").json()
    assert body["bank_due_at"] == "2026-11-17T00:00:00+08:00"
    bank = [d for d in body["deadlines"] if d.get("kind") == "bank_confirm"]
    assert bank and bank[0]["due_at"] == "2026-11-17T00:00:00+08:00"


def test_the_migration_fills_rows_from_their_first_live_instruction(approved, personas, verified):
    from django.apps import apps

    fill = importlib.import_module("emergency.migrations.0008_bank_due_at").fill
    with issued_at(at("2026-11-12")):
        withdrawn = instruct(approved, personas, verified, 1_000_00, key="k0")
    with issued_at(at("2026-11-13")):
        instruct(approved, personas, verified, 3_000_00, key="k1")
    PaymentInstruction.objects.filter(pk=withdrawn.pk).update(
        status=PaymentInstruction.Status.CANCELLED
    )
    EmergencyApplication.objects.filter(pk=approved.pk).update(bank_due_at=None)
    fill(apps, None)
    approved.refresh_from_db()
    assert approved.bank_due_at == at("2026-11-17", "00:00")  # from Fri 13, not Thu 12
