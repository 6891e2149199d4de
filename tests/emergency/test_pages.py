"""The emergency pages at the HTTP level: scope (404 outside), refusals as form errors, flows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from emergency.models import EmergencyApplication, Evidence, Problem, WhitelistVersion

from .conftest import JPEG_BYTES, file_application, pdf, photo, review

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"


def login(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def filing_data(**changes):
    data = {
        "item": "E05",
        "description": "地下室给水主管爆裂",
        "estimate": "12000.00",
        "prepayment": "",
        "scope_unit_codes": "",
        "evidence_photo": [photo()],
        "evidence_budget": [pdf("budget.pdf")],
    }
    data.update(changes)
    return data


# --------------------------------------------------------------------------- filing


def test_the_filing_page_lists_the_current_whitelist(client, estate, personas):
    response = login(client, personas.committee).get(reverse("emergency:apply", args=["a1"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "E01 电梯停运或存在安全隐患" in text
    assert "以上都不是（清单外事项）" in text
    assert 'name="evidence_elevator_report"' in text
    assert "multiple" in text


def test_a_committee_member_with_one_area_goes_straight_to_its_form(client, estate, personas):
    response = login(client, personas.committee).get(reverse("emergency:choose_area"))
    assert response.status_code == 302
    assert response["Location"] == reverse("emergency:apply", args=["a1"])


def test_filing_from_the_page_stores_the_application_and_shows_it(client, estate, personas):
    client = login(client, personas.committee)
    response = client.post(
        reverse("emergency:apply", args=["a1"]),
        filing_data(scope_buildings=["1栋"], prepayment="1000.50"),
    )
    application = EmergencyApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("emergency:detail", args=[application.pk])
    assert application.estimate_fen == 1_200_000
    assert application.prepayment_fen == 100_050
    assert application.scope_buildings == ["1栋"]
    detail = client.get(response["Location"]).content.decode()
    assert "12,000.00" in detail
    assert "住建局审核" in detail


def test_an_estimate_over_the_cap_is_shown_with_the_normal_procedure(client, estate, personas):
    response = login(client, personas.committee).post(
        reverse("emergency:apply", args=["a1"]), filing_data(estimate="30000.01")
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "超过“供排水管道爆裂、堵塞”的费用上限 30,000.00 元" in text
    assert "一般使用程序" in text
    assert not EmergencyApplication.objects.exists()
    assert not Evidence.objects.exists()


def test_choosing_a_matter_not_on_the_list_offers_the_normal_procedure(client, estate, personas):
    response = login(client, personas.committee).post(
        reverse("emergency:apply", args=["a1"]), filing_data(item="__other__")
    )
    assert response.status_code == 400
    assert "不能走紧急维修快速通道" in response.content.decode()
    assert not EmergencyApplication.objects.exists()


def test_missing_evidence_is_shown_at_its_field(client, estate, personas):
    response = login(client, personas.committee).post(
        reverse("emergency:apply", args=["a1"]), filing_data(item="E01")
    )
    assert response.status_code == 400
    assert "缺少：特种设备检验报告或电梯维保单位报告" in response.content.decode()
    assert not EmergencyApplication.objects.exists()


def test_a_renamed_executable_is_refused(client, estate, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00", content_type="image/jpeg")
    response = login(client, personas.committee).post(
        reverse("emergency:apply", args=["a1"]), filing_data(evidence_photo=[fake])
    )
    assert response.status_code == 400
    assert "文件内容与扩展名不符" in response.content.decode()


def test_the_property_company_cannot_open_the_form_of_a_committee_area(client, estate, personas):
    response = login(client, personas.property_staff).get(reverse("emergency:apply", args=["a1"]))
    assert response.status_code == 404
    ok = login(client, personas.property_staff).get(reverse("emergency:apply", args=["a2"]))
    assert ok.status_code == 200


def test_an_owner_cannot_file(client, estate, personas):
    response = login(client, personas.owner).get(reverse("emergency:choose_area"))
    assert response.status_code == 403


# --------------------------------------------------------------------------- seeing


def test_an_application_is_not_found_outside_the_readers_scope(client, filed, personas):
    url = reverse("emergency:detail", args=[filed.pk])
    assert login(client, personas.other_committee).get(url).status_code == 404
    assert login(client, personas.other_street_officer).get(url).status_code == 404
    assert login(client, personas.street_officer).get(url).status_code == 200
    assert login(client, personas.reviewer).get(url).status_code == 200


def test_evidence_files_are_served_to_those_who_see_the_application_only(client, filed, personas):
    evidence = filed.evidence.get(kind="photo")
    url = reverse("emergency:evidence", args=[filed.pk, evidence.pk])
    response = login(client, personas.committee).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG_BYTES
    assert response["Cache-Control"] == "private, no-store"
    assert login(client, personas.other_committee).get(url).status_code == 404


# --------------------------------------------------------------------------- the bureau


def test_review_and_approval_through_the_pages(client, filed, personas, login_with_totp):
    login(client, personas.reviewer)
    response = client.post(reverse("emergency:review_start", args=[filed.pk]))
    assert response.status_code == 302
    page = client.get(reverse("emergency:checklist", args=[filed.pk])).content.decode()
    assert "已过保修期" in page and "2010-06-30" in page
    response = client.post(
        reverse("emergency:checklist", args=[filed.pk]), {"repair_type": "plumbing"}
    )
    assert response.status_code == 302
    approver = login_with_totp(client, personas.approver)
    page = approver.get(reverse("emergency:approve", args=[filed.pk]))
    assert "确认批准" in page.content.decode()
    response = approver.post(reverse("emergency:approve", args=[filed.pk]), {"note": "同意"})
    assert response.status_code == 302
    assert EmergencyApplication.objects.get(pk=filed.pk).status == "approved"


def test_maker_checker_refusal_is_shown_on_the_page(client, filed, personas, login_with_totp):
    from accounts.models import Role
    from tests.factories import grant

    grant(personas.reviewer, Role.BUREAU_APPROVER)
    client = login_with_totp(client, personas.reviewer)
    client.post(reverse("emergency:review_start", args=[filed.pk]))
    response = client.post(reverse("emergency:approve", args=[filed.pk]), {"note": ""})
    assert response.status_code == 400
    assert "审批人不能是本申请的审核人或申请人" in response.content.decode()


def test_the_committee_cannot_open_the_approval_page(client, filed, personas):
    response = login(client, personas.committee).get(reverse("emergency:approve", args=[filed.pk]))
    assert response.status_code == 403


# --------------------------------------------------------------------------- whitelist


def test_the_whitelist_is_public(client, db):
    response = client.get(reverse("emergency:whitelist"))
    assert response.status_code == 200
    assert "二次供水设施故障" in response.content.decode()


def test_an_admin_edits_an_item_through_review_and_publish(client, personas, login_with_totp):
    client = login_with_totp(client, personas.admin)
    url = reverse("emergency:whitelist_item_edit", args=["E06"])
    data = {
        "code": "E06",
        "name": "窨井盖缺失、破损、沉陷",
        "description": "",
        "facility": "manhole",
        "evidence": ["photo", "budget"],
        "cap": "12000.00",
        "review_days": "1",
        "payment_days": "2",
        "start_hours": "12",
        "note": "上限上调，时限缩短",
        "based_on": "1",
        "step": "review",
    }
    review = client.post(url, data)
    assert review.status_code == 200
    assert "核对并发布新版本" in review.content.decode()
    assert WhitelistVersion.objects.count() == 1
    published = client.post(url, {**data, "step": "publish"})
    assert published.status_code == 302
    item = WhitelistVersion.objects.get(number=2).items.get(code="E06")
    assert (item.cap_fen, item.review_days, item.start_hours) == (12_000_00, 1, 12)


def test_a_reviewer_cannot_edit_the_whitelist(client, personas):
    response = login(client, personas.reviewer).get(
        reverse("emergency:whitelist_item_edit", args=["E06"])
    )
    assert response.status_code == 403


# --------------------------------------------------------------------------- oversight


def test_the_dashboard_shows_the_street_its_running_deadlines(client, estate, personas):
    application = file_application(personas.committee, estate.a1)
    response = login(client, personas.street_officer).get(reverse("emergency:dashboard"))
    assert response.status_code == 200
    assert f"#{application.pk}" in response.content.decode()
    other = login(client, personas.other_street_officer).get(reverse("emergency:dashboard"))
    assert f"#{application.pk}" not in other.content.decode()
    assert (
        login(client, personas.street_officer)
        .get(reverse("emergency:dashboard") + "?street=SB")
        .status_code
        == 404
    )


def test_officers_add_a_problem_and_export_annex_2(client, estate, personas):
    client = login(client, personas.street_officer)
    response = client.post(
        reverse("emergency:problem_create"),
        {
            "project_name": "甲一小区",
            "community": estate.community_a1.pk,
            "area": estate.a1.pk,
            "category": "安全隐患",
            "content": "外墙瓷砖脱落",
            "deadline": "2026-12-31",
        },
    )
    assert response.status_code == 302
    assert Problem.objects.get().company == "甲物业服务有限公司"
    export = client.get(reverse("emergency:problems_export"))
    assert export.status_code == 200
    assert export["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in export["Content-Disposition"]


def test_the_problem_form_offers_only_the_officers_communities(client, estate, personas):
    response = login(client, personas.street_officer).post(
        reverse("emergency:problem_create"),
        {
            "project_name": "乙一小区",
            "community": estate.community_b1.pk,
            "category": "安全隐患",
            "content": "x",
        },
    )
    assert response.status_code == 400
    assert not Problem.objects.exists()


def test_the_plan_page_and_its_edit(client, estate, personas):
    client = login(client, personas.committee)
    response = client.post(
        reverse("emergency:plan_edit", args=["a1"]),
        {"contacts": "张三 13900000001", "contractors": "", "steps": "1. 关阀"},
    )
    assert response.status_code == 302
    page = client.get(reverse("emergency:plan", args=["a1"]))
    assert "张三 13900000001" in page.content.decode()
    assert (
        login(client, personas.property_staff).get(reverse("emergency:plan_edit", args=["a1"]))
    ).status_code == 404


# --------------------------------------------------------------------------- the money


def test_prepayment_and_settlement_through_the_pages(client, funded, personas, login_with_totp):
    from emergency import services
    from funds.models import PaymentInstruction

    application = file_application(
        personas.committee, funded.a1, estimate_fen=20_000_00, prepayment_fen=4_000_00
    )
    review(application, personas.reviewer)
    approver = login_with_totp(client, personas.approver)
    approver.post(reverse("emergency:approve", args=[application.pk]), {"note": ""})
    page = approver.get(reverse("emergency:payment_instruct", args=[application.pk]))
    assert 'value="4000.00"' in page.content.decode()
    data = {
        "amount": "4000.00",
        "payee_name": "宿州某管道工程有限公司",
        "payee_bank": "工商银行宿州分行",
        "payee_account": "6222000011112222",
        "key": "f" * 32,
    }
    assert (
        approver.post(
            reverse("emergency:payment_instruct", args=[application.pk]), data
        ).status_code
        == 302
    )
    assert (
        approver.post(
            reverse("emergency:payment_instruct", args=[application.pk]), data
        ).status_code
        == 302
    )
    instruction = PaymentInstruction.objects.get()  # the double submit made one

    reviewer = login(client, personas.reviewer)
    detail = reviewer.get(reverse("emergency:detail", args=[application.pk])).content.decode()
    assert "登记银行划款" in detail
    response = reviewer.post(
        reverse("emergency:payment_confirm", args=[application.pk, instruction.pk]),
        {"bank_reference": "ICBC-0001", "paid_on": str(timezone.localdate())},
    )
    assert response.status_code == 302
    assert EmergencyApplication.objects.get(pk=application.pk).status == "paid"

    services.application_works_done(application=application, actor=personas.committee)
    services.application_accept(
        application=application, actor=personas.committee, note="合格", evidence=[pdf("a.pdf")]
    )
    url = reverse("emergency:settle", args=[application.pk])
    preview = reviewer.post(
        url, {"final_cost": "10000.00", "settled_on": str(timezone.localdate()), "step": "preview"}
    )
    assert preview.status_code == 200
    assert "2,889.43" in preview.content.decode()  # 101's share
    over = reviewer.post(
        url, {"final_cost": "30000.01", "settled_on": str(timezone.localdate()), "step": "preview"}
    )
    assert over.status_code == 400
    assert "超过该事项的费用上限" in over.content.decode()
    done = reviewer.post(
        url,
        {
            "final_cost": "10000.00",
            "settled_on": str(timezone.localdate()),
            "step": "confirm",
            "files": [pdf("invoice.pdf")],
        },
    )
    assert done.status_code == 302
    assert EmergencyApplication.objects.get(pk=application.pk).status == "settled"
