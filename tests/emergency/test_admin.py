"""The admin shows emergency records read-only, even to a superuser."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from emergency import models
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = [
    models.WhitelistVersion,
    models.WhitelistItem,
    models.EmergencyApplication,
    models.Evidence,
    models.Commission,
    models.DeadlineNotice,
    models.ResponsePlan,
    models.Problem,
    models.RecoveryClaim,
]


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("model", MODELS)
def test_nobody_may_add_change_or_delete_in_the_admin(rf, superuser, model):
    request = rf.get("/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False


def test_the_application_list_opens(client, superuser, filed):
    from tests.conftest import pass_totp

    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    pass_totp(client, superuser)
    response = client.get(reverse("admin:emergency_emergencyapplication_changelist"))
    assert response.status_code == 200
    assert "甲一小区" in response.content.decode()


def test_an_evidence_record_shows_its_fields_in_reading_order(client, superuser, filed):
    from tests.conftest import pass_totp

    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    pass_totp(client, superuser)
    evidence = filed.evidence.order_by("pk").first()
    page = client.get(reverse("admin:emergency_evidence_change", args=[evidence.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    # The upload fields come from an abstract base; the page still starts with the application.
    labels = ["Application", "材料类别", "文件", "原文件名", "大小（字节）", "SHA-256", "上传时间"]
    positions = [text.index(f"{label}:") for label in labels]
    assert positions == sorted(positions)
