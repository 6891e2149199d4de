"""分摊补缴 on the fund-use application page (issue #14 §2; RULES.md §4 "use").

The estate of ``app_helpers`` with 500.00 元 in the developer's 901: its share of the
100,000.00 元 budget is 20,629.19 元, so 20,129.19 元 is demanded at approval.
The reviewer (``payment.confirm``) records what the owner paid in, after a confirmation page;
the committee, the street officer and the bureau see the demands and the debts reported.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from funds.ledger import selectors
from funds.models import ShortfallDemand, Transaction
from funds.procedure.services import reservations

from .app_helpers import approved, build_estate

pytestmark = pytest.mark.django_db

DEV = "9栋-1单元-901"
DEV_HOLDS = 50_000
DEMANDED = 2_012_919  # 20,129.19 元


def _setup(district, personas, verified):
    estate = build_estate(district, developer_deposit=DEV_HOLDS)
    application = approved(estate, personas, verified)
    demand = ShortfallDemand.objects.get(fund_use=application.fund_use)
    assert (demand.unit_code, demand.amount_fen) == (DEV, DEMANDED)
    return estate, application, demand


def _pay_url(application, demand):
    return reverse("funds:application_demand_pay", args=[application.pk, demand.pk])


def _posted(demand) -> int:
    return Transaction.objects.filter(key__startswith=f"shortfall:{demand.pk}:").count()


def test_the_reviewer_records_a_shortfall_payment_after_a_confirmation(
    client, district, personas, verified
):
    estate, application, demand = _setup(district, personas, verified)
    client.force_login(personas.reviewer)
    detail = reverse("funds:application_detail", args=[application.pk])
    page = client.get(detail).content.decode()
    assert "登记补缴到账" in page and _pay_url(application, demand) in page
    assert "20,129.19" in page
    assert client.get(_pay_url(application, demand)).status_code == 200
    today = timezone.localdate().isoformat()
    data = {"amount": "20,129.18", "paid_on": today, "bank_reference": "BANK-1"}

    # The confirmation page: what will be posted; nothing posted yet.
    confirm = client.post(_pay_url(application, demand), data)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "请确认" in html and "20,129.18 元" in html and "BANK-1" in html
    assert _posted(demand) == 0

    done = client.post(_pay_url(application, demand), {**data, "confirmed": "1"})
    assert done.status_code == 302 and done.url == detail
    demand.refresh_from_db()
    assert (demand.paid_fen, demand.outstanding_fen, demand.status) == (2_012_918, 1, "open")
    sub = selectors.unit_account(estate.unit(DEV))
    assert selectors.balance(sub) == DEV_HOLDS + 2_012_918
    # The same bank reference again changes nothing (idempotent on the key).
    again = client.post(_pay_url(application, demand), {**data, "confirmed": "1"})
    assert again.status_code == 302
    demand.refresh_from_db()
    assert demand.paid_fen == 2_012_918 and _posted(demand) == 1

    # One fen over what is still owed: refused on the form, nothing posted.
    over = client.post(
        _pay_url(application, demand),
        {"amount": "0.02", "paid_on": today, "bank_reference": "BANK-2", "confirmed": "1"},
    )
    assert over.status_code == 400
    assert "补缴金额超过尚欠的 0.01 元" in over.content.decode()
    demand.refresh_from_db()
    assert demand.paid_fen == 2_012_918 and _posted(demand) == 1

    # Exactly what is owed: paid.
    exact = client.post(
        _pay_url(application, demand),
        {"amount": "0.01", "paid_on": today, "bank_reference": "BANK-2", "confirmed": "1"},
    )
    assert exact.status_code == 302
    demand.refresh_from_db()
    assert (demand.paid_fen, demand.outstanding_fen, demand.status) == (DEMANDED, 0, "paid")
    assert selectors.balance(sub) == DEV_HOLDS + DEMANDED
    page = client.get(detail).content.decode()
    assert "已补缴" in page and _pay_url(application, demand) not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "1.234"}, "最多两位小数"),
        ({"amount": "-1"}, "最多两位小数"),
        ({"amount": "0"}, ""),
        ({"bank_reference": ""}, ""),
        ({"paid_on": "2026-13-01"}, ""),
        ({"paid_on": "TOMORROW"}, "缴款日期不能晚于今天"),
    ],
)
def test_bad_input_is_refused_on_the_form_and_nothing_is_posted(
    client, district, personas, verified, data, message
):
    _estate, application, demand = _setup(district, personas, verified)
    client.force_login(personas.reviewer)
    today = timezone.localdate()
    if data.get("paid_on") == "TOMORROW":
        data = {**data, "paid_on": (today + timedelta(days=1)).isoformat()}
    sent = {"amount": "100.00", "paid_on": today.isoformat(), "bank_reference": "B-9"}
    response = client.post(_pay_url(application, demand), {**sent, **data, "confirmed": "1"})
    assert response.status_code == 400
    assert message in response.content.decode()
    demand.refresh_from_db()
    assert demand.paid_fen == 0 and _posted(demand) == 0


def test_only_the_reviewer_in_scope_records_a_payment(
    client, district, personas, verified, login_with_totp
):
    estate, application, demand = _setup(district, personas, verified)
    url = _pay_url(application, demand)
    today = timezone.localdate().isoformat()
    data = {"amount": "1.00", "paid_on": today, "bank_reference": "X", "confirmed": "1"}
    # The committee and the street officer see the demand but cannot record money.
    for persona in (personas.committee, personas.street_officer):
        client.force_login(persona)
        page = client.get(reverse("funds:application_detail", args=[application.pk]))
        assert "20,129.19" in page.content.decode() and url not in page.content.decode()
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    login_with_totp(client, personas.approver)
    assert client.post(url, data).status_code == 403
    # A demand of another use under this application's address: not found.
    other = approved(estate, personas, verified)
    other_demand = ShortfallDemand.objects.get(fund_use=other.fund_use)
    client.force_login(personas.reviewer)
    wrong = reverse("funds:application_demand_pay", args=[application.pk, other_demand.pk])
    assert client.post(wrong, data).status_code == 404
    demand.refresh_from_db()
    other_demand.refresh_from_db()
    assert demand.paid_fen == 0 and other_demand.paid_fen == 0


def test_reported_debts_are_shown_to_the_convener_the_street_and_the_bureau(
    client, district, personas, verified
):
    _estate, application, demand = _setup(district, personas, verified)
    detail = reverse("funds:application_detail", args=[application.pk])
    client.force_login(personas.committee)
    assert "已报告的欠缴" not in client.get(detail).content.decode()
    reservations.shortfall_demands_report(today=demand.due_on + timedelta(days=1))
    for persona in (personas.committee, personas.street_officer, personas.reviewer):
        client.force_login(persona)
        page = client.get(detail).content.decode()
        assert "逾期未缴，已报告的欠缴" in page
        assert DEV in page and "20,129.19" in page
        assert "逾期未缴，已报告" in page  # the demand's status
        assert "committee_a1" in page or "业委会/物管会成员" in page
        assert "街道工作人员" in page
    # Out of scope: another street's officer does not see the application at all.
    client.force_login(personas.other_street_officer)
    assert client.get(detail).status_code == 404
