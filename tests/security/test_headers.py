"""Security headers on every kind of response (issue #9 item 5), and the HTTPS-only ones
under production settings (HSTS, secure cookies; ``check --deploy`` runs in .ci/run)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from core.middleware_security import POLICY

pytestmark = pytest.mark.django_db

MIDDLEWARE = "core.middleware_security.SecurityHeadersMiddleware"
REPO = Path(__file__).resolve().parents[2]


def test_the_security_headers_middleware_is_installed():
    import gongzhi.settings as project  # the module itself: the fixture above patches django's

    assert MIDDLEWARE in project.MIDDLEWARE


def _answers(world) -> dict[str, object]:
    owner = Client()
    owner.force_login(world.user("甲"))
    committee = Client()
    committee.force_login(world.personas.committee)
    return {
        "public page": Client().get(reverse("accounts:login")),
        "owner page": owner.get(reverse("voting:receipt", kwargs={"pk": world.assembly.pk})),
        "form error": committee.post(
            reverse("revenue:entry_new", kwargs={"code": "a1"}), {"amount": "x"}
        ),
        "file": committee.get(reverse("revenue:voucher", kwargs={"pk": world.entry.pk})),
        "CSV export": committee.get(reverse("revenue:export_csv", kwargs={"code": "a1"})),
        "API answer": owner.get("/api/v1/me/"),
        "API error": Client().get("/api/v1/me/"),
        "not found": owner.get("/no-such-page/"),
        "redirect": Client().get(reverse("voting:mine")),
        "health": Client().get("/healthz"),
    }


def test_every_kind_of_response_carries_the_security_headers(world):
    expected = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Content-Security-Policy": POLICY,
    }

    seen = {
        kind: {name: response.get(name) for name in expected}
        for kind, response in _answers(world).items()
    }

    assert seen == dict.fromkeys(seen, expected)


def test_the_policy_allows_no_inline_script_no_plugin_and_no_framing():
    directives = dict(part.split(" ", 1) for part in POLICY.split("; "))

    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"


INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\ssrc=)[^>]*>"  # a script element without src
    r"|<[a-z][^>]*\son[a-z]+\s*="  # an event-handler attribute (onclick=, onchange= …)
    r"|javascript:",
    re.IGNORECASE,
)


def test_no_template_of_ours_has_an_inline_script_the_policy_would_block():
    # The policy's promise depends on this: scripts come from static files only.
    offenders = sorted(
        f"{template.relative_to(REPO)}: {match.group(0)[:60]}"
        for template in REPO.glob("*/templates/**/*.html")
        for match in INLINE_SCRIPT.finditer(template.read_text(encoding="utf-8"))
    )

    assert offenders == []


def test_the_swagger_page_alone_may_run_its_inline_start_up_script(client):
    page = client.get("/api/docs/")

    assert "script-src 'self' 'unsafe-inline'" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_a_view_that_sets_its_own_policy_keeps_it(rf, world):
    from django.http import HttpResponse

    from core.middleware_security import SecurityHeadersMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = SecurityHeadersMiddleware(view)(rf.get("/"))

    assert response["Content-Security-Policy"] == "default-src 'none'"


# --------------------------------------------------------------------------- production

PRODUCTION = {
    "GONGZHI_ENV": "production",
    "SECRET_KEY": "s" * 20 + "-production-secret-key-for-tests-only-0123456789",
    "ALLOWED_HOSTS": "gongzhi.example.gov.cn",
    "GONGZHI_FERNET_KEY": "2xB1dMpv8m9U0QYQ2WxkYk7p8Tb6nS1lJ1yA5Z0m3qE=",
    "GONGZHI_SIGNING_PASSPHRASE": "a-long-signing-passphrase-for-tests",
    "GONGZHI_PUBLIC_BASE_URL": "https://gongzhi.example.gov.cn",
}

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
# The pages name static files through the manifest; this probe has no collectstatic.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
client = Client(HTTP_HOST="gongzhi.example.gov.cn")
plain = client.get("/accounts/login/")
secure = client.get("/accounts/login/", secure=True)
cookie = secure.cookies.get("csrftoken")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "hsts": secure.get("Strict-Transport-Security"),
    "csrf_cookie_secure": bool(cookie and cookie["secure"]),
    "settings": {name: getattr(settings, name) for name in (
        "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT", "DEBUG")},
}))
"""


def test_production_settings_redirect_to_https_send_hsts_and_mark_cookies_secure(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGZHI_", "DJANGO_"))}
    for name in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    env.update(PRODUCTION)
    env["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings"
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'probe.sqlite3'}"
    env["STATIC_ROOT"] = str(tmp_path / "static")
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen == {
        "plain": [301, "https://gongzhi.example.gov.cn/accounts/login/"],
        "hsts": "max-age=31536000; includeSubDomains; preload",
        "csrf_cookie_secure": True,
        "settings": {
            "SESSION_COOKIE_SECURE": True,
            "SESSION_COOKIE_HTTPONLY": True,
            "CSRF_COOKIE_SECURE": True,
            "SECURE_SSL_REDIRECT": True,
            "DEBUG": False,
        },
    }
