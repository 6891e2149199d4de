"""The OpenAPI schema generates without warnings and the Swagger UI is served locally."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--fail-on-warn", "--file", str(target))

    paths = yaml.safe_load(target.read_text())["paths"]
    for path in [
        "/api/v1/me/",
        "/api/v1/areas/",
        "/api/v1/areas/{code}/",
        "/api/v1/streets/",
        "/api/v1/audit/events/",
        "/api/v1/audit/events/{seq}/",
    ]:
        assert "get" in paths[path]


def test_the_schema_endpoint_returns_openapi(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")


def test_the_area_filters_are_documented(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    names = {p["name"] for p in schema["paths"]["/api/v1/areas/"]["get"]["parameters"]}

    assert {"street", "community", "committee_status", "page", "page_size"} <= names


def test_the_docs_page_uses_the_bundled_swagger_ui(client):
    response = client.get("/api/docs/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "/api/schema/" in page
