"""A proxy ballot's scan survives the review page shown again for the missing authorisation
(issue 16 item 4; core.upload_drafts): the committee chooses only the authorisation on the
second try and the ballot is stored with both files."""

from __future__ import annotations

import re

import pytest

from core.models import KeptUpload
from voting.models import Ballot

from .conftest import pdf_upload, png_upload
from .test_pages_manage_ballots import committee, sheet_data, url  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def token_of(response) -> str:
    return re.search(r'name="upload_token" value="([0-9a-f]{32})"', response.content.decode())[1]


def test_the_scan_is_kept_when_the_authorisation_was_forgotten(
    committee,  # noqa: F811
    assembly,
    register,
    media,
):
    right = register.right(assembly, "丁")
    page = url("manage_proxy", assembly.pk, right.pk)
    review = committee.post(page, sheet_data(step="review", proxy_name="赵受托"))
    token = token_of(review)
    first = committee.post(
        page,
        sheet_data(
            step="confirm",
            key="k-kept",
            proxy_name="赵受托",
            upload_token=token,
            scan=pdf_upload("表决票.pdf"),
        ),
    )
    assert first.status_code == 400
    assert "已保留：表决票.pdf（可更换）" in first.content.decode()
    assert token_of(first) == token

    done = committee.post(
        page,
        sheet_data(
            step="confirm",
            key="k-kept",
            proxy_name="赵受托",
            upload_token=token,
            authorisation=png_upload("委托书.png"),
        ),
    )
    assert done.status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.scan and ballot.authorisation
    assert not KeptUpload.objects.exists()


def test_an_attachment_file_is_kept_when_its_title_was_refused(
    committee,  # noqa: F811
    register,
    personas,
    media,
):
    from voting.models import AssemblyAttachment

    from .conftest import make_assembly

    draft = make_assembly(register.area, personas.committee)
    page = url("manage_attachment_add", draft.pk)
    first = committee.post(page, {"title": "长" * 201, "file": pdf_upload("维修方案.pdf")})
    assert first.status_code == 400
    assert "已保留：维修方案.pdf（可更换）" in first.content.decode()
    done = committee.post(page, {"title": "维修方案", "upload_token": token_of(first)})
    assert done.status_code == 302
    assert AssemblyAttachment.objects.filter(assembly=draft, title="维修方案").exists()
    assert not KeptUpload.objects.exists()
