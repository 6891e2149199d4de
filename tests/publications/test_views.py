"""The public pages (no login) and the bureau's issue page."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publications import logchain
from publications.models import Kind, Publication
from tests.conftest import pass_totp

from .conftest import ca_certificate, stored_bytes
from .test_signature import append_update, flip_byte_in_signed_range

pytestmark = pytest.mark.django_db

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def upload(client, data: bytes, serial: str = ""):
    url = (
        reverse("publications:verify", args=[serial])
        if serial
        else reverse("publications:verify_upload")
    )
    return client.post(url, {"file": SimpleUploadedFile("notice.pdf", data, "application/pdf")})


def login_verified(client, user):
    client.force_login(user, backend=LOGIN_BACKEND)
    pass_totp(client, user)
    return client


def test_the_list_is_public_and_filters_by_area_kind_and_search(client, issue, district):
    issue(title="甲一小区公共收益", kind=Kind.PUBLIC_REVENUE)
    issue(title="乙一小区维修资金", kind=Kind.FUND_USE, area=district.b1)

    everything = client.get(reverse("publications:list"))
    by_area = client.get(reverse("publications:list"), {"area": "b1"})
    by_kind = client.get(reverse("publications:list"), {"kind": "public_revenue"})
    by_text = client.get(reverse("publications:list"), {"q": "维修"})

    assert everything.status_code == 200
    assert [p.title for p in everything.context["page"]] == ["乙一小区维修资金", "甲一小区公共收益"]
    assert [p.title for p in by_area.context["page"]] == ["乙一小区维修资金"]
    assert [p.title for p in by_kind.context["page"]] == ["甲一小区公共收益"]
    assert [p.title for p in by_text.context["page"]] == ["乙一小区维修资金"]


def test_the_publication_page_shows_hash_dates_download_and_the_correction_chain(client, issue):
    old = issue(title="原公告")
    new = issue(title="更正公告", supersedes=old)

    page = client.get(reverse("publications:detail", args=[old.serial]))

    text = page.content.decode()
    assert page.status_code == 200
    assert old.sha256 in text
    assert f"已被 {new.serial} 更正取代" in text
    assert reverse("publications:download", args=[old.serial]) in text
    assert text.index(old.serial) < text.index(new.serial)
    assert page.context["chain"] == [old, new]


def test_download_returns_the_stored_signed_bytes(client, issue):
    publication = issue()

    response = client.get(
        reverse("publications:download", args=[publication.serial]), {"download": "1"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{publication.serial}.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == stored_bytes(publication)


def test_an_unknown_serial_is_404(client, db):
    assert client.get(reverse("publications:detail", args=["YQ-2026-999999"])).status_code == 404
    response = client.get(reverse("publications:verify", args=["YQ-2026-999999"]))
    assert response.status_code == 404
    assert "没有编号为 YQ-2026-999999 的公示" in response.content.decode()


def test_the_qr_landing_page_shows_the_register_entry(client, issue):
    publication = issue()

    response = client.get(reverse("publications:verify", args=[publication.serial]))

    text = response.content.decode()
    assert response.status_code == 200
    assert publication.sha256 in text
    assert "现行" in text


def test_uploading_the_untouched_file_says_authentic_and_current(client, issue):
    publication = issue()

    response = upload(client, stored_bytes(publication), publication.serial)

    result = response.context["result"]
    assert result.status == "current"
    assert "真实有效，且为现行版本" in response.content.decode()


def test_uploading_a_superseded_file_names_the_correction(client, issue):
    old = issue(title="原公告")
    new = issue(title="更正公告", supersedes=old)

    response = upload(client, stored_bytes(old))

    result = response.context["result"]
    assert result.status == "superseded"
    assert result.latest == new
    assert f"已被 {new.serial} 更正取代" in result.message
    assert "文件真实，但已被更正" in response.content.decode()


def test_a_correction_of_a_correction_points_to_the_current_version(client, issue):
    first = issue(title="第一版")
    second = issue(title="第二版", supersedes=first)
    first.refresh_from_db()
    third = issue(title="第三版", supersedes=second)

    result = upload(client, stored_bytes(first)).context["result"]

    assert result.status == "superseded"
    assert result.latest == third


def test_one_changed_byte_is_reported_altered_on_the_verify_page(client, issue):
    publication = issue()

    response = upload(client, flip_byte_in_signed_range(stored_bytes(publication)))

    result = response.context["result"]
    assert result.status == "altered"
    assert result.claimed_serial == publication.serial
    assert "摘要不符" in result.message
    assert "文件已被改动" in response.content.decode()


def test_an_appended_update_is_reported_altered_on_the_verify_page(client, issue):
    publication = issue()

    response = upload(client, append_update(stored_bytes(publication)), publication.serial)

    result = response.context["result"]
    assert result.status == "altered"
    assert "又被追加修改" in result.message


def test_a_file_that_is_not_ours_is_unknown(client, db):
    response = upload(client, b"%PDF-1.7\nnot really a pdf\n%%EOF\n")

    result = response.context["result"]
    assert result.status == "unknown"
    assert "无法确认" in result.message


def test_a_real_file_uploaded_on_another_notices_page_says_which_it_is(client, issue):
    first, second = issue(), issue()

    result = upload(client, stored_bytes(second), first.serial).context["result"]

    assert result.status == "current"
    assert result.publication == second
    assert f"该文件是公示 {second.serial}" in result.notes[0]


def test_a_truncated_file_is_reported_altered_not_a_500(client, issue):
    publication = issue()
    data = stored_bytes(publication)

    response = upload(client, data[: len(data) // 2], publication.serial)

    assert response.status_code == 200
    assert response.context["result"].status == "altered"


def test_uploading_nothing_is_a_form_error_not_a_500(client, db):
    response = client.post(reverse("publications:verify_upload"), {})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_the_log_is_public_json_that_anyone_can_rechain(client, issue):
    old = issue()
    issue(supersedes=old)

    response = client.get(reverse("publications:log"))

    document = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert document["format"] == "gongzhi-publication-log/1"
    assert [e["seq"] for e in document["entries"]] == [1, 2]
    assert document["entries"][1]["supersedes"] == old.serial
    assert logchain.first_break(document["entries"]) == (2, None, "")
    assert document["head"] == document["entries"][-1]["hash"]


def test_the_ca_certificate_is_downloadable(client, signing_dir):
    from cryptography.hazmat.primitives import serialization

    response = client.get(reverse("publications:ca"))

    assert response.status_code == 200
    assert response.content == ca_certificate(signing_dir).public_bytes(serialization.Encoding.PEM)
    assert "gongzhi-ca.pem" in response["Content-Disposition"]


def test_the_ca_page_is_404_before_signing_init(client, settings, tmp_path):
    settings.GONGZHI_SIGNING_DIR = tmp_path / "none"

    assert client.get(reverse("publications:ca")).status_code == 404


def test_the_issue_page_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get(reverse("estates:issue_area_register"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_issue_page_is_403_for_a_committee_member(client, personas):
    client.force_login(personas.committee, backend=LOGIN_BACKEND)

    assert client.get(reverse("estates:issue_area_register")).status_code == 403


def test_a_verified_approver_publishes_an_area_register_notice_from_the_web(
    client, personas, district
):
    login_verified(client, personas.approver)

    response = client.post(reverse("estates:issue_area_register"), {"area": district.a1.pk})

    publication = Publication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("publications:detail", args=[publication.serial])
    assert publication.issued_by == personas.approver
    assert publication.kind == "area_register"


def test_publishing_an_unchanged_register_again_shows_why_on_the_form(client, personas, district):
    login_verified(client, personas.approver)
    client.post(reverse("estates:issue_area_register"), {"area": district.a1.pk})

    response = client.post(reverse("estates:issue_area_register"), {"area": district.a1.pk})

    assert response.status_code == 409
    assert "没有变化" in response.content.decode()
    assert Publication.objects.count() == 1


def test_the_public_pages_fit_a_phone_and_need_no_login(client, issue):
    publication = issue()

    for url in (
        reverse("publications:list"),
        reverse("publications:detail", args=[publication.serial]),
        reverse("publications:verify", args=[publication.serial]),
        reverse("publications:verify_upload"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'name="viewport"' in response.content.decode()
