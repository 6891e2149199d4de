"""funds.ledger.deposit_rule: first deposit (Order 165 art. 7) and the top-up flag (art. 17, RULES.md §4)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from funds.ledger.deposit_rule import first_deposit_fen, needs_top_up

D = Decimal


# --- first deposit ---------------------------------------------------------------------------


def test_rate_of_exactly_five_percent_is_accepted():
    # 89.50 m² × 1,500.00 yuan/m² × 5% = 6,712.50 yuan.
    assert first_deposit_fen(D("89.50"), 150_000, D("0.05")) == 671_250


def test_rate_of_exactly_eight_percent_is_accepted():
    # 89.50 m² × 1,500.00 yuan/m² × 8% = 10,740.00 yuan.
    assert first_deposit_fen(D("89.50"), 150_000, D("0.08")) == 1_074_000


def test_rate_written_with_more_places_at_the_boundary_is_accepted():
    assert first_deposit_fen(D("89.50"), 150_000, D("0.0800")) == 1_074_000


@pytest.mark.parametrize("rate", [D("0.0499"), D("0.0801"), D("0.049999"), D("0"), D("0.5")])
def test_rate_outside_five_to_eight_percent_is_refused(rate):
    with pytest.raises(ValueError, match="rate"):
        first_deposit_fen(D("89.50"), 150_000, rate)


def test_rate_of_4_99_percent_is_refused():
    with pytest.raises(ValueError):
        first_deposit_fen(D("89.50"), 150_000, D("0.0499"))


def test_rate_of_8_01_percent_is_refused():
    with pytest.raises(ValueError):
        first_deposit_fen(D("89.50"), 150_000, D("0.0801"))


def test_product_is_rounded_to_the_nearest_fen():
    # 96.33 × 123,457 = 11,892,612.81; × 6% = 713,556.7686 fen → 713,557.
    assert first_deposit_fen(D("96.33"), 123_457, D("0.06")) == 713_557


def test_below_half_a_fen_rounds_down():
    # 9.00 × 1 × 5% = 0.45 fen → 0.
    assert first_deposit_fen(D("9.00"), 1, D("0.05")) == 0


def test_exactly_half_a_fen_rounds_up():
    # 10.00 × 1 × 5% = 0.5 fen → 1.
    assert first_deposit_fen(D("10.00"), 1, D("0.05")) == 1


def test_half_rounds_up_not_to_even():
    # 50.00 × 1 × 5% = 2.5 fen: half-up gives 3 (banker's rounding would give 2).
    assert first_deposit_fen(D("50.00"), 1, D("0.05")) == 3


def test_rounding_is_exact_beyond_decimal_context_precision():
    # area = 10 ± 2·10⁻²⁹ m² at 1 fen/m² and 5% is 0.5 ± 10⁻³⁰ fen: beyond Decimal's
    # default 28 digits, the side of the half is only seen in exact arithmetic.
    area = D("10.00000000000000000000000000002")
    assert first_deposit_fen(area, 1, D("0.05")) == 1
    area = D("9.99999999999999999999999999998")
    assert first_deposit_fen(area, 1, D("0.05")) == 0


@pytest.mark.parametrize("area", [D("0"), D("-1.00"), 89.5, 89, "89.50", D("NaN")])
def test_bad_area_is_refused(area):
    with pytest.raises(ValueError):
        first_deposit_fen(area, 150_000, D("0.05"))


@pytest.mark.parametrize("cost", [-1, 1500.0, True, D("150000")])
def test_bad_cost_is_refused(cost):
    with pytest.raises(ValueError):
        first_deposit_fen(D("89.50"), cost, D("0.05"))


def test_float_rate_is_refused():
    with pytest.raises(ValueError, match="float"):
        first_deposit_fen(D("89.50"), 150_000, 0.05)


# --- top-up flag -----------------------------------------------------------------------------


def test_balance_of_exactly_thirty_percent_is_not_flagged():
    assert needs_top_up(30_000, 100_000) is False


def test_balance_one_fen_below_thirty_percent_is_flagged():
    assert needs_top_up(29_999, 100_000) is True


def test_thirty_percent_that_is_not_a_whole_fen_is_compared_exactly():
    # 30% of 100,001 fen is 30,000.3 fen: 30,000 is below it, 30,001 is not.
    assert needs_top_up(30_000, 100_001) is True
    assert needs_top_up(30_001, 100_001) is False


def test_empty_balance_is_flagged_and_full_balance_is_not():
    assert needs_top_up(0, 671_250) is True
    assert needs_top_up(671_250, 671_250) is False


def test_no_first_deposit_is_never_flagged():
    assert needs_top_up(0, 0) is False


def test_custom_threshold_is_a_strict_bound_too():
    assert needs_top_up(25_000, 100_000, threshold=D("0.25")) is False
    assert needs_top_up(24_999, 100_000, threshold=D("0.25")) is True


@pytest.mark.parametrize("threshold", [0.3, D("-0.01"), D("1.01"), D("NaN"), 3])
def test_bad_threshold_is_refused(threshold):
    with pytest.raises(ValueError):
        needs_top_up(1, 10, threshold=threshold)


@pytest.mark.parametrize(("balance", "first"), [(-1, 100), (1, -100), (True, 100), (1.0, 100)])
def test_bad_amounts_are_refused(balance, first):
    with pytest.raises(ValueError):
        needs_top_up(balance, first)


# ------------------------------------------------ backfill_demand (migration 0004)


def _history():
    from funds.ledger.deposit_rule import Terms

    t0 = datetime(2023, 1, 1, tzinfo=UTC)
    t1 = datetime(2024, 6, 1, tzinfo=UTC)
    return [Terms(t0, 150_000, Decimal("0.05")), Terms(t1, 180_000, Decimal("0.05"))]


def test_backfill_without_a_posting_takes_the_oldest_recorded_terms():
    from funds.ledger.deposit_rule import backfill_demand

    choice = backfill_demand(area=Decimal("89.50"), history=_history(), first_posting=None)
    assert (choice.amount_fen, choice.terms.cost_per_m2_fen, choice.source) == (
        671_250,
        150_000,
        "history",
    )


def test_backfill_takes_the_posting_when_it_is_a_first_deposit_under_recorded_terms():
    from funds.ledger.deposit_rule import backfill_demand

    after = datetime(2025, 1, 1, tzinfo=UTC)
    between = datetime(2024, 1, 1, tzinfo=UTC)
    old = backfill_demand(area=Decimal("89.50"), history=_history(), first_posting=(after, 671_250))
    assert (old.amount_fen, old.terms.cost_per_m2_fen, old.source) == (671_250, 150_000, "posting")
    new = backfill_demand(
        area=Decimal("89.50"), history=_history(), first_posting=(between, 805_500)
    )
    assert (new.amount_fen, new.terms.cost_per_m2_fen, new.source) == (805_500, 180_000, "posting")


def test_backfill_of_a_posting_one_fen_short_takes_the_terms_in_force_when_it_was_paid():
    from funds.ledger.deposit_rule import backfill_demand

    paid = datetime(2024, 5, 31, 23, 59, tzinfo=UTC)  # a minute before the new price
    choice = backfill_demand(
        area=Decimal("89.50"), history=_history(), first_posting=(paid, 671_249)
    )
    assert (choice.amount_fen, choice.terms.cost_per_m2_fen, choice.source) == (
        671_250,
        150_000,
        "history",
    )
    later = datetime(2024, 6, 1, tzinfo=UTC)  # exactly when the new price came in
    choice = backfill_demand(
        area=Decimal("89.50"), history=_history(), first_posting=(later, 805_499)
    )
    assert (choice.amount_fen, choice.terms.cost_per_m2_fen) == (805_500, 180_000)


def test_backfill_needs_a_recorded_history():
    from funds.ledger.deposit_rule import backfill_demand

    with pytest.raises(ValueError):
        backfill_demand(area=Decimal("89.50"), history=[], first_posting=None)
