"""Bad register files (issue #9 item 4): random bytes, wrong encodings, broken XLSX,
formula cells, huge numbers and negative areas. Whatever the file, the import answers
with a report — refused files list their errors by line — and a refused file stores
nothing: the register's row counts are the same before and after."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from estates.models import Building, Ownership, Person, Unit
from estates.register_csv import COLUMNS
from estates.services.importing import register_import
from tests.factories import make_ric

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HEADER = ",".join(COLUMNS)
# 楼栋,单元,房号,用途,登记面积,实测面积,合同面积,是否交付,开发商持有,业主姓名,身份证号,手机号
ROW = [
    "1栋",
    "1单元",
    "101",
    "住宅",
    "89.50",
    "",
    "",
    "是",
    "否",
    "王甲",
    make_ric(901),
    "13900000901",
]


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Building, Unit, Person, Ownership))


def _csv(*rows: list[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join([HEADER, *(",".join(r) for r in rows)]) + "\n").encode(encoding)


def _import(district, data: bytes, filename: str = "register.csv"):
    before = _counts()
    try:
        report = register_import(area=district.a1, data=data, filename=filename, actor=None)
    except DomainError:
        report = None  # a clear refusal is fine; anything else fails the test
    if report is None or not report.ok:
        assert _counts() == before, "a refused file stored something"
    return report


def _refused_with_lines(report) -> bool:
    return (
        report is not None
        and not report.ok
        and report.errors
        and all(isinstance(line, int) and line >= 1 and reason for line, reason in report.errors)
    )


@SETTINGS
@given(data=st.binary(max_size=4096), extension=st.sampled_from([".csv", ".xlsx", ".CSV", ""]))
def test_random_bytes_are_refused_with_a_report_and_store_nothing(district, data, extension):
    report = _import(district, data, "register" + extension)

    assert _refused_with_lines(report)


@SETTINGS
@given(
    body=st.binary(min_size=4, max_size=2048),
)
def test_a_damaged_zip_named_xlsx_is_refused(district, body):
    report = _import(district, b"PK\x03\x04" + body, "register.xlsx")

    assert _refused_with_lines(report)


def _mojibake(data: bytes) -> bytes:
    # UTF-8 read as Latin-1 and saved again as UTF-8: a common spreadsheet round trip.
    return data.decode("utf-8").encode("utf-8").decode("latin-1").encode("utf-8")


ENCODED = {
    "utf-16": lambda: _csv(ROW, encoding="utf-16"),
    "utf-16-be without BOM": lambda: _csv(ROW, encoding="utf-16-be"),
    "utf-32": lambda: _csv(ROW, encoding="utf-32"),
    "EBCDIC": lambda: "\n".join([HEADER, ",".join(ROW)]).encode("cp500", errors="replace"),
    "mojibake": lambda: _mojibake(_csv(ROW)),
}


@pytest.mark.parametrize("encoding", list(ENCODED))
def test_a_register_in_another_encoding_is_refused_and_stores_nothing(district, encoding):
    report = _import(district, ENCODED[encoding]())

    assert _refused_with_lines(report)


def test_the_same_register_in_gb18030_is_read(district):
    report = _import(district, _csv(ROW, encoding="gb18030"))

    assert report.ok
    assert Unit.objects.get().registered_area == Decimal("89.50")


areas = st.one_of(
    st.sampled_from(
        [
            "-89.50",
            "-0.01",
            "0",
            "0.00",
            "-0",
            "0.001",
            "89.505",
            "1e3",
            "1E309",
            "NaN",
            "Infinity",
            "-Infinity",
            "9999999999.99",
            "10000000000",
            "1" * 40,
            "８９.５０",
            "89,50",
            "0x10",
            " ",
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=12),
)


@SETTINGS
@given(area=areas)
def test_an_area_is_stored_only_when_it_is_a_positive_amount_that_fits(district, area):
    row = [*ROW]
    row[4] = area.replace(",", "").replace("\n", "").replace("\r", "").replace('"', "")
    report = _import(district, _csv(row))

    if report is not None and report.ok:
        stored = Unit.objects.get(code__endswith="101").registered_area
        assert Decimal("0") < stored < Decimal("10000000000")
        assert stored == Decimal(row[4].strip()).quantize(Decimal("0.01"))
    else:
        assert _refused_with_lines(report)
        assert any(line == 2 for line, _reason in report.errors)


@SETTINGS
@given(
    cell=st.sampled_from([0, 1, 9, 10]),  # building, stair, name, ID
    text=st.one_of(
        st.sampled_from(
            ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", '=HYPERLINK("x")']
        ),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    ),
)
def test_formula_or_odd_text_in_a_cell_is_stored_verbatim_or_refused_never_a_crash(
    district, cell, text
):
    row = [*ROW]
    row[cell] = text.replace(",", "").replace("\n", "").replace("\r", "").replace('"', "")

    report = _import(district, _csv(row))

    if report is None or not report.ok:
        assert _refused_with_lines(report)
    elif cell == 9:
        assert Person.objects.filter(name=row[9].strip()).exists()


def test_a_huge_xlsx_number_in_the_id_column_is_refused_with_its_line(district):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    row = [*ROW]
    row[10] = 3.41302196301034e17  # an ID typed into a number cell: digits already lost
    row[4] = 1e308
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = _import(district, buffer.getvalue(), "register.xlsx")

    assert _refused_with_lines(report)
    assert {line for line, _reason in report.errors} == {2}


def test_a_file_of_many_bad_rows_is_refused_whole_and_lists_every_line(district):
    good = [*ROW]
    bad = [*ROW[:4], "-1", *ROW[5:]]
    rows = [good] + [
        [*bad[:2], str(200 + n), *bad[3:10], make_ric(2000 + n), f"139{n:08d}"] for n in range(50)
    ]

    report = _import(district, _csv(*rows))

    assert not report.ok
    assert [line for line, _reason in report.errors] == list(range(3, 53))
    assert _counts() == (0, 0, 0, 0)
