"""The read-only API of an area's ledger, and its place in the OpenAPI schema."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from revenue import services

pytestmark = pytest.mark.django_db


def test_the_api_lists_an_area_s_entries_by_quarter(client, district, personas, record):
    first = record(100_00, on=date(2025, 2, 1))
    record(50_00, on=date(2025, 5, 1))
    services.revenue_entry_reverse(entry=first, reason="错", actor=personas.committee)
    client.force_login(personas.owner)

    response = client.get(
        reverse("revenue-entries", args=[district.a1.code]), {"year": 2025, "quarter": 1}
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(row["signed_fen"], row["reversed"]) for row in results] == [
        (100_00, True),
        (-100_00, False),
    ]
    assert results[0]["amount_yuan"] == "100.00"


def test_the_api_hides_another_area_and_refuses_bad_filters(client, district, personas, record):
    record(100)
    url = reverse("revenue-entries", args=[district.a1.code])
    client.force_login(personas.other_owner)
    assert client.get(url).status_code == 404
    client.force_login(personas.owner)
    assert client.get(url, {"quarter": 5}).status_code == 400
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 403


def test_the_schema_documents_the_endpoint_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--fail-on-warn", "--file", str(target))

    operation = yaml.safe_load(target.read_text())["paths"][
        "/api/v1/revenue/areas/{code}/entries/"
    ]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"code", "year", "quarter", "direction", "category", "page"} <= names
