"""Check real API answers against the OpenAPI schema the project serves (schemathesis).

The schemathesis suite (tests/api/test_schemathesis.py) fuzzes every operation but
meets few real objects; the API tests of the fund ledger and of emergency repairs
pass their answers with real data through the same response checks here.
"""

from __future__ import annotations

import json

import requests
import schemathesis
from django.test import Client
from schemathesis.core.transport import Response


def load_schema():
    """The schema the project serves (with the shared error answers documented)."""
    # Through the test client (not a bare WSGI app, whose request_finished signal would
    # close the test's database connection on PostgreSQL).
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content[:500]
    return schemathesis.openapi.from_dict(json.loads(response.content))


def conforms(schema, label: str, response) -> None:
    """Raise (naming the mismatch) unless ``response`` is an answer ``label`` declares."""
    request = requests.Request(
        "GET", "http://testserver" + response.wsgi_request.get_full_path()
    ).prepare()
    answer = Response(
        status_code=response.status_code,
        headers={name.lower(): [value] for name, value in response.headers.items()},
        content=response.content,
        request=request,
        elapsed=0.0,
        verify=True,
    )
    schema.find_operation_by_label(label).validate_response(answer)
