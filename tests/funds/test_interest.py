"""funds.ledger.accrual: a period's interest allocated by 积数 (RULES.md §4, Order 165 art. 26)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from funds.ledger.accrual import (
    InterestLine,
    LedgerActivity,
    allocate_interest,
    interest_for_period,
    jishu,
    period_days,
)

START = date(2024, 3, 1)
END = date(2024, 3, 10)  # 10 days, both included

# Worked by hand over 1–10 March (end-of-day balances):
#   A: 10,000 all period                       → 10,000 × 10            = 100,000
#   B: 0, deposit 20,000 on the 6th            → 20,000 × 5 (6th–10th)  = 100,000
#   C: 30,000, −10,000 on the 1st, +5,000 on the 10th
#                                              → 20,000 × 10 + 5,000 × 1 = 205,000
#   D: 0 all period                            → 0
# Total 405,000. 1,000 fen of interest: floors 246 / 246 / 506 / 0 = 998, remainders
# (in 1/405,000 fen) A 370,000, B 370,000, C 70,000 → the two fen go to A and B.
LEDGERS = {
    "1栋-1单元-101": LedgerActivity(10_000, []),
    "1栋-1单元-102": LedgerActivity(0, [(date(2024, 3, 6), 20_000)]),
    "1栋-1单元-201": LedgerActivity(
        30_000, [(date(2024, 3, 10), 5_000), (date(2024, 3, 1), -10_000)]
    ),
    "1栋-1单元-202": LedgerActivity(0, []),
}


def test_worked_example_jishu_closing_and_shares():
    lines = allocate_interest(start=START, end=END, ledgers=LEDGERS, interest_fen=1000)
    assert lines == {
        "1栋-1单元-101": InterestLine(jishu=100_000, closing_fen=10_000, interest_fen=247),
        "1栋-1单元-102": InterestLine(jishu=100_000, closing_fen=20_000, interest_fen=247),
        "1栋-1单元-201": InterestLine(jishu=205_000, closing_fen=25_000, interest_fen=506),
        "1栋-1单元-202": InterestLine(jishu=0, closing_fen=0, interest_fen=0),
    }


def test_worked_example_period_totals():
    period = interest_for_period(start=START, end=END, ledgers=LEDGERS, interest_fen=1000)
    assert period.days == 10
    assert period.total_jishu == 405_000
    assert period.total_opening_fen == 40_000
    assert period.total_closing_fen == 55_000
    assert period.interest_fen == 1000
    assert period.allocated_fen == 1000
    assert period.ledgers == 4
    assert period.shares == {
        "1栋-1单元-101": 247,
        "1栋-1单元-102": 247,
        "1栋-1单元-201": 506,
        "1栋-1单元-202": 0,
    }


def test_plain_tuples_are_accepted_as_ledgers():
    ledgers = {key: (opening, list(postings)) for key, (opening, postings) in LEDGERS.items()}
    period = interest_for_period(start=START, end=END, ledgers=ledgers, interest_fen=1000)
    assert period.shares["1栋-1单元-201"] == 506


def test_deposit_on_the_last_day_counts_one_day():
    assert jishu(start=START, end=END, opening_fen=0, postings=[(END, 700)]) == 700


def test_withdrawal_on_the_first_day_counts_for_the_whole_period():
    assert jishu(start=START, end=END, opening_fen=1000, postings=[(START, -400)]) == 6000


def test_postings_may_come_in_any_order():
    # +200 on the 2nd (9 days), −100 on the 5th (6 days): 1,800 − 600.
    postings = [(date(2024, 3, 5), -100), (date(2024, 3, 2), 200)]
    assert jishu(start=START, end=END, opening_fen=0, postings=postings) == 1200


def test_withdrawal_before_deposit_on_the_same_day_is_fine_at_end_of_day():
    # Only end-of-day balances count: −5,000 then +5,000 on the 4th nets to 0.
    postings = [(date(2024, 3, 4), -5000), (date(2024, 3, 4), 5000)]
    assert jishu(start=START, end=END, opening_fen=0, postings=postings) == 0


def test_period_days_include_both_ends_and_a_leap_day():
    assert period_days(date(2024, 2, 1), date(2024, 3, 31)) == 60
    assert period_days(date(2023, 2, 1), date(2023, 3, 31)) == 59
    assert period_days(START, START) == 1


def test_one_day_period():
    period = interest_for_period(
        start=START, end=START, ledgers={"a": (100, [(START, 50)]), "b": (150, [])}, interest_fen=3
    )
    assert period.jishu == {"a": 150, "b": 150}
    assert period.shares == {"a": 2, "b": 1}


def test_zero_balances_get_zero_interest():
    ledgers = {"a": (0, []), "b": (1, []), "c": (0, [(START, 5), (START, -5)])}
    period = interest_for_period(start=START, end=END, ledgers=ledgers, interest_fen=999)
    assert period.shares == {"a": 0, "b": 999, "c": 0}


def test_zero_interest_over_zero_balances_gives_zeros():
    period = interest_for_period(start=START, end=END, ledgers={"a": (0, [])}, interest_fen=0)
    assert period.shares == {"a": 0}
    assert period.total_jishu == 0


def test_zero_interest_over_no_ledgers_is_empty():
    period = interest_for_period(start=START, end=END, ledgers={}, interest_fen=0)
    assert period.shares == {}
    assert period.ledgers == 0


def test_interest_with_no_balance_to_go_to_is_refused():
    with pytest.raises(ValueError):
        interest_for_period(start=START, end=END, ledgers={"a": (0, [])}, interest_fen=1)


def test_negative_opening_balance_is_refused():
    with pytest.raises(ValueError, match="negative"):
        jishu(start=START, end=END, opening_fen=-1)


def test_end_of_day_balance_below_zero_is_refused():
    with pytest.raises(ValueError, match="negative"):
        jishu(start=START, end=END, opening_fen=100, postings=[(date(2024, 3, 3), -101)])


def test_later_deposit_does_not_excuse_an_earlier_negative_day():
    # 100 − 200 on the 2nd = −100 at the end of the 2nd, though the 积数 would be positive.
    postings = [(date(2024, 3, 5), 500), (date(2024, 3, 2), -200)]
    with pytest.raises(ValueError, match="2024-03-02"):
        jishu(start=START, end=END, opening_fen=100, postings=postings)


def test_negative_balance_in_any_ledger_refuses_the_allocation():
    ledgers = dict(LEDGERS, bad=(0, [(date(2024, 3, 9), -1)]))
    with pytest.raises(ValueError):
        interest_for_period(start=START, end=END, ledgers=ledgers, interest_fen=1000)


@pytest.mark.parametrize("day", [date(2024, 2, 29), date(2024, 3, 11)])
def test_posting_outside_the_period_is_refused(day):
    with pytest.raises(ValueError, match="outside the period"):
        jishu(start=START, end=END, opening_fen=0, postings=[(day, 1)])


@pytest.mark.parametrize("moment", [datetime(2024, 3, 2, 9, 30), datetime(2024, 3, 2)])
def test_posting_with_a_datetime_is_refused(moment):
    with pytest.raises(ValueError, match="datetime.date"):
        jishu(start=START, end=END, opening_fen=0, postings=[(moment, 1)])


@pytest.mark.parametrize("delta", [True, 1.0, "1", None])
def test_posting_amount_must_be_int_fen(delta):
    with pytest.raises(ValueError):
        jishu(start=START, end=END, opening_fen=0, postings=[(date(2024, 3, 2), delta)])


@pytest.mark.parametrize("opening", [True, 1.5, "100"])
def test_opening_balance_must_be_int_fen(opening):
    with pytest.raises(ValueError):
        jishu(start=START, end=END, opening_fen=opening)


def test_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        period_days(END, START)


def test_period_bounds_must_be_dates_not_datetimes():
    with pytest.raises(ValueError):
        period_days(datetime(2024, 3, 1), END)


@pytest.mark.parametrize("interest", [-1, True, 1.0])
def test_bad_interest_amount_is_refused(interest):
    with pytest.raises(ValueError):
        interest_for_period(start=START, end=END, ledgers=LEDGERS, interest_fen=interest)


# --- properties: against a day-by-day replay ------------------------------------------------


def replay(start: date, end: date, opening: int, postings: list[tuple[date, int]]) -> int | None:
    """积数 the slow way: walk every day, sum end-of-day balances; None if one is negative."""
    total, balance, day = 0, opening, start
    while day <= end:
        balance += sum(delta for posted_on, delta in postings if posted_on == day)
        if balance < 0:
            return None
        total += balance
        day += timedelta(days=1)
    return total


@st.composite
def periods_with_postings(draw):
    start = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
    days = draw(st.integers(min_value=1, max_value=400))
    end = start + timedelta(days=days - 1)
    opening = draw(st.integers(min_value=0, max_value=10**8))
    postings = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=days - 1).map(
                    lambda offset: start + timedelta(days=offset)
                ),
                st.integers(min_value=-(10**6), max_value=10**7),
            ),
            max_size=15,
        )
    )
    return start, end, opening, postings


@given(periods_with_postings())
def test_jishu_equals_the_day_by_day_sum_and_refuses_exactly_the_negative_days(case):
    start, end, opening, postings = case
    expected = replay(start, end, opening, postings)
    if expected is None:
        with pytest.raises(ValueError):
            jishu(start=start, end=end, opening_fen=opening, postings=postings)
    else:
        assert jishu(start=start, end=end, opening_fen=opening, postings=postings) == expected


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10**7),
            st.lists(
                st.tuples(st.integers(min_value=0, max_value=9), st.integers(0, 10**6)),
                max_size=5,
            ),
        ),
        min_size=1,
        max_size=20,
    ),
    st.integers(min_value=0, max_value=10**9),
)
def test_allocated_interest_always_sums_to_the_interest(raw, interest):
    # Deposits only, so some balance exists iff an opening or a deposit is positive.
    assume(any(opening or any(d for _, d in posts) for opening, posts in raw))
    ledgers = {
        f"u{index:02d}": (opening, [(START + timedelta(days=o), d) for o, d in posts])
        for index, (opening, posts) in enumerate(raw)
    }
    period = interest_for_period(start=START, end=END, ledgers=ledgers, interest_fen=interest)
    assert sum(period.shares.values()) == interest
    for key, value in period.jishu.items():
        if value == 0:
            assert period.shares[key] == 0
