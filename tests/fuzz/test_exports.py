"""Spreadsheet formula injection is neutralised in every export (issue #9 item 4).

One test per export: a formula-like text goes in through the service a person
would use, the file is downloaded from its page, and the cell that carries the
text starts with an apostrophe — shown as text by Excel/WPS/LibreOffice, never
evaluated. Hypothesis varies the trigger (``= + - @``, tab, carriage return).
"""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estates.services.records import area_update
from funds.models import Transaction
from revenue import services as revenue_services
from tests.funds.conftest import build_fund

pytestmark = pytest.mark.django_db

PAYLOAD = "=cmd|' /C calc'!A0"
TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]
formulas = st.builds(
    lambda trigger, rest: trigger + rest,
    st.sampled_from(TRIGGERS),
    st.sampled_from(["cmd|' /C calc'!A0", 'HYPERLINK("http://x","y")', "1+1", "SUM(A1:A9)"]),
)
FEW = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _xlsx_cells(content: bytes) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [
        cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]


def _xlsx_formula_cells(content: bytes) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [
        cell.coordinate
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def _csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _unsafe(cells: list[str]) -> list[str]:
    """Cells a spreadsheet would evaluate: starting with a trigger, not behind an apostrophe.

    (A service may trim the leading tab or carriage return away: then nothing is left
    to neutralise, which is as safe.)
    """
    return [c for c in cells if c.startswith(tuple(TRIGGERS))]


# --------------------------------------------------------------------------- estates annex 1


@FEW
@given(text=formulas)
def test_annex1_writes_a_formula_like_area_name_as_text(personas, district, text):
    area_update(
        area=district.a1,
        actor=personas.reviewer,
        name=text,
        estate_name=district.a1.estate_name,
        boundaries=PAYLOAD,
        service_form=district.a1.service_form,
        committee_status=district.a1.committee_status,
        party_coverage=district.a1.party_coverage,
        property_company=district.a1.property_company,
        project_manager="",
        fee_collection_rate=None,
    )

    content = _as(personas.reviewer).get(reverse("estates:annex1_download")).content
    cells = _xlsx_cells(content)

    assert _unsafe(cells) == []
    assert "'" + PAYLOAD in cells
    assert any(text.lstrip("\t\r") in c for c in cells)
    assert _xlsx_formula_cells(content) == []


# --------------------------------------------------------------------------- revenue


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@FEW
@given(text=formulas)
def test_the_revenue_export_writes_a_formula_like_counterparty_as_text(
    personas, district, fmt, text
):
    revenue_services.revenue_entry_record(
        area=district.a1,
        direction="income",
        category="parking",
        amount_fen=120000,
        occurred_on=date(2025, 2, 10),
        counterparty=text,
        memo=PAYLOAD,
        actor=personas.committee,
    )

    response = _as(personas.committee).get(
        reverse(f"revenue:export_{fmt}", kwargs={"code": "a1"}), {"year": 2025, "quarter": 1}
    )
    cells = _csv_cells(response.content) if fmt == "csv" else _xlsx_cells(response.content)

    assert response.status_code == 200
    assert _unsafe(cells) == []
    assert "'" + PAYLOAD in cells
    if fmt == "xlsx":
        assert _xlsx_formula_cells(response.content) == []


# --------------------------------------------------------------------------- funds


@pytest.fixture
def fund(district):
    return build_fund(district.a2, prefix="136")


@FEW
@given(text=formulas)
def test_the_sub_ledger_csv_writes_a_formula_like_memo_as_text(fund, text):
    from funds.ledger import services

    services.transaction_post(
        kind=Transaction.Kind.DEPOSIT,
        lines=[(fund.bank, 100), (fund.sub("101"), -100)],
        memo=text,
        key=f"fuzz:{text!r}",
        actor=None,
        value_date=date(2024, 3, 1),
    )
    services.transaction_post(
        kind=Transaction.Kind.DEPOSIT,
        lines=[(fund.bank, 100), (fund.sub("101"), -100)],
        memo=PAYLOAD,
        key="fuzz:payload",
        actor=None,
        value_date=date(2024, 3, 1),
    )

    response = _as(fund.users["甲"]).get(
        reverse("funds:unit_ledger_csv", kwargs={"pk": fund.units["101"].pk})
    )
    cells = _csv_cells(response.content)

    assert response.status_code == 200
    assert _unsafe(cells) == []
    assert "'" + PAYLOAD in cells


@FEW
@given(text=formulas)
def test_the_bank_payment_file_writes_a_formula_like_payee_as_text(text):
    from funds.ledger.reconciliation.bankfile import COLUMNS, bank_csv

    row = {key: text for key, _label in COLUMNS}
    row["amount_fen"] = 123456

    cells = _csv_cells(bank_csv([row]))[len(COLUMNS) :]

    assert "1234.56" in cells
    assert _unsafe(cells) == []
    assert sum(c.startswith("'") for c in cells) == len(COLUMNS) - 1


# --------------------------------------------------------------------------- emergency annex 2


@FEW
@given(text=formulas)
def test_annex2_writes_a_formula_like_problem_as_text(personas, district, text):
    from emergency.services.problems import problem_create

    problem_create(
        actor=personas.street_officer,
        project_name=text,
        community=district.community_a1,
        area=district.a1,
        company=PAYLOAD,
        category="消防设施",
        content=text,
        measures="",
        responsible="",
        deadline=None,
        closed=False,
        remarks="",
    )

    response = _as(personas.street_officer).get(reverse("emergency:problems_export"))

    assert response.status_code == 200
    cells = _xlsx_cells(response.content)
    assert "'" + PAYLOAD in cells
    assert [c for c in cells if c.startswith(tuple(TRIGGERS))] == []
    assert _xlsx_formula_cells(response.content) == []
