"""The voucher survives an entry form shown again (issue 16 item 4; core.upload_drafts)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from core.models import KeptUpload
from revenue.models import RevenueEntry
from tests.voting.conftest import pdf_upload

from .test_pages import entry_form

pytestmark = pytest.mark.django_db


def token_of(response) -> str:
    return re.search(r'name="upload_token" value="([0-9a-f]{32})"', response.content.decode())[1]


def test_the_voucher_is_kept_when_the_amount_was_mistyped(client, district, personas):
    client.force_login(personas.committee)
    target = reverse("revenue:entry_new", args=[district.a1.code])
    first = client.post(target, entry_form(amount="12.345", voucher=pdf_upload("收据.pdf")))
    assert first.status_code == 400
    assert "已保留：收据.pdf（可更换）" in first.content.decode()

    done = client.post(target, entry_form(upload_token=token_of(first)))
    assert done.status_code == 302
    entry = RevenueEntry.objects.get()
    assert entry.voucher
    assert not KeptUpload.objects.exists()
