"""signing_init: the CA and the bureau's certificate, once; rotation; an external PKCS#12."""

from __future__ import annotations

import io
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command

from core.errors import DomainError
from publications import signing

from .conftest import PASSPHRASE, ca_certificate, issue_cert, make_config, stored_bytes


@pytest.fixture
def fresh(tmp_path):
    return make_config(tmp_path / "signing")


def load(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_init_creates_an_rsa_3072_ca_and_a_bureau_signing_certificate(fresh, settings):
    result = signing.signing_init(config=fresh)

    assert result.created == [
        "ca.key.pem",
        "ca.crt.pem",
        "signing-0001.key.pem",
        "signing-0001.crt.pem",
    ]
    ca = load(fresh.directory / "ca.crt.pem")
    cert = load(fresh.directory / "signing-0001.crt.pem")
    assert ca.public_key().key_size == 3072
    assert cert.public_key().key_size == 3072
    assert isinstance(cert.public_key(), rsa.RSAPublicKey)
    assert cert.signature_hash_algorithm.name == "sha256"
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert cert.issuer == ca.subject
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical is True
    assert usage.value.digital_signature is True
    assert usage.value.content_commitment is True
    assert usage.value.key_cert_sign is False
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == settings.GONGZHI_BUREAU_NAME


def test_private_keys_are_encrypted_with_the_passphrase_and_private_to_the_owner(fresh):
    signing.signing_init(config=fresh)

    for name in ("ca.key.pem", "signing-0001.key.pem"):
        path = fresh.directory / name
        assert b"ENCRYPTED PRIVATE KEY" in path.read_bytes()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with pytest.raises(TypeError):
            serialization.load_pem_private_key(path.read_bytes(), None)
        with pytest.raises(ValueError):
            serialization.load_pem_private_key(path.read_bytes(), b"wrong")
        key = serialization.load_pem_private_key(path.read_bytes(), PASSPHRASE.encode())
        assert key.key_size == 3072


def test_re_running_init_changes_nothing(fresh):
    first = signing.signing_init(config=fresh)
    before = {p.name: p.read_bytes() for p in fresh.directory.iterdir()}

    second = signing.signing_init(config=fresh)

    assert second.created == []
    assert {p.name: p.read_bytes() for p in fresh.directory.iterdir()} == before
    assert second.signing_fingerprint == first.signing_fingerprint


def test_rotate_adds_a_new_signing_certificate_and_keeps_the_old(fresh):
    first = signing.signing_init(config=fresh)

    rotated = signing.signing_init(rotate=True, config=fresh)

    assert rotated.created == ["signing-0002.key.pem", "signing-0002.crt.pem"]
    assert rotated.ca_fingerprint == first.ca_fingerprint
    assert rotated.signing_fingerprint != first.signing_fingerprint
    assert [signing.fingerprint(c) for c in signing.signing_certificates(fresh)] == [
        first.signing_fingerprint,
        rotated.signing_fingerprint,
    ]


@pytest.mark.django_db
def test_after_rotation_new_notices_use_the_new_key_and_old_ones_still_verify(
    issue, settings, tmp_path
):
    config = make_config(tmp_path / "rotating")
    first = signing.signing_init(config=config)
    settings.GONGZHI_SIGNING_DIR = config.directory
    old = issue()

    rotated = signing.signing_init(rotate=True, config=config)
    new = issue()

    assert old.signer_fingerprint == first.signing_fingerprint
    assert new.signer_fingerprint == rotated.signing_fingerprint
    assert signing.signature_check(stored_bytes(old)).ok is True
    assert signing.signature_check(stored_bytes(new)).ok is True


def test_the_key_is_loaded_once_per_process(settings):
    first = signing.current_signer()
    second = signing.current_signer()

    assert first is second


def test_the_command_creates_once_and_then_says_nothing_to_do(settings, tmp_path):
    settings.GONGZHI_SIGNING_DIR = tmp_path / "cmd"
    out = io.StringIO()

    call_command("signing_init", stdout=out)
    call_command("signing_init", stdout=out)

    text = out.getvalue()
    assert text.count("created ") == 4
    assert "nothing to do" in text
    assert (tmp_path / "cmd" / "signing-0001.crt.pem").exists()


def test_the_command_rotates(settings, tmp_path):
    settings.GONGZHI_SIGNING_DIR = tmp_path / "cmd"
    call_command("signing_init", stdout=io.StringIO())
    out = io.StringIO()

    call_command("signing_init", "--rotate", stdout=out)

    assert "signing-0002.crt.pem" in out.getvalue()
    assert (tmp_path / "cmd" / "signing-0001.crt.pem").exists()


def test_the_command_refuses_when_an_external_pkcs12_is_configured(settings, tmp_path):
    settings.GONGZHI_SIGNING_PKCS12 = str(tmp_path / "bureau.p12")

    with pytest.raises(CommandError, match="GONGZHI_SIGNING_PKCS12"):
        call_command("signing_init", stdout=io.StringIO())


def test_a_half_made_signing_dir_is_reported_not_overwritten(fresh):
    fresh.directory.mkdir(parents=True)
    (fresh.directory / "ca.crt.pem").write_text("not a key")

    with pytest.raises(DomainError) as refused:
        signing.signing_init(config=fresh)

    assert refused.value.code == "signing_dir_incomplete"
    assert (fresh.directory / "ca.crt.pem").read_text() == "not a key"


@pytest.mark.django_db
def test_a_bureau_can_sign_with_its_own_pkcs12_from_a_government_ca(
    issue, settings, signing_dir, tmp_path
):
    # Stand-in for a government CA: the session CA issues the bureau a certificate,
    # delivered as a PKCS#12 with its chain, as such CAs do.
    cert, key = issue_cert(
        signing_dir,
        cn="埇桥区住房和城乡建设局（政务CA）",
        key_usage={"digital_signature": True, "content_commitment": True},
    )
    bundle = tmp_path / "bureau.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=b"bureau",
            key=key,
            cert=cert,
            cas=[ca_certificate(signing_dir)],
            encryption_algorithm=serialization.BestAvailableEncryption(b"p12-pass"),
        )
    )
    settings.GONGZHI_SIGNING_PKCS12 = str(bundle)
    settings.GONGZHI_SIGNING_PKCS12_PASSPHRASE = "p12-pass"
    settings.GONGZHI_SIGNING_DIR = tmp_path / "unused"

    publication = issue()

    assert publication.signer_fingerprint == cert.fingerprint(hashes.SHA256()).hex()
    check = signing.signature_check(stored_bytes(publication))
    assert check.ok is True
    assert check.signer == "埇桥区住房和城乡建设局（政务CA）"
    assert signing.ca_pem() == ca_certificate(signing_dir).public_bytes(serialization.Encoding.PEM)
