"""The bureau's signing keys, signing a PDF, and checking a signed PDF.

Keys (DESIGN.md "Publications and signatures"): ``signing_init`` creates
once, in ``GONGZHI_SIGNING_DIR``, a deployment CA and a bureau signing
certificate, both RSA-3072 with SHA-256 — not ECDSA, which would move the
file to PDF 2.0 and out of PDF/A. The signing certificate carries the
digitalSignature and contentCommitment (non-repudiation) key usages and the
bureau's name as CN. Private keys are PKCS#8, encrypted with
``GONGZHI_SIGNING_PASSPHRASE``. Rotation adds ``signing-0002`` … and keeps the
old certificates, which still verify what they signed. A bureau with a
government CA sets ``GONGZHI_SIGNING_PKCS12`` instead (its key, certificate
and chain up to the root in one file).

Signing is a PAdES baseline certification signature (B-B; B-T with an RFC 3161
timestamp when ``GONGZHI_TIMESTAMP_URL`` is set) that permits no later change
(DocMDP P=1), with our seal drawn as its visible appearance. The key is
loaded once per process; signing then takes tens of milliseconds.
"""

# One piece because keys, signing and checking share the certificate format and change
# together; a verifier drifting from its signer would accept what it should refuse.

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError

logger = logging.getLogger(__name__)

KEY_BITS = 3072
CA_YEARS = 30
SIGNING_YEARS = 10
SIG_FIELD = "GongzhiSeal"
CA_CERT = "ca.crt.pem"
CA_KEY = "ca.key.pem"
_SIGNING_RE = re.compile(r"^signing-(\d{4})\.crt\.pem$")


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class SigningConfig:
    directory: Path
    passphrase: str
    pkcs12: str
    pkcs12_passphrase: str
    timestamp_url: str
    bureau_name: str
    district_name: str

    @classmethod
    def from_settings(cls) -> SigningConfig:
        return cls(
            directory=Path(settings.GONGZHI_SIGNING_DIR),
            passphrase=settings.GONGZHI_SIGNING_PASSPHRASE,
            pkcs12=settings.GONGZHI_SIGNING_PKCS12,
            pkcs12_passphrase=settings.GONGZHI_SIGNING_PKCS12_PASSPHRASE,
            timestamp_url=settings.GONGZHI_TIMESTAMP_URL,
            bureau_name=settings.GONGZHI_BUREAU_NAME,
            district_name=settings.GONGZHI_DISTRICT_NAME,
        )


@dataclass(frozen=True)
class InitResult:
    created: list[str]
    ca_fingerprint: str
    signing_fingerprint: str
    signing_file: str


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _name(cn: str, config: SigningConfig) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, config.district_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, config.bureau_name),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _key_usage(**on: bool) -> x509.KeyUsage:
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{name: on.get(name, False) for name in names})


def _write_private(path: Path, data: bytes) -> None:
    # Created 0600 from the start: the key must never be readable by others, not even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _write_public(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _encrypted_pem(key: rsa.RSAPrivateKey, passphrase: str) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )


