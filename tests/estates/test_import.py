"""The register import (issue 4 part 2): all or nothing, idempotent, sales, personal data.

Files are built from the shared sample register (edited line by line) and
from ``make_ric``; every expectation is an exact number or message.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from estates.crypto import decrypt_id, id_hmac
from estates.models import Building, ManagementArea, Ownership, Person, Unit
from estates.selectors import area_roll
from estates.services import importing
from estates.services.importing import read_register, register_import
from tests.factories import make_ric

pytestmark = pytest.mark.django_db

# CI clones the repository somewhere else with shared/ beside it: <repo>/../shared/samples.
SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"
SAMPLE_CSV = SAMPLES / "register-sample.csv"
SAMPLE_ROLL = {"rights": 44, "heads": 44, "area": "5341.67", "units": 48}
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"

# Line 2 of the sample: 1栋,1单元,101, one owner 吕斌建.
LINE2_ID = "341302196301034446"
# 秦英英 holds three units of the sample (lines 10, 19, 36).
QIN = ("秦英英", "341302195608214105", "13025583179")


@pytest.fixture
def sample() -> bytes:
    if not SAMPLE_CSV.is_file():
        pytest.skip(f"sample register not found at {SAMPLE_CSV}")
    return SAMPLE_CSV.read_bytes()


def split(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    header = next(reader)
    return header, [dict(zip(header, cells, strict=True)) for cells in reader]


def join(header: list[str], rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[row[name] for name in header] for row in rows])
    return out.getvalue().encode(encoding)


def edited(sample: bytes, line: int, **cells: str) -> bytes:
    """The sample with the cells of file line ``line`` (header = line 1) replaced."""
    header, rows = split(sample)
    rows[line - 2].update(cells)
    return join(header, rows)


def sample_ids(sample: bytes) -> set[str]:
    _header, rows = split(sample)
    return {number for row in rows for number in row["身份证号"].split(";") if number}


def sample_phones(sample: bytes) -> set[str]:
    _header, rows = split(sample)
    return {phone for row in rows for phone in row["手机号"].split(";") if phone}


def run(area, data: bytes, filename: str = "register.csv", **kwargs):
    return register_import(area=area, data=data, filename=filename, actor=None, **kwargs)


def table_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def roll_json(area: ManagementArea) -> dict:
    out = io.StringIO()
    call_command("roll", "--area", area.code, "--json", stdout=out)
    return json.loads(out.getvalue())


def totals(roll: dict) -> dict:
    return {key: value for key, value in roll.items() if key != "digest"}


def today_in_beijing():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def xlsx_bytes(data: bytes, *, numeric_ids: bool = False) -> bytes:
    """The CSV as a workbook typed the way Excel users type: numbers where a cell looks
    like one (room 101 as a number, 89.50 as the float 89.5, phones as integers)."""
    header, rows = split(data)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        cells = []
        for name in header:
            value = row[name]
            if name == "房号" and value.isdigit():
                cells.append(float(value))  # Excel stores every number as a double
            elif name in {"登记面积", "实测面积", "合同面积"} and value:
                cells.append(float(value))
            elif name == "手机号" and value.isdigit():
                cells.append(int(value))
            elif name == "身份证号" and numeric_ids and value.isdigit():
                cells.append(float(value))
            else:
                cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the sample register -----------------------------------------------------------------------


def test_importing_the_sample_gives_the_roll_of_the_samples_readme(district, sample):
    report = run(district.a1, sample)

    assert report.ok
    roll = roll_json(district.a1)
    assert totals(roll) == SAMPLE_ROLL
    assert len(roll["digest"]) == 64


def test_the_sample_import_creates_buildings_units_persons_and_ownerships(district, sample):
    report = run(district.a1, sample)

    c = report.counts
    assert (c.rows, c.units_created, c.units_updated, c.units_unchanged) == (48, 48, 0, 0)
    assert (c.persons_created, c.persons_updated, c.sales, c.not_in_file) == (60, 0, 0, 0)
    assert sorted(Building.objects.filter(area=district.a1).values_list("name", flat=True)) == [
        "1栋",
        "2栋",
    ]
    assert Unit.objects.filter(area=district.a1).count() == 48
    assert Person.objects.count() == 60
    # 48 units, 17 of them with two co-owners.
    assert Ownership.objects.filter(until__isnull=True).count() == 65


def test_a_unit_keeps_its_three_areas_the_basis_used_and_its_floor(district, sample):
    run(district.a1, sample)

    contract_only = Unit.objects.get(area=district.a1, code="1栋-2单元-301")
    assert contract_only.registered_area is None
    assert contract_only.surveyed_area is None
    assert contract_only.contract_area == Decimal("89.55")
    assert (contract_only.area_basis, contract_only.floor_area) == ("contract", Decimal("89.55"))
    surveyed = Unit.objects.get(area=district.a1, code="1栋-1单元-301")
    assert (surveyed.area_basis, surveyed.floor_area) == ("surveyed", Decimal("110.43"))
    shop = Unit.objects.get(area=district.a1, code="1栋-1单元-101")
    assert (shop.area_basis, shop.floor_area, shop.use) == (
        "registered",
        Decimal("89.50"),
        "非住宅",
    )
    assert (shop.building.name, shop.stair, shop.number, shop.floor) == ("1栋", "1单元", "101", 1)
    assert Unit.objects.get(area=district.a1, code="2栋-2单元-602").floor == 6


def test_a_four_digit_room_number_gives_a_two_digit_floor(district, sample):
    run(district.a1, edited(sample, 2, 房号="1203"))

    assert Unit.objects.get(area=district.a1, code="1栋-1单元-1203").floor == 12


def test_a_room_number_that_is_not_digits_gives_no_floor(district, sample):
    run(district.a1, edited(sample, 2, 房号="商铺A"))

    assert Unit.objects.get(area=district.a1, code="1栋-1单元-商铺A").floor is None


def test_one_audit_event_records_the_import_with_counts_and_the_file_digest(district, sample):
    report = run(district.a1, sample)

    events = list(AuditEvent.objects.all())
    assert [event.action for event in events] == ["register.import"]
    event = events[0]
    assert (event.object_type, event.object_id) == ("estates.managementarea", str(district.a1.pk))
    assert event.summary["file_sha256"] == report.file_sha256
    assert (event.summary["units_created"], event.summary["persons_created"]) == (48, 60)


def test_a_dry_run_counts_everything_and_writes_nothing(district, sample):
    before = table_counts()

    report = run(district.a1, sample, dry_run=True)

    assert report.ok and report.dry_run
    assert (report.counts.units_created, report.counts.persons_created) == (48, 60)
    assert table_counts() == before


# --- all or nothing ------------------------------------------------------------------------------

# (cells of sample line 5 replaced, the exact reason reported for line 5)
BAD_ROWS = {
    "bad_id_checksum": (
        {"身份证号": "341302196112252494"},
        "第 1 个身份证号校验位不正确",
    ),
    "bad_phone": ({"手机号": "12177097845"}, "第 1 个手机号不是有效的11位中国大陆手机号码"),
    "missing_all_three_areas": (
        {"登记面积": "", "实测面积": "", "合同面积": ""},
        "登记面积、实测面积、合同面积均为空，至少需要填写一项",
    ),
    "zero_area": ({"登记面积": "0"}, "登记面积“0”必须大于 0"),
    "negative_area": ({"实测面积": "-90.00"}, "实测面积“-90.00”必须大于 0"),
    "area_with_three_decimals": ({"登记面积": "89.635"}, "登记面积“89.635”最多保留两位小数"),
    "duplicate_unit": ({"房号": "101"}, "房屋 1栋1单元101 与第 2 行重复"),
    "owned_unit_without_owner": (
        {"业主姓名": "", "身份证号": "", "手机号": ""},
        "非开发商持有的房屋（开发商持有=否）必须填写业主",
    ),
    "unknown_use": ({"用途": "商业"}, "用途“商业”无效，只能填“住宅”或“非住宅”"),
    "id_registered_under_another_name": (
        {"业主姓名": "范刚", "身份证号": "341302196112252495"},
        "第 1 个业主的身份证号与已登记业主姓名不一致",
    ),
}


@pytest.mark.parametrize("cells,reason", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_file_with_a_bad_row_changes_nothing_and_names_the_line(district, sample, cells, reason):
    run(district.a1, sample)
    header, rows = split(sample)
    # Otherwise a file with real changes: an area corrected, a sale, a new unit.
    rows[0]["登记面积"] = "90.00"
    rows[1].update(业主姓名=QIN[0], 身份证号=QIN[1], 手机号=QIN[2])
    rows.append({**rows[2], "房号": "701"})
    rows[3].update(cells)
    before = table_counts()

    report = run(district.a1, join(header, rows))

    assert not report.ok
    assert report.errors == [(5, reason)]
    assert table_counts() == before
    assert Unit.objects.get(area=district.a1, code="1栋-1单元-101").registered_area == Decimal(
        "89.50"
    )


def test_every_bad_row_is_reported_with_its_line_in_one_pass(district, sample):
    header, rows = split(sample)
    rows[2]["用途"] = "商业"  # line 4
    rows[9]["手机号"] = "123"  # line 11
    rows[9]["登记面积"] = "0"  # line 11 again
    rows[40]["身份证号"] = rows[40]["身份证号"][:-1] + "0"  # line 42

    report = run(district.a1, join(header, rows))

    assert report.error_lines == [4, 11, 42]
    assert len(report.errors) == 4
    assert [line for line, _reason in report.errors] == [4, 11, 11, 42]
    assert Unit.objects.count() == 0
    assert Person.objects.count() == 0


def test_one_id_number_with_two_names_in_one_file_is_refused(district, sample):
    data = edited(sample, 30, 业主姓名="秦英", 身份证号=QIN[1], 手机号=QIN[2])

    report = run(district.a1, data)

    assert report.errors == [(30, "第 1 个业主的身份证号与第 10 行的业主姓名不一致")]
    assert Person.objects.count() == 0


def test_one_owner_with_two_phones_in_one_file_is_refused(district, sample):
    data = edited(sample, 19, 手机号="13900000000")

    report = run(district.a1, data)

    assert report.errors == [(19, "第 1 个业主的手机号与第 10 行同一业主的手机号不一致")]


def test_a_building_name_longer_than_the_register_allows_is_refused(district, sample):
    report = run(district.a1, edited(sample, 2, 楼栋="楼" * 51))

    assert report.errors == [(2, "楼栋过长（最多 50 个字）")]


def test_a_file_with_only_a_header_is_refused(district, sample):
    header, _rows = split(sample)

    report = run(district.a1, join(header, []))

    assert report.errors == [(2, "文件中没有任何房屋数据行")]


def test_an_old_xls_file_is_refused_with_a_hint(district):
    report = run(district.a1, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "台账.xls")

    assert report.errors == [(1, "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV")]


# --- idempotence and sales -----------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing(district, sample):
    run(district.a1, sample)
    before = table_counts()
    roll_before = roll_json(district.a1)

    report = run(district.a1, sample)

    assert report.ok
    c = report.counts
    assert (c.units_created, c.units_updated, c.units_unchanged) == (0, 0, 48)
    assert (c.persons_created, c.persons_updated, c.sales) == (0, 0, 0)
    assert table_counts() == before
    assert AuditEvent.objects.count() == 1
    assert roll_json(district.a1) == roll_before


def test_a_changed_owner_records_a_sale_and_keeps_the_old_ownership(district, sample):
    run(district.a1, sample)
    old_owner = Person.objects.get(id_hmac=id_hmac(LINE2_ID))
    buyer_id = make_ric(901, "19900101")

    report = run(
        district.a1, edited(sample, 2, 业主姓名="买受人", 身份证号=buyer_id, 手机号="13900000901")
    )

    assert (report.counts.sales, report.counts.persons_created) == (1, 1)
    rows = list(
        Ownership.objects.filter(unit__area=district.a1, unit__code="1栋-1单元-101").order_by("pk")
    )
    assert len(rows) == 2
    assert (rows[0].person, rows[0].until) == (old_owner, today_in_beijing())
    assert rows[1].person.id_hmac == id_hmac(buyer_id)
    assert (rows[1].since, rows[1].until) == (today_in_beijing(), None)


def test_a_sale_is_audited_with_the_unit_code(district, sample):
    run(district.a1, sample)

    run(district.a1, edited(sample, 2, 业主姓名=QIN[0], 身份证号=QIN[1], 手机号=QIN[2]))

    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["register.import", "register.sale", "register.import"]
    sale = AuditEvent.objects.get(action="register.sale")
    assert sale.summary["unit"] == "1栋-1单元-101"
    assert (sale.summary["owners_before"], sale.summary["owners_after"]) == (1, 1)


def test_a_sale_to_a_buyer_of_other_units_changes_the_roll(district, sample):
    run(district.a1, sample)
    before = roll_json(district.a1)

    run(district.a1, edited(sample, 2, 业主姓名=QIN[0], 身份证号=QIN[1], 手机号=QIN[2]))

    after = roll_json(district.a1)
    # The shop joins 秦英英's right: one right and one head fewer, same area.
    assert totals(after) == {"rights": 43, "heads": 43, "area": "5341.67", "units": 48}
    assert after["digest"] != before["digest"]


def test_a_co_owner_leaving_closes_only_their_ownership(district, sample):
    run(district.a1, sample)
    staying = Ownership.objects.get(unit__code="1栋-1单元-301", person__name="崔军")

    report = run(
        district.a1,
        edited(sample, 6, 业主姓名="崔军", 身份证号="341302195908140400", 手机号="13174903659"),
    )

    assert report.counts.sales == 1
    staying.refresh_from_db()
    assert staying.until is None
    leaving = Ownership.objects.get(unit__code="1栋-1单元-301", person__name="江怡")
    assert leaving.until == today_in_beijing()
    assert Ownership.objects.filter(unit__code="1栋-1单元-301").count() == 2


def test_a_changed_phone_updates_the_person_without_a_sale(district, sample):
    run(district.a1, sample)

    report = run(district.a1, edited(sample, 2, 手机号="13900000002"))

    assert (report.counts.persons_updated, report.counts.sales) == (1, 0)
    assert Person.objects.get(id_hmac=id_hmac(LINE2_ID)).phone == "13900000002"


def test_a_changed_area_updates_the_unit_and_its_basis(district, sample):
    run(district.a1, sample)

    report = run(district.a1, edited(sample, 2, 登记面积=""))

    assert (report.counts.units_updated, report.counts.units_unchanged) == (1, 47)
    unit = Unit.objects.get(area=district.a1, code="1栋-1单元-101")
    assert (unit.area_basis, unit.floor_area) == ("surveyed", Decimal("89.87"))


def test_units_missing_from_the_file_are_kept_and_reported(district, sample):
    run(district.a1, sample)
    header, rows = split(sample)

    report = run(district.a1, join(header, rows[:-1]))

    assert report.ok
    assert (report.counts.not_in_file, report.not_in_file_codes) == (1, ["2栋-2单元-602"])
    assert Unit.objects.filter(area=district.a1).count() == 48
    assert "已登记但文件中没有的房屋：1 套（未删除）" in report.as_text()


def test_owners_get_no_login_from_an_import(district, sample):
    from accounts.models import User

    users = User.objects.count()

    run(district.a1, sample)

    assert User.objects.count() == users
    assert not Person.objects.filter(user__isnull=False).exists()


# --- personal data ---------------------------------------------------------------------------------


def test_id_numbers_never_appear_in_clear_in_any_table(district, sample):
    ids = sample_ids(sample)
    assert len(ids) == 60
    run(district.a1, sample)
    run(district.a1, edited(sample, 2, 业主姓名=QIN[0], 身份证号=QIN[1], 手机号=QIN[2]))

    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                found.extend((table, number) for number in ids if number in text)
    assert found == []
    # The raw person table holds the ciphertext, not nothing.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_encrypted, id_hmac FROM {Person._meta.db_table}")  # noqa: S608
        assert len(cursor.fetchall()) == 60


def test_no_id_number_or_phone_reaches_the_logs(district, sample, caplog):
    caplog.set_level(logging.DEBUG)
    bad = edited(sample, 5, 身份证号="341302196112252494")

    run(district.a1, sample)
    run(district.a1, bad)
    run(district.a1, edited(sample, 2, 业主姓名=QIN[0], 身份证号=QIN[1], 手机号=QIN[2]))

    assert len(caplog.records) >= 3  # the import does log; just never personal data
    for secret in sample_ids(sample) | sample_phones(sample) | {"341302196112252494"}:
        assert secret not in caplog.text


def test_an_owner_is_found_by_the_hmac_of_their_id_number(district, sample):
    run(district.a1, sample)

    person = Person.objects.get(id_hmac=id_hmac("34130219911022841x"))

    assert person.name == "赵宁"
    assert person.masked_id == "3413**********841X"
    assert decrypt_id(person.id_encrypted) == "34130219911022841X"


# --- file formats ---------------------------------------------------------------------------------


def test_an_xlsx_file_gives_the_same_roll_as_the_csv(district, sample):
    run(district.a2, sample)

    report = run(district.a1, xlsx_bytes(sample), "register.xlsx")

    assert report.ok, report.errors
    assert roll_json(district.a1) == roll_json(district.a2)
    shop = Unit.objects.get(area=district.a1, code="1栋-1单元-101")
    assert (shop.number, shop.registered_area) == ("101", Decimal("89.50"))


def test_an_xlsx_file_is_recognised_by_its_content_whatever_its_name(district, sample):
    report = run(district.a1, xlsx_bytes(sample), "upload.bin")

    assert report.ok
    assert report.counts.units_created == 48


def test_id_numbers_typed_as_excel_numbers_are_refused_with_the_reason(district, sample):
    report = run(district.a1, xlsx_bytes(sample, numeric_ids=True), "register.xlsx")

    assert not report.ok
    assert (
        2,
        "身份证号单元格是数字格式，Excel 只保留 15 位有效数字；请将该列设为文本后重新填写",
    ) in report.errors
    assert Unit.objects.count() == 0


def test_a_gb18030_file_imports_like_the_utf8_one(district, sample):
    data = sample.decode("utf-8").encode("gb18030")
    assert data != sample

    report = run(district.a1, data)

    assert report.ok
    assert totals(roll_json(district.a1)) == SAMPLE_ROLL
    assert Person.objects.get(id_hmac=id_hmac(LINE2_ID)).name == "吕斌建"


def test_a_utf8_file_with_a_bom_imports(district, sample):
    report = run(district.a1, b"\xef\xbb\xbf" + sample)

    assert report.ok
    assert totals(roll_json(district.a1)) == SAMPLE_ROLL


def test_read_register_turns_excel_numbers_into_the_text_shown(sample):
    parsed = read_register(xlsx_bytes(sample), "register.xlsx")

    assert parsed.errors == []
    first = parsed.rows[0]
    assert (first.code, first.registered_area, first.surveyed_area) == (
        "1栋-1单元-101",
        Decimal("89.50"),
        Decimal("89.87"),
    )
    assert first.owners[0].phone == "13609375836"


# --- the command -----------------------------------------------------------------------------------


def test_the_command_imports_and_prints_the_counts(district, sample):
    out = io.StringIO()

    call_command("import_register", str(SAMPLE_CSV), "--area", "a1", stdout=out)

    assert "房屋：新增 48 套，更新 0 套，未变 0 套" in out.getvalue()
    assert totals(roll_json(district.a1)) == SAMPLE_ROLL


def test_the_command_fails_on_a_bad_file_listing_every_bad_line(district, sample, tmp_path):
    bad = tmp_path / "bad.csv"
    header, rows = split(sample)
    rows[1]["用途"] = "商业"
    rows[3]["登记面积"] = "0"
    bad.write_bytes(join(header, rows))

    with pytest.raises(CommandError) as excinfo:
        call_command("import_register", str(bad), "--area", "a1")

    message = str(excinfo.value)
    assert "第 3 行：用途“商业”无效，只能填“住宅”或“非住宅”" in message
    assert "第 5 行：登记面积“0”必须大于 0" in message
    assert Unit.objects.count() == 0


def test_the_command_exits_non_zero_on_a_bad_file(district, sample, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(edited(sample, 2, 用途="商业"))

    with pytest.raises(CommandError) as excinfo:
        call_command("import_register", str(bad), "--area", "a1")

    # manage.py turns a CommandError into this exit status.
    assert excinfo.value.returncode == 1


def test_the_command_creates_the_area_with_area_name(district, sample):
    call_command(
        "import_register",
        str(SAMPLE_CSV),
        "--area",
        "new1",
        "--area-name",
        "新建小区",
        "--community",
        "CA1",
        stdout=io.StringIO(),
    )

    area = ManagementArea.objects.get(code="new1")
    assert (area.name, area.community) == ("新建小区", district.community_a1)
    assert totals(roll_json(area)) == SAMPLE_ROLL
    assert AuditEvent.objects.filter(action="area.create", object_id=str(area.pk)).count() == 1


def test_a_refused_file_leaves_no_new_area_behind(district, sample, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(edited(sample, 2, 用途="商业"))

    with pytest.raises(CommandError):
        call_command(
            "import_register",
            str(bad),
            "--area",
            "new1",
            "--area-name",
            "新建小区",
            "--community",
            "CA1",
        )

    assert not ManagementArea.objects.filter(code="new1").exists()


def test_a_dry_run_with_area_name_creates_no_area(district, sample):
    out = io.StringIO()

    call_command(
        "import_register",
        str(SAMPLE_CSV),
        "--area",
        "new1",
        "--area-name",
        "新建小区",
        "--community",
        "CA1",
        "--dry-run",
        stdout=out,
    )

    assert "预检通过（未写入）" in out.getvalue()
    assert not ManagementArea.objects.filter(code="new1").exists()
    assert Unit.objects.count() == 0


def test_the_command_refuses_an_unknown_area_without_area_name(district, sample):
    with pytest.raises(CommandError, match="物业管理区域 nope 不存在"):
        call_command("import_register", str(SAMPLE_CSV), "--area", "nope")


def test_a_new_area_needs_a_community(district, sample):
    with pytest.raises(CommandError, match="--community"):
        call_command("import_register", str(SAMPLE_CSV), "--area", "nope", "--area-name", "新")


def test_a_new_area_in_an_unknown_community_is_refused(district, sample):
    with pytest.raises(CommandError, match="社区 C404 不存在"):
        call_command(
            "import_register",
            str(SAMPLE_CSV),
            "--area",
            "nope",
            "--area-name",
            "新",
            "--community",
            "C404",
        )


def test_the_command_is_safe_to_re_run_with_area_name(district, sample):
    args = ["--area", "new1", "--area-name", "新建小区", "--community", "CA1"]
    call_command("import_register", str(SAMPLE_CSV), *args, stdout=io.StringIO())
    out = io.StringIO()

    call_command("import_register", str(SAMPLE_CSV), *args, stdout=out)

    assert "房屋：新增 0 套，更新 0 套，未变 48 套" in out.getvalue()
    assert ManagementArea.objects.filter(code="new1").count() == 1


# --- the upload page -------------------------------------------------------------------------------


def login(client, user):
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    # Uploaded files are kept (estates.jobs); keep the test's out of the repository.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_reviewer_sees_the_errors_table_for_a_bad_file(
    client, personas, district, sample, media_root, django_capture_on_commit_callbacks
):
    header, rows = split(sample)
    rows[1]["用途"] = "商业"
    rows[40]["手机号"] = "123"
    login(client, personas.reviewer)
    before = table_counts()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("estates:import"),
            {
                "area": district.a1.pk,
                "file": upload("台账.csv", join(header, rows)),
                "mode": "import",
            },
        )

    # The upload becomes a job (estates.jobs); its page shows the report.
    assert response.status_code == 302
    job_page = client.get(response["Location"])
    assert job_page.context["report"]["errors"] == [
        [3, "用途“商业”无效，只能填“住宅”或“非住宅”"],
        [42, "第 1 个手机号不是有效的11位中国大陆手机号码"],
    ]
    page = job_page.content.decode()
    assert 'class="import-errors"' in page
    assert '<td class="num">42</td>' in page
    assert "文件有误，未写入任何数据" in page
    after = table_counts()
    # Only the job and its audit trail (created, running, done) were written.
    assert {
        label: after[label] - before[label] for label in after if after[label] != before[label]
    } == {
        "estates.ImportJob": 1,
        "audit.AuditEvent": 3,
    }


def test_a_reviewer_checks_then_imports_a_file(
    client, personas, district, sample, media_root, django_capture_on_commit_callbacks
):
    login(client, personas.reviewer)
    url = reverse("estates:import")

    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(
            url, {"area": district.a1.pk, "file": upload("a.csv", sample), "mode": "check"}
        )
    checked_page = client.get(checked["Location"])
    assert checked_page.status_code == 200
    assert checked_page.context["report"]["dry_run"] is True
    assert "预检通过（未写入）" in checked_page.content.decode()
    assert Unit.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        imported = client.post(
            url, {"area": district.a1.pk, "file": upload("a.csv", sample), "mode": "import"}
        )

    imported_page = client.get(imported["Location"])
    assert imported_page.status_code == 200
    assert "导入完成" in imported_page.content.decode()
    assert Unit.objects.filter(area=district.a1).count() == 48
    assert AuditEvent.objects.get(action="register.import").actor == personas.reviewer


def test_the_upload_page_offers_the_areas_and_both_buttons(client, personas, district):
    response = login(client, personas.reviewer).get(reverse("estates:import"))

    assert response.status_code == 200
    assert list(response.context["form"].fields["area"].queryset) == [
        district.a1,
        district.a2,
        district.b1,
    ]
    page = response.content.decode()
    assert "预检（不写入）" in page
    assert 'value="import"' in page


def test_a_committee_member_gets_403(client, personas):
    response = login(client, personas.committee).get(reverse("estates:import"))

    assert response.status_code == 403


def test_a_committee_member_cannot_post_a_file(client, personas, district, sample):
    response = login(client, personas.committee).post(
        reverse("estates:import"),
        {"area": district.a1.pk, "file": upload("a.csv", sample), "mode": "import"},
    )

    assert response.status_code == 403
    assert Unit.objects.count() == 0


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("estates:import"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_only_csv_and_xlsx_files_are_accepted(client, personas, district, sample):
    response = login(client, personas.reviewer).post(
        reverse("estates:import"),
        {"area": district.a1.pk, "file": upload("台账.txt", sample), "mode": "check"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "只接受 .csv 或 .xlsx 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）。"
    ]
    assert "report" not in response.context


def test_a_file_over_20_mb_is_refused(client, personas, district):
    big = b"x" * (20 * 1024 * 1024 + 1)

    response = login(client, personas.reviewer).post(
        reverse("estates:import"),
        {"area": district.a1.pk, "file": upload("big.csv", big), "mode": "check"},
    )

    assert response.context["form"].errors["file"] == ["文件过大（20.0 MB），不能超过 20 MB。"]


def test_an_xlsx_upload_imports(
    client, personas, district, sample, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, personas.reviewer).post(
            reverse("estates:import"),
            {
                "area": district.a2.pk,
                "file": upload("台账.xlsx", xlsx_bytes(sample)),
                "mode": "import",
            },
        )

    assert client.get(response["Location"]).context["report"]["ok"] is True
    assert totals(area_roll(district.a2).as_json()) == SAMPLE_ROLL


@pytest.mark.django_db
def test_sale_moves_the_owner_role_from_seller_to_a_bound_buyer(district):
    """A seller with a login loses the owner role of an area where they own nothing any more."""
    from accounts.models import RoleAssignment
    from accounts.services import owner_user_ensure
    from estates.models import Person
    from estates.services.binding import owner_roles_sync
    from estates.services.importing import register_import

    header = "楼栋,单元,房号,用途,登记面积,实测面积,合同面积,是否交付,开发商持有,业主姓名,身份证号,手机号\n"
    seller_id, buyer_id = make_ric(501), make_ric(502)
    first = header + f"1栋,1单元,101,住宅,89.50,,,是,否,卖家,{seller_id},13900000101\n"
    second = header + f"1栋,1单元,101,住宅,89.50,,,是,否,买家,{buyer_id},13900000102\n"
    register_import(area=district.a1, data=first.encode(), filename="a.csv", actor=None)
    seller = Person.objects.get(name="卖家")
    seller.user = owner_user_ensure(phone="13900000101", display_name="卖家")
    seller.save()
    owner_roles_sync(person=seller)
    assert RoleAssignment.objects.filter(user=seller.user, role="owner", area=district.a1).exists()

    report = register_import(area=district.a1, data=second.encode(), filename="b.csv", actor=None)
    assert report.counts.sales == 1
    assert not RoleAssignment.objects.filter(user=seller.user, role="owner").exists()


# --------------------------------------------------------------------------- planner statistics


def test_an_import_creating_the_threshold_of_units_refreshes_statistics_after_commit(
    district, sample, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(importing, "ANALYZE_AFTER_UNITS", 48)  # the sample has 48 units
    with django_capture_on_commit_callbacks() as callbacks:
        run(district.a1, sample)
    assert importing.statistics_refresh in callbacks


@pytest.mark.parametrize(("threshold", "dry_run"), [(49, False), (48, True)])
def test_a_smaller_import_or_a_dry_run_leaves_statistics_to_autovacuum(
    district, sample, monkeypatch, django_capture_on_commit_callbacks, threshold, dry_run
):
    monkeypatch.setattr(importing, "ANALYZE_AFTER_UNITS", threshold)
    with django_capture_on_commit_callbacks() as callbacks:
        run(district.a1, sample, dry_run=dry_run)
    assert importing.statistics_refresh not in callbacks


@pytest.mark.postgres
def test_on_postgresql_the_refresh_counts_the_register_tables_rows(district, sample):
    run(district.a1, sample)
    importing.statistics_refresh()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::int FROM pg_class WHERE relname = ANY(%s)",
            [list(importing.REGISTER_TABLES)],
        )
        estimates = dict(cursor.fetchall())
    # What the planner now believes: the rows as they are (its own transaction's count).
    assert estimates == {
        "estates_building": 2,
        "estates_unit": 48,
        "estates_person": 60,
        "estates_ownership": 65,
    }
