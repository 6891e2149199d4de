"""The problem ledger (programme annex 2, RULES.md §8): scoped entries, audited edits, XLSX export."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from emergency import annex2, selectors, services
from emergency.models import Problem

pytestmark = pytest.mark.django_db

EXPECTED_HEADINGS = [
    "序号",
    "项目名称",
    "所在街道社区",
    "物业服务企业",
    "问题类别",
    "问题内容",
    "整改措施及进展",
    "责任单位/人",
    "整改完成时限",
    "是否销号",
    "备注",
]
INJECTION = "=cmd|' /C calc'!A0"


def entry(actor, community, **kw):
    values = {
        "project_name": "甲一小区",
        "community": community,
        "category": "安全隐患",
        "content": "3栋电梯多次困人",
        "measures": "已通知维保单位全面检修",
        "responsible": "甲物业服务有限公司/刘强",
        "deadline": date(2026, 12, 31),
    }
    values.update(kw)
    return services.problem_create(actor=actor, **values)


def test_a_street_officer_records_a_problem_in_an_area_of_the_street(estate, personas):
    problem = entry(personas.street_officer, estate.community_a1, area=estate.a1)
    assert problem.company == "甲物业服务有限公司"  # filled from the area
    assert problem.closed is False
    assert AuditEvent.objects.filter(action="emergency.problem_create").count() == 1


def test_an_officer_cannot_record_a_problem_in_another_street(estate, personas):
    with pytest.raises(PermissionDeniedError):
        entry(personas.street_officer, estate.community_b1)
    assert not Problem.objects.exists()


@pytest.mark.parametrize("persona", ["committee", "property_staff", "owner", "outsider"])
def test_only_officers_and_the_bureau_keep_the_ledger(estate, personas, persona):
    with pytest.raises(PermissionDeniedError):
        entry(getattr(personas, persona), estate.community_a1)


def test_an_area_outside_the_chosen_community_is_refused(estate, personas):
    with pytest.raises(DomainError) as caught:
        entry(personas.reviewer, estate.community_a1, area=estate.b1)
    assert caught.value.code == "bad_area"


def test_closing_a_problem_is_audited_and_an_unchanged_save_is_not(estate, personas):
    problem = entry(personas.community_officer, estate.community_a1)
    services.problem_update(problem=problem, actor=personas.community_officer, closed=True)
    services.problem_update(problem=problem, actor=personas.community_officer, closed=True)
    events = AuditEvent.objects.filter(action="emergency.problem_update")
    assert [e.summary["changed"] for e in events] == [["closed"]]
    assert Problem.objects.get(pk=problem.pk).closed is True


def test_officers_see_only_their_own_communities(estate, personas):
    mine = entry(personas.street_officer, estate.community_a1)
    theirs = entry(personas.other_street_officer, estate.community_b1, project_name="乙一小区")
    assert list(selectors.visible_problems(personas.street_officer)) == [mine]
    assert set(selectors.visible_problems(personas.reviewer)) == {mine, theirs}


# --------------------------------------------------------------------------- XLSX


def sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_the_export_has_exactly_the_annex_2_columns(estate, personas):
    entry(personas.street_officer, estate.community_a1, area=estate.a1, remarks="已约谈")
    entry(
        personas.street_officer,
        estate.community_a1,
        project_name="甲二小区",
        category="设施设备",
        content="窨井盖缺失",
        deadline=None,
        closed=True,
    )
    ws = sheet(annex2.annex2_workbook(annex2.ordered(Problem.objects.all()), scope_label="甲街道"))
    assert ws.title == "附件2"
    assert ws["A1"].value == "问题整治工作台账"
    assert ws["A2"].value.startswith("填报范围：甲街道")
    assert [cell.value for cell in ws[3]] == EXPECTED_HEADINGS
    rows = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    assert rows[0][:6] == [
        1,
        "甲一小区",
        "甲街道/甲一社区",
        "甲物业服务有限公司",
        "安全隐患",
        "3栋电梯多次困人",
    ]
    assert rows[0][6:8] == ["已通知维保单位全面检修", "甲物业服务有限公司/刘强"]
    assert rows[0][8].date() == date(2026, 12, 31)
    assert rows[0][9:] == ["否", "已约谈"]
    assert rows[1][0] == 2
    assert rows[1][8] is None
    assert rows[1][9] == "是"
    assert ws.cell(row=4, column=9).number_format == "yyyy-mm-dd"


def test_formulas_typed_into_the_ledger_are_never_evaluated(estate, personas):
    entry(personas.street_officer, estate.community_a1, content=INJECTION, remarks="@SUM(A1)")
    ws = sheet(annex2.annex2_workbook(Problem.objects.all(), scope_label="x"))
    content = ws.cell(row=4, column=6)
    assert content.value == "'" + INJECTION
    assert content.data_type == "s"
    assert content.quotePrefix
    assert ws.cell(row=4, column=11).value == "'@SUM(A1)"


def test_rows_follow_street_then_community_then_entry_order(estate, personas):
    b = entry(personas.reviewer, estate.community_b1, project_name="乙一小区")
    a = entry(personas.reviewer, estate.community_a1, project_name="甲一小区")
    assert list(annex2.ordered(Problem.objects.all())) == [a, b]
