"""The revenue pages: who reads and writes what, forms, confirmation steps, exports."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from publications.models import Publication
from revenue import selectors, services
from revenue.models import Allocation, RevenueEntry
from tests.voting.conftest import PDF_BYTES, pdf_upload

from .conftest import approved_motion

pytestmark = pytest.mark.django_db


def ledger_url(area, **query) -> str:
    url = reverse("revenue:ledger", args=[area.code])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def entry_form(**overrides) -> dict:
    data = {
        "direction": "income",
        "category": "parking",
        "amount": "1,280.50",
        "occurred_on": "2025-02-10",
        "counterparty": "甲停车管理有限公司",
        "memo": "2月临时停车费",
        "confirm": "on",
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- reading


def test_an_owner_reads_the_ledger_of_their_area_with_totals(client, district, personas, record):
    record(128_050, on=date(2025, 2, 10), memo="2月临时停车费")
    record(20_025, category="repair", on=date(2025, 3, 1), counterparty="丙维修队")
    client.force_login(personas.owner)

    response = client.get(ledger_url(district.a1, year=2025, quarter=1))

    assert response.status_code == 200
    page = response.content.decode()
    assert "2月临时停车费" in page and "丙维修队" in page
    assert "1,280.50" in page and "200.25" in page and "1,080.25" in page
    assert reverse("revenue:entry_new", args=[district.a1.code]) not in page  # owners only read


def test_the_year_view_shows_each_quarter(client, district, personas, record):
    record(100_00, on=date(2025, 2, 1))
    record(50_00, on=date(2025, 8, 1))
    client.force_login(personas.committee)

    page = client.get(ledger_url(district.a1, year=2025)).content.decode()

    assert "2025年第一季度" in page and "2025年第三季度" in page
    assert "150.00" in page


def test_an_owner_of_another_area_gets_not_found(client, district, personas, record):
    record(100)
    client.force_login(personas.other_owner)
    assert client.get(ledger_url(district.a1)).status_code == 404


def test_someone_without_any_role_is_denied(client, district, personas):
    client.force_login(personas.outsider)
    assert client.get(ledger_url(district.a1)).status_code == 403
    assert client.get(reverse("revenue:index")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, district):
    response = client.get(ledger_url(district.a1))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_index_takes_an_owner_straight_to_their_area(client, district, personas):
    client.force_login(personas.owner)
    response = client.get(reverse("revenue:index"))
    assert response.status_code == 302
    assert response["Location"] == ledger_url(district.a1)


def test_the_street_officer_sees_the_areas_of_the_street(client, district, personas):
    client.force_login(personas.street_officer)
    page = client.get(reverse("revenue:index")).content.decode()
    assert district.a1.name in page and district.a2.name in page
    assert district.b1.name not in page


def test_a_bad_period_in_the_address_falls_back_to_the_current_quarter(client, district, personas):
    client.force_login(personas.owner)
    response = client.get(ledger_url(district.a1, year="abc", quarter=9))
    assert response.status_code == 200


# --------------------------------------------------------------------------- recording


def test_the_committee_records_an_entry_with_a_voucher(client, district, personas):
    client.force_login(personas.committee)

    response = client.post(
        reverse("revenue:entry_new", args=[district.a1.code]),
        entry_form(voucher=pdf_upload("收据.pdf")),
    )

    entry = RevenueEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == ledger_url(district.a1, year=2025, quarter=1)
    assert (entry.amount_fen, entry.recorded_by, entry.area) == (
        128_050,
        personas.committee,
        district.a1,
    )
    assert entry.voucher


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount": "12.345"},
        {"amount": "-5"},
        {"amount": "0"},
        {"amount": "=1+1"},
        {"category": "repair"},
        {"occurred_on": "2999-01-01"},
        {"occurred_on": "not a date"},
        {"counterparty": ""},
        {"confirm": ""},
    ],
)
def test_a_bad_entry_form_is_shown_again_and_stores_nothing(client, district, personas, overrides):
    client.force_login(personas.committee)

    response = client.post(
        reverse("revenue:entry_new", args=[district.a1.code]), entry_form(**overrides)
    )

    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert RevenueEntry.objects.count() == 0


def test_the_property_company_records_in_an_area_it_serves(client, district, personas):
    client.force_login(personas.property_staff)
    response = client.post(reverse("revenue:entry_new", args=[district.a2.code]), entry_form())
    assert response.status_code == 302
    assert RevenueEntry.objects.get().area == district.a2


def test_an_owner_cannot_open_the_entry_form(client, district, personas):
    client.force_login(personas.owner)
    assert client.get(reverse("revenue:entry_new", args=[district.a1.code])).status_code == 403


def test_another_area_s_committee_cannot_record_here(client, district, personas):
    client.force_login(personas.other_committee)
    response = client.post(reverse("revenue:entry_new", args=[district.a1.code]), entry_form())
    assert response.status_code == 404
    assert RevenueEntry.objects.count() == 0


# --------------------------------------------------------------------------- reversing


def test_a_reversal_is_confirmed_on_its_own_page_with_a_reason(client, district, personas, record):
    entry = record(88_00, category="advertising")
    client.force_login(personas.committee)
    url = reverse("revenue:entry_reverse", args=[entry.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "88.00" in page.content.decode() and "确认冲正" in page.content.decode()
    assert not RevenueEntry.objects.filter(reverses=entry).exists()

    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 400
    assert not RevenueEntry.objects.filter(reverses=entry).exists()

    done = client.post(url, {"reason": "广告合同未履行"})
    assert done.status_code == 302
    assert RevenueEntry.objects.get(reverses=entry).reason == "广告合同未履行"

    again = client.post(url, {"reason": "再冲一次"})
    assert again.status_code == 409
    assert RevenueEntry.objects.filter(reverses=entry).count() == 1


def test_another_area_s_committee_cannot_reach_the_reversal(client, personas, record):
    entry = record(100)
    client.force_login(personas.other_committee)
    assert (
        client.post(reverse("revenue:entry_reverse", args=[entry.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert not RevenueEntry.objects.filter(reverses=entry).exists()


# --------------------------------------------------------------------------- vouchers


def test_owners_of_the_area_open_a_voucher_and_others_do_not(client, district, personas):
    entry = services.revenue_entry_record(
        area=district.a1,
        direction="income",
        category="venue",
        amount_fen=500_00,
        occurred_on=date(2025, 1, 5),
        counterparty="社区舞蹈队",
        voucher=pdf_upload(),
        actor=personas.committee,
    )
    url = reverse("revenue:voucher", args=[entry.pk])

    client.force_login(personas.owner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES

    client.force_login(personas.other_owner)
    assert client.get(url).status_code == 404


# --------------------------------------------------------------------------- allocation


def test_the_committee_records_a_decision_and_an_owner_sees_their_share(
    client, district, personas, register, record
):
    record(100_004)
    client.force_login(personas.committee)

    response = client.post(
        reverse("revenue:allocate", args=[district.a1.code]),
        {"year": 2025, "quarter": 1, "method": "share_by_area", "confirm": "on"},
    )

    allocation = Allocation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("revenue:allocation", args=[allocation.pk])
    client.force_login(register.user("甲"))
    page = client.get(response["Location"]).content.decode()
    assert "本人" in page and "150.49" in page and "1,000.04" in page


def test_a_decision_for_an_unfinished_quarter_is_refused_on_the_form(
    client, district, personas, register, record
):
    today = selectors.local_today()
    client.force_login(personas.committee)

    response = client.post(
        reverse("revenue:allocate", args=[district.a1.code]),
        {
            "year": today.year,
            "quarter": (today.month - 1) // 3 + 1,
            "method": "share_by_area",
            "confirm": "on",
        },
    )

    assert response.status_code == 409
    assert "尚未结束" in response.content.decode()
    assert Allocation.objects.count() == 0


def test_an_owner_cannot_record_a_decision(client, district, personas):
    client.force_login(personas.owner)
    assert client.get(reverse("revenue:allocate", args=[district.a1.code])).status_code == 403


# --------------------------------------------------------------------------- publishing


def test_publishing_needs_totp_first(client, district, personas):
    client.force_login(personas.approver)
    response = client.get(reverse("revenue:publish", args=[district.a1.code]))
    assert response.status_code == 302
    assert "/otp/" in response["Location"]


def test_the_committee_cannot_publish(client, district, personas):
    client.force_login(personas.committee)
    assert client.get(reverse("revenue:publish", args=[district.a1.code])).status_code == 403


def test_the_approver_previews_and_publishes_a_quarter_once(
    client, district, personas, record, register, login_with_totp, publishing
):
    record(128_050, on=date(2025, 2, 10))
    login_with_totp(client, personas.approver)
    url = reverse("revenue:publish", args=[district.a1.code]) + "?year=2025&quarter=1"

    preview = client.get(url)
    assert preview.status_code == 200
    assert "1,280.50" in preview.content.decode()
    assert Publication.objects.count() == 0

    unconfirmed = client.post(url, {"year": 2025, "quarter": 1})
    assert unconfirmed.status_code == 400
    assert Publication.objects.count() == 0

    done = client.post(url, {"year": 2025, "quarter": 1, "confirm": "on"})
    publication = Publication.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("publications:detail", args=[publication.serial])

    twice = client.post(url, {"year": 2025, "quarter": 1, "confirm": "on"})
    assert twice.status_code == 409
    assert publication.serial in twice.content.decode()
    assert Publication.objects.count() == 1


def test_the_decision_form_offers_approved_motions_of_the_area_only(
    client, district, personas, register, record
):
    motion = approved_motion(register, personas, item=6, title="公共收益转入专项维修资金")
    record(1_000)
    client.force_login(personas.committee)
    url = reverse("revenue:allocate", args=[district.a1.code]) + "?year=2025&quarter=1"

    page = client.get(url).content.decode()
    assert "公共收益转入专项维修资金" in page

    unknown = client.post(
        url,
        {"year": 2025, "quarter": 1, "method": "fund", "motion": motion.pk + 1000, "confirm": "on"},
    )
    assert unknown.status_code == 400
    assert Allocation.objects.count() == 0

    done = client.post(
        url, {"year": 2025, "quarter": 1, "method": "fund", "motion": motion.pk, "confirm": "on"}
    )
    assert done.status_code == 302
    assert Allocation.objects.get().motion == motion
    detail = client.get(done["Location"]).content.decode()
    assert "公共收益转入专项维修资金" in detail


def test_the_decision_form_takes_an_uploaded_record_and_refuses_text_alone(
    client, district, personas, register, record
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.voting.conftest import PDF_BYTES

    record(1_000)
    client.force_login(personas.committee)
    url = reverse("revenue:allocate", args=[district.a1.code]) + "?year=2025&quarter=1"
    base = {"year": 2025, "quarter": 1, "method": "fund", "confirm": "on"}

    text_only = client.post(url, {**base, "decision_text": "2024年书面表决第三项决定"})
    assert text_only.status_code == 400
    assert "上传业主决定的书面记录" in text_only.content.decode()
    assert 'enctype="multipart/form-data"' in text_only.content.decode()
    assert Allocation.objects.count() == 0

    done = client.post(
        url,
        {
            **base,
            "decision_file": SimpleUploadedFile("minutes.pdf", PDF_BYTES, "application/pdf"),
            "decision_result": "参与 5 户；同意 4 户",
        },
    )
    assert done.status_code == 302
    allocation = Allocation.objects.get()
    assert (allocation.motion, allocation.decision_result) == (None, "参与 5 户；同意 4 户")
    assert "表决结果：参与 5 户；同意 4 户" in client.get(done["Location"]).content.decode()
