"""The bank statement parser (``funds.ledger.reconciliation.bankcsv``): pure, exact to the fen, all or nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funds.ledger.reconciliation import bankcsv
from funds.ledger.reconciliation.bankcsv import (
    format_amount,
    parse_amount,
    parse_date,
    parse_statement,
)

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "bank-statement-sample.csv"
HEADER = "交易日期,借方金额,贷方金额,余额,流水号,对方户名,摘要"


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def lines_of(parsed) -> list[tuple]:
    return [(x.line, x.value_date, x.amount_fen, x.balance_fen) for x in parsed.lines]


# --------------------------------------------------------------------------- the sample


def test_the_sample_parses_with_its_title_rows_skipped():
    parsed = parse_statement(SAMPLE.read_bytes())

    assert parsed.ok and parsed.errors == ()
    assert parsed.encoding == "utf-8"
    assert lines_of(parsed) == [
        (4, date(2025, 2, 15), 50_000, 3_123_125),
        (5, date(2025, 6, 30), 12_345, 3_135_470),
        (6, date(2025, 9, 2), -300_000, 2_835_470),
        (7, date(2025, 12, 1), 10_000, 2_845_470),
        (8, date(2025, 12, 15), -200_000, 2_645_470),
        (9, date(2025, 12, 21), -500, 2_644_970),
    ]
    assert (parsed.opening_balance_fen, parsed.closing_balance_fen) == (3_073_125, 2_644_970)
    assert (parsed.credits_fen, parsed.debits_fen) == (72_345, 500_500)
    assert (parsed.start_date, parsed.end_date) == (date(2025, 2, 15), date(2025, 12, 21))
    assert parsed.accounts == ("1317000000000000001",)
    first = parsed.lines[0]
    assert (first.reference, first.counterparty, first.memo) == (
        "BANK-20250215-0001",
        "王某",
        "维修资金交存 1栋-1单元-101",
    )


def test_the_sample_saved_as_gb18030_gives_the_same_lines():
    data = SAMPLE.read_text(encoding="utf-8").encode("gb18030")

    parsed = parse_statement(data)

    assert parsed.encoding == "gb18030"
    assert parsed.lines == parse_statement(SAMPLE.read_bytes()).lines


def test_a_utf8_bom_is_dropped():
    parsed = parse_statement(b"\xef\xbb\xbf" + SAMPLE.read_bytes())

    assert parsed.encoding == "utf-8-sig"
    assert len(parsed.lines) == 6


# --------------------------------------------------------------------------- encodings


def test_utf16_is_refused_as_a_wrong_encoding():
    parsed = parse_statement(SAMPLE.read_text(encoding="utf-8").encode("utf-16"))

    assert not parsed.ok
    assert parsed.errors[0].line == 1
    assert "UTF-16" in parsed.errors[0].reason


def test_utf16_without_a_bom_is_refused_too():
    parsed = parse_statement(SAMPLE.read_text(encoding="utf-8").encode("utf-16-le"))

    assert not parsed.ok
    assert "编码" in parsed.errors[0].reason


def test_undecodable_bytes_are_reported_at_their_line():
    good = csv_bytes("2025-01-02,,1.00,1.00,R1,甲,x", "2025-01-03,,1.00,2.00,R2,乙,y")
    data = good + b"2025-01-04,,1.00,3.00,R3," + b"\xff\xfe\xfa" + b",z\n"

    parsed = parse_statement(data)

    assert not parsed.ok
    assert parsed.errors[0].line == 4
    assert "编码无法识别" in parsed.errors[0].reason


def test_a_file_in_an_unknown_encoding_has_no_recognisable_header():
    parsed = parse_statement(SAMPLE.read_text(encoding="utf-8").encode("big5", errors="replace"))

    assert not parsed.ok
    assert "找不到表头" in parsed.errors[0].reason


# --------------------------------------------------------------------------- layouts


def test_a_signed_amount_column_works_like_debit_and_credit():
    data = csv_bytes(
        "2025-03-01,+1000.00,1000.00,A1,甲",
        "2025-03-02,-250.5,749.50,A2,乙",
        header="date,amount,balance,reference,counterparty",
    )

    parsed = parse_statement(data)

    assert lines_of(parsed) == [
        (2, date(2025, 3, 1), 100_000, 100_000),
        (3, date(2025, 3, 2), -25_050, 74_950),
    ]
    assert parsed.opening_balance_fen == 0


def test_a_newest_first_statement_is_put_in_time_order():
    data = csv_bytes(
        "2025-03-03,10.00,,90.00,A3,丙,",
        "2025-03-02,,50.00,100.00,A2,乙,",
        "2025-03-01,,50.00,50.00,A1,甲,",
    )

    parsed = parse_statement(data)

    assert parsed.newest_first
    assert [x.reference for x in parsed.lines] == ["A1", "A2", "A3"]
    assert (parsed.opening_balance_fen, parsed.closing_balance_fen) == (0, 9_000)


def test_columns_in_any_order_with_other_columns_ignored():
    data = csv_bytes(
        "附言,1317,R9,99.99,2025/3/1,甲,,99.99",
        header="摘要,本方账号,交易流水号,账户余额,记账日期,对方名称,支出,收入",
    )

    parsed = parse_statement(data)

    assert lines_of(parsed) == [(2, date(2025, 3, 1), 9_999, 9_999)]
    assert parsed.lines[0].account == "1317"


# --------------------------------------------------------------------------- refusals


def test_any_bad_row_refuses_the_whole_file_with_every_line_number():
    data = csv_bytes(
        "2025-01-02,,100.00,100.00,R1,甲,",  # 2 good
        "2025-13-02,,100.00,200.00,R2,甲,",  # 3 no such month
        "2025-01-04,,1.005,201.005,R3,甲,",  # 4 three decimals (and the balance)
        "2025-01-05,5.00,5.00,200.00,R4,甲,",  # 5 both sides
        "2025-01-06,0.00,,200.00,R5,甲,",  # 6 zero
        "2025-01-07,,10.00,,R6,甲,",  # 7 no balance
        "2025-01-08,,abc,210.00,R7,甲,",  # 8 not a number
        "2025-01-09,,10.00,220.00,R8,甲,,extra",  # 9 more cells than the header
    )

    parsed = parse_statement(data)

    assert parsed.lines == ()
    assert not parsed.ok
    assert sorted({e.line for e in parsed.errors}) == [3, 4, 5, 6, 7, 8, 9]
    reasons = {e.line: e.reason for e in parsed.errors}
    assert "不存在" in reasons[3]
    assert "两位小数" in reasons[4]
    assert "同时有数" in reasons[5]
    assert "金额为零" in reasons[6]
    assert "缺少余额" in reasons[7]
    assert "最多两位小数" in reasons[8]
    assert "多于表头" in reasons[9]


def test_a_balance_that_does_not_follow_is_refused_at_its_line():
    data = csv_bytes(
        "2025-01-02,,100.00,100.00,R1,甲,",
        "2025-01-03,,100.00,200.00,R2,甲,",
        "2025-01-05,,100.00,299.99,R3,甲,",
    )

    parsed = parse_statement(data)

    assert not parsed.ok
    (error,) = parsed.errors
    assert error.line == 4
    assert "应为 300.00" in error.reason
    assert str(error).startswith("第 4 行：")


def test_dates_going_back_are_refused():
    data = csv_bytes("2025-01-03,,100.00,100.00,R1,甲,", "2025-01-02,,100.00,200.00,R2,甲,")

    parsed = parse_statement(data)

    assert [e.line for e in parsed.errors] == [3]
    assert "时间顺序" in parsed.errors[0].reason


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("交易日期,金额,余额,对方户名", "缺少必需的列：流水号"),
        ("交易日期,金额,余额,流水号", "缺少必需的列：对方户名"),
        ("交易日期,借方金额,余额,流水号,对方户名", "缺少金额列"),
        ("交易日期,金额,借方金额,贷方金额,余额,流水号,对方户名", "只能用其中一种"),
        ("交易日期,金额,余额,余额,流水号,对方户名", "“余额”列出现了 2 次"),
    ],
)
def test_a_header_without_what_is_needed_is_refused(header, expected):
    parsed = parse_statement(csv_bytes("2025-01-02,1.00,1.00,R1,甲", header=header))

    assert not parsed.ok
    assert parsed.errors[0].line == 1
    assert expected in parsed.errors[0].reason


def test_a_header_after_ten_title_rows_is_not_looked_for():
    titles = [f"标题{i}" for i in range(10)]

    parsed = parse_statement(csv_bytes(*titles, "2025-01-02,,1.00,1.00,R1,甲,", header="说明"))

    assert not parsed.ok
    assert "找不到表头" in parsed.errors[0].reason


def test_an_empty_or_header_only_file_is_refused():
    assert "文件是空的" in parse_statement(b"  \n").errors[0].reason
    only = parse_statement(csv_bytes())
    assert not only.ok
    assert "没有任何交易" in only.errors[0].reason


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    parsed = parse_statement(b"x" * (bankcsv.MAX_BYTES + 1))

    assert not parsed.ok
    assert "文件过大" in parsed.errors[0].reason
    assert parse_statement(b"x" * bankcsv.MAX_BYTES).errors[0].reason != parsed.errors[0].reason


def test_a_text_over_its_limit_or_with_control_characters_is_refused():
    long = "流" * 61
    data = csv_bytes(f"2025-01-02,,1.00,1.00,{long},甲,", "2025-01-03,,1.00,2.00,R2,甲\x07,")

    parsed = parse_statement(data)

    assert [e.line for e in parsed.errors] == [2, 3]
    assert "超过 60 个字符" in parsed.errors[0].reason
    assert "控制字符" in parsed.errors[1].reason


def test_errors_kept_are_capped_and_counted():
    rows = [f"2025-01-02,,x{i},1.00,R{i},甲," for i in range(bankcsv.MAX_ERRORS + 50)]

    parsed = parse_statement(csv_bytes(*rows))

    assert len(parsed.errors) == bankcsv.MAX_ERRORS
    assert parsed.errors_total == bankcsv.MAX_ERRORS + 50


# --------------------------------------------------------------------------- amounts and dates


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("0.01", 1),
        ("1", 100),
        ("1.5", 150),
        ("1,234.56", 123_456),
        ("-1,234,567.89", -123_456_789),
        ("+12.30", 1_230),
        ("¥8.00", 800),
        ("-￥8.00", -800),
        (" 1 000.00 ", 100_000),
    ],
)
def test_amounts_in_yuan_become_exact_fen(text, fen):
    assert parse_amount(text) == fen


@pytest.mark.parametrize("text", ["1.001", "1,23.00", "12,34", "1e3", "NaN", "", "--1", "1.", ".5"])
def test_anything_else_is_not_an_amount(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_a_debit_or_credit_cell_cannot_be_negative():
    with pytest.raises(ValueError, match="不能为负数"):
        parse_amount("-1.00", signed=False)


@given(
    fen=st.integers(min_value=-(10**14), max_value=10**14),
    thousands=st.booleans(),
)
def test_any_amount_written_in_yuan_reads_back_to_the_same_fen(fen, thousands):
    assert parse_amount(format_amount(fen, thousands=thousands)) == fen


@given(whole=st.integers(min_value=0, max_value=10**12), tenths=st.integers(0, 9))
def test_one_decimal_is_tens_of_fen_as_decimal_arithmetic_says(whole, tenths):
    text = f"{whole}.{tenths}"

    assert parse_amount(text) == int(Decimal(text) * 100) == whole * 100 + tenths * 10


@given(
    amounts=st.lists(
        st.integers(min_value=-(10**9), max_value=10**9).filter(bool), min_size=1, max_size=30
    ),
    opening=st.integers(min_value=0, max_value=10**11),
    signed=st.booleans(),
)
def test_a_statement_of_any_amounts_reads_back_exactly(amounts, opening, signed):
    balance = opening
    rows = []
    day = date(2025, 1, 1)
    for n, fen in enumerate(amounts):
        balance += fen
        if signed:
            money = format_amount(fen)
        else:
            debit = format_amount(-fen, thousands=True) if fen < 0 else ""
            credit = format_amount(fen, thousands=True) if fen > 0 else ""
            money = f'"{debit}","{credit}"'
        rows.append(
            f'{day + timedelta(days=n)},{money},"{format_amount(balance, thousands=True)}",R{n},x'
        )
    header = (
        "交易日期,金额,余额,流水号,对方户名"
        if signed
        else "交易日期,借方金额,贷方金额,余额,流水号,对方户名"
    )

    parsed = parse_statement(csv_bytes(*rows, header=header))

    assert parsed.ok, parsed.errors
    assert [x.amount_fen for x in parsed.lines] == amounts
    assert parsed.closing_balance_fen == opening + sum(amounts)
    assert parsed.credits_fen - parsed.debits_fen == sum(amounts)


@pytest.mark.parametrize(
    "text", ["2025-01-31", "2025/1/31", "2025.01.31", "20250131", "2025-01-31 10:22:33"]
)
def test_dates_in_the_usual_bank_forms(text):
    assert parse_date(text) == date(2025, 1, 31)


@pytest.mark.parametrize("text", ["2025-02-30", "31/01/2025", "2025131", "2025-01"])
def test_dates_that_are_not(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_the_parser_imports_no_django():
    import ast

    modules = set()
    for path in Path(bankcsv.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    assert modules <= {
        "__future__",
        "csv",
        "dataclasses",
        "datetime",
        "hashlib",
        "io",
        "json",
        "re",
    }
