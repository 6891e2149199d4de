"""Recording income and cost, reversing an entry, and the append-only ledger."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from revenue import selectors, services
from revenue.models import AppendOnlyError, RevenueEntry
from revenue.quarters import Quarter
from tests.voting.conftest import PDF_BYTES, pdf_upload, png_upload

pytestmark = pytest.mark.django_db

Q1 = Quarter(2025, 1)


def entry_kwargs(district, personas, **overrides):
    values = {
        "area": district.a1,
        "direction": "income",
        "category": "parking",
        "amount_fen": 120_050,
        "occurred_on": date(2025, 2, 10),
        "counterparty": "甲停车管理有限公司",
        "memo": "2月临时停车费",
        "actor": personas.committee,
    }
    values.update(overrides)
    return values


def test_an_entry_is_stored_with_its_actor_and_audited(district, personas):
    entry = services.revenue_entry_record(**entry_kwargs(district, personas))

    stored = RevenueEntry.objects.get(pk=entry.pk)
    assert (stored.amount_fen, stored.category, stored.recorded_by) == (
        120_050,
        "parking",
        personas.committee,
    )
    event = AuditEvent.objects.get(action="revenue.entry_record")
    assert event.object_id == str(entry.pk)
    assert event.summary["amount"] == "1200.50"
    assert "甲停车" not in str(event.summary)


def test_totals_and_net_of_a_quarter_are_exact_to_the_fen(district, record):
    record(1_000_01, category="parking", on=date(2025, 1, 1))
    record(33_33, category="advertising", on=date(2025, 2, 28))
    record(7, category="venue", on=date(2025, 3, 31))
    record(50_000, category="repair", on=date(2025, 3, 15))
    record(1, category="management", on=date(2025, 3, 31))
    record(999_99, category="parking", on=date(2025, 4, 1))  # the next quarter
    record(5_00, category="parking", on=date(2024, 12, 31))  # the previous one

    totals = selectors.quarter_state(district.a1, Q1).totals

    assert totals.income_fen == 100_001 + 3_333 + 7
    assert totals.cost_fen == 50_001
    assert totals.net_fen == 53_340
    assert totals.by_category["parking"] == 100_001
    assert totals.by_category["other_income"] == 0


def test_a_reversal_nets_its_entry_to_zero_in_its_quarter(district, personas, record):
    entry = record(88_00, category="advertising", on=date(2025, 2, 1))
    record(10_00, category="venue", on=date(2025, 2, 2))

    reversal = services.revenue_entry_reverse(
        entry=entry, reason="合同金额登记错误", actor=personas.committee
    )

    assert reversal.reverses == entry
    assert (reversal.amount_fen, reversal.category, reversal.occurred_on) == (
        88_00,
        "advertising",
        date(2025, 2, 1),
    )
    totals = selectors.quarter_state(district.a1, Q1).totals
    assert totals.by_category["advertising"] == 0
    assert totals.income_fen == 10_00
    assert AuditEvent.objects.filter(action="revenue.entry_reverse").count() == 1


def test_an_entry_cannot_be_reversed_twice(personas, record):
    entry = record(88_00)
    services.revenue_entry_reverse(entry=entry, reason="重复登记", actor=personas.committee)

    with pytest.raises(DomainError) as refused:
        services.revenue_entry_reverse(entry=entry, reason="再次冲正", actor=personas.committee)

    assert refused.value.code == "already_reversed"
    assert RevenueEntry.objects.filter(reverses=entry).count() == 1


def test_the_database_refuses_a_second_reversal_of_the_same_entry(personas, record):
    entry = record(88_00)
    first = services.revenue_entry_reverse(entry=entry, reason="错", actor=personas.committee)

    with pytest.raises(IntegrityError), transaction.atomic():
        RevenueEntry.objects.create(
            area=first.area,
            direction=first.direction,
            category=first.category,
            amount_fen=first.amount_fen,
            occurred_on=first.occurred_on,
            counterparty="x",
            reverses=entry,
            reason="绕过服务",
        )


def test_a_reversal_cannot_itself_be_reversed(personas, record):
    reversal = services.revenue_entry_reverse(
        entry=record(88_00), reason="错", actor=personas.committee
    )

    with pytest.raises(DomainError) as refused:
        services.revenue_entry_reverse(entry=reversal, reason="撤销冲正", actor=personas.committee)

    assert refused.value.code == "reversal_of_reversal"


def test_a_reversal_needs_a_reason(personas, record):
    entry = record(88_00)
    with pytest.raises(DomainError) as refused:
        services.revenue_entry_reverse(entry=entry, reason="  ", actor=personas.committee)
    assert refused.value.fields == {"reason": "请填写冲正原因。"}
    assert not RevenueEntry.objects.filter(reverses=entry).exists()


# --------------------------------------------------------------------------- append-only


def test_a_stored_entry_cannot_be_saved_again(record):
    entry = record(100)
    entry.amount_fen = 1
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert RevenueEntry.objects.get(pk=entry.pk).amount_fen == 100


def test_an_entry_cannot_be_deleted(record):
    entry = record(100)
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert RevenueEntry.objects.filter(pk=entry.pk).exists()


def test_entries_cannot_be_updated_or_deleted_in_bulk(record):
    record(100)
    with pytest.raises(AppendOnlyError):
        RevenueEntry.objects.all().update(amount_fen=1)
    with pytest.raises(AppendOnlyError):
        RevenueEntry.objects.filter(amount_fen=100).delete()
    assert RevenueEntry.objects.get().amount_fen == 100


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"amount_fen": 0}, "revenue_amount_positive"),
        ({"amount_fen": -5}, "revenue_amount_positive"),
        ({"direction": "income", "category": "repair"}, "revenue_category_matches_direction"),
        ({"direction": "cost", "category": "parking"}, "revenue_category_matches_direction"),
        ({"reason": "没有冲正却有原因"}, "revenue_reversal_has_reason"),
    ],
)
def test_the_database_refuses_what_the_service_would(district, fields, constraint):
    values = {
        "area": district.a1,
        "direction": "income",
        "category": "parking",
        "amount_fen": 100,
        "occurred_on": date(2025, 1, 5),
        "counterparty": "x",
    }
    values.update(fields)
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        RevenueEntry.objects.create(**values)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount_fen": 0}, "amount"),
        ({"amount_fen": -100}, "amount"),
        ({"amount_fen": 12.5}, "amount"),
        ({"amount_fen": True}, "amount"),
        ({"amount_fen": 100_000_000_001}, "amount"),
        ({"direction": "gift"}, "direction"),
        ({"category": "repair"}, "category"),
        ({"direction": "cost", "category": "parking"}, "category"),
        ({"occurred_on": None}, "occurred_on"),
        ({"occurred_on": date(1999, 12, 31)}, "occurred_on"),
        ({"counterparty": "   "}, "counterparty"),
        ({"counterparty": "甲" * 201}, "counterparty"),
        ({"memo": "x" * 1001}, "memo"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_changes_nothing(
    district, personas, overrides, field
):
    with pytest.raises(DomainError) as refused:
        services.revenue_entry_record(**entry_kwargs(district, personas, **overrides))

    assert field in refused.value.fields
    assert RevenueEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="revenue.").exists()


def test_the_largest_amount_is_accepted(district, personas):
    entry = services.revenue_entry_record(
        **entry_kwargs(district, personas, amount_fen=100_000_000_000)
    )
    assert entry.amount_fen == 100_000_000_000


def test_a_date_after_today_is_refused_and_today_accepted(district, personas):
    today = date(2025, 5, 20)
    with pytest.raises(DomainError) as refused:
        services.revenue_entry_record(
            **entry_kwargs(district, personas, occurred_on=date(2025, 5, 21)), today=today
        )
    assert "occurred_on" in refused.value.fields
    entry = services.revenue_entry_record(
        **entry_kwargs(district, personas, occurred_on=today), today=today
    )
    assert entry.occurred_on == today


def test_a_voucher_is_stored_under_a_random_name_with_its_digest(district, personas):
    import hashlib

    entry = services.revenue_entry_record(
        **entry_kwargs(district, personas, voucher=pdf_upload("发票.pdf"))
    )

    assert entry.voucher.name.startswith(f"revenue/{district.a1.pk}/vouchers/")
    assert "发票" not in entry.voucher.name
    assert entry.voucher_sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    with entry.voucher.open("rb") as handle:
        assert handle.read() == PDF_BYTES


def test_an_image_voucher_is_accepted(district, personas):
    entry = services.revenue_entry_record(**entry_kwargs(district, personas, voucher=png_upload()))
    assert entry.voucher.name.endswith(".png")


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
        SimpleUploadedFile("fake.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf"),
        SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"),
    ],
)
def test_a_voucher_that_is_not_a_pdf_or_image_is_refused(district, personas, upload, settings):
    with pytest.raises(DomainError) as refused:
        services.revenue_entry_record(**entry_kwargs(district, personas, voucher=upload))
    assert "voucher" in refused.value.fields
    assert RevenueEntry.objects.count() == 0


def test_a_voucher_over_10_mb_is_refused(district, personas):
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 - 4))
    with pytest.raises(DomainError) as refused:
        services.revenue_entry_record(**entry_kwargs(district, personas, voucher=big))
    assert refused.value.fields["voucher"] == "文件不能超过 10 MB。"


# --------------------------------------------------------------------------- who


@pytest.mark.parametrize("persona", ["committee", "property_staff"])
def test_the_committee_and_the_property_company_record(district, personas, persona):
    entry = services.revenue_entry_record(
        **entry_kwargs(district, personas, actor=getattr(personas, persona))
    )
    assert entry.pk


@pytest.mark.parametrize(
    "persona", ["owner", "other_committee", "street_officer", "approver", "outsider"]
)
def test_others_cannot_record(district, personas, persona):
    with pytest.raises(PermissionDeniedError):
        services.revenue_entry_record(
            **entry_kwargs(district, personas, actor=getattr(personas, persona))
        )
    assert RevenueEntry.objects.count() == 0


def test_another_area_s_committee_cannot_reverse(personas, record):
    entry = record(100)
    with pytest.raises(PermissionDeniedError):
        services.revenue_entry_reverse(entry=entry, reason="x", actor=personas.other_committee)
    assert not RevenueEntry.objects.filter(reverses=entry).exists()
