"""Annex 2 of the district programme as an XLSX workbook (RULES.md §8).

问题整治工作台账: one row per problem with the programme's exact column
headings, laid out as annex 1 is (``estates.annex1.Ledger``): title,
scope and time, headings, rows. Text typed in forms goes through the same
formula-injection guard (``estates.annex1.safe_text``): shown, never evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from estates.annex1 import Ledger

from .models import Problem

TITLE = "问题整治工作台账"
# The annex's headings, verbatim (programme annex 2; RULES.md §8). Not
# translated: the bureau files this sheet upward in exactly this form.
HEADINGS: tuple[str, ...] = (
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
)
COLUMN_WIDTHS = (6, 24, 22, 24, 12, 40, 40, 18, 14, 10, 24)
DATE_FORMAT = "yyyy-mm-dd"


def annex2_rows(problems: Iterable[Problem]) -> list[list]:
    """The ledger's rows in heading order; the deadline stays a date, 是否销号 reads 是/否."""
    rows = []
    for number, problem in enumerate(problems, start=1):
        rows.append(
            [
                number,
                problem.project_name,
                problem.street_community,
                problem.company,
                problem.category,
                problem.content,
                problem.measures,
                problem.responsible,
                problem.deadline,
                "是" if problem.closed else "否",
                problem.remarks,
            ]
        )
    return rows


def ordered(problems) -> Iterable[Problem]:
    """Street, community, then the order the entries were made: the paper ledger's order."""
    return problems.select_related("community__street", "area").order_by(
        "community__street__code", "community__code", "created_at", "pk"
    )


LEDGER = Ledger("附件2", TITLE, HEADINGS, COLUMN_WIDTHS, {"整改完成时限": DATE_FORMAT})


def annex2_workbook(
    problems: Iterable[Problem], *, scope_label: str, generated_at: datetime | None = None
) -> bytes:
    """The ledger of ``problems`` as XLSX bytes (in the order given)."""
    return LEDGER.xlsx(annex2_rows(problems), scope_label=scope_label, generated_at=generated_at)
