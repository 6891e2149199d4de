"""funds.apportion: Order 165 arts. 20–21 with the rounding of RULES.md §4."""

from __future__ import annotations

import math
from decimal import Decimal, Inexact, localcontext
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from funds.apportion import apportion, shortfalls

D = Decimal


# --- worked examples -------------------------------------------------------------------------


def test_worked_example_from_samples_readme():
    # samples/README.md "Apportionment, worked": floors 279497/279497/375776/299796 = 1234566,
    # the one fen left goes to the tied 89.50 m² units' lower key.
    weights = {
        "1栋-1单元-101": D("89.50"),
        "1栋-1单元-102": D("89.50"),
        "1栋-1单元-201": D("120.33"),
        "1栋-1单元-202": D("96.00"),
    }
    assert apportion(1234567, weights) == {
        "1栋-1单元-101": 279498,
        "1栋-1单元-102": 279497,
        "1栋-1单元-201": 375776,
        "1栋-1单元-202": 299796,
    }


def test_worked_example_does_not_depend_on_insertion_order():
    weights = {
        "1栋-1单元-202": D("96.00"),
        "1栋-1单元-102": D("89.50"),
        "1栋-1单元-201": D("120.33"),
        "1栋-1单元-101": D("89.50"),
    }
    assert apportion(1234567, weights) == {
        "1栋-1单元-101": 279498,
        "1栋-1单元-102": 279497,
        "1栋-1单元-201": 375776,
        "1栋-1单元-202": 299796,
    }


def test_result_keeps_the_mapping_order():
    result = apportion(10, {"c": D("1"), "a": D("1"), "b": D("0")})
    assert list(result) == ["c", "a", "b"]


def test_three_way_tie_for_two_remaining_fen_goes_to_the_two_lowest_keys():
    # 5 / 3 = 1 r 2 each: floors 1+1+1 = 3, two fen left, all remainders equal.
    assert apportion(5, {"c": D("7.25"), "a": D("7.25"), "b": D("7.25")}) == {
        "a": 2,
        "b": 2,
        "c": 1,
    }


def test_tie_for_one_fen_is_decided_by_key_order():
    assert apportion(1, {"b": D("1"), "a": D("1")}) == {"a": 1, "b": 0}


def test_key_order_is_python_string_order_not_natural_order():
    # "1栋-10" < "1栋-9" as strings ('1' < '9'), so unit 10 wins the tie.
    assert apportion(1, {"1栋-9": D("50.00"), "1栋-10": D("50.00")}) == {
        "1栋-9": 0,
        "1栋-10": 1,
    }


def test_largest_remainder_beats_key_order():
    # 10 × 1/3 = 3.33…, 10 × 2/3 = 6.66…: floors 3 + 6, the fen goes to b (remainder 2/3).
    assert apportion(10, {"a": D("1"), "b": D("2")}) == {"a": 3, "b": 7}


def test_remainders_are_ranked_then_the_tie_at_the_cutoff_goes_by_key():
    # total 7 over 3, 3, 1, 1 (W = 8): exact 2.625, 2.625, 0.875, 0.875;
    # floors 2, 2, 0, 0 = 4, three fen left: c and d (0.875) first, then a over b (0.625).
    result = apportion(7, {"b": D("3"), "a": D("3"), "d": D("1"), "c": D("1")})
    assert result == {"a": 3, "b": 2, "c": 1, "d": 1}


def test_zero_weight_keys_get_zero_and_stay_in_the_result():
    assert apportion(100, {"a": D("0"), "b": D("12.34"), "c": D("0.00")}) == {
        "a": 0,
        "b": 100,
        "c": 0,
    }


def test_zero_weight_key_never_wins_a_left_over_fen_even_with_the_lowest_key():
    # floors 0, 0, 0; one fen left; "a" would win on key order if remainder 0 competed.
    assert apportion(1, {"a": D("0"), "b": D("1"), "c": D("1")}) == {"a": 0, "b": 1, "c": 0}


def test_single_key_gets_everything():
    assert apportion(1234567, {"1栋-1单元-101": D("0.01")}) == {"1栋-1单元-101": 1234567}


def test_total_zero_gives_all_zeros():
    assert apportion(0, {"a": D("89.50"), "b": D("0"), "c": D("120.33")}) == {
        "a": 0,
        "b": 0,
        "c": 0,
    }


def test_int_and_decimal_weights_mix_exactly():
    # W = 1.5: a gets 3 × 1/1.5 = 2, b gets 3 × 0.5/1.5 = 1.
    assert apportion(3, {"a": 1, "b": D("0.5")}) == {"a": 2, "b": 1}


def test_weights_with_many_decimal_places_are_scaled_exactly():
    assert apportion(3, {"a": D("0.0000000001"), "b": D("0.0000000002")}) == {"a": 1, "b": 2}


def test_difference_beyond_decimal_context_precision_still_decides():
    # The weights differ in the 34th significant digit, beyond Decimal's default 28:
    # only exact arithmetic sees b's larger remainder (a would win a tie on key).
    weights = {"a": D("1"), "b": D("1.000000000000000000000000000000001")}
    assert apportion(1, weights) == {"a": 0, "b": 1}


def test_exponent_notation_weights_are_exact():
    assert apportion(4, {"a": D("1E+2"), "b": D("3E+2")}) == {"a": 1, "b": 3}


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("total", [-1, True, False, 1.0, D("1"), "1", None])
def test_bad_total_is_refused(total):
    with pytest.raises(ValueError):
        apportion(total, {"a": D("1")})


@pytest.mark.parametrize(
    "weight",
    [D("-0.01"), -1, 0.5, 1.0, True, "1", None, D("NaN"), D("Infinity"), Fraction(1, 2)],
)
def test_bad_weight_is_refused(weight):
    with pytest.raises(ValueError):
        apportion(100, {"a": D("1"), "b": weight})


def test_float_weight_is_refused_with_a_message_naming_float():
    with pytest.raises(ValueError, match="float"):
        apportion(100, {"a": 0.5})


def test_all_zero_weights_are_refused():
    with pytest.raises(ValueError):
        apportion(100, {"a": D("0"), "b": 0})


def test_all_zero_weights_are_refused_even_for_total_zero():
    with pytest.raises(ValueError):
        apportion(0, {"a": D("0")})


def test_empty_weights_are_refused():
    with pytest.raises(ValueError):
        apportion(100, {})


def test_non_string_key_is_refused():
    with pytest.raises(ValueError):
        apportion(100, {1: D("1")})


def test_weights_that_are_not_a_mapping_are_refused():
    with pytest.raises(ValueError):
        apportion(100, [("a", D("1"))])


# --- shortfalls ------------------------------------------------------------------------------


def test_shortfalls_report_only_units_that_cannot_pay_with_the_missing_fen():
    shares = {"101": 279498, "102": 279497, "201": 375776, "202": 299796}
    balances = {"101": 300000, "102": 279496, "201": 0, "202": 299796}
    assert shortfalls(shares, balances) == {"102": 1, "201": 375776}


def test_balance_equal_to_share_is_not_a_shortfall():
    assert shortfalls({"a": 500}, {"a": 500}) == {}


def test_zero_share_is_never_a_shortfall():
    assert shortfalls({"a": 0}, {"a": 0}) == {}


def test_shortfall_needs_a_balance_for_every_unit():
    with pytest.raises(ValueError):
        shortfalls({"a": 1, "b": 2}, {"a": 5})


@pytest.mark.parametrize("balance", [-1, 1.5, True, D("3")])
def test_shortfall_refuses_a_bad_balance(balance):
    with pytest.raises(ValueError):
        shortfalls({"a": 1}, {"a": balance})


def test_shortfall_refuses_a_negative_share():
    with pytest.raises(ValueError):
        shortfalls({"a": -1}, {"a": 5})


# --- properties ------------------------------------------------------------------------------

keys = st.text(alphabet="ab1-栋单元0", min_size=1, max_size=6)
decimal_weights = st.builds(
    lambda n, places: Decimal(n).scaleb(-places),
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=6),
)
weights_maps = st.dictionaries(
    keys, st.one_of(decimal_weights, st.integers(0, 10**6)), min_size=1, max_size=25
)
totals = st.integers(min_value=0, max_value=10**12)


def exact_proportions(total: int, weights: dict) -> dict[str, Fraction]:
    whole = sum(Fraction(w) for w in weights.values())
    return {key: Fraction(total) * Fraction(w) / whole for key, w in weights.items()}


def reference(total: int, weights: dict) -> dict[str, int]:
    """RULES §4 read literally, with Fractions and one full sort (slow, obviously right)."""
    exact = exact_proportions(total, weights)
    shares = {key: math.floor(p) for key, p in exact.items()}
    order = sorted(exact, key=lambda key: (-(exact[key] - shares[key]), key))
    for key in order[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


@given(totals, weights_maps)
def test_shares_add_up_to_the_total_exactly(total, weights):
    assume(any(weights.values()))
    assert sum(apportion(total, weights).values()) == total


@given(totals, weights_maps)
def test_each_share_is_the_floor_or_ceiling_of_the_exact_proportion(total, weights):
    assume(any(weights.values()))
    result = apportion(total, weights)
    for key, p in exact_proportions(total, weights).items():
        assert math.floor(p) <= result[key] <= math.ceil(p)


@given(totals, weights_maps)
def test_matches_the_literal_reading_of_the_rule(total, weights):
    assume(any(weights.values()))
    assert apportion(total, weights) == reference(total, weights)


@given(totals, weights_maps)
def test_a_larger_weight_never_gets_fewer_fen(total, weights):
    assume(any(weights.values()))
    result = apportion(total, weights)
    for a, wa in weights.items():
        for b, wb in weights.items():
            if wa > wb:
                assert result[a] >= result[b]


@given(totals, weights_maps, st.randoms(use_true_random=False))
def test_result_is_deterministic_and_independent_of_insertion_order(total, weights, rnd):
    assume(any(weights.values()))
    items = list(weights.items())
    rnd.shuffle(items)
    first = apportion(total, weights)
    assert apportion(total, weights) == first
    assert apportion(total, dict(items)) == first


@given(
    totals,
    weights_maps,
    st.builds(
        lambda n, places: Decimal(n).scaleb(-places),
        st.integers(min_value=1, max_value=10**6),
        st.integers(min_value=0, max_value=4),
    ),
)
def test_scaling_all_weights_by_a_constant_changes_nothing(total, weights, factor):
    assume(any(weights.values()))
    with localcontext() as ctx:
        ctx.prec = 100
        ctx.traps[Inexact] = True  # the scaled weights must be exact, or the test proves nothing
        scaled = {key: Decimal(w) * factor for key, w in weights.items()}
    assert apportion(total, scaled) == apportion(total, weights)


@given(totals, weights_maps)
def test_zero_weights_always_get_zero(total, weights):
    assume(any(weights.values()))
    result = apportion(total, weights)
    for key, w in weights.items():
        if w == 0:
            assert result[key] == 0
