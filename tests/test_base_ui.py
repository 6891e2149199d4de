"""The base UI: Chinese by default, English on request, phone-first, errors in Chinese."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_home_is_in_chinese_even_when_the_browser_asks_for_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert "业主共同管理平台" in body


@pytest.mark.django_db
def test_language_switch_gives_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Residents' co-governance platform" in body


@pytest.mark.django_db
def test_pages_are_built_for_phones(client):
    body = client.get("/").content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in body


@pytest.mark.django_db
def test_unknown_page_is_a_chinese_404():
    client = Client(raise_request_exception=False)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_forbidden_page_is_a_chinese_403(client, personas):
    client.force_login(personas.owner)
    response = client.get(reverse("audit:events"))
    assert response.status_code == 403
    assert "您没有权限访问此页面" in response.content.decode()


def test_server_error_page_renders_without_the_database():
    from core.views import error_500

    response = error_500(None)
    assert response.status_code == 500
    assert "服务器出错" in response.content.decode()


@pytest.mark.django_db
def test_health_endpoint_answers(client):
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_home_shows_a_role_its_next_steps(client, personas):
    client.force_login(personas.reviewer)
    body = client.get("/").content.decode()
    assert "审计链" in body
    client.force_login(personas.owner)
    body = client.get("/").content.decode()
    assert "审计链" not in body


@pytest.mark.django_db
def test_user_without_roles_is_told_what_to_do(client, personas):
    client.force_login(personas.outsider)
    assert "暂未被授予任何角色" in client.get("/").content.decode()
