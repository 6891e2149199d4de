"""core.upload_drafts: what is kept, for whom, and for how long (issue 16 item 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone

from core.models import KeptUpload
from core.upload_drafts import KEPT_FOR, UploadDraft, kept_uploads_purge
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"
FORM = "test.form:1"


def post(user, data=None, files=None):
    request = RequestFactory().post("/", data={**(data or {}), **(files or {})})
    request.user = user
    return request


def pdf(name="报价单.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_an_accepted_file_is_kept_for_its_owner_and_a_refused_one_named():
    user = UserFactory()
    bad = SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00", content_type="application/pdf")
    draft = UploadDraft(post(user, files={"quote": [pdf(), bad]}), form=FORM, fields=["quote"])
    assert [row.original_name for row in draft.kept("quote")] == ["报价单.pdf"]
    assert [(r.name, r.reason) for r in draft.refused_for("quote")] == [
        ("病毒.pdf", "文件内容与扩展名不符")
    ]
    row = KeptUpload.objects.get()
    assert row.owner == user and row.size == len(PDF) and len(row.sha256) == 64
    assert row.expires_at - timezone.now() <= KEPT_FOR


def test_the_next_submit_gets_the_kept_file_back_only_with_the_same_owner_form_and_token():
    owner, other = UserFactory(), UserFactory()
    first = UploadDraft(post(owner, files={"quote": pdf()}), form=FORM, fields=["quote"])
    token = first.token
    again = UploadDraft(post(owner, {"upload_token": token}), form=FORM, fields=["quote"])
    assert [f.name for f in again.files().getlist("quote")] == ["报价单.pdf"]
    assert again.files().getlist("quote")[0].read() == PDF
    for user, form, sent in (
        (other, FORM, token),  # another user's token
        (owner, "test.form:2", token),  # another form
        (owner, FORM, "0" * 32),  # a guessed token
        (owner, FORM, "not-hex"),  # not a token at all: a new one is made
    ):
        draft = UploadDraft(post(user, {"upload_token": sent}), form=form, fields=["quote"])
        assert not draft.files().getlist("quote")


def test_expired_files_are_not_given_back_and_are_purged_with_their_stored_file():
    user = UserFactory()
    draft = UploadDraft(post(user, files={"quote": pdf()}), form=FORM, fields=["quote"])
    row = KeptUpload.objects.get()
    storage, name = row.file.storage, row.file.name
    assert storage.exists(name)
    KeptUpload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not draft.kept("quote")
    assert kept_uploads_purge() == 1
    assert not KeptUpload.objects.exists() and not storage.exists(name)


def test_attached_drops_only_this_drafts_files():
    user = UserFactory()
    mine = UploadDraft(post(user, files={"quote": pdf()}), form=FORM, fields=["quote"])
    UploadDraft(post(user, files={"quote": pdf("另一份.pdf")}), form=FORM, fields=["quote"])
    mine.attached()
    assert list(KeptUpload.objects.values_list("original_name", flat=True)) == ["另一份.pdf"]


def test_the_hourly_task_purges_every_expired_batch_and_keeps_live_files(settings):
    from core.tasks import kept_uploads_purge_all

    assert settings.CELERY_BEAT_SCHEDULE["core-kept-uploads-purge"]["task"] == (
        "core.kept_uploads_purge"
    )
    user = UserFactory()
    for n in range(3):
        UploadDraft(post(user, files={"quote": pdf()}), form=f"{FORM}{n}", fields=["quote"])
    live = KeptUpload.objects.order_by("pk").last()
    KeptUpload.objects.exclude(pk=live.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert kept_uploads_purge_all.delay().get() == 2
    assert list(KeptUpload.objects.all()) == [live]
