"""The pure rules of the use procedure: warranty periods (day exact) and the bank file."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funds.ledger.reconciliation import bankfile
from funds.procedure import warranty

# --------------------------------------------------------------------------- warranty


@pytest.mark.parametrize(
    ("repair_type", "completed", "last_day"),
    [
        (warranty.WATERPROOFING, date(2020, 6, 15), date(2025, 6, 15)),
        (warranty.ELECTRICAL, date(2020, 6, 15), date(2022, 6, 15)),
        (warranty.PLUMBING, date(2020, 6, 15), date(2022, 6, 15)),
        (warranty.DRAINAGE, date(2020, 6, 15), date(2022, 6, 15)),
        (warranty.EQUIPMENT, date(2020, 6, 15), date(2022, 6, 15)),
        (warranty.DECORATION, date(2020, 6, 15), date(2022, 6, 15)),
        # Civil Code art. 202: no corresponding day → the month's last day.
        (warranty.ELECTRICAL, date(2020, 2, 29), date(2022, 2, 28)),
        (warranty.WATERPROOFING, date(2019, 2, 28), date(2024, 2, 28)),
        (warranty.STRUCTURE, date(2000, 1, 31), date(2050, 1, 31)),
    ],
)
def test_a_period_in_years_ends_on_the_corresponding_day(repair_type, completed, last_day):
    assert warranty.warranty_end(repair_type, completed) == last_day


def test_the_last_day_is_in_warranty_and_the_next_is_not():
    completed = date(2020, 6, 15)
    [on_last] = warranty.warranty_check(
        warranty.WATERPROOFING, {"1栋": completed}, date(2025, 6, 15)
    )
    [after] = warranty.warranty_check(warranty.WATERPROOFING, {"1栋": completed}, date(2025, 6, 16))
    assert (on_last.status, on_last.flagged) == (warranty.IN, True)
    assert (after.status, after.flagged) == (warranty.OUT, False)


def test_heating_counts_two_whole_seasons_beginning_after_completion():
    # Completed mid-season (1 Dec 2020): the 2020/21 season is not whole; 2021/22 and
    # 2022/23 count, so the warranty ends on 15 Mar 2023.
    assert warranty.warranty_end(warranty.HEATING, date(2020, 12, 1)) == date(2023, 3, 15)
    # Completed the day before a season starts: that season counts.
    assert warranty.warranty_end(warranty.HEATING, date(2020, 11, 14)) == date(2022, 3, 15)
    # Completed on its first day: the day is not counted (art. 201), so it does not.
    assert warranty.warranty_end(warranty.HEATING, date(2020, 11, 15)) == date(2023, 3, 15)


def test_cooling_counts_two_cooling_seasons():
    assert warranty.warranty_end(warranty.COOLING, date(2020, 5, 31)) == date(2021, 9, 30)
    assert warranty.warranty_end(warranty.COOLING, date(2020, 6, 1)) == date(2022, 9, 30)


def test_seasons_follow_the_configured_dates():
    season = (10, 15, 4, 15)  # a longer northern heating season
    assert warranty.warranty_end(warranty.HEATING, date(2020, 10, 14), heating=season) == date(
        2022, 4, 15
    )


def test_work_with_no_statutory_warranty_is_never_flagged():
    [check] = warranty.warranty_check(warranty.OTHER, {"1栋": date(2024, 1, 1)}, date(2024, 1, 2))
    assert check.status == warranty.NONE and not check.flagged


def test_an_unknown_completion_date_is_flagged():
    [check] = warranty.warranty_check(warranty.ELECTRICAL, {"1栋": None}, date(2024, 1, 2))
    assert check.status == warranty.UNKNOWN and check.flagged


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2080, 12, 31)),
    st.sampled_from(
        [warranty.WATERPROOFING, warranty.ELECTRICAL, warranty.HEATING, warranty.COOLING]
    ),
)
def test_a_warranty_always_ends_after_completion_and_within_six_years(completed, repair_type):
    ends = warranty.warranty_end(repair_type, completed)
    assert completed < ends <= date(completed.year + 6, 12, 31)


# --------------------------------------------------------------------------- bank file


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_bank_file_has_the_account_amount_in_yuan_and_the_key():
    data = bankfile.bank_csv(
        [
            {
                "key": "PAY-7",
                "payer_bank": "工商银行",
                "payer_account": "1317000000000000001",
                "payee_name": "某防水公司",
                "payee_bank": "建设银行",
                "payee_account": "6217000000000000001",
                "amount_fen": 987_654_321,
                "memo": "1栋屋面防水",
            }
        ]
    )
    header, row = rows_of(data)
    assert header[0] == "指令编号（幂等键）" and len(header) == 8
    assert row == [
        "PAY-7",
        "工商银行",
        "1317000000000000001",
        "某防水公司",
        "建设银行",
        "6217000000000000001",
        "9876543.21",
        "1栋屋面防水",
    ]


@pytest.mark.parametrize("evil", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_evaluate_is_neutralised(evil):
    data = bankfile.bank_csv([{"key": "k", "payee_name": evil, "memo": evil, "amount_fen": 1}])
    _header, row = rows_of(data)
    assert row[3].startswith("'") and row[7].startswith("'")
    assert row[6] == "0.01"


def test_a_plain_cell_is_left_as_it_is():
    assert bankfile.safe_cell("宿州某公司") == "宿州某公司"
    assert bankfile.safe_cell("a\nb") == "a b"


@pytest.mark.parametrize("bad", [-1, 1.5, True, "100"])
def test_an_amount_that_is_not_non_negative_int_fen_is_refused(bad):
    with pytest.raises(ValueError):
        bankfile.yuan_text(bad)
