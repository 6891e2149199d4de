"""core.natural: buildings and units in the order people count them (issue 16 item 11)."""

from __future__ import annotations

import pytest

from core.natural import natural_key, natural_sorted


def test_buildings_sort_1_2_10_not_10_1_2():
    assert natural_sorted(["10栋", "1栋", "2栋"]) == ["1栋", "2栋", "10栋"]


def test_unit_codes_compare_every_number_as_a_number():
    codes = ["10栋-1单元-101", "1栋-2单元-1201", "1栋-2单元-201", "1栋-10单元-101", "2栋-1单元-101"]
    assert natural_sorted(codes) == [
        "1栋-2单元-201",
        "1栋-2单元-1201",
        "1栋-10单元-101",
        "2栋-1单元-101",
        "10栋-1单元-101",
    ]


@pytest.mark.parametrize(
    ("smaller", "larger"),
    [
        ("9栋", "10栋"),  # one digit against two
        ("10栋", "11栋"),
        ("A座", "B座"),  # text compares as text
        ("a座", "B座"),  # case-folded
        ("1栋", "1栋A"),  # a prefix first
        ("1栋", "栋"),  # a name starting with a number before one starting with text
        ("a", "a1"),  # text, then text followed by a number
        ("01", "1"),  # equal numbers: a fixed, total order (by the text)
    ],
)
def test_order_on_both_sides(smaller, larger):
    assert natural_key(smaller) < natural_key(larger)
    assert not natural_key(larger) < natural_key(smaller)


def test_mixed_names_never_raise_and_keep_the_same_order_twice():
    names = ["B座", "10栋", "", "地下车库", "1栋", "a座", "1-1", "1栋-01"]
    assert natural_sorted(names) == natural_sorted(list(reversed(names)))


def test_key_function_picks_the_field():
    rows = [{"name": "12栋"}, {"name": "3栋"}]
    assert natural_sorted(rows, key=lambda row: row["name"]) == [{"name": "3栋"}, {"name": "12栋"}]
