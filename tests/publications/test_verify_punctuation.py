"""The verify page's sentences end once: no "。）。" or "。。" whatever the check found.

The signature check's detail is a sentence with its own full stop; the verdict
quotes it in brackets, so the detail's stop must go (publications.selectors).
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import strip_tags

from .conftest import stored_bytes
from .test_signature import append_update, flip_byte_in_signed_range

pytestmark = pytest.mark.django_db

# A full stop (or other closing mark) directly before another, with or without a closing
# bracket between them: "。）。", "。。", "。)。", "；。".
DOUBLED = re.compile(r"[。；！？][）)]?[。；！？]")


def _verify_text(client, data: bytes, serial: str = "") -> tuple[str, str]:
    url = (
        reverse("publications:verify", args=[serial])
        if serial
        else reverse("publications:verify_upload")
    )
    response = client.post(url, {"file": SimpleUploadedFile("n.pdf", data, "application/pdf")})
    return response.context["result"].message, strip_tags(response.content.decode())


def test_an_unsigned_file_is_unknown_in_one_sentence_with_the_detail_in_brackets(client):
    message, page = _verify_text(client, b"%PDF-1.7\nnot really a pdf\n%%EOF\n")
    assert message == (
        "无法确认：该文件不是本平台登记的公示，或已被改动（文件不是完整的 PDF，或其结构已损坏）。"
    )
    assert "。）。" not in page
    assert not DOUBLED.search(page)


@pytest.mark.parametrize(
    "change", [flip_byte_in_signed_range, append_update], ids=["flipped", "appended"]
)
@pytest.mark.parametrize("with_serial", [False, True], ids=["upload", "serial"])
def test_an_altered_or_unregistered_file_never_shows_doubled_punctuation(
    client, issue, change, with_serial
):
    publication = issue()
    message, page = _verify_text(
        client, change(stored_bytes(publication)), publication.serial if with_serial else ""
    )
    assert not DOUBLED.search(message), message
    assert not DOUBLED.search(page)


def test_the_genuine_file_verifies_without_doubled_punctuation(client, issue):
    publication = issue()
    message, page = _verify_text(client, stored_bytes(publication), publication.serial)
    assert message.startswith("真实有效")
    assert not DOUBLED.search(page)
