"""Signing keys and publishing settings for the tests that issue signed PDFs.

Import the fixtures into a conftest or test module (``from tests.signing import
publishing_fixture, signing_dir_fixture``) and ask for ``publishing``. They are
defined under a name of their own (``name=``), so a module may import them under
another name and still gets the fixture by the marker's name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

PASSPHRASE = "test-signing-passphrase"


@pytest.fixture(scope="session", name="signing_dir")
def signing_dir_fixture(tmp_path_factory) -> Path:
    """A CA and signing key made once a session (key generation is slow)."""
    from django.conf import settings as django_settings

    from publications import signing

    directory = tmp_path_factory.mktemp("signing")
    signing.signing_init(
        config=signing.SigningConfig(
            directory=directory,
            passphrase=PASSPHRASE,
            pkcs12="",
            pkcs12_passphrase="",
            timestamp_url="",
            bureau_name=django_settings.GONGZHI_BUREAU_NAME,
            district_name=django_settings.GONGZHI_DISTRICT_NAME,
        )
    )
    return directory


@pytest.fixture(name="publishing")
def publishing_fixture(settings, signing_dir, tmp_path) -> Path:
    """Real signing keys and a private MEDIA_ROOT: notices are issued as signed PDFs."""
    settings.GONGZHI_SIGNING_DIR = signing_dir
    settings.GONGZHI_SIGNING_PASSPHRASE = PASSPHRASE
    settings.GONGZHI_SIGNING_PKCS12 = ""
    settings.GONGZHI_SIGNING_PKCS12_PASSPHRASE = ""
    settings.GONGZHI_TIMESTAMP_URL = ""
    settings.GONGZHI_SERIAL_PREFIX = "YQ"
    settings.MEDIA_ROOT = tmp_path / "media"
    return signing_dir
