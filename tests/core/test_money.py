"""The one money rule (core.money): pages "1,234.56"/"—", API and CSV "1234.56"/None."""

import pytest

from core import money


@pytest.mark.parametrize(
    ("fen", "page", "plain"),
    [
        (0, "0.00", "0.00"),
        (5, "0.05", "0.05"),
        (-5, "-0.05", "-0.05"),
        (99999, "999.99", "999.99"),
        (100000, "1,000.00", "1000.00"),
        (123456, "1,234.56", "1234.56"),
        (-12345678, "-123,456.78", "-123456.78"),
    ],
)
def test_fen_reads_as_yuan_for_people_and_for_programs(fen, page, plain):
    assert money.yuan(fen) == page
    assert money.yuan_plain(fen) == plain


def test_a_missing_amount_is_a_dash_on_a_page_and_none_for_a_program():
    assert money.yuan(None) == "—"
    assert money.yuan_plain(None) is None


@pytest.mark.parametrize("bad", [True, 1.5, "100"])
def test_only_integer_fen_is_formatted(bad):
    with pytest.raises(TypeError):
        money.yuan(bad)


@pytest.mark.parametrize(
    ("text", "fen"),
    [("1", 100), ("1234.5", 123450), ("1,234.56", 123456), ("1234.56元", 123456), ("0.01", 1)],
)
def test_typed_yuan_becomes_exact_fen(text, fen):
    assert money.parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "-1", "1.005", "1e3", "abc", "0", "0.00"])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        money.parse_yuan(text)


def test_zero_only_when_allowed_and_the_cap_on_both_sides():
    assert money.parse_yuan("0", allow_zero=True) == 0
    assert money.parse_yuan(money.yuan_plain(money.MAX_FEN)) == money.MAX_FEN
    with pytest.raises(ValueError):
        money.parse_yuan(money.yuan_plain(money.MAX_FEN + 1))
