"""Upload type and size limits, through the pages that take files (issue #9 item 5).

Assembly attachments, paper ballot scans and revenue vouchers take a PDF, JPEG or PNG
of at most 10 MB whose first bytes match its extension (``core.uploads.validate_upload``);
the register import takes a CSV or XLSX of at most 20 MB. A refused file leaves no row
and no file behind. Sizes are tested on both sides of the limit.
"""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.uploads import MAX_UPLOAD_BYTES
from estates.models import ImportJob
from revenue.models import RevenueEntry
from tests.voting.conftest import ORDINARY, build_register, make_assembly
from voting.models import AssemblyAttachment, Ballot

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n"
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff\xe0"
REGISTER_MAX = 20 * 1024 * 1024  # estates.views.importing.MAX_UPLOAD_BYTES


def _sized(head: bytes, size: int) -> bytes:
    return head + b"\0" * (size - len(head))


# name, bytes: files that must be refused wherever a PDF/JPEG/PNG is expected
REFUSED = {
    "an executable renamed .pdf": ("scan.pdf", b"MZ\x90\x00" + b"\0" * 60),
    "HTML with script": ("scan.html", b"<html><script>alert(1)</script></html>"),
    "SVG with script named .png": (
        "scan.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    "SVG by extension": ("scan.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
    "a PNG named .pdf": ("scan.pdf", PNG + b"\0" * 16),
    "no extension": ("scan", PDF + b"\0" * 16),
    "empty": ("scan.pdf", b""),
    "one byte over 10 MB": ("scan.pdf", _sized(PDF, MAX_UPLOAD_BYTES + 1)),
}
ACCEPTED = {
    "a PDF of exactly 10 MB": ("scan.pdf", _sized(PDF, MAX_UPLOAD_BYTES)),
    "a JPEG": ("scan.jpg", JPEG + b"\0" * 16),
    "a PNG with a capital extension": ("scan.PNG", PNG + b"\0" * 16),
}


def _files(root) -> list[str]:
    return sorted(os.path.join(d, f) for d, _dirs, names in os.walk(root) for f in names)


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def committee(personas) -> Client:
    client = Client()
    client.force_login(personas.committee)
    return client


# --------------------------------------------------------------------------- attachments


@pytest.fixture
def draft(personas, district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    build_register(district.a1, [("甲", ["89.50"])])
    return make_assembly(district.a1, personas.committee, motions=(ORDINARY,))


def _attach(client, draft, name, data):
    return client.post(
        reverse("voting:manage_attachment_add", kwargs={"pk": draft.pk}),
        {"title": "维修方案", "file": _upload(name, data)},
    )


@pytest.mark.parametrize("case", list(REFUSED))
def test_an_attachment_that_is_not_a_small_pdf_or_image_is_refused_and_not_kept(
    committee, draft, settings, case
):
    name, data = REFUSED[case]

    response = _attach(committee, draft, name, data)

    assert response.status_code in (200, 400)
    assert "file" in response.context["form"].errors
    assert AssemblyAttachment.objects.count() == 0
    assert _files(settings.MEDIA_ROOT) == []


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_an_attachment_that_is_a_pdf_or_image_within_10_mb_is_kept(committee, draft, case):
    name, data = ACCEPTED[case]

    response = _attach(committee, draft, name, data)

    assert response.status_code == 302
    assert AssemblyAttachment.objects.get().size == len(data)


# --------------------------------------------------------------------------- paper ballot scans


def _paper(client, world, name, data):
    right = world.a1.right(world.assembly, "丙")
    return client.post(
        reverse("voting:manage_paper", kwargs={"pk": world.assembly.pk, "right": right.pk}),
        {"step": "confirm", "m1": "approve", "key": "k-scan", "scan": _upload(name, data)},
    )


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_paper_ballot_whose_scan_is_refused_is_not_recorded(committee, world, case):
    name, data = REFUSED[case]
    ballots = Ballot.objects.count()
    files = _files(world_media := world.paper_ballot.scan.storage.location)

    response = _paper(committee, world, name, data)

    assert response.status_code == 400
    assert "scan" in response.context["files"].errors
    assert Ballot.objects.count() == ballots
    assert _files(world_media) == files


def test_a_paper_ballot_with_a_10_mb_pdf_scan_is_recorded(committee, world):
    ballots = Ballot.objects.count()

    response = _paper(committee, world, *ACCEPTED["a PDF of exactly 10 MB"])

    assert response.status_code == 302
    assert Ballot.objects.count() == ballots + 1


# --------------------------------------------------------------------------- revenue vouchers


def _entry(client, name, data):
    return client.post(
        reverse("revenue:entry_new", kwargs={"code": "a1"}),
        {
            "direction": "income",
            "category": "parking",
            "amount": "1200.00",
            "occurred_on": "2025-02-10",
            "counterparty": "甲停车管理有限公司",
            "memo": "",
            "confirm": "on",
            "voucher": _upload(name, data),
        },
    )


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_revenue_entry_whose_voucher_is_refused_is_not_recorded(
    committee, district, settings, tmp_path, case
):
    settings.MEDIA_ROOT = tmp_path / "media"
    name, data = REFUSED[case]

    response = _entry(committee, name, data)

    assert response.status_code == 400
    assert "voucher" in response.context["form"].errors
    assert RevenueEntry.objects.count() == 0
    assert _files(settings.MEDIA_ROOT) == []


def test_a_revenue_entry_with_a_10_mb_pdf_voucher_is_recorded(
    committee, district, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"

    response = _entry(committee, *ACCEPTED["a PDF of exactly 10 MB"])

    assert response.status_code == 302
    assert RevenueEntry.objects.get().voucher.size == MAX_UPLOAD_BYTES


# --------------------------------------------------------------------------- register import


@pytest.fixture
def reviewer(personas) -> Client:
    client = Client()
    client.force_login(personas.reviewer)
    return client


def _import(client, district, name, data):
    return client.post(
        reverse("estates:import"),
        {"area": district.a1.pk, "file": _upload(name, data), "mode": "check"},
    )


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("register.csv", REGISTER_MAX + 1),
        ("register.xlsx", REGISTER_MAX + 1),
        ("register.csv", 0),
        ("register.exe", 100),
        ("register.html", 100),
        ("register.xls.exe", 100),
    ],
)
def test_a_register_file_too_large_empty_or_of_another_type_is_refused_before_any_job(
    reviewer, district, name, size
):
    response = _import(reviewer, district, name, b"a" * size)

    assert response.status_code == 400  # the form again, with its error
    assert "file" in response.context["form"].errors
    assert ImportJob.objects.count() == 0


def test_a_register_file_of_exactly_20_mb_is_taken_and_checked(
    reviewer, district, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _import(reviewer, district, "register.csv", b"a" * REGISTER_MAX)

    assert response.status_code == 302
    job = ImportJob.objects.get()
    # Not a register: the check refuses it, nothing is imported.
    assert job.report["ok"] is False
