"""One world for the whole matrix, built once and rolled back at the end.

Building the district and every object through the services takes seconds;
the matrix makes thousands of requests. So the world is made once per module
inside a transaction that is rolled back afterwards, and each test runs in a
savepoint of it (pytest-django's ``db``, which leaves higher-scoped
transactions alone), so whatever a request writes is undone before the next
test.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from tests.signing import publishing_settings, signing_dir_fixture  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def _world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("access-media")


@pytest.fixture(scope="module")
def _world_settings(signing_dir, _world_media):
    """The session's signing keys (the CA is public at /publications/ca.pem) and the world's
    MEDIA_ROOT."""
    with override_settings(
        **publishing_settings(signing_dir, media_root=_world_media),
        GONGZHI_SMS_BACKEND="accounts.sms.LocmemSender",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, _world_media):
    # Replaces tests/conftest.py's per-test folder: the world's files (attachments,
    # vouchers, evidence, scans) must stay readable by every test of the module.
    settings.MEDIA_ROOT = _world_media


@pytest.fixture(scope="module")
def world(_world_settings, django_db_setup, django_db_blocker):
    from .build import build_world

    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)
