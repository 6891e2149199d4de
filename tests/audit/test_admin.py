"""The admin shows the audit chain read-only, even to a superuser."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from audit.models import AuditEvent, AuditHead
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    from tests.conftest import pass_totp

    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    pass_totp(client, superuser)
    return client


@pytest.mark.parametrize("model", [AuditEvent, AuditHead])
def test_nobody_may_add_change_or_delete_in_the_admin(superuser, model):
    request = RequestFactory().get("/")
    request.user = superuser
    model_admin = admin.site._registry[model]

    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False
    assert model_admin.has_view_permission(request) is True


def test_the_event_list_opens_and_shows_the_events(admin_client, record):
    events = record(2)

    response = admin_client.get(reverse("admin:audit_auditevent_changelist"))

    assert response.status_code == 200
    assert events[1].hash[:12] in response.content.decode()


def test_the_add_page_is_forbidden(admin_client):
    response = admin_client.get(reverse("admin:audit_auditevent_add"))

    assert response.status_code == 403


def test_posting_a_change_to_an_event_changes_nothing(admin_client, record):
    event = record(1)[0]
    url = reverse("admin:audit_auditevent_change", args=[event.pk])

    response = admin_client.post(url, {"action": "forged"})

    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "test.change"


def test_the_delete_page_is_forbidden_and_the_event_stays(admin_client, record):
    event = record(1)[0]

    response = admin_client.post(
        reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
