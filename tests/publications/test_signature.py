"""A published PDF's signature: checked with pyHanko's validator and with poppler's pdfsig.

DESIGN.md "Publications and signatures": intact, trusted against our CA,
covering the whole file, a certification signature permitting no change;
a one-byte change or an appended update is reported as altered.
"""

from __future__ import annotations

import io

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import read_certification_data, validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from core.errors import DomainError
from publications.signing import signature_check

from .conftest import ca_certificate, nothing_stored, stored_bytes

pytestmark = pytest.mark.django_db


def validate(data: bytes, signing_dir, *, skip_diff: bool = False):
    reader = PdfFileReader(io.BytesIO(data))
    sig = reader.embedded_signatures[0]
    root = asn1_x509.Certificate.load(
        ca_certificate(signing_dir).public_bytes(serialization.Encoding.DER)
    )
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    return reader, sig, validate_pdf_signature(sig, context, skip_diff=skip_diff)


def flip_byte_in_signed_range(data: bytes) -> bytes:
    """Change one byte inside the first signed range (in the page content, not the header)."""
    reader = PdfFileReader(io.BytesIO(data))
    byte_range = reader.embedded_signatures[0].sig_object["/ByteRange"]
    position = byte_range[1] // 2
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def append_update(data: bytes) -> bytes:
    """An incremental update after the signature, as an editing tool would write."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    info = writer.root
    info["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_validator_finds_the_signature_intact_trusted_and_covering_the_whole_file(
    issue, signing_dir
):
    data = stored_bytes(issue())

    reader, sig, status = validate(data, signing_dir)

    assert status.intact is True
    assert status.valid is True
    assert status.trusted is True
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.bottom_line is True
    assert status.md_algorithm == "sha256"


def test_the_signature_is_a_certification_permitting_no_changes(issue, signing_dir):
    data = stored_bytes(issue())

    reader, sig, status = validate(data, signing_dir)

    certification = read_certification_data(reader)
    assert certification is not None
    assert certification.permission == MDPPerm.NO_CHANGES
    assert sig.docmdp_level == MDPPerm.NO_CHANGES
    assert status.docmdp_ok is True


def test_the_signature_is_pades_with_the_bureau_rsa_3072_certificate(issue, signing_dir, settings):
    data = stored_bytes(issue())

    reader, sig, status = validate(data, signing_dir)

    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    cert = sig.signer_cert
    assert cert.public_key.bit_size == 3072
    assert cert.public_key.algorithm == "rsa"
    assert cert.subject.native["common_name"] == settings.GONGZHI_BUREAU_NAME
    assert set(cert.key_usage_value.native) == {"digital_signature", "non_repudiation"}


def test_pdfsig_reports_the_signature_valid_and_the_certificate_trusted(issue, pdfsig, tmp_path):
    path = tmp_path / "notice.pdf"
    path.write_bytes(stored_bytes(issue()))

    result = pdfsig(path)

    assert result.field("Signature Validation") == "Signature is Valid."
    assert result.field("Certificate Validation") == "Certificate is Trusted."
    assert result.field("Signature Type") == "ETSI.CAdES.detached"
    assert result.field("Signing Hash Algorithm") == "SHA-256"
    assert "Total document signed" in result.text


def test_one_changed_byte_is_a_digest_mismatch_for_pdfsig_although_it_exits_0(
    issue, pdfsig, tmp_path
):
    path = tmp_path / "changed.pdf"
    path.write_bytes(flip_byte_in_signed_range(stored_bytes(issue())))

    result = pdfsig(path)

    # pdfsig's exit status does not tell; its text does.
    assert result.returncode == 0
    assert result.field("Signature Validation") == "Digest Mismatch."


def test_one_changed_byte_makes_the_validator_report_not_intact(issue, signing_dir):
    data = flip_byte_in_signed_range(stored_bytes(issue()))

    reader, sig, status = validate(data, signing_dir)

    assert status.intact is False
    assert status.bottom_line is False
    check = signature_check(data)
    assert check.ok is False
    assert check.intact is False


def test_an_appended_update_makes_the_validator_report_illegal_modifications(issue, signing_dir):
    data = append_update(stored_bytes(issue()))

    reader, sig, status = validate(data, signing_dir)

    assert status.intact is True  # the signed bytes themselves are untouched …
    assert status.coverage == SignatureCoverageLevel.ENTIRE_REVISION  # … but more follows
    assert status.docmdp_ok is False
    assert status.bottom_line is False
    check = signature_check(data)
    assert check.ok is False
    assert check.entire_file is False


def test_our_own_check_accepts_the_untouched_file(issue):
    check = signature_check(stored_bytes(issue()))

    assert check.ok is True
    assert (check.intact, check.trusted, check.entire_file, check.no_changes) == (
        True,
        True,
        True,
        True,
    )


def test_a_file_signed_under_another_ca_is_not_trusted(issue, settings, tmp_path):
    from publications import signing

    data = stored_bytes(issue())
    other = tmp_path / "other-ca"
    signing.signing_init(
        config=signing.SigningConfig(
            directory=other,
            passphrase="x",
            pkcs12="",
            pkcs12_passphrase="",
            timestamp_url="",
            bureau_name="别的机构",
            district_name="别处",
        )
    )
    settings.GONGZHI_SIGNING_DIR = other

    check = signature_check(data)

    assert check.ok is False
    assert check.intact is True
    assert check.trusted is False


def test_the_seal_is_the_signature_widget_drawn_without_fonts(issue):
    reader = PdfFileReader(io.BytesIO(stored_bytes(issue())))
    sig = reader.embedded_signatures[0]

    widget = sig.sig_field
    appearance = widget["/AP"]["/N"]
    resources = appearance.get("/Resources", generic.DictionaryObject())
    assert "/Font" not in resources
    assert "/ExtGState" not in resources  # opaque: no transparency in a PDF/A appearance
    assert int(widget["/F"]) & 0b100  # printed with the page
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    # 42 mm square, as the template marks it.
    assert round(x2 - x1, 1) == round(42 / 25.4 * 72, 1)
    assert round(y2 - y1, 1) == round(42 / 25.4 * 72, 1)
    # Red fill (0.85 0.08 0.08) in the drawing.
    assert b"0.85 0.08 0.08 rg" in appearance.data


def test_the_widget_sits_where_the_template_placed_the_seal(issue):
    from publications.rendering import render_pdf  # noqa: F401 - documented link

    publication = issue(rows=60)
    reader = PdfFileReader(io.BytesIO(stored_bytes(publication)))
    widget = reader.embedded_signatures[0].sig_field

    # The seal follows the table, so with 60 rows it is on the last page.
    page_ref = widget["/P"]
    pages = [p.get_object() for p in reader.root["/Pages"]["/Kids"]]
    assert publication.pages == len(pages) > 1
    assert page_ref.get_object() is pages[-1] or page_ref == reader.root["/Pages"]["/Kids"][-1]


def test_with_a_timestamp_url_the_signature_gets_a_trusted_timestamp(
    issue, settings, tsa, signing_dir
):
    settings.GONGZHI_TIMESTAMP_URL = tsa.url
    before = len(tsa.requests)

    data = stored_bytes(issue())

    reader, sig, status = validate(data, signing_dir)
    # Our TSA was asked (pyHanko asks once more to size the signature).
    assert len(tsa.requests) > before
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact is True
    assert status.timestamp_validity.trusted is True
    assert status.bottom_line is True
    assert signature_check(data).timestamped is True


def test_an_unreachable_timestamp_authority_refuses_the_notice_and_stores_nothing(issue, settings):
    # Port 9 (discard) on localhost: nothing listens there.
    settings.GONGZHI_TIMESTAMP_URL = "http://127.0.0.1:9/tsa"

    with pytest.raises(DomainError) as refused:
        issue()

    assert refused.value.code == "timestamp_failed"
    assert "时间戳服务" in refused.value.message
    assert nothing_stored(settings.MEDIA_ROOT)
