"""The one DRF exception handler turns domain errors into 400/403 with a field map."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.error_urls")]


def test_a_domain_error_becomes_400_with_code_detail_and_fields(api):
    response = api.get("/domain-error/")

    assert response.status_code == 400
    assert response.json() == {
        "code": "budget_too_high",
        "detail": "预算超过上限。",
        "fields": {"budget": "预算不能超过 50 万元。"},
    }


def test_a_permission_denied_error_becomes_403(api):
    response = api.get("/permission-denied/")

    assert response.status_code == 403
    assert response.json() == {
        "code": "forbidden",
        "detail": "您没有权限执行此操作。",
        "fields": {},
    }


def test_input_nested_past_the_recursion_limit_in_a_form_field_is_a_400_not_a_500(api):
    # The body parser (core.parsers) never sees this JSON: it is a string in a form.
    deep = "[" * 5000 + "]" * 5000

    response = api.post("/json-field/", {"doc": deep}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"
    assert api.post("/json-field/", {"doc": "[[1]]"}, format="multipart").json() == {"depth": True}
