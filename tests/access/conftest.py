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

SIGNING_PASSPHRASE = "access-matrix-signing-passphrase"


@pytest.fixture(scope="module")
def _world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("access-media")


@pytest.fixture(scope="module")
def _world_settings(tmp_path_factory, _world_media):
    """Signing keys (the CA is public at /publications/ca.pem) and the world's MEDIA_ROOT."""
    from django.conf import settings as django_settings

    from publications import signing

    directory = tmp_path_factory.mktemp("access-signing")
    signing.signing_init(
        config=signing.SigningConfig(
            directory=directory,
            passphrase=SIGNING_PASSPHRASE,
            pkcs12="",
            pkcs12_passphrase="",
            timestamp_url="",
            bureau_name=django_settings.GONGZHI_BUREAU_NAME,
            district_name=django_settings.GONGZHI_DISTRICT_NAME,
        )
    )
    with override_settings(
        GONGZHI_SIGNING_DIR=directory,
        GONGZHI_SIGNING_PASSPHRASE=SIGNING_PASSPHRASE,
        GONGZHI_SIGNING_PKCS12="",
        GONGZHI_SIGNING_PKCS12_PASSPHRASE="",
        GONGZHI_TIMESTAMP_URL="",
        GONGZHI_SERIAL_PREFIX="YQ",
        GONGZHI_SMS_BACKEND="accounts.sms.LocmemSender",
        MEDIA_ROOT=_world_media,
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
