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
