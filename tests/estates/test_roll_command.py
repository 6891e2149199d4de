"""``manage.py roll``: the voting roll of an area or a scope (RULES.md §1), as JSON or a table."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from estates.models import Ownership
from estates.services.importing import register_import

pytestmark = pytest.mark.django_db

SAMPLE_CSV = (
    Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "register-sample.csv"
)


@pytest.fixture
def imported(district):
    if not SAMPLE_CSV.is_file():
        pytest.skip(f"sample register not found at {SAMPLE_CSV}")
    report = register_import(
        area=district.a1, data=SAMPLE_CSV.read_bytes(), filename="sample.csv", actor=None
    )
    assert report.ok
    return district.a1


def roll(*args: str) -> str:
    out = io.StringIO()
    call_command("roll", *args, stdout=out)
    return out.getvalue()


def without_digest(text: str) -> dict:
    data = json.loads(text)
    assert len(data.pop("digest")) == 64
    return data


def test_json_gives_the_totals_of_the_whole_area(imported):
    assert without_digest(roll("--area", "a1", "--json")) == {
        "rights": 44,
        "heads": 44,
        "area": "5341.67",
        "units": 48,
    }


def test_json_of_one_building_counts_only_its_units(imported):
    # 1栋: 24 units; 朱斌勇 and 秦英英 each hold two of them → 22 rights.
    assert without_digest(roll("--area", "a1", "--buildings", "1栋", "--json")) == {
        "rights": 22,
        "heads": 22,
        "area": "2680.60",
        "units": 24,
    }


def test_json_of_two_buildings_equals_the_whole_area(imported):
    whole = json.loads(roll("--area", "a1", "--json"))

    assert json.loads(roll("--area", "a1", "--buildings", "1栋,2栋", "--json")) == whole


def test_json_of_a_list_of_units(imported):
    # Two units of one buyer (朱斌勇) are one right.
    assert without_digest(
        roll("--area", "a1", "--units", "1栋-1单元-201,1栋-1单元-502", "--json")
    ) == {"rights": 1, "heads": 1, "area": "214.71", "units": 2}


def test_the_digest_does_not_depend_on_the_order_of_the_buildings(imported):
    assert roll("--area", "a1", "--buildings", "2栋,1栋", "--json") == roll(
        "--area", "a1", "--buildings", "1栋,2栋", "--json"
    )


def test_the_table_lists_the_rights_and_the_totals(imported):
    text = roll("--area", "a1", "--buildings", "1栋")

    assert "合计：表决权 22 个，人数 22，面积 2680.60 ㎡，房屋 24 套" in text
    assert "1栋-1单元-201、1栋-1单元-502" in text
    assert len([line for line in text.splitlines() if "1栋-" in line]) == 22


def test_an_unknown_area_is_refused(imported):
    with pytest.raises(CommandError, match="物业管理区域 zz 不存在"):
        roll("--area", "zz", "--json")


def test_an_unknown_building_is_refused_by_name(imported):
    with pytest.raises(CommandError, match="区域 a1 中没有这些楼栋的房屋：9栋"):
        roll("--area", "a1", "--buildings", "1栋,9栋", "--json")


def test_an_unknown_unit_is_refused_by_code(imported):
    with pytest.raises(CommandError, match="区域 a1 中没有这些房屋：1栋-1单元-999"):
        roll("--area", "a1", "--units", "1栋-1单元-999", "--json")


def test_a_delivered_unit_without_owner_makes_the_roll_fail_loudly(imported):
    Ownership.objects.filter(unit__code="1栋-1单元-101").update(until="2024-01-01")

    with pytest.raises(CommandError, match="无法生成表决名册"):
        roll("--area", "a1", "--json")
