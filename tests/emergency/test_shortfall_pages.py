"""分摊补缴 on the emergency application page (issue #14 §2; RULES.md §4, §5).

a1 (``conftest.funded``): 101, 102, 201 hold 5,000.00 元 each; an estimate of 15,000.00 元
makes 201's share 5,823.24 元, so 823.24 元 is demanded of 201 at approval. The reviewer
records what the owner paid; the approver (after TOTP) names the account shortfalls may be
advanced from and advances one — never without a named account. Each posting is confirmed.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from estates.models import Unit
from funds.ledger import selectors as ledger
from funds.models import AdvanceAccount, Reservation, ShortfallDemand, Transaction

from .conftest import file_application
from .test_money import approve

pytestmark = pytest.mark.django_db
OWED = 82_324  # 823.24 元
UNIT = "2栋-1单元-201"


def _approved(funded, personas, verified):
    application = approve(
        file_application(personas.committee, funded.a1, estimate_fen=15_000_00),
        personas,
        verified,
    )
    demand = ShortfallDemand.objects.get(fund_use=application.fund_use)
    assert (demand.unit_code, demand.amount_fen) == (UNIT, OWED)
    return application, demand


def _url(name, application, *args):
    return reverse(f"emergency:{name}", args=[application.pk, *args])


def _balance() -> int:
    return ledger.balance(ledger.unit_account(Unit.objects.get(code=UNIT)))


ACCOUNT = {
    "kind": "street",
    "name": "甲街道办事处应急资金",
    "bank_name": "工商银行宿州分行",
    "account_no": "1317000000000000777",
}


def test_the_approver_names_the_account_then_advances_after_confirming(
    client, funded, personas, verified, login_with_totp
):
    application, demand = _approved(funded, personas, verified)
    login_with_totp(client, personas.approver)
    detail = _url("detail", application)
    page = client.get(detail).content.decode()
    assert "指定垫付账户" in page and "823.24" in page
    assert _url("demand_advance", application, demand.pk) not in page  # none named yet
    today = timezone.localdate().isoformat()
    before = (_balance(), Transaction.objects.count())

    # Without a named account the advance is refused on the form; nothing posted.
    refused = client.post(
        _url("demand_advance", application, demand.pk),
        {"advanced_on": today, "bank_reference": "ADV-1", "confirmed": "1"},
    )
    assert refused.status_code == 400
    assert "尚未为本区域指定垫付账户" in refused.content.decode()
    assert (_balance(), Transaction.objects.count()) == before

    # Naming: bad account number refused; then the confirmation; then named.
    bad = client.post(
        _url("advance_account", application),
        {**ACCOUNT, "account_no": "1317-ABC", "confirmed": "1"},
    )
    assert bad.status_code == 400 and "账号只能由数字组成" in bad.content.decode()
    assert not AdvanceAccount.objects.exists()
    confirm = client.post(_url("advance_account", application), ACCOUNT)
    assert confirm.status_code == 200 and "请确认" in confirm.content.decode()
    assert not AdvanceAccount.objects.exists()
    named = client.post(_url("advance_account", application), {**ACCOUNT, "confirmed": "1"})
    assert named.status_code == 302 and named.url == detail
    account = AdvanceAccount.objects.get(active=True)
    assert (account.area, account.kind, account.account_no) == (
        funded.a1,
        "street",
        "1317000000000000777",
    )

    page = client.get(detail).content.decode()
    assert _url("demand_advance", application, demand.pk) in page
    data = {"advanced_on": today, "bank_reference": "ADV-1"}
    confirm = client.post(_url("demand_advance", application, demand.pk), data)
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "请确认" in html
    assert "823.24 元" in html and "甲街道办事处应急资金" in html
    assert (_balance(), Transaction.objects.count()) == before

    done = client.post(_url("demand_advance", application, demand.pk), {**data, "confirmed": "1"})
    assert done.status_code == 302 and done.url == detail
    demand.refresh_from_db()
    assert (demand.status, demand.advanced_fen, demand.advance_account) == (
        "advanced",
        OWED,
        account,
    )
    assert _balance() == 5_000_00 + OWED
    assert Reservation.objects.filter(fund_use=application.fund_use).count() == 1
    # Nothing left to advance: refused, nothing more posted.
    again = client.post(
        _url("demand_advance", application, demand.pk),
        {"advanced_on": today, "bank_reference": "ADV-2", "confirmed": "1"},
    )
    assert again.status_code == 409 and "已结清" in again.content.decode()
    assert _balance() == 5_000_00 + OWED


def test_the_reviewer_records_a_payment_on_the_emergency_page(client, funded, personas, verified):
    application, demand = _approved(funded, personas, verified)
    client.force_login(personas.reviewer)
    url = _url("demand_pay", application, demand.pk)
    page = client.get(_url("detail", application)).content.decode()
    assert url in page and "登记补缴到账" in page
    assert _url("advance_account", application) not in page  # the approver's
    today = timezone.localdate().isoformat()
    over = client.post(
        url, {"amount": "823.25", "paid_on": today, "bank_reference": "B1", "confirmed": "1"}
    )
    assert over.status_code == 400 and "补缴金额超过尚欠的 823.24 元" in over.content.decode()
    assert _balance() == 5_000_00
    confirm = client.post(url, {"amount": "823.23", "paid_on": today, "bank_reference": "B1"})
    assert confirm.status_code == 200 and "823.23 元" in confirm.content.decode()
    assert _balance() == 5_000_00
    done = client.post(
        url, {"amount": "823.23", "paid_on": today, "bank_reference": "B1", "confirmed": "1"}
    )
    assert done.status_code == 302
    demand.refresh_from_db()
    assert (demand.paid_fen, demand.outstanding_fen, demand.status) == (82_323, 1, "open")
    assert _balance() == 5_000_00 + 82_323


def test_wrong_roles_cannot_pay_name_or_advance(
    client, funded, personas, verified, login_with_totp
):
    application, demand = _approved(funded, personas, verified)
    today = timezone.localdate().isoformat()
    pay = {"amount": "1.00", "paid_on": today, "bank_reference": "X", "confirmed": "1"}
    advance = {"advanced_on": today, "bank_reference": "X", "confirmed": "1"}
    # The committee sees the demand (the convener), but records and decides nothing.
    client.force_login(personas.committee)
    page = client.get(_url("detail", application)).content.decode()
    assert UNIT in page and "823.24" in page and "登记补缴到账" not in page
    assert client.post(_url("demand_pay", application, demand.pk), pay).status_code == 403
    assert (
        client.post(_url("advance_account", application), {**ACCOUNT, "confirmed": "1"}).status_code
        == 403
    )
    # The reviewer records payments but neither names nor advances.
    client.force_login(personas.reviewer)
    assert client.get(_url("advance_account", application)).status_code == 403
    assert client.post(_url("demand_advance", application, demand.pk), advance).status_code == 403
    # The approver does not record payments.
    login_with_totp(client, personas.approver)
    assert client.post(_url("demand_pay", application, demand.pk), pay).status_code == 403
    # A demand that is not this application's: not found.
    assert (
        client.post(_url("demand_advance", application, demand.pk + 999), advance).status_code
        == 404
    )
    demand.refresh_from_db()
    assert (demand.paid_fen, demand.advanced_fen) == (0, 0)
    assert not AdvanceAccount.objects.exists()


def test_demands_and_reported_debts_are_shown_to_the_convener_the_street_and_the_bureau(
    client, funded, personas, verified
):
    from datetime import timedelta

    from funds.procedure.services import reservations

    application, demand = _approved(funded, personas, verified)
    reservations.shortfall_demands_report(today=demand.due_on + timedelta(days=1))
    for persona in (personas.committee, personas.street_officer, personas.reviewer):
        client.force_login(persona)
        page = client.get(_url("detail", application)).content.decode()
        assert "逾期未缴，已报告的欠缴" in page
        assert UNIT in page and "823.24" in page and "街道工作人员" in page
    # An owner of the scope sees no other unit's debt.
    client.force_login(personas.owner)
    response = client.get(_url("detail", application))
    assert "已报告的欠缴" not in response.content.decode()