def _load_key(path: Path, passphrase: str) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), passphrase.encode())
    except (ValueError, TypeError) as exc:
        raise DomainError(
            "signing_passphrase",
            _("无法解密签章私钥 %(file)s：口令（GONGZHI_SIGNING_PASSPHRASE）不对或文件已损坏。")
            % {"file": path.name},
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise DomainError("signing_key_type", _("签章私钥必须是 RSA 密钥。"))
    return key


def _signing_files(directory: Path) -> list[tuple[int, Path]]:
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _SIGNING_RE.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def _issue_signing_cert(
    config: SigningConfig, ca_cert: x509.Certificate, ca_key: rsa.RSAPrivateKey, number: int
) -> tuple[Path, x509.Certificate]:
    now = dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(config.bureau_name, config))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(
            min(now + dt.timedelta(days=365 * SIGNING_YEARS), ca_cert.not_valid_after_utc)
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # contentCommitment (non-repudiation) marks a signature that commits the
        # bureau to the content, as a seal does; pyHanko and NSS both check it.
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    stem = f"signing-{number:04d}"
    _write_private(config.directory / f"{stem}.key.pem", _encrypted_pem(key, config.passphrase))
    cert_path = config.directory / f"{stem}.crt.pem"
    _write_public(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, cert


def signing_init(*, rotate: bool = False, config: SigningConfig | None = None) -> InitResult:
    """Create the CA and a signing certificate if missing; ``rotate`` adds a new signing cert.

    Safe to re-run: existing keys are never overwritten.
    """
    config = config or SigningConfig.from_settings()
    if config.pkcs12:
        raise DomainError(
            "external_pkcs12",
            _("已配置外部证书（GONGZHI_SIGNING_PKCS12），无需也不能在本机生成签章密钥。"),
        )
    directory = config.directory
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    created: list[str] = []
    ca_cert_path, ca_key_path = directory / CA_CERT, directory / CA_KEY
    if ca_cert_path.exists() != ca_key_path.exists():
        raise DomainError(
            "signing_dir_incomplete",
            _("签章目录 %(dir)s 不完整（CA 证书与私钥只有其一），请人工检查。")
            % {"dir": directory},
        )
    if ca_cert_path.exists():
        ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
        ca_key = _load_key(ca_key_path, config.passphrase)
    else:
        now = dt.datetime.now(dt.UTC)
        ca_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        ca_name = _name(_("%(bureau)s公示签章根证书") % {"bureau": config.bureau_name}, config)
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        _write_private(ca_key_path, _encrypted_pem(ca_key, config.passphrase))
        _write_public(ca_cert_path, ca_cert.public_bytes(serialization.Encoding.PEM))
        created += [CA_KEY, CA_CERT]

    existing = _signing_files(directory)
    if existing and not rotate:
        cert_path = existing[-1][1]
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    else:
        number = existing[-1][0] + 1 if existing else 1
        cert_path, cert = _issue_signing_cert(config, ca_cert, ca_key, number)
        created += [cert_path.name.replace(".crt.pem", ".key.pem"), cert_path.name]
    return InitResult(
        created=created,
        ca_fingerprint=fingerprint(ca_cert),
        signing_fingerprint=fingerprint(cert),
        signing_file=cert_path.name,
    )


def _not_ready() -> DomainError:
    return DomainError(
        "signing_not_ready",
        _("尚未生成签章证书。请先运行 python manage.py signing_init。"),
    )


def _pkcs12_bundle(config: SigningConfig):
    try:
        return pkcs12.load_pkcs12(
            Path(config.pkcs12).read_bytes(), config.pkcs12_passphrase.encode() or None
        )
    except (OSError, ValueError) as exc:
        raise DomainError(
            "signing_pkcs12",
            _("无法读取外部签章证书（GONGZHI_SIGNING_PKCS12）：文件或口令不对。"),
        ) from exc


def trust_roots(config: SigningConfig | None = None) -> list[x509.Certificate]:
    """The root certificates that published PDFs are verified against (public)."""
    config = config or SigningConfig.from_settings()
    if config.pkcs12:
        bundle = _pkcs12_bundle(config)
        chain = [c.certificate for c in bundle.additional_certs]
        roots = [c for c in chain if c.issuer == c.subject]
        # A bundle without its root: trust the top of the chain it carries.
        return roots or chain[-1:] or ([bundle.cert.certificate] if bundle.cert else [])
    path = config.directory / CA_CERT
    if not path.exists():
        return []
    return [x509.load_pem_x509_certificate(path.read_bytes())]


def ca_pem(config: SigningConfig | None = None) -> bytes:
    """The trust root(s) in PEM, for the public download page; b"" if not set up yet."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in trust_roots(config))


def signing_certificates(config: SigningConfig | None = None) -> list[x509.Certificate]:
    """All signing certificates (current last), for the public page and for checks."""
    config = config or SigningConfig.from_settings()
    if config.pkcs12:
        bundle = _pkcs12_bundle(config)
        return [bundle.cert.certificate] if bundle.cert else []
    return [
        x509.load_pem_x509_certificate(path.read_bytes())
        for _, path in _signing_files(config.directory)
    ]


# --------------------------------------------------------------------------- signing


@dataclass(frozen=True)
class _LoadedSigner:
    signer: object
    fingerprint: str
    timestamper: object | None


_signer_cache: dict[tuple, _LoadedSigner] = {}
_signer_lock = threading.Lock()


def _signer_key(config: SigningConfig) -> tuple:
    if config.pkcs12:
        path = Path(config.pkcs12)
        return ("p12", str(path), path.stat().st_mtime_ns, config.timestamp_url)
    existing = _signing_files(config.directory)
    if not existing:
        raise _not_ready()
    return ("dir", str(existing[-1][1]), config.passphrase, config.timestamp_url)


@functools.cache
def _kept_key_signer_class():
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign import signers
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class KeptKeySigner(signers.SimpleSigner):
        """pyHanko's SimpleSigner parses the private key again for every signature
        (~0.15 s for RSA-3072, twice per PDF); this keeps the parsed key instead."""

        @classmethod
        def wrap(cls, base: signers.SimpleSigner):
            signer = cls(
                signing_cert=base.signing_cert,
                signing_key=base.signing_key,
                cert_registry=base.cert_registry,
            )
            signer._key = serialization.load_der_private_key(base.signing_key.dump(), None)
            return signer

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            if mechanism.signature_algo == "rsassa_pkcs1v15":
                return self._key.sign(
                    data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
                )
            return super().sign_raw(data, digest_algorithm)

    return KeptKeySigner


def _load_signer(config: SigningConfig) -> _LoadedSigner:
    from pyhanko.sign import signers, timestamps

    if config.pkcs12:
        signer = signers.SimpleSigner.load_pkcs12(
            config.pkcs12, passphrase=config.pkcs12_passphrase.encode() or None
        )
        if signer is None:
            raise DomainError(
                "signing_pkcs12",
                _("无法读取外部签章证书（GONGZHI_SIGNING_PKCS12）：文件或口令不对。"),
            )
    else:
        cert_path = _signing_files(config.directory)[-1][1]
        key_path = cert_path.with_name(cert_path.name.replace(".crt.pem", ".key.pem"))
        # Decrypt first with our own message for a wrong passphrase.
        _load_key(key_path, config.passphrase)
        signer = signers.SimpleSigner.load(
            str(key_path),
            str(cert_path),
            ca_chain_files=(str(config.directory / CA_CERT),),
            key_passphrase=config.passphrase.encode(),
        )
        if signer is None:
            raise _not_ready()
    signer = _kept_key_signer_class().wrap(signer)
    cert = x509.load_der_x509_certificate(signer.signing_cert.dump())
    timestamper = timestamps.HTTPTimeStamper(config.timestamp_url) if config.timestamp_url else None
    return _LoadedSigner(signer=signer, fingerprint=fingerprint(cert), timestamper=timestamper)


def current_signer(config: SigningConfig | None = None) -> _LoadedSigner:
    """The signer for new publications, loaded (and its key decrypted) once per process."""
    config = config or SigningConfig.from_settings()
    key = _signer_key(config)
    loaded = _signer_cache.get(key)
    if loaded is None:
        with _signer_lock:
            loaded = _signer_cache.get(key)
            if loaded is None:
                loaded = _load_signer(config)
                _signer_cache[key] = loaded
    return loaded


def sign_pdf(
    data: bytes,
    *,
    page: int,
    box: tuple[float, float, float, float],
    reason: str,
    location: str,
    config: SigningConfig | None = None,
) -> tuple[bytes, str]:
    """Certify ``data`` with the bureau's key; the seal is drawn in ``box`` on ``page``.

    Returns the signed bytes (the original bytes plus one incremental update,
    so the PDF/A content is untouched) and the signing certificate's fingerprint.
    """
    import aiohttp
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import TimestampRequestError

    from .seal import SealStampStyle

    config = config or SigningConfig.from_settings()
    loaded = current_signer(config)
    meta = signers.PdfSignatureMetadata(
        field_name=SIG_FIELD,
        md_algorithm="sha256",
        # A certification signature forbidding any later change: an appended
        # update, even a new signature, makes the document "altered" (RULES.md §7).
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    field_spec = fields.SigFieldSpec(
        SIG_FIELD,
        on_page=page,
        box=tuple(round(v, 2) for v in box),
        readable_field_name=config.bureau_name,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=loaded.signer,
        timestamper=loaded.timestamper,
        stamp_style=SealStampStyle(bureau_name=config.bureau_name),
        new_field_spec=field_spec,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    _align_producer(writer)
    try:
        out = pdf_signer.sign_pdf(writer)
    except (TimestampRequestError, aiohttp.ClientError, TimeoutError, OSError) as exc:
        # Only the timestamp request talks to the network; B-T was asked for,
        # so a notice without its timestamp is not issued.
        raise DomainError(
            "timestamp_failed",
            _("时间戳服务（%(url)s）不可用，公示未发布：%(error)s")
            % {"url": config.timestamp_url, "error": str(exc) or type(exc).__name__},
        ) from exc
    return out.getvalue(), loaded.fingerprint


def _align_producer(writer) -> None:
    """Keep the Info dictionary's Producer equal to the XMP ``pdf:Producer``.

    pyHanko rewrites the XMP producer to itself but appends itself to the Info
    one ("WeasyPrint …; pyHanko …"); PDF/A validators compare the two.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.metadata.model import VENDOR

    try:
        info_ref = writer.trailer.raw_get("/Info")
    except KeyError:
        return
    info = info_ref.get_object()
    info["/Producer"] = generic.TextStringObject(VENDOR)
    writer.mark_update(info_ref)


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class SignatureCheck:
    """The result of checking a PDF's certification signature against our trust roots."""

    ok: bool
    detail: str
    intact: bool = False
    trusted: bool = False
    entire_file: bool = False
    no_changes: bool = False
    timestamped: bool = False
    signer: str = ""
    signed_at: dt.datetime | None = None
    reason: str = ""


def _asn1_roots(config: SigningConfig | None) -> list[asn1_x509.Certificate]:
    return [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
        for c in trust_roots(config)
    ]


def signature_check(data: bytes, *, config: SigningConfig | None = None) -> SignatureCheck:
    """Check a PDF's first (certification) signature. Never raises for a bad file.

    Authentic means all of: the signed bytes are intact, the certificate chains
    to our root, the signature covers the whole file (nothing appended), and it
    is a certification signature permitting no change. Diff analysis of later
    revisions is skipped: with "no changes" any later revision is an alteration.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import MDPPerm
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = _asn1_roots(config)
    if not roots:
        return SignatureCheck(ok=False, detail=_("本平台尚未配置签章根证书，无法验证签章。"))
    # The file comes from anyone (the public upload form): any failure of the
    # parser or the validator on it means "cannot be verified", never a 500.
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - untrusted input, see above
        return SignatureCheck(ok=False, detail=_("文件不是完整的 PDF，或其结构已损坏。"))
    if not signatures:
        return SignatureCheck(ok=False, detail=_("文件中没有电子签章。"))
    sig = signatures[0]
    reason = ""
    try:
        reason = str(sig.sig_object.get("/Reason", ""))
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = validate_pdf_signature(sig, context, skip_diff=True)
        coverage = sig.evaluate_signature_coverage()
        level = sig.docmdp_level
    except Exception as exc:  # noqa: BLE001 - untrusted input, see above
        logger.info("signature check failed: %s: %s", type(exc).__name__, exc)
        return SignatureCheck(ok=False, detail=_("无法解析文件中的电子签章。"), reason=reason)
    intact = bool(status.intact and status.valid)
    trusted = bool(status.trusted)
    entire_file = coverage == SignatureCoverageLevel.ENTIRE_FILE
    no_changes = level == MDPPerm.NO_CHANGES
    timestamped = status.timestamp_validity is not None
    if not intact:
        detail = _("签章所覆盖的内容已被改动（摘要不符）。")
    elif not trusted:
        detail = _("签章证书不是由本平台的根证书签发的。")
    elif not entire_file:
        detail = _("签章之后文件又被追加修改过。")
    elif not no_changes:
        detail = _("不是禁止修改的认证签章。")
    elif timestamped and not status.timestamp_validity.valid:
        detail = _("签章时间戳无效。")
    else:
        detail = _("电子签章有效，由本平台根证书签发，覆盖整个文件。")
    ok = intact and trusted and entire_file and no_changes
    if timestamped:
        ok = ok and bool(status.timestamp_validity.valid and status.timestamp_validity.intact)
    signer_name = ""
    with contextlib.suppress(AttributeError, ValueError):
        signer_name = sig.signer_cert.subject.native.get("common_name", "")
    return SignatureCheck(
        ok=ok,
        detail=detail,
        intact=intact,
        trusted=trusted,
        entire_file=entire_file,
        no_changes=no_changes,
        timestamped=timestamped,
        signer=signer_name,
        signed_at=sig.self_reported_timestamp,
        reason=reason,
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
