"""Settings read the environment once and fail fast with a clear message (STYLE.md §11)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOOD_SECRET = "s" * 20 + "-production-secret-key-for-tests-only-0123456789"
GOOD_FERNET = "2xB1dMpv8m9U0QYQ2WxkYk7p8Tb6nS1lJ1yA5Z0m3qE="


def _start(env_overrides: dict[str, str], code: str = "import django; django.setup()"):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGZHI_", "DJANGO_"))}
    # Start from a bare environment: CI runs this file with DATABASE_URL set for PostgreSQL.
    for name in (
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        "REDIS_CACHE_URL",
    ):
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def _production(**extra):
    env = {
        "GONGZHI_ENV": "production",
        "SECRET_KEY": GOOD_SECRET,
        "ALLOWED_HOSTS": "gongzhi.example.gov.cn",
        "GONGZHI_FERNET_KEY": GOOD_FERNET,
        "GONGZHI_SIGNING_PASSPHRASE": "a-long-signing-passphrase-for-tests",
        "GONGZHI_PUBLIC_BASE_URL": "https://gongzhi.example.gov.cn",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def test_missing_secret_key_in_production_stops_startup_with_a_clear_message():
    result = _start(_production(SECRET_KEY=None))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_short_secret_key_in_production_is_refused():
    result = _start(_production(SECRET_KEY="short"))
    assert result.returncode != 0
    assert "at least 50" in result.stderr


def test_missing_fernet_key_in_production_is_refused():
    result = _start(_production(GONGZHI_FERNET_KEY=None))
    assert result.returncode != 0
    assert "GONGZHI_FERNET_KEY is not set" in result.stderr


def test_bad_fernet_key_is_refused():
    result = _start(_production(GONGZHI_FERNET_KEY="not-a-key"))
    assert result.returncode != 0
    assert "must be a Fernet key" in result.stderr


def test_bad_debug_value_is_refused():
    result = _start({"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_unknown_environment_name_is_refused():
    result = _start({"GONGZHI_ENV": "staging"})
    assert result.returncode != 0
    assert "GONGZHI_ENV must be" in result.stderr


def test_production_without_allowed_hosts_is_refused():
    result = _start(_production(ALLOWED_HOSTS=""))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_bad_database_url_is_refused():
    result = _start({"DATABASE_URL": "nonsense://"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_local_run_needs_no_environment_and_runs_tasks_eagerly():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.CELERY_TASK_ALWAYS_EAGER, s.DATABASES['default']['ENGINE'])"
    )
    result = _start({}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "django.db.backends.sqlite3"]


def test_broker_url_turns_eager_mode_off():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.CELERY_TASK_ALWAYS_EAGER)"
    result = _start({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}, code)
    assert result.stdout.strip() == "False"


def test_check_deploy_passes_with_production_settings():
    code = (
        "import django, sys; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = _start(_production(DATABASE_URL="sqlite:////tmp/gongzhi-deploy-check.sqlite3"), code)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "pattern", ["BEGIN RSA PRIVATE KEY", "BEGIN PRIVATE KEY", "BEGIN ENCRYPTED PRIVATE KEY"]
)
def test_no_private_keys_are_tracked_in_the_repository(pattern):
    files = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.split()
    if not files:
        pytest.skip("not a git checkout")
    offenders = []
    for name in files:
        path = REPO / name
        if path.suffix in {".p12", ".pfx", ".key"}:
            offenders.append(name)
            continue
        try:
            if pattern in path.read_text(errors="ignore"):
                offenders.append(name)
        except (OSError, IsADirectoryError):
            continue
    # This test file names the patterns it looks for; it is not a key.
    offenders = [name for name in offenders if name != "tests/test_settings.py"]
    assert offenders == []
