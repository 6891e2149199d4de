"""Signing keys, a timestamp authority and PDF tools for the publication tests.

RSA-3072 key generation is slow, so the deployment CA and the bureau's signing
certificate are made once per test session (tests/signing.py, with the real
``signing_init``) in a temporary directory; every test then points the settings
at it and at its own MEDIA_ROOT. A small RFC 3161 timestamp authority (pyHanko's TSA
responder behind a real HTTP server on 127.0.0.1) serves the B-T tests, and an
NSS database trusting our CA lets poppler's ``pdfsig`` check the chain.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import tests.signing
from publications import signing
from tests.signing import PASSPHRASE, make_config, publishing_settings  # noqa: F401 - make_config

# The session's keys (tests/signing.py) under the fixture's own name: test_signing_keys.py
# imports make_config, and tests/browser/test_public_verify.py this fixture, from here.
signing_dir = tests.signing.signing_dir_fixture

PUBLIC_BASE_URL = "https://gongzhi.example.gov.cn"


@pytest.fixture(autouse=True)
def signing_settings(settings, signing_dir, tmp_path):
    """The session's keys, a MEDIA_ROOT of the test's own and the base URL printed on notices."""
    for name, value in publishing_settings(signing_dir, media_root=tmp_path / "media").items():
        setattr(settings, name, value)
    settings.GONGZHI_PUBLIC_BASE_URL = PUBLIC_BASE_URL
    return signing_dir


def ca_certificate(directory: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate((directory / signing.CA_CERT).read_bytes())


def ca_key(directory: Path) -> rsa.RSAPrivateKey:
    return serialization.load_pem_private_key(
        (directory / signing.CA_KEY).read_bytes(), PASSPHRASE.encode()
    )


def issue_cert(
    directory: Path, *, cn: str, eku=None, key_usage: dict | None = None
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A certificate for ``cn`` issued by the session CA (e.g. for the TSA)."""
    ca = ca_certificate(directory)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    if key_usage:
        builder = builder.add_extension(signing._key_usage(**key_usage), critical=True)
    return builder.sign(ca_key(directory), hashes.SHA256()), key


# --------------------------------------------------------------------------- data


@pytest.fixture
def issue(district):
    """Issue a small table notice through the real service."""
    from publications.models import Kind
    from publications.rendering import TABLE_TEMPLATE, table_context
    from publications.services import publication_issue

    def make(
        *,
        rows: int = 3,
        kind: str = Kind.OTHER,
        area=None,
        actor=None,
        title: str = "测试公告",
        period: str = "2026",
        supersedes=None,
        extra_row: list[str] | None = None,
    ):
        area = district.a1 if area is None else area
        body = [[str(i + 1), f"{i + 1}栋{i + 1:02d}室", f"{100 + i}.50"] for i in range(rows)]
        if extra_row:
            body.append(extra_row)
        return publication_issue(
            kind=kind,
            area=area,
            period=period,
            template=TABLE_TEMPLATE,
            context=table_context(
                intro=["现将有关事项公示如下。"],
                columns=[
                    {"label": "序号", "align": "center"},
                    {"label": "房屋", "align": ""},
                    {"label": "面积（㎡）", "align": "num"},
                ],
                rows=body,
                notes=["公示期七日。"],
            ),
            actor=actor,
            title=title,
            supersedes=supersedes,
        )

    return make


def stored_bytes(publication) -> bytes:
    with publication.file.open("rb") as handle:
        return handle.read()


def nothing_stored(media_root: Path) -> bool:
    from audit.models import AuditEvent
    from publications.models import Publication, PublicationLogEntry, SerialCounter

    files = (
        [p for p in Path(media_root).rglob("*") if p.is_file()] if Path(media_root).exists() else []
    )
    return (
        Publication.objects.count() == 0
        and PublicationLogEntry.objects.count() == 0
        and not SerialCounter.objects.filter(last__gt=0).exists()
        and not AuditEvent.objects.filter(action__startswith="publication.").exists()
        and files == []
    )


# --------------------------------------------------------------------------- PDF tools


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, check=False)


def pdftext(path: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return run(*args, str(path), "-").stdout


def pdffonts(path: Path) -> list[dict]:
    """Rows of ``pdffonts``: name, emb, sub (the columns we check)."""
    lines = run("pdffonts", str(path)).stdout.splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name … type … encoding emb sub uni object-id generation
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


@dataclass
class PdfSig:
    returncode: int
    text: str

    def field(self, name: str) -> str:
        match = re.search(rf"- {re.escape(name)}: (.*)", self.text)
        return match.group(1).strip() if match else ""


@pytest.fixture(scope="session")
def nss_db(tmp_path_factory, signing_dir) -> Path:
    directory = tmp_path_factory.mktemp("nssdb")
    der_file = directory.parent / "ca.der"
    der_file.write_bytes(ca_certificate(signing_dir).public_bytes(serialization.Encoding.DER))
    # NSS initialises once per process: build the database in a child process.
    result = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("nsstool.py")),
            str(directory),
            str(der_file),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return directory


@pytest.fixture
def pdfsig(nss_db):
    def check(path: Path) -> PdfSig:
        result = run("pdfsig", "-nssdir", f"sql:{nss_db}", str(path))
        return PdfSig(result.returncode, result.stdout + result.stderr)

    return check


# --------------------------------------------------------------------------- TSA


@pytest.fixture(scope="session")
def tsa(signing_dir):
    """An RFC 3161 timestamp authority on 127.0.0.1, certified by the session CA."""
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.sign.timestamps import DummyTimeStamper

    cert, key = issue_cert(
        signing_dir,
        cn="Gongzhi Test TSA",
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
        key_usage={"digital_signature": True, "content_commitment": True},
    )
    responder = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=load_private_key_from_pemder_data(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            passphrase=None,
        ),
    )
    requests: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer = responder.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            requests.append(len(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}/tsa", requests=requests)
    server.shutdown()
    server.server_close()
