"""funds.ledger.services.posting: double-entry, append-only postings (RULES.md §4, Order 165 art. 10)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from core.errors import DomainError
from estates.models import Unit
from funds.integrity import check_running_balances
from funds.ledger import selectors, services
from funds.models import Account, Entry, LedgerError, Transaction
from tests.estates.helpers import make_person, make_unit, sell

from .conftest import build_fund

Kind = Account.Kind


# --- posting ---------------------------------------------------------------------------------


def test_deposit_raises_bank_and_sub_ledger_and_posts_the_control_entry(fund):
    txn = fund.deposit("101", 671_250)

    entries = {e.account.kind: e.amount_fen for e in txn.entries.select_related("account")}
    assert entries == {Kind.BANK: 671_250, Kind.UNIT: -671_250, Kind.AREA_FUND: -671_250}
    assert selectors.balance(fund.bank) == 671_250
    assert selectors.balance(fund.sub("101")) == 671_250
    assert selectors.balance(fund.account(Kind.AREA_FUND)) == 671_250


def test_payment_and_settlement_move_money_through_works_to_the_sub_ledgers(fund):
    fund.deposit("101", 100_000)
    fund.deposit("102", 100_000)
    works = fund.account(Kind.WORKS)
    services.transaction_post(
        kind=Transaction.Kind.PAYMENT,
        lines=[(works, 30_000), (fund.bank, -30_000)],
        memo="划款：屋面防水",
        key="pay-1",
        actor=None,
    )
    services.transaction_post(
        kind=Transaction.Kind.SETTLEMENT,
        lines=[(fund.sub("101"), 14_000), (fund.sub("102"), 16_000), (works, -30_000)],
        memo="结算分摊：屋面防水",
        key="settle-1",
        actor=None,
    )

    assert selectors.balance(fund.bank) == 170_000
    assert selectors.balance(works) == 0
    assert selectors.balance(fund.sub("101")) == 86_000
    assert selectors.balance(fund.sub("102")) == 84_000
    assert selectors.balance(fund.account(Kind.AREA_FUND)) == 170_000


def test_lines_that_do_not_sum_to_zero_are_refused_and_nothing_is_stored(fund):
    with pytest.raises(DomainError) as error:
        services.transaction_post(
            kind=Transaction.Kind.DEPOSIT,
            lines=[(fund.bank, 10_001), (fund.sub("101"), -10_000)],
            memo="交存",
            key="k1",
            actor=None,
        )
    assert error.value.code == "unbalanced"
    assert not Transaction.objects.exists()
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    ("amount", "code"), [(0, "zero_amount"), (10_000.0, "bad_amount"), (True, "bad_amount")]
)
def test_zero_float_or_bool_amounts_are_refused(fund, amount, code):
    with pytest.raises(DomainError) as error:
        services.transaction_post(
            kind=Transaction.Kind.DEPOSIT,
            lines=[(fund.bank, amount), (fund.sub("101"), -10_000)],
            memo="交存",
            key="k1",
            actor=None,
        )
    assert error.value.code == code


def test_posting_to_the_area_fund_control_account_directly_is_refused(fund):
    with pytest.raises(DomainError) as error:
        services.transaction_post(
            kind=Transaction.Kind.ADJUSTMENT,
            lines=[(fund.bank, 100), (fund.account(Kind.AREA_FUND), -100)],
            memo="调整",
            key="k1",
            actor=None,
        )
    assert error.value.code == "control_account"


def test_lines_on_accounts_of_two_areas_are_refused(fund, district):
    other = build_fund(district.b1, prefix="137")
    with pytest.raises(DomainError) as error:
        services.transaction_post(
            kind=Transaction.Kind.DEPOSIT,
            lines=[(fund.bank, 100), (other.sub("101"), -100)],
            memo="交存",
            key="k1",
            actor=None,
        )
    assert error.value.code == "mixed_areas"


def test_the_same_account_twice_in_one_posting_is_refused(fund):
    with pytest.raises(DomainError) as error:
        services.transaction_post(
            kind=Transaction.Kind.DEPOSIT,
            lines=[(fund.bank, 100), (fund.sub("101"), -50), (fund.sub("101"), -50)],
            memo="交存",
            key="k1",
            actor=None,
        )
    assert error.value.code == "duplicate_account"


def test_a_posting_writes_one_audit_event_with_its_digest(fund):
    before = AuditEvent.objects.count()
    txn = fund.deposit("101", 10_000)

    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.object_id) == ("fund.deposit", str(txn.pk))
    assert event.summary["units"] == 1


# --- idempotency ---------------------------------------------------------------------------


def test_same_key_and_same_content_returns_the_stored_transaction_and_posts_nothing(fund):
    first = fund.deposit("101", 10_000, key="bank-ref-1")
    again = fund.deposit("101", 10_000, key="bank-ref-1")

    assert again.pk == first.pk
    assert Transaction.objects.count() == 1
    assert selectors.balance(fund.sub("101")) == 10_000


def test_same_key_with_other_content_is_a_conflict(fund):
    fund.deposit("101", 10_000, key="bank-ref-1")
    with pytest.raises(DomainError) as error:
        fund.deposit("101", 10_001, key="bank-ref-1")
    assert error.value.code == "idempotency_conflict"
    assert selectors.balance(fund.sub("101")) == 10_000


# --- append-only ---------------------------------------------------------------------------


def test_a_stored_transaction_cannot_be_changed_or_deleted(fund):
    txn = fund.deposit("101", 10_000)
    txn.memo = "改过的摘要"
    with pytest.raises(LedgerError):
        txn.save()
    with pytest.raises(LedgerError):
        txn.delete()
    with pytest.raises(LedgerError):
        Transaction.objects.filter(pk=txn.pk).update(memo="x")
    with pytest.raises(LedgerError):
        Transaction.objects.filter(pk=txn.pk).delete()


def test_a_stored_entry_cannot_be_changed_or_deleted(fund):
    entry = fund.deposit("101", 10_000).entries.first()
    entry.amount_fen = 1
    with pytest.raises(LedgerError):
        entry.save()
    with pytest.raises(LedgerError):
        entry.delete()
    with pytest.raises(LedgerError):
        Entry.objects.all().update(amount_fen=1)
    with pytest.raises(LedgerError):
        Entry.objects.all().delete()


def test_the_database_refuses_a_zero_entry(fund):
    txn = fund.deposit("101", 10_000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.bulk_create([Entry(transaction=txn, account=fund.bank, amount_fen=0)])


# --- reversal ------------------------------------------------------------------------------


def test_a_reversal_negates_every_entry_and_links_to_the_original(fund):
    original = fund.deposit("101", 10_000)
    reversal = services.transaction_reverse(transaction=original, reason="重复录入", actor=None)

    assert reversal.reverses_id == original.pk
    assert reversal.kind == Transaction.Kind.REVERSAL
    assert sorted(e.amount_fen for e in reversal.entries.all()) == sorted(
        -e.amount_fen for e in original.entries.all()
    )
    assert selectors.balance(fund.sub("101")) == 0
    assert selectors.balance(fund.account(Kind.AREA_FUND)) == 0
    assert selectors.balance(fund.bank) == 0


def test_reversing_twice_returns_the_one_reversal(fund):
    original = fund.deposit("101", 10_000)
    first = services.transaction_reverse(transaction=original, reason="重复录入", actor=None)
    again = services.transaction_reverse(transaction=original, reason="重复录入", actor=None)

    assert again.pk == first.pk
    assert Transaction.objects.filter(reverses=original).count() == 1


def test_a_reversal_is_not_itself_reversed(fund):
    reversal = services.transaction_reverse(
        transaction=fund.deposit("101", 10_000), reason="重复录入", actor=None
    )
    with pytest.raises(DomainError) as error:
        services.transaction_reverse(transaction=reversal, reason="再冲", actor=None)
    assert error.value.code == "reverse_reversal"


def test_a_reversal_needs_a_reason(fund):
    with pytest.raises(DomainError) as error:
        services.transaction_reverse(transaction=fund.deposit("101", 1), reason=" ", actor=None)
    assert error.value.code == "reason_required"


# --- never negative ------------------------------------------------------------------------


def test_a_charge_exactly_equal_to_the_balance_is_posted(fund):
    fund.deposit("101", 10_000)
    services.transaction_post(
        kind=Transaction.Kind.SETTLEMENT,
        lines=[(fund.sub("101"), 10_000), (fund.account(Kind.WORKS), -10_000)],
        memo="结算",
        key="s1",
        actor=None,
    )
    assert selectors.balance(fund.sub("101")) == 0


def test_a_charge_one_fen_above_the_balance_is_refused(fund):
    fund.deposit("101", 10_000)
    with pytest.raises(DomainError) as error:
        services.transaction_post(
            kind=Transaction.Kind.SETTLEMENT,
            lines=[(fund.sub("101"), 10_001), (fund.account(Kind.WORKS), -10_001)],
            memo="结算",
            key="s1",
            actor=None,
        )
    assert error.value.code == "insufficient_balance"
    assert selectors.balance(fund.sub("101")) == 10_000


def test_a_payment_above_the_bank_balance_is_refused(fund):
    fund.deposit("101", 10_000)
    with pytest.raises(DomainError) as error:
        services.transaction_post(
            kind=Transaction.Kind.PAYMENT,
            lines=[(fund.account(Kind.WORKS), 10_001), (fund.bank, -10_001)],
            memo="划款",
            key="p1",
            actor=None,
        )
    assert error.value.code == "insufficient_balance"


def test_reversing_a_deposit_already_spent_is_refused(fund):
    deposit = fund.deposit("101", 10_000)
    services.transaction_post(
        kind=Transaction.Kind.SETTLEMENT,
        lines=[(fund.sub("101"), 5_000), (fund.account(Kind.WORKS), -5_000)],
        memo="结算",
        key="s1",
        actor=None,
    )
    with pytest.raises(DomainError) as error:
        services.transaction_reverse(transaction=deposit, reason="错账", actor=None)
    assert error.value.code == "insufficient_balance"


# --- accounts and balances -----------------------------------------------------------------


def test_accounts_ensure_opens_one_sub_ledger_per_unit_and_is_idempotent(fund):
    assert Account.objects.filter(area=fund.area, kind=Kind.UNIT).count() == 4
    assert services.accounts_ensure(area=fund.area) == 0

    make_unit(fund.area, "104", registered="60.00")
    assert services.accounts_ensure(area=fund.area) == 1
    assert Account.objects.filter(area=fund.area, kind=Kind.UNIT).count() == 5


def test_accounts_ensure_opens_a_bank_account_for_each_custody_regime(fund):
    regimes = set(
        Account.objects.filter(area=fund.area, kind=Kind.BANK).values_list("regime", flat=True)
    )
    assert regimes == {"bureau", "assembly"}


def test_balances_of_an_area_come_from_one_query(fund, django_assert_num_queries):
    fund.deposit("101", 10_000)
    fund.deposit("102", 20_000)
    with django_assert_num_queries(1):
        result = selectors.balances(fund.area)
    assert result[fund.sub("101").pk] == 10_000
    assert result[fund.sub("102").pk] == 20_000
    assert result[fund.bank.pk] == 30_000
    assert result[fund.account(Kind.AREA_FUND).pk] == 30_000


def test_a_sale_leaves_the_sub_ledger_and_its_balance_with_the_unit(fund):
    fund.deposit("101", 671_250)
    account = fund.sub("101")
    buyer = make_person("新业主", phone="13700000009")

    sell(fund.units["101"], buyer, on=date(2024, 6, 1))

    assert selectors.unit_account(Unit.objects.get(pk=fund.units["101"].pk)).pk == account.pk
    assert selectors.balance(account) == 671_250


# --- custody transfer ----------------------------------------------------------------------


def test_custody_transfer_moves_the_whole_bank_balance_to_the_assembly_account(fund):
    fund.deposit("101", 10_000)
    fund.deposit("102", 20_000)
    bureau_bank = fund.bank

    profile = services.custody_transfer(
        area=fund.area,
        to_regime="assembly",
        bank_name="中国建设银行宿州分行",
        account_no="3400000000000000002",
        actor=None,
    )

    assert profile.regime == "assembly"
    assert selectors.balance(bureau_bank) == 0
    assert selectors.balance(fund.bank) == 30_000
    assert fund.bank.regime == "assembly"
    assert selectors.balance(fund.sub("101")) == 10_000
    txn = Transaction.objects.get(kind=Transaction.Kind.CUSTODY)
    event = AuditEvent.objects.filter(action="fund.custody_transfer").get()
    assert event.summary["moved_fen"] == 30_000
    assert event.summary["transaction"] == txn.pk


def test_custody_transfer_to_the_regime_in_force_is_refused(fund):
    with pytest.raises(DomainError) as error:
        services.custody_transfer(
            area=fund.area, to_regime="bureau", bank_name="银行", account_no="1", actor=None
        )
    assert error.value.code == "same_regime"


def test_the_regime_does_not_change_through_the_profile(fund):
    from decimal import Decimal

    with pytest.raises(DomainError) as error:
        services.fund_profile_set(
            area=fund.area,
            deposit_rate=Decimal("0.05"),
            cost_per_m2_fen=150_000,
            bank_name="银行",
            account_no="1",
            regime="assembly",
            actor=None,
        )
    assert error.value.code == "use_custody_transfer"


@pytest.mark.parametrize(
    ("rate", "ok"), [("0.0499", False), ("0.05", True), ("0.08", True), ("0.0801", False)]
)
def test_the_deposit_rate_must_lie_within_five_to_eight_percent(fund, rate, ok):
    from decimal import Decimal

    call = lambda: services.fund_profile_set(  # noqa: E731
        area=fund.area,
        deposit_rate=Decimal(rate),
        cost_per_m2_fen=150_000,
        bank_name="银行",
        account_no="1",
        actor=None,
    )
    if ok:
        assert call().deposit_rate == Decimal(rate)
    else:
        with pytest.raises(DomainError):
            call()


def test_a_posting_dated_tomorrow_is_refused(fund):
    from datetime import timedelta

    with pytest.raises(DomainError) as error:
        fund.deposit("101", 100, on=services.today() + timedelta(days=1))
    assert error.value.code == "future_date"


def test_an_unknown_account_among_many_lines_is_a_domain_error(fund):
    lines = [(10_000_000 + n, 1) for n in range(600)] + [(fund.bank, -600)]
    with pytest.raises(DomainError) as error:
        services.transaction_post(kind="deposit", lines=lines, memo="x", key="k", actor=None)
    assert error.value.code == "unknown_account"


# ------------------------------------------------ never negative on any value date


def _charge(fund, number, fen, on, key):
    return services.transaction_post(
        kind=Transaction.Kind.SETTLEMENT,
        lines=[(fund.sub(number), fen), (fund.account("works"), -fen)],
        memo="结算",
        key=key,
        actor=None,
        value_date=on,
    )


def test_a_charge_dated_before_the_money_came_in_is_refused_though_today_covers_it(fund):
    fund.deposit("101", 100_000, on=date(2024, 1, 10))
    with pytest.raises(DomainError) as refused:
        _charge(fund, "101", 50_000, date(2024, 1, 9), "early")
    assert refused.value.code == "insufficient_balance"
    with pytest.raises(DomainError):
        _charge(fund, "101", 100_001, date(2024, 1, 10), "one-fen-over")
    _charge(fund, "101", 100_000, date(2024, 1, 10), "exact")
    assert selectors.balance(fund.sub("101")) == 0


def test_a_backdated_charge_may_not_drive_a_later_day_below_zero(fund):
    fund.deposit("101", 100_000, on=date(2024, 1, 10))
    _charge(fund, "101", 80_000, date(2024, 2, 1), "feb")
    # 2024-01-15: 100,000 − 30,000 = 70,000, but 2024-02-01: 70,000 − 80,000 < 0.
    with pytest.raises(DomainError) as refused:
        _charge(fund, "101", 20_001, date(2024, 1, 15), "jan-over")
    assert refused.value.code == "insufficient_balance"
    _charge(fund, "101", 20_000, date(2024, 1, 15), "jan-exact")
    assert selectors.balance(fund.sub("101")) == 0
    check_running_balances()
