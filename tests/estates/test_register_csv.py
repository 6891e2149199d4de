"""The register file parser: every error reason with its exact line, and the encodings.

Pure: estates.register_csv has no Django import and these tests need no database.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from stdnum.cn import ric

from estates.register_csv import COLUMNS, OwnerEntry, RowError, parse_csv, parse_rows

HEADER = ",".join(COLUMNS)


def make_id(serial: int, birth: str = "19800101") -> str:
    body = f"341302{birth}{serial:03d}"
    # stdnum's calc_check_digit expects the full 18 characters and ignores the last one.
    return body + ric.calc_check_digit(body + "0")


ID1, ID2, ID3 = make_id(1), make_id(2, "19630103"), make_id(3, "20030704")


def wrong_check_digit(id_number: str) -> str:
    last = id_number[-1]
    return id_number[:-1] + ("0" if last != "0" else "1")


def row(
    building="1栋",
    stair="1单元",
    room="101",
    use="住宅",
    registered="89.50",
    surveyed="89.87",
    contract="",
    delivered="是",
    developer="否",
    names="张三",
    ids=ID1,
    phones="13800000001",
) -> str:
    return ",".join(
        [building, stair, room, use, registered, surveyed, contract, delivered, developer]
        + [names, ids, phones]
    )


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *rows, ""]).encode(encoding)


def errors_of(*rows: str) -> list[RowError]:
    return parse_csv(csv_bytes(*rows)).errors


# --- a valid file ----------------------------------------------------------------------------


def test_valid_rows_are_parsed_with_code_areas_flags_and_owners():
    parsed = parse_csv(
        csv_bytes(
            row(),
            row(
                room="102",
                use="非住宅",
                registered="",
                surveyed="",
                contract="125.5",
                delivered="否",
                names="李四;王五",
                ids=f"{ID2};{ID3}",
                phones="13900000002;13700000003",
            ),
            row(room="201", names="", ids="", phones="", developer="是", delivered="否"),
        )
    )
    assert parsed.errors == []
    first, second, third = parsed.rows
    assert (first.line, first.code, first.building, first.stair, first.room) == (
        2,
        "1栋-1单元-101",
        "1栋",
        "1单元",
        "101",
    )
    assert (first.registered_area, first.surveyed_area, first.contract_area) == (
        Decimal("89.50"),
        Decimal("89.87"),
        None,
    )
    assert first.owners == (OwnerEntry("张三", ID1, "13800000001"),)
    assert (first.use, first.delivered, first.developer_held) == ("住宅", True, False)
    assert second.line == 3
    assert second.use == "非住宅"
    assert str(second.contract_area) == "125.50"
    assert second.delivered is False
    assert second.owners == (
        ("李四", ID2, "13900000002"),
        ("王五", ID3, "13700000003"),
    )
    assert (third.line, third.developer_held, third.owners) == (4, True, ())


def test_row_becomes_a_unit_record_with_the_owner_keys_given():
    parsed = parse_csv(
        csv_bytes(row(names="李四;王五", ids=f"{ID2};{ID3}", phones="13900000002;13700000003"))
    )
    record = parsed.rows[0].to_unit(owner_key=lambda id_number: f"k:{id_number}")
    assert record.code == "1栋-1单元-101"
    assert record.building == "1栋"
    assert record.owners == frozenset({f"k:{ID2}", f"k:{ID3}"})
    assert record.registered_area == Decimal("89.50")


def test_full_width_separator_lower_case_x_and_plus86_phone_are_normalised():
    id_with_x = next(make_id(n) for n in range(1000) if make_id(n).endswith("X"))
    parsed = parse_csv(
        csv_bytes(
            row(
                names="李四；王五",
                ids=f"{id_with_x.lower()}；{ID3}",
                phones="+86 139-0000-0002；13700000003;",
            )
        )
    )
    assert parsed.errors == []
    assert parsed.rows[0].owners == (
        ("李四", id_with_x, "13900000002"),
        ("王五", ID3, "13700000003"),
    )


def test_area_with_trailing_zero_beyond_two_places_is_accepted_as_two_places():
    parsed = parse_csv(csv_bytes(row(registered="89.500")))
    assert parsed.errors == []
    assert str(parsed.rows[0].registered_area) == "89.50"


def test_blank_lines_are_skipped_and_line_numbers_stay_those_of_the_file():
    data = "\n".join([HEADER, row(), "", ",,,,,,,,,,,", row(room="102", use="商铺"), ""])
    parsed = parse_csv(data.encode("utf-8"))
    assert [r.line for r in parsed.rows] == [2]
    assert parsed.errors == [RowError(5, "用途“商铺”无效，只能填“住宅”或“非住宅”", "用途")]


def test_a_quoted_cell_spanning_lines_reports_the_line_where_its_row_starts():
    data = "\n".join([HEADER, row(names='"张\n三"'), row(room="102", phones="123"), ""])
    errors = parse_csv(data.encode("utf-8")).errors
    assert errors == [RowError(4, "第 1 个手机号不是有效的11位中国大陆手机号码", "手机号")]


def test_extra_columns_are_ignored_and_column_order_does_not_matter():
    header = ",".join(["备注", *reversed(COLUMNS)])
    line = ",".join(["x", *reversed(row().split(","))])
    parsed = parse_csv(csv_bytes(line, header=header))
    assert parsed.errors == []
    assert parsed.rows[0].code == "1栋-1单元-101"


# --- every error reason, each with its line --------------------------------------------------


def test_id_number_with_a_wrong_check_digit_is_reported():
    assert errors_of(row(), row(room="102", ids=wrong_check_digit(ID2))) == [
        RowError(3, "第 1 个身份证号校验位不正确", "身份证号")
    ]


@pytest.mark.parametrize("bad", ["34130219800101001", "3413021980010100123", "34130219800101A01X"])
def test_id_number_with_a_wrong_format_is_reported(bad):
    assert errors_of(row(ids=bad)) == [
        RowError(2, "第 1 个身份证号格式不正确（应为18位，最后一位可为X）", "身份证号")
    ]


def test_id_number_with_an_impossible_birth_date_is_reported():
    bad = make_id(5, "19800230")
    assert errors_of(row(ids=bad)) == [RowError(2, "第 1 个身份证号中的出生日期无效", "身份证号")]


def test_id_number_of_a_1998_district_held_by_someone_born_earlier_is_accepted():
    # stdnum's ric.validate refuses 341302 (埇桥区, 1998) for a 1963 birth; real IDs do exist.
    assert errors_of(row(ids=make_id(7, "19630103"))) == []


def test_second_owner_with_a_bad_id_is_named_by_position():
    errors = errors_of(
        row(names="甲;乙", ids=f"{ID1};{wrong_check_digit(ID2)}", phones="13800000001;13800000002")
    )
    assert errors == [RowError(2, "第 2 个身份证号校验位不正确", "身份证号")]


def test_same_id_twice_in_a_row_is_reported():
    errors = errors_of(row(names="甲;乙", ids=f"{ID1};{ID1}", phones="13800000001;13800000002"))
    assert errors == [RowError(2, "同一行中身份证号重复", "身份证号")]


@pytest.mark.parametrize("bad", ["1380000000", "138000000011", "12800000001", "0551-1234567"])
def test_phone_that_is_not_an_11_digit_mainland_mobile_is_reported(bad):
    assert errors_of(row(phones=bad)) == [
        RowError(2, "第 1 个手机号不是有效的11位中国大陆手机号码", "手机号")
    ]


def test_all_three_areas_missing_is_reported():
    assert errors_of(row(), row(room="102", registered="", surveyed="", contract="")) == [
        RowError(3, "登记面积、实测面积、合同面积均为空，至少需要填写一项")
    ]


@pytest.mark.parametrize("bad", ["0", "0.00", "-89.50"])
def test_area_not_greater_than_zero_is_reported(bad):
    assert errors_of(row(surveyed=bad)) == [RowError(2, f"实测面积“{bad}”必须大于 0", "实测面积")]


def test_area_with_more_than_two_decimals_is_reported():
    assert errors_of(row(contract="89.505")) == [
        RowError(2, "合同面积“89.505”最多保留两位小数", "合同面积")
    ]


@pytest.mark.parametrize("bad", ["abc", "89,5", "1e2", "89.5㎡", "NaN"])
def test_area_that_is_not_a_number_is_reported(bad):
    line = row(registered=f'"{bad}"')
    assert errors_of(line) == [RowError(2, f"登记面积“{bad}”不是有效的数字", "登记面积")]


def test_area_beyond_the_register_field_is_reported():
    assert errors_of(row(registered="10000000000")) == [
        RowError(2, "登记面积“10000000000”超出范围", "登记面积")
    ]


def test_duplicate_unit_in_the_file_is_reported_on_the_later_line():
    parsed = parse_csv(csv_bytes(row(), row(room="102"), row(names="李四", ids=ID2)))
    assert parsed.errors == [RowError(4, "房屋 1栋1单元101 与第 2 行重复")]
    assert [r.line for r in parsed.rows] == [2, 3]


def test_owned_unit_without_an_owner_is_reported():
    assert errors_of(row(names="", ids="", phones="")) == [
        RowError(2, "非开发商持有的房屋（开发商持有=否）必须填写业主")
    ]


def test_unknown_use_is_reported():
    assert errors_of(row(use="商业")) == [
        RowError(2, "用途“商业”无效，只能填“住宅”或“非住宅”", "用途")
    ]


def test_different_counts_of_names_ids_and_phones_are_reported():
    errors = errors_of(row(names="甲;乙", ids=ID1, phones="13800000001;13800000002"))
    assert errors == [
        RowError(
            2, "业主姓名、身份证号、手机号的个数不一致（姓名 2 个，身份证号 1 个，手机号 2 个）"
        )
    ]


def test_developer_held_unit_listing_owners_is_reported():
    assert errors_of(row(developer="是")) == [
        RowError(2, "开发商持有的房屋不应填写业主姓名、身份证号或手机号")
    ]


@pytest.mark.parametrize(
    ("column", "kwargs", "message"),
    [
        ("是否交付", {"delivered": "Y"}, "是否交付“Y”无效，只能填“是”或“否”"),
        ("开发商持有", {"developer": "不是"}, "开发商持有“不是”无效，只能填“是”或“否”"),
        ("是否交付", {"delivered": ""}, "是否交付为空无效，只能填“是”或“否”"),
    ],
)
def test_unknown_yes_no_value_is_reported(column, kwargs, message):
    assert errors_of(row(**kwargs)) == [RowError(2, message, column)]


def test_missing_required_column_is_reported_on_the_header_line():
    header = ",".join(c for c in COLUMNS if c not in ("身份证号", "合同面积"))
    parsed = parse_csv(csv_bytes("1栋,1单元,101", header=header))
    assert parsed.rows == []
    assert parsed.errors == [
        RowError(1, "缺少必需的列：合同面积", "合同面积"),
        RowError(1, "缺少必需的列：身份证号", "身份证号"),
    ]


def test_column_named_twice_in_the_header_is_reported():
    parsed = parse_csv(csv_bytes(row() + ",x", header=HEADER + ",房号"))
    assert parsed.errors == [RowError(1, "表头中“房号”列出现了两次", "房号")]


def test_empty_file_is_reported():
    assert parse_csv(b"").errors == [RowError(1, "文件为空，缺少表头行")]


def test_row_wider_than_the_header_is_reported():
    assert errors_of(row() + ",多余") == [
        RowError(2, "本行的单元格多于表头（可能有未加引号的逗号）")
    ]


@pytest.mark.parametrize(("column", "kwargs"), [("楼栋", {"building": ""}), ("房号", {"room": ""})])
def test_missing_building_stair_or_room_is_reported(column, kwargs):
    assert errors_of(row(**kwargs)) == [RowError(2, f"{column}为空", column)]


def test_dash_inside_building_stair_or_room_is_refused_as_it_separates_the_code():
    assert errors_of(row(stair="1-1单元")) == [
        RowError(2, "单元“1-1单元”中不能含有“-”（它用于分隔房屋编码）", "单元")
    ]


def test_a_row_with_several_problems_reports_each_and_every_bad_row_is_reported():
    parsed = parse_csv(
        csv_bytes(
            row(use="车位", registered="-1", delivered="?", phones="1"),
            row(room="102"),
            row(room="103", developer="是", ids=wrong_check_digit(ID1)),
        )
    )
    assert parsed.errors == [
        RowError(2, "用途“车位”无效，只能填“住宅”或“非住宅”", "用途"),
        RowError(2, "登记面积“-1”必须大于 0", "登记面积"),
        RowError(2, "是否交付“?”无效，只能填“是”或“否”", "是否交付"),
        RowError(2, "第 1 个手机号不是有效的11位中国大陆手机号码", "手机号"),
        RowError(4, "第 1 个身份证号校验位不正确", "身份证号"),
        RowError(4, "开发商持有的房屋不应填写业主姓名、身份证号或手机号"),
    ]
    assert [r.line for r in parsed.rows] == [3]


# --- encodings and spreadsheet rows ----------------------------------------------------------


def test_utf8_with_bom_is_read():
    parsed = parse_csv(b"\xef\xbb\xbf" + csv_bytes(row()))
    assert parsed.errors == []
    assert parsed.rows[0].owners[0].name == "张三"


def test_gb18030_is_read_when_the_file_is_not_utf8():
    data = csv_bytes(row(names="龍𠀀"), encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    parsed = parse_csv(data)
    assert parsed.errors == []
    assert parsed.rows[0].owners[0].name == "龍𠀀"
    assert parsed.rows[0].code == "1栋-1单元-101"


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_bytes_that_are_neither_utf8_nor_gb18030_are_reported_with_their_line(encoding):
    # The line is where the decoder that got further stopped: line 3 in both files.
    data = csv_bytes(row(), row(room="102"), encoding=encoding)
    data = data.replace(b"102", b"1\x802", 1)
    assert parse_csv(data).errors == [
        RowError(3, "文件编码无法识别：请保存为 UTF-8 或 GB18030（GBK）编码的 CSV 文件")
    ]


def test_parse_rows_accepts_spreadsheet_cells_with_none_and_numbers():
    cells = row().split(",")
    cells[2] = 101  # openpyxl gives numbers as numbers
    cells[6] = None  # and empty cells as None
    parsed = parse_rows(
        list(COLUMNS), [(2, cells), (3, [None] * 12), (7, row(room="7").split(","))]
    )
    assert parsed.errors == []
    assert [(r.line, r.code) for r in parsed.rows] == [(2, "1栋-1单元-101"), (7, "1栋-1单元-7")]
