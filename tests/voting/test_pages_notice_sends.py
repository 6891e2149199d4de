"""The notice's confirmation offers an unsigned preview; the detail page shows the texts' progress."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from publications.models import Publication, SerialCounter
from voting.models import TextSend

from .conftest import ORDINARY, make_assembly, mark_noticed

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"voting:{name}", args=args)


def pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, timeout=60, check=True
    )
    return result.stdout.decode("utf-8")


@pytest.fixture
def draft(register, personas):
    return make_assembly(
        register.area, personas.committee, motions=(ORDINARY,), opens_in=timedelta(days=40)
    )


def test_the_preview_is_an_unsigned_pdf_that_publishes_nothing(client, draft, personas, publishing):
    client.force_login(personas.committee)
    confirm = client.get(url("manage_notice", draft.pk)).content.decode()
    assert url("manage_notice_preview", draft.pk) in confirm

    events = AuditEvent.objects.count()
    response = client.get(url("manage_notice_preview", draft.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "预览 — 未签名" in text
    assert "续聘物业服务企业" in text  # the motion, from the notice's own template
    assert "预览（未编号）" in text
    assert b"/ByteRange" not in data  # no signature
    # Not a publication: no row, no serial, no audit event; the draft is still a draft.
    assert Publication.objects.count() == 0
    assert not SerialCounter.objects.filter(last__gt=0).exists()
    assert AuditEvent.objects.count() == events
    draft.refresh_from_db()
    assert draft.status == "draft"
    # The confirmation is still required: only its POST publishes.
    assert (
        "确认发布公告？发布后不可撤回。"
        in client.get(url("manage_notice", draft.pk)).content.decode()
    )


def test_the_preview_of_another_areas_draft_is_404_and_of_an_owner_403(
    client, draft, personas, publishing
):
    client.force_login(personas.other_committee)
    assert client.get(url("manage_notice_preview", draft.pk)).status_code == 404
    client.force_login(personas.owner)
    assert client.get(url("manage_notice_preview", draft.pk)).status_code == 403


def test_past_the_draft_the_preview_leads_to_the_detail_page(client, draft, personas):
    mark_noticed(draft)
    client.force_login(personas.committee)
    response = client.get(url("manage_notice_preview", draft.pk))
    assert response.status_code == 302
    assert response["Location"] == url("manage_detail", draft.pk)


def test_publishing_returns_before_the_texts_are_sent_and_the_page_shows_progress(
    client, draft, personas, publishing, settings, django_capture_on_commit_callbacks
):
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    client.force_login(personas.committee)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url("manage_notice", draft.pk))
    assert response.status_code == 302
    # The request queued the texts; the worker has not run yet.
    assert TextSend.objects.filter(assembly=draft, status="pending").count() == 6

    waiting = client.get(url("manage_detail", draft.pk)).content.decode()
    assert "已发送 0 / 6 条，失败 0 条，待发送 6 条。" in waiting
    assert '<meta http-equiv="refresh" content="5">' in waiting
    assert '<progress style="width:100%" value="0" max="6"' in waiting

    for callback in callbacks:
        callback()  # the worker's turn
    done = client.get(url("manage_detail", draft.pk)).content.decode()
    assert "已发送 6 / 6 条，失败 0 条，待发送 0 条。" in done
    assert 'http-equiv="refresh"' not in done  # finished: no more reloading
    assert "不再重试" not in done

    # Two that failed three times: counted, and the convener told what to do.
    two = TextSend.objects.filter(assembly=draft).order_by("pk").values_list("pk", flat=True)[:2]
    TextSend.objects.filter(pk__in=list(two)).update(status="failed", attempts=3)
    failed = client.get(url("manage_detail", draft.pk)).content.decode()
    assert "已发送 4 / 6 条，失败 2 条，待发送 0 条。" in failed
    assert "发送失败的短信已各尝试 3 次，不再重试" in failed


def test_a_draft_shows_no_text_progress(client, draft, personas):
    client.force_login(personas.committee)
    assert "公告短信" not in client.get(url("manage_detail", draft.pk)).content.decode()
