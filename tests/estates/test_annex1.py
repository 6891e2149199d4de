"""Annex 1 ledger (XLSX) and the district dashboard (RULES.md §8).

District: street A holds a1 (业委会) and a2 (未成立), street B holds b1 (物管会).
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from estates.annex1 import annex1_workbook, ordered, safe_text
from estates.models import ManagementArea, PropertyCompany

from .helpers import valid_uscc

pytestmark = pytest.mark.django_db

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"
EXPECTED_HEADINGS = [
    "序号",
    "物业管理区域名称",
    "小区名称",
    "所在街道/社区",
    "四至范围",
    "物业服务形态",
    "业委会组建情况",
    "党的工作覆盖",
    "物业服务企业及项目负责人",
    "物业费收缴率",
]
INJECTION = "=cmd|' /C calc'!A0"


def login(client, user):
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def sheet(content: bytes):
    return load_workbook(io.BytesIO(content))


def data_rows(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(min_row=4, values_only=True)]


def names_in(content: bytes) -> list[str]:
    return [row[1] for row in data_rows(sheet(content).worksheets[0])]


@pytest.fixture
def annex(district):
    d = district
    ManagementArea.objects.filter(pk=d.a1.pk).update(
        service_form=2,
        party_coverage=3,
        boundaries="东至淮河路，南至胜利路",
        project_manager="刘强",
        fee_collection_rate=Decimal("95.50"),
    )
    ManagementArea.objects.filter(pk=d.a2.pk).update(service_form=4, party_coverage=1)
    ManagementArea.objects.filter(pk=d.b1.pk).update(service_form=2, party_coverage=5)
    return d


# --------------------------------------------------------------------------- workbook


def test_the_heading_row_is_exactly_the_annexs(annex):
    ws = sheet(annex1_workbook(ordered(ManagementArea.objects.all()), scope_label="全区")).active

    assert [cell.value for cell in ws[3]] == EXPECTED_HEADINGS
    assert ws["A1"].value == "住宅物业管理区域信息台账"
    assert ws["A2"].value.startswith("填报范围：全区")


def test_each_area_is_one_row_with_the_code_numbers_of_the_annex(annex):
    ws = sheet(annex1_workbook(ordered(ManagementArea.objects.all()), scope_label="全区")).active

    rows = data_rows(ws)
    assert [row[:9] for row in rows] == [
        [
            1,
            "甲一小区",
            annex.a1.estate_name,
            "甲街道/甲一社区",
            "东至淮河路，南至胜利路",
            2,
            1,
            3,
            "甲物业服务有限公司/刘强",
        ],
        [
            2,
            "甲二小区",
            annex.a2.estate_name,
            "甲街道/甲一社区",
            None,
            4,
            3,
            1,
            "甲物业服务有限公司",
        ],
        [
            3,
            "乙一小区",
            annex.b1.estate_name,
            "乙街道/乙一社区",
            None,
            2,
            2,
            5,
            "乙物业服务有限公司",
        ],
    ]
    assert Decimal(str(rows[0][9])) == Decimal("95.50")
    assert ws["J4"].number_format == '0.00"%"'
    assert rows[1][9] is None


def test_the_codes_are_numbers_not_text(annex):
    ws = sheet(annex1_workbook(ordered(ManagementArea.objects.all()), scope_label="全区")).active

    assert [ws.cell(row=4, column=c).data_type for c in (6, 7, 8)] == ["n", "n", "n"]


def test_the_legend_sheet_explains_every_code(annex):
    wb = sheet(annex1_workbook(ManagementArea.objects.none(), scope_label="全区"))

    legend = wb["代码说明"]
    rows = [tuple(r) for r in legend.iter_rows(min_row=2, max_row=15, values_only=True)]
    assert rows == [
        ("物业服务形态", 1, "专业化"),
        ("物业服务形态", 2, "社区统管"),
        ("物业服务形态", 3, "单位代管"),
        ("物业服务形态", 4, "居民自管"),
        ("物业服务形态", 5, "无物管"),
        ("物业服务形态", 6, "其它"),
        ("业委会组建情况", 1, "业委会"),
        ("业委会组建情况", 2, "物管会"),
        ("业委会组建情况", 3, "未成立"),
        ("党的工作覆盖", 1, "党委"),
        ("党的工作覆盖", 2, "党总支"),
        ("党的工作覆盖", 3, "党支部"),
        ("党的工作覆盖", 4, "工作小组"),
        ("党的工作覆盖", 5, "未成立"),
    ]


def test_the_legend_stays_chinese_when_the_user_reads_english(annex, settings):
    from django.utils import translation

    with translation.override("en"):
        wb = sheet(annex1_workbook(ManagementArea.objects.none(), scope_label="全区"))

    assert wb["代码说明"]["C2"].value == "专业化"


def test_a_company_named_like_a_formula_is_written_as_inert_text(annex):
    evil = PropertyCompany.objects.create(name=INJECTION, uscc=valid_uscc(9_000_001))
    ManagementArea.objects.filter(pk=annex.b1.pk).update(
        property_company=evil, project_manager="", boundaries="+1+2", estate_name="@SUM(A1)"
    )

    content = annex1_workbook(ordered(ManagementArea.objects.all()), scope_label="全区")

    ws = sheet(content).active
    assert ws["I6"].value == "'" + INJECTION
    assert ws["I6"].data_type == "s"
    assert ws["E6"].value == "'+1+2"
    assert ws["C6"].value == "'@SUM(A1)"
    with zipfile.ZipFile(io.BytesIO(content)) as xlsx:
        xml = xlsx.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula element anywhere
    assert 'quotePrefix="1"' in zipfile.ZipFile(io.BytesIO(content)).read("xl/styles.xml").decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-5", "'-5"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("甲物业=公司", "甲物业=公司"),
        ("", ""),
    ],
)
def test_safe_text_prefixes_only_text_a_spreadsheet_could_evaluate(text, expected):
    assert safe_text(text) == expected


# --------------------------------------------------------------------------- download


def test_the_bureau_downloads_the_whole_district(client, personas, annex):
    response = login(client, personas.reviewer).get(reverse("estates:annex1_download"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    assert names_in(response.content) == ["甲一小区", "甲二小区", "乙一小区"]
    assert sheet(response.content).active["A2"].value.startswith("填报范围：宿州市埇桥区")


def test_the_bureau_may_choose_one_street(client, personas, annex):
    response = login(client, personas.reviewer).get(
        reverse("estates:annex1_download"), {"street": "SB"}
    )

    assert names_in(response.content) == ["乙一小区"]


def test_a_street_officer_downloads_their_own_street(client, personas, annex):
    response = login(client, personas.street_officer).get(reverse("estates:annex1_download"))

    assert names_in(response.content) == ["甲一小区", "甲二小区"]
    assert sheet(response.content).active["A2"].value.startswith("填报范围：甲街道")


def test_a_street_officer_gets_404_for_another_street(client, personas, annex):
    response = login(client, personas.street_officer).get(
        reverse("estates:annex1_download"), {"street": "SB"}
    )

    assert response.status_code == 404


def test_a_community_officer_downloads_their_community(client, personas, annex):
    response = login(client, personas.community_officer).get(reverse("estates:annex1_download"))

    assert names_in(response.content) == ["甲一小区", "甲二小区"]
    assert sheet(response.content).active["A2"].value.startswith("填报范围：甲街道甲一社区")


@pytest.mark.parametrize("persona", ["committee", "property_staff", "owner", "outsider"])
def test_the_annex_is_refused_to_users_who_do_not_oversee(client, personas, annex, persona):
    client = login(client, getattr(personas, persona))

    assert client.get(reverse("estates:annex1_download")).status_code == 403
    assert client.get(reverse("estates:annex1")).status_code == 403
    assert client.get(reverse("estates:dashboard")).status_code == 403


def test_the_download_page_offers_the_district_and_each_street_to_the_bureau(
    client, personas, annex
):
    response = login(client, personas.reviewer).get(reverse("estates:annex1"))

    choices = list(response.context["form"].fields["street"].choices)
    assert choices == [("", "宿州市埇桥区（全区）"), ("SA", "甲街道"), ("SB", "乙街道")]


def test_the_download_page_offers_a_street_officer_only_their_street(client, personas, annex):
    response = login(client, personas.street_officer).get(reverse("estates:annex1"))

    assert list(response.context["form"].fields["street"].choices) == [("SA", "甲街道")]


# --------------------------------------------------------------------------- dashboard


def test_the_dashboard_counts_areas_by_service_form_and_committee_status(client, personas, annex):
    response = login(client, personas.reviewer).get(reverse("estates:dashboard"))

    data = response.context["data"]
    assert [(r.code, r.by_form, r.by_status, r.total) for r in data.streets] == [
        ("SA", [0, 1, 0, 1, 0, 0], [1, 0, 1], 2),
        ("SB", [0, 1, 0, 0, 0, 0], [0, 1, 0], 1),
    ]
    assert (data.total.by_form, data.total.by_status, data.total.total) == (
        [0, 2, 0, 1, 0, 0],
        [1, 1, 1],
        3,
    )


def test_the_dashboard_draws_the_totals_as_inline_svg_bars(client, personas, annex):
    page = login(client, personas.reviewer).get(reverse("estates:dashboard")).content.decode()

    assert page.count("<svg") == 2
    # Service form: 2 areas "社区统管" → the longest bar (240), 1 "居民自管" → half.
    widths = [int(w) for w in re.findall(r'<rect x="110" y="\d+" width="(\d+)"', page)]
    assert widths == [0, 240, 0, 120, 0, 0, 240, 240, 240]


def test_a_street_officer_sees_only_their_street_on_the_dashboard(client, personas, annex):
    response = login(client, personas.street_officer).get(reverse("estates:dashboard"))

    data = response.context["data"]
    assert [r.code for r in data.streets] == ["SA"]
    assert data.total.total == 2


def test_a_community_officer_sees_the_download_page_without_a_street_choice(
    client, personas, annex
):
    response = login(client, personas.community_officer).get(reverse("estates:annex1"))

    assert response.status_code == 200
    assert list(response.context["form"].fields["street"].choices) == []
    assert response.context["scope_label"] == "甲街道甲一社区"
    assert response.context["area_count"] == 2
