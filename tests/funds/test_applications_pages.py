"""The use-procedure pages per role: file and track, vote, review, approve (TOTP), pay, settle,
and what owners see (the ballot's budget, 列支范围 and their own share)."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from core.money import yuan
from funds.apportion import apportion
from funds.models import FundApplication, PaymentInstruction
from voting.models import Assembly

from .app_helpers import (
    BUDGET,
    DEVELOPER_UNIT,
    PAYABLE,
    accepted,
    approved,
    estate_fixture,  # noqa: F401
    mark_noticed,
    pdf,
    propose,
    put_to_vote,
    reviewed,
    shift,
    voted_and_submitted,
)

Status = FundApplication.Status
AREAS = {
    "1栋-1单元-101": Decimal("89.50"),
    "1栋-1单元-102": Decimal("100.00"),
    "1栋-1单元-103": Decimal("120.25"),
    "1栋-1单元-104": Decimal("75.00"),
    DEVELOPER_UNIT: Decimal("100.00"),
}


def url(name, *args):
    return reverse(f"funds:{name}", args=args)


# --------------------------------------------------------------------------- applicant, committee


def test_the_property_company_files_a_draft_from_its_phone(client, estate, personas):
    client.force_login(personas.property_staff)
    pick = client.get(url("application_create")).content.decode()
    assert "甲一小区" in pick and "甲二小区" in pick  # company P serves two areas: choose first
    create = f"{url('application_create')}?area={estate.area.pk}"
    page = client.get(create)
    assert page.status_code == 200 and "列支范围" in page.content.decode()
    response = client.post(
        create,
        {
            "title": "1栋屋面防水翻新",
            "repair_type": "waterproofing",
            "scope_buildings": ["1栋"],
            "scope_unit_codes": DEVELOPER_UNIT,
            "items": "拆除旧防水层 | 约600㎡ | 25,000.00\n新做防水 | SBS | 75000",
        },
    )
    application = FundApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "application_detail", application.pk
    )
    assert application.budget_fen == BUDGET
    assert application.scope_unit_codes == [DEVELOPER_UNIT]
    detail = client.get(url("application_detail", application.pk)).content.decode()
    assert "100,000.00" in detail  # pages: core.money.yuan


def test_a_bad_amount_comes_back_on_the_form_and_stores_nothing(client, estate, personas):
    client.force_login(personas.property_staff)
    response = client.post(
        f"{url('application_create')}?area={estate.area.pk}",
        {"title": "x", "repair_type": "other", "items": "a | b | 12.345"},
    )
    assert response.status_code == 400
    assert "第 1 行的金额无效" in response.content.decode()
    assert not FundApplication.objects.exists()


def test_a_file_that_is_not_a_pdf_or_image_is_refused(client, estate, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    application = propose(estate, personas.property_staff)
    client.force_login(personas.property_staff)
    response = client.post(
        url("application_attach", application.pk),
        {"kind": "quote", "title": "x", "file": SimpleUploadedFile("q.pdf", b"MZ\x90\x00evil")},
    )
    assert response.status_code == 400
    assert application.attachments.count() == 1


def test_the_committee_puts_it_to_the_vote_after_a_confirmation(client, estate, personas):
    application = propose(estate, personas.property_staff)
    client.force_login(personas.committee)
    now = timezone.localtime() + timezone.timedelta(days=20)
    data = {
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timezone.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
    }
    first = client.post(url("application_vote", application.pk), data)
    assert first.status_code == 200 and "请确认" in first.content.decode()
    assert not Assembly.objects.exists()
    second = client.post(url("application_vote", application.pk), {**data, "confirmed": "1"})
    assert second.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.VOTING and application.motion.item == 5


def test_an_application_of_another_area_is_not_found(client, estate, personas):
    application = propose(estate, personas.property_staff)
    for user in (personas.other_committee, personas.other_owner, personas.outsider):
        client.force_login(user)
        assert client.get(url("application_detail", application.pk)).status_code == 404


# --------------------------------------------------------------------------- owners


def test_the_ballot_shows_the_budget_the_scope_and_the_owner_s_own_share(client, estate, personas):
    application = put_to_vote(propose(estate, personas.property_staff), personas.committee)
    assembly = application.assembly
    mark_noticed(assembly)
    shift(assembly, opens=-timezone.timedelta(hours=1), closes=timezone.timedelta(days=1))
    shares = apportion(BUDGET, AREAS)
    client.force_login(estate.register.user("丙"))
    page = client.get(reverse("voting:ballot", args=[assembly.pk])).content.decode()
    assert "100,000.00 元" in page
    assert "1栋、9栋-1单元-901" in page
    assert f"{yuan(shares['1栋-1单元-103'])} 元" in page  # 24,806.60
    assert yuan(shares["1栋-1单元-101"]) not in page  # another owner's share is not shown


def test_before_voting_opens_the_owner_already_sees_their_share(client, estate, personas):
    application = put_to_vote(propose(estate, personas.property_staff), personas.committee)
    mark_noticed(application.assembly)
    client.force_login(estate.register.user("甲"))
    page = client.get(reverse("voting:ballot", args=[application.assembly_id])).content.decode()
    assert f"{yuan(apportion(BUDGET, AREAS)['1栋-1单元-101'])} 元" in page


def test_an_owner_sees_what_is_spent_in_their_building_and_their_share(client, estate, personas):
    put_to_vote(propose(estate, personas.property_staff), personas.committee)
    client.force_login(estate.register.user("乙"))
    page = client.get(url("application_mine")).content.decode()
    assert "1栋屋面防水翻新" in page
    assert f"{yuan(apportion(BUDGET, AREAS)['1栋-1单元-102'])} 元" in page


def test_a_draft_is_not_shown_to_owners(client, estate, personas):
    application = propose(estate, personas.property_staff)
    client.force_login(estate.register.user("乙"))
    assert client.get(url("application_detail", application.pk)).status_code == 404


# --------------------------------------------------------------------------- bureau


def test_the_reviewer_queue_and_a_ticked_exclusion_refused_on_the_page(client, estate, personas):
    application = voted_and_submitted(estate, personas)
    client.force_login(personas.reviewer)
    queue = client.get(url("review_queue")).content.decode()
    assert application.title in queue
    page = client.get(url("application_review", application.pk)).content.decode()
    assert "依法应由建设单位或者施工单位承担的" in page and "已过保修期" in page
    response = client.post(
        url("application_review", application.pk),
        {"decision": "pass", "excl_caused": "on", "materials_complete": "on", "confirmed": "1"},
    )
    assert response.status_code == 400
    assert "第二十五条" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_the_approver_is_sent_to_totp_first(client, estate, personas):
    application = reviewed(estate, personas)
    client.force_login(personas.approver)
    response = client.get(url("application_approve", application.pk))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_the_approver_approves_after_totp_and_confirmation(
    client, estate, personas, login_with_totp
):
    application = reviewed(estate, personas)
    login_with_totp(client, personas.approver)
    assert application.title in client.get(url("approval_queue")).content.decode()
    first = client.post(url("application_approve", application.pk), {"decision": "approve"})
    assert "请确认" in first.content.decode()
    client.post(
        url("application_approve", application.pk), {"decision": "approve", "confirmed": "1"}
    )
    application.refresh_from_db()
    assert application.status == Status.APPROVED


def test_an_instruction_double_submitted_is_one_and_the_bank_file_is_csv(
    client, estate, personas, verified, login_with_totp
):
    application = approved(estate, personas, verified)
    login_with_totp(client, personas.approver)
    data = {
        "amount": "95000.00",  # the approved amount less the 5 % 质保金
        "payee_name": '=HYPERLINK("x")',
        "payee_bank": "建设银行",
        "payee_account": "6217000000000000001",
        "memo": "屋面",
        "key": "A1-FIXED",
        "confirmed": "1",
    }
    for _ in range(2):
        client.post(url("application_pay", application.pk), data)
    instruction = PaymentInstruction.objects.get()
    response = client.post(url("payment_export"), {"instruction": [instruction.pk]})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "A1-FIXED" in text and "95000.00" in text and "'=HYPERLINK" in text


def test_the_reviewer_records_the_bank_confirmation(client, estate, personas, verified):
    from funds.procedure import services

    application = approved(estate, personas, verified)
    instruction = services.payment_instruct(
        fund_use=application.fund_use,
        amount_fen=PAYABLE,
        payee_name="某公司",
        payee_bank="某银行",
        payee_account="6217000000000000001",
        key="K1",
        actor=verified(personas.approver),
    )
    client.force_login(personas.reviewer)
    assert "K1" in client.get(url("payment_queue")).content.decode()
    client.post(
        url("payment_confirm", instruction.pk),
        {"bank_reference": "ICBC-9", "paid_on": timezone.localdate().isoformat(), "confirmed": "1"},
    )
    instruction.refresh_from_db()
    assert instruction.status == PaymentInstruction.Status.CONFIRMED


def test_the_approver_opens_the_payment_queue_to_export_but_cannot_record_the_receipt(
    client, estate, personas, verified, login_with_totp
):
    from funds.procedure import services

    application = approved(estate, personas, verified)
    services.payment_instruct(
        fund_use=application.fund_use,
        amount_fen=PAYABLE,
        payee_name="某公司",
        payee_bank="某银行",
        payee_account="6217000000000000001",
        key="K2",
        actor=verified(personas.approver),
    )
    login_with_totp(client, personas.approver)
    page = client.get(url("payment_queue")).content.decode()
    assert "K2" in page
    assert "导出划款文件" in page
    assert "登记银行回单" not in page
    client.force_login(personas.reviewer)
    page = client.get(url("payment_queue")).content.decode()
    assert "登记银行回单" in page and "导出划款文件" not in page


def test_roles_without_either_action_cannot_open_the_payment_queue(client, personas):
    # (A committee member may: under the assembly's own account the committee instructs
    # and records the bank's word, Order 165 art. 23.)
    client.force_login(personas.property_staff)
    assert client.get(url("payment_queue")).status_code == 403
    client.logout()
    assert client.get(url("payment_queue")).status_code == 302


def test_the_settlement_preview_reports_a_shortfall_before_anything_is_posted(
    client, district, personas, verified
):
    from .app_helpers import build_estate

    estate = build_estate(district, developer_deposit=50_000)
    # Paid before settlement: only what 901's 500.00 元 bears (RULES.md §4: never fronted).
    application = accepted(estate, personas, verified, amount=200_000)
    client.force_login(personas.reviewer)
    data = {"final_cost": "100000", "settled_on": timezone.localdate().isoformat()}
    preview = client.post(url("application_settle", application.pk), data).content.decode()
    assert "余额不足" in preview and "请确认" in preview
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED
    client.post(url("application_settle", application.pk), {**data, "confirmed": "1"})
    application.refresh_from_db()
    assert application.status == Status.SETTLED
    detail = client.get(url("application_detail", application.pk)).content.decode()
    assert "余额不足（应补交）" in detail and DEVELOPER_UNIT in detail


def test_acceptance_needs_the_report_and_the_ticked_confirmation(
    client, estate, personas, verified
):
    from funds.procedure import services

    application = approved(estate, personas, verified)
    services.application_works_done(
        application=application, actor=personas.property_staff, done_on=timezone.localdate()
    )
    client.force_login(personas.committee)
    day = timezone.localdate().isoformat()
    unconfirmed = client.post(
        url("application_accept", application.pk),
        {"accepted_on": day, "note": "合格", "report": pdf("r.pdf")},
    )
    assert unconfirmed.status_code == 400
    no_report = client.post(
        url("application_accept", application.pk),
        {"accepted_on": day, "note": "合格", "confirmed": "1"},
    )
    assert no_report.status_code == 400 and "验收报告" in no_report.content.decode()
    done = client.post(
        url("application_accept", application.pk),
        {"accepted_on": day, "note": "合格", "report": pdf("r.pdf"), "confirmed": "1"},
    )
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED
