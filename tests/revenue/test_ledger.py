"""Totals, net and money as text: exact to the fen, reversals netting to zero."""

from __future__ import annotations

import pytest

from revenue.ledger import MAX_FEN, Line, parse_yuan, totals, yuan


def test_income_cost_and_net_are_exact_to_the_fen():
    result = totals(
        [
            Line("income", "parking", 1_234_501),
            Line("income", "advertising", 99),
            Line("cost", "repair", 300_000),
            Line("cost", "management", 1),
        ],
        ["parking", "advertising", "venue", "repair", "management"],
    )
    assert result.income_fen == 1_234_600
    assert result.cost_fen == 300_001
    assert result.net_fen == 934_599
    assert result.by_category == {
        "parking": 1_234_501,
        "advertising": 99,
        "venue": 0,
        "repair": 300_000,
        "management": 1,
    }


def test_a_reversal_cancels_its_entry_in_every_total():
    result = totals([Line("income", "parking", 5_000), Line("income", "parking", 5_000, True)])
    assert (result.income_fen, result.cost_fen, result.net_fen) == (0, 0, 0)
    assert result.by_category == {"parking": 0}


def test_a_net_can_be_negative_when_costs_exceed_income():
    result = totals([Line("income", "venue", 100), Line("cost", "repair", 101)])
    assert result.net_fen == -1


@pytest.mark.parametrize("amount", [0, -1, 1.5, True])
def test_a_line_without_a_positive_whole_fen_amount_is_refused(amount):
    with pytest.raises(ValueError):
        totals([Line("income", "parking", amount)])


@pytest.mark.parametrize(
    ("fen", "text"), [(0, "0.00"), (1, "0.01"), (100, "1.00"), (-105, "-1.05"), (123456, "1234.56")]
)
def test_fen_are_shown_as_yuan_with_two_decimals(fen, text):
    assert yuan(fen) == text


def test_grouping_separates_thousands():
    assert yuan(123_456_789, grouping=True) == "1,234,567.89"


@pytest.mark.parametrize(
    ("text", "fen"),
    [("1", 100), ("0.01", 1), ("1234.5", 123450), ("1,234.56", 123456), (" 12.30 ", 1230)],
)
def test_amounts_typed_in_yuan_become_fen(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    "text", ["", "0", "0.00", "-1", "+1", "1.005", "1e3", "abc", "NaN", "1.2.3", "=1+1"]
)
def test_anything_but_a_positive_amount_with_two_decimals_is_refused(text):
    with pytest.raises(ValueError):
        parse_yuan(text)


def test_the_largest_amount_is_accepted_and_one_fen_more_refused():
    assert parse_yuan(yuan(MAX_FEN)) == MAX_FEN
    with pytest.raises(ValueError):
        parse_yuan(yuan(MAX_FEN + 1))
