"""Calendar quarters: bounds, the "finished" boundary, labels."""

from __future__ import annotations

from datetime import date

import pytest

from revenue.quarters import Quarter, last_finished


@pytest.mark.parametrize(
    ("quarter", "first", "last"),
    [
        (1, date(2024, 1, 1), date(2024, 3, 31)),
        (2, date(2024, 4, 1), date(2024, 6, 30)),
        (3, date(2024, 7, 1), date(2024, 9, 30)),
        (4, date(2024, 10, 1), date(2024, 12, 31)),
    ],
)
def test_each_quarter_runs_from_its_first_to_its_last_day(quarter, first, last):
    period = Quarter(2024, quarter)
    assert (period.first_day, period.last_day) == (first, last)
    assert Quarter.of(first) == period and Quarter.of(last) == period


def test_a_quarter_is_finished_only_after_its_last_day():
    period = Quarter(2025, 1)
    assert not period.finished(date(2025, 3, 30))
    assert not period.finished(date(2025, 3, 31))
    assert period.finished(date(2025, 4, 1))


def test_the_last_finished_quarter_of_a_first_quarter_day_is_the_previous_year_s_fourth():
    assert last_finished(date(2026, 1, 1)) == Quarter(2025, 4)
    assert last_finished(date(2026, 3, 31)) == Quarter(2025, 4)
    assert last_finished(date(2026, 4, 1)) == Quarter(2026, 1)


@pytest.mark.parametrize(
    ("year", "quarter"), [(2025, 0), (2025, 5), (1999, 1), (2025, True), ("2025", 1)]
)
def test_an_impossible_quarter_is_refused(year, quarter):
    with pytest.raises(ValueError):
        Quarter(year, quarter)


def test_labels_name_the_quarter_in_chinese():
    assert Quarter(2026, 3).label == "2026年第三季度"
    assert Quarter(2026, 3).span == "2026-07-01至2026-09-30"
    assert Quarter(2026, 3).key == "2026Q3"
