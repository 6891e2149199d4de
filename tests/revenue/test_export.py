"""CSV and XLSX exports of the ledger: formula injection neutralised, numbers kept numeric."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from revenue import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile(district, personas):
    """An entry whose texts a spreadsheet would run as formulas."""
    return services.revenue_entry_record(
        area=district.a1,
        direction="income",
        category="other_income",
        amount_fen=12_34,
        occurred_on=date(2025, 1, 9),
        counterparty='=HYPERLINK("http://evil.example","点我")',
        memo="+SUM(A1:A9)",
        actor=personas.committee,
    )


def test_the_csv_export_neutralises_formulas(client, district, personas, hostile, record):
    record(5_00, category="repair", counterparty="@cmd", memo="-2+3")
    client.force_login(personas.owner)

    response = client.get(
        reverse("revenue:export_csv", args=[district.a1.code]) + "?year=2025&quarter=1"
    )

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["记录号", "发生日期", "收支", "类别", "金额（元）"]
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[str(hostile.pk)][4] == "12.34"
    assert by_id[str(hostile.pk)][7] == '\'=HYPERLINK("http://evil.example","点我")'
    assert by_id[str(hostile.pk)][8] == "'+SUM(A1:A9)"
    other = next(row for key, row in by_id.items() if key != str(hostile.pk))
    assert other[7] == "'@cmd" and other[8] == "'-2+3"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_xlsx_export_has_text_cells_never_formulas_and_numeric_totals(
    client, district, personas, hostile, record
):
    entry = record(100_00, on=date(2025, 1, 10))
    services.revenue_entry_reverse(entry=entry, reason="重复", actor=personas.committee)
    client.force_login(personas.committee)

    response = client.get(
        reverse("revenue:export_xlsx", args=[district.a1.code]) + "?year=2025&quarter=1"
    )

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["明细"]
    rows = list(sheet.iter_rows(min_row=3))
    hostile_row = next(row for row in rows if row[0].value == str(hostile.pk))
    assert hostile_row[7].value == '\'=HYPERLINK("http://evil.example","点我")'
    assert hostile_row[7].data_type == "s"
    assert hostile_row[4].value == 12.34
    signed = [row[-1].value for row in rows]
    assert sorted(signed) == [-100, 12.34, 100]
    summary = {row[0].value: row[1].value for row in workbook["汇总"].iter_rows(min_row=3)}
    assert summary["净收益"] == 12.34


def test_an_owner_of_another_area_cannot_export(client, district, personas, hostile):
    client.force_login(personas.other_owner)
    url = reverse("revenue:export_csv", args=[district.a1.code])
    assert client.get(url).status_code == 404
