"""Owners read the materials of an assembly before they vote (issue 6 item 1).

The convener uploads attachments to the draft; once the notice is out, everyone
who follows the assembly (``assembly.view_progress`` in its area) can download
them from the ballot and progress pages. A draft's files stay with the convener.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from voting import services

from .conftest import PDF_BYTES, make_assembly, mark_noticed, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_file(register, personas, media):
    assembly = make_assembly(register.area, personas.committee)
    attachment = services.attachment_add(
        assembly=assembly, title="维修方案", file=pdf_upload("plan.pdf"), actor=personas.committee
    )
    return assembly, attachment


def download(client, user, assembly, attachment):
    client.force_login(user)
    return client.get(reverse("voting:attachment", args=[assembly.pk, attachment.pk]))


def test_an_owner_of_the_area_downloads_a_noticed_assemblys_attachment(client, register, with_file):
    assembly, attachment = with_file
    mark_noticed(assembly)
    response = download(client, register.user("甲"), assembly, attachment)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"


def test_the_ballot_page_lists_the_attachments(client, register, personas, with_file):
    assembly, attachment = with_file
    mark_noticed(assembly)
    client.force_login(register.user("甲"))
    body = client.get(reverse("voting:ballot", args=[assembly.pk])).content.decode()
    assert reverse("voting:attachment", args=[assembly.pk, attachment.pk]) in body
    assert "维修方案" in body


def test_a_drafts_attachment_is_not_found_for_owners(client, register, with_file):
    assembly, attachment = with_file
    assert download(client, register.user("甲"), assembly, attachment).status_code == 404


def test_another_areas_owner_cannot_download(client, personas, with_file):
    assembly, attachment = with_file
    mark_noticed(assembly)
    assert download(client, personas.other_owner, assembly, attachment).status_code == 404


def test_an_attachment_of_another_assembly_is_not_found(client, register, personas, with_file):
    assembly, attachment = with_file
    other = mark_noticed(make_assembly(register.area, personas.committee, title="另一次会议"))
    mark_noticed(assembly)
    assert download(client, register.user("甲"), other, attachment).status_code == 404
