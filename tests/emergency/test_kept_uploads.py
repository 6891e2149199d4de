"""Files do not vanish when the filing form is shown again (issue 16 item 4; core.upload_drafts).

Each file that passes the check is kept for the draft (owner + form + token) and listed
("已保留：…（可更换）"); a file that failed is named ("须重新选择"); the next submit without
choosing files again files the application with the kept ones. Nobody else ever gets them.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core.models import KeptUpload
from core.upload_drafts import kept_uploads_purge
from emergency.models import EmergencyApplication, Evidence
from tests.factories import UserFactory, grant

from .conftest import pdf, photo
from .test_pages import filing_data, login

pytestmark = pytest.mark.django_db
URL = reverse("emergency:apply", args=["a1"])


def token_of(response) -> str:
    return re.search(r'name="upload_token" value="([0-9a-f]{32})"', response.content.decode())[1]


def first_try(client, user, **changes):
    """A submit with both files chosen and the estimate invalid: shown again (400)."""
    chosen = {
        "evidence_photo": [photo("现场照片.jpg")],
        "evidence_budget": [pdf("报价单.pdf")],
        "estimate": "abc",
    }
    data = filing_data(**{**chosen, **changes})
    response = login(client, user).post(URL, data)
    assert response.status_code == 400
    return response


def again(client, token, **changes):
    data = filing_data(upload_token=token, **changes)
    for name in ("evidence_photo", "evidence_budget"):
        if name not in changes:
            del data[name]
    return client.post(URL, data)


def test_files_chosen_before_an_error_are_kept_listed_and_filed_with_the_application(
    client, estate, personas
):
    response = first_try(client, personas.committee)
    page = response.content.decode()
    assert "已保留：现场照片.jpg（可更换）" in page
    assert "已保留：报价单.pdf（可更换）" in page
    assert KeptUpload.objects.filter(owner=personas.committee).count() == 2
    assert not EmergencyApplication.objects.exists()

    done = again(client, token_of(response))
    assert done.status_code == 302
    application = EmergencyApplication.objects.get()
    assert sorted(application.evidence.values_list("original_name", flat=True)) == [
        "报价单.pdf",
        "现场照片.jpg",
    ]
    assert not KeptUpload.objects.exists()  # attached: the kept copies are gone


def test_a_file_that_failed_the_check_is_named_to_be_chosen_again(client, estate, personas):
    fake = SimpleUploadedFile("现场.jpg", b"MZ\x90\x00", content_type="image/jpeg")
    response = first_try(client, personas.committee, evidence_photo=[fake], estimate="12000.00")
    page = response.content.decode()
    assert "须重新选择：现场.jpg（文件内容与扩展名不符）" in page
    assert "已保留：报价单.pdf（可更换）" in page
    assert list(KeptUpload.objects.values_list("original_name", flat=True)) == ["报价单.pdf"]
    # Choosing only the photo again is enough: the quote is the kept one.
    done = again(client, token_of(response), evidence_photo=[photo("新照片.jpg")])
    assert done.status_code == 302
    names = set(Evidence.objects.values_list("original_name", flat=True))
    assert names == {"新照片.jpg", "报价单.pdf"}


def test_choosing_a_new_file_replaces_the_kept_one_and_a_discarded_one_is_dropped(
    client, estate, personas
):
    response = first_try(client, personas.committee)
    token = token_of(response)
    quote = KeptUpload.objects.get(original_name="报价单.pdf")
    shown = again(
        client,
        token,
        estimate="abc",
        evidence_photo=[photo("换过的照片.jpg")],
        kept_discard=[str(quote.pk)],
    )
    assert shown.status_code == 400
    page = shown.content.decode()
    assert "已保留：换过的照片.jpg（可更换）" in page
    assert "现场照片.jpg" not in page and "报价单.pdf" not in page
    # Without the quote the filing is refused for the missing evidence, not filed.
    refused = again(client, token)
    assert refused.status_code == 400
    assert "缺少" in refused.content.decode()


def test_a_forged_token_never_attaches_another_users_kept_files(client, estate, personas):
    response = first_try(client, personas.committee)
    token = token_of(response)
    colleague = UserFactory(username="committee_a1_second")
    grant(colleague, Role.COMMITTEE_MEMBER, estate.a1)
    client.logout()
    login(client, colleague)
    forged = again(client, token)
    assert forged.status_code == 400
    assert "已保留" not in forged.content.decode()
    assert not EmergencyApplication.objects.exists()
    assert KeptUpload.objects.filter(owner=personas.committee).count() == 2  # untouched
    # Discarding by the other user's row ids touches nothing either.
    ids = [str(pk) for pk in KeptUpload.objects.values_list("pk", flat=True)]
    again(client, token, kept_discard=ids)
    assert KeptUpload.objects.filter(owner=personas.committee).count() == 2


def test_the_token_of_another_form_finds_nothing(client, estate, personas):
    response = first_try(client, personas.committee)
    token = token_of(response)
    url_a2 = reverse("emergency:apply", args=["a2"])
    grant(personas.committee, Role.PROPERTY_STAFF, estate.company_p)  # may file for a2 too
    data = filing_data(upload_token=token)
    del data["evidence_photo"], data["evidence_budget"]
    assert client.post(url_a2, data).status_code == 400
    assert not EmergencyApplication.objects.exists()


def test_kept_files_expire(client, estate, personas):
    response = first_try(client, personas.committee)
    KeptUpload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert again(client, token_of(response)).status_code == 400
    assert not EmergencyApplication.objects.exists()
    assert kept_uploads_purge() == 0  # the submit above already purged them
    assert not KeptUpload.objects.exists()


def test_a_file_added_later_is_kept_when_its_category_was_not_chosen(client, filed, personas):
    before = filed.evidence.count()
    target = reverse("emergency:evidence_add", args=[filed.pk])
    first = login(client, personas.committee).post(target, {"kind": "", "file": pdf("补充.pdf")})
    assert first.status_code == 400
    assert "已保留：补充.pdf（可更换）" in first.content.decode()
    done = client.post(target, {"kind": "other", "upload_token": token_of(first)})
    assert done.status_code == 302
    assert filed.evidence.count() == before + 1
    assert filed.evidence.filter(original_name="补充.pdf").exists()
    assert not KeptUpload.objects.exists()


def test_the_settlement_papers_chosen_with_the_preview_are_there_at_the_confirmation(
    client, funded, personas, verified
):
    from .conftest import file_application
    from .test_money import accept, approve

    application = approve(file_application(personas.committee, funded.a1), personas, verified)
    accept(application, personas)
    target = reverse("emergency:settle", args=[application.pk])
    day = str(timezone.localdate())
    reviewer = login(client, personas.reviewer)
    preview = reviewer.post(
        target,
        {
            "final_cost": "10000.00",
            "settled_on": day,
            "step": "preview",
            "files": [pdf("发票.pdf")],
        },
    )
    assert preview.status_code == 200
    assert "已保留：发票.pdf（可更换）" in preview.content.decode()
    done = reviewer.post(
        target,
        {
            "final_cost": "10000.00",
            "settled_on": day,
            "step": "confirm",
            "upload_token": token_of(preview),
        },
    )
    assert done.status_code == 302
    assert EmergencyApplication.objects.get(pk=application.pk).status == "settled"
    assert Evidence.objects.filter(application=application, original_name="发票.pdf").exists()
    assert not KeptUpload.objects.exists()
