"""Totals and net exact to the fen, reversals netting to zero; amounts typed in yuan."""

from __future__ import annotations

import pytest

from core.money import yuan_plain
from revenue.forms import EntryForm
from revenue.ledger import MAX_FEN, Line, totals


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
    "text", ["", "0", "0.00", "-1", "+1", "1.005", "1e3", "abc", "NaN", "1.2.3", "=1+1"]
)
def test_the_entry_form_refuses_anything_but_a_positive_amount_with_two_decimals(text):
    form = EntryForm(data={"amount": text})
    form.is_valid()
    assert "amount" in form.errors


def test_the_entry_form_takes_the_largest_amount_and_refuses_one_fen_more():
    ok = EntryForm(data={"amount": yuan_plain(MAX_FEN)})
    ok.is_valid()
    assert "amount" not in ok.errors
    assert ok.cleaned_data["amount"] == MAX_FEN
    over = EntryForm(data={"amount": yuan_plain(MAX_FEN + 1)})
    over.is_valid()
    assert "amount" in over.errors
