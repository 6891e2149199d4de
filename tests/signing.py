"""Signing keys and publishing settings for the tests that issue signed PDFs.

Import the fixtures into a conftest or test module (``from tests.signing import
publishing_fixture, signing_dir_fixture``) and ask for ``publishing``. They are
defined under a name of their own (``name=``), so a module may import them under
another name and still gets the fixture by the marker's name. Set-ups of their own
(a module-wide ``override_settings``, the publication tests' public base URL)
build on ``signing_dir`` and ``publishing_settings``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from publications import signing

PASSPHRASE = "test-signing-passphrase"


def make_config(directory: Path, **overrides) -> signing.SigningConfig:
    """The configuration ``signing_init`` makes the test keys with (``overrides`` replace fields)."""
    values = {
        "directory": directory,
        "passphrase": PASSPHRASE,
        "pkcs12": "",
        "pkcs12_passphrase": "",
        "timestamp_url": "",
        "bureau_name": django_settings.GONGZHI_BUREAU_NAME,
        "district_name": django_settings.GONGZHI_DISTRICT_NAME,
    }
    values.update(overrides)
    return signing.SigningConfig(**values)


def publishing_settings(directory: Path, *, media_root: Path) -> dict[str, object]:
    """The settings under which notices are signed with the keys in ``directory`` (no PKCS#12,
    no timestamp) and stored under ``media_root``."""
    return {
        "GONGZHI_SIGNING_DIR": directory,
        "GONGZHI_SIGNING_PASSPHRASE": PASSPHRASE,
        "GONGZHI_SIGNING_PKCS12": "",
        "GONGZHI_SIGNING_PKCS12_PASSPHRASE": "",
        "GONGZHI_TIMESTAMP_URL": "",
        "GONGZHI_SERIAL_PREFIX": "YQ",
        "MEDIA_ROOT": media_root,
    }


@pytest.fixture(scope="session", name="signing_dir")
def signing_dir_fixture(tmp_path_factory) -> Path:
    """A CA and signing key made by the real ``signing_init``, once a session (RSA-3072 key
    generation is slow) for each conftest or module that imports this fixture."""
    directory = tmp_path_factory.mktemp("signing")
    signing.signing_init(config=make_config(directory))
    return directory


@pytest.fixture(name="publishing")
def publishing_fixture(settings, signing_dir, tmp_path) -> Path:
    """Real signing keys and a private MEDIA_ROOT: notices are issued as signed PDFs."""
    for name, value in publishing_settings(signing_dir, media_root=tmp_path / "media").items():
        setattr(settings, name, value)
    return signing_dir
