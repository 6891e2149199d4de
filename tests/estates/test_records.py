"""Records kept by the bureau: area annex-1 fields, committees, property companies.

Every change goes through ``estates.services.records``, is validated (a bad
input changes nothing and is shown as a form error) and leaves one audit
event with digests of the state before and after.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.selectors import audit_chain_verify
from audit.services import state_digest
from core.errors import DomainError, PermissionDeniedError
from estates.models import Committee, CommitteeMember, ManagementArea, PropertyCompany
from estates.services import records

from .helpers import valid_uscc

pytestmark = pytest.mark.django_db

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"
GOOD_USCC = valid_uscc(9_000_777)  # far above the factory's sequence (no clash late in a run)
BAD_USCC = GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1")


def login(client, user):
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def area_post(area: ManagementArea, **changes) -> dict:
    data = {
        "name": area.name,
        "estate_name": area.estate_name,
        "boundaries": area.boundaries,
        "service_form": area.service_form,
        "committee_status": area.committee_status,
        "party_coverage": area.party_coverage,
        "property_company": area.property_company_id or "",
        "project_manager": area.project_manager,
        "fee_collection_rate": area.fee_collection_rate or "",
    }
    data.update(changes)
    return data


# --------------------------------------------------------------------------- areas


def test_the_bureau_edits_an_areas_annex1_fields_and_the_change_is_audited(
    client, personas, district
):
    area = district.a2
    before = {
        "name": "甲二小区",
        "estate_name": area.estate_name,
        "boundaries": "",
        "service_form": 1,
        "committee_status": 3,
        "party_coverage": 5,
        "property_company": district.company_p.pk,
        "project_manager": "",
        "fee_collection_rate": None,
    }
    response = login(client, personas.reviewer).post(
        reverse("estates:area_edit", args=["a2"]),
        area_post(
            area,
            boundaries="东至淮海路，西至银河路",
            service_form=2,
            party_coverage=3,
            property_company=district.company_q.pk,
            project_manager="刘经理",
            fee_collection_rate="87.5",
        ),
    )

    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.service_form, area.party_coverage, area.property_company) == (
        2,
        3,
        district.company_q,
    )
    assert area.fee_collection_rate == Decimal("87.50")
    event = AuditEvent.objects.get(action="area.update")
    assert event.actor == personas.reviewer
    assert event.object_id == str(area.pk)
    assert event.summary == {
        "area": "a2",
        "changed": [
            "boundaries",
            "fee_collection_rate",
            "party_coverage",
            "project_manager",
            "property_company",
            "service_form",
        ],
    }
    assert event.before_digest == state_digest(before)
    assert event.after_digest == state_digest(
        before
        | {
            "boundaries": "东至淮海路，西至银河路",
            "service_form": 2,
            "party_coverage": 3,
            "property_company": district.company_q.pk,
            "project_manager": "刘经理",
            "fee_collection_rate": "87.50",
        }
    )
    assert audit_chain_verify().ok


def test_saving_an_area_unchanged_writes_no_audit_event(client, personas, district):
    response = login(client, personas.reviewer).post(
        reverse("estates:area_edit", args=["a1"]), area_post(district.a1)
    )

    assert response.status_code == 302
    assert actions() == []


def test_a_rate_with_three_decimals_is_refused_by_the_service_and_nothing_changes(
    personas, district
):
    with pytest.raises(DomainError) as caught:
        records.area_update(
            area=district.a1,
            actor=personas.reviewer,
            name="新名称",
            estate_name="",
            boundaries="",
            service_form=1,
            committee_status=1,
            party_coverage=5,
            property_company=None,
            project_manager="",
            fee_collection_rate="92.125",
        )

    assert caught.value.code == "invalid_rate"
    assert "fee_collection_rate" in caught.value.fields
    district.a1.refresh_from_db()
    assert district.a1.name == "甲一小区"
    assert actions() == []


def test_an_unknown_service_form_code_is_refused(personas, district):
    with pytest.raises(DomainError) as caught:
        records.area_update(
            area=district.a1,
            actor=personas.reviewer,
            name="甲一小区",
            estate_name="",
            boundaries="",
            service_form=7,
            committee_status=1,
            party_coverage=5,
            property_company=None,
            project_manager="",
            fee_collection_rate=None,
        )

    assert caught.value.code == "invalid_code"
    assert list(caught.value.fields) == ["service_form"]


@pytest.mark.parametrize("persona", ["street_officer", "committee", "outsider", "owner"])
def test_only_bureau_reviewers_and_admins_may_open_the_area_edit_page(
    client, personas, district, persona
):
    response = login(client, getattr(personas, persona)).get(
        reverse("estates:area_edit", args=["a1"])
    )

    assert response.status_code == 403


def test_the_service_refuses_an_actor_without_register_edit(personas, district):
    with pytest.raises(PermissionDeniedError):
        records.committee_create(
            area=district.a2,
            actor=personas.street_officer,
            kind=Committee.Kind.INTERIM,
            term_start=date(2024, 1, 1),
        )
    assert Committee.objects.count() == 0


# --------------------------------------------------------------------------- companies


def test_a_company_with_a_bad_uscc_is_refused_on_the_page_and_nothing_is_saved(
    client, personas, district
):
    count = PropertyCompany.objects.count()

    response = login(client, personas.reviewer).post(
        reverse("estates:company_create"),
        {"name": "丙物业有限公司", "uscc": BAD_USCC, "contact_name": "", "contact_phone": ""},
    )

    assert response.status_code == 400
    assert "统一社会信用代码的校验位不正确" in response.content.decode()
    assert PropertyCompany.objects.count() == count
    assert actions() == []


def test_a_company_is_registered_with_its_uscc_compacted_and_audited(client, personas, district):
    spaced = f" {GOOD_USCC[:6]} {GOOD_USCC[6:].lower()} "

    response = login(client, personas.reviewer).post(
        reverse("estates:company_create"),
        {
            "name": "丙物业有限公司",
            "uscc": spaced,
            "contact_name": "陈经理",
            "contact_phone": "0557-3021234",
        },
    )

    assert response.status_code == 302
    company = PropertyCompany.objects.get(name="丙物业有限公司")
    assert company.uscc == GOOD_USCC
    assert company.contact_phone == "0557-3021234"
    event = AuditEvent.objects.get(action="company.create")
    assert (event.object_id, event.before_digest) == (str(company.pk), "")
    assert event.summary == {"name": "丙物业有限公司", "uscc": GOOD_USCC}


def test_a_company_update_with_a_bad_uscc_changes_nothing_at_all(personas, district):
    company = district.company_p
    old_uscc = company.uscc

    with pytest.raises(DomainError) as caught:
        records.company_update(
            company=company,
            actor=personas.reviewer,
            name="改名物业有限公司",
            uscc=BAD_USCC,
            contact_name="",
            contact_phone="",
        )

    assert caught.value.code == "invalid_uscc"
    company.refresh_from_db()
    assert (company.name, company.uscc) == ("甲物业服务有限公司", old_uscc)
    assert actions() == []


@pytest.mark.parametrize(
    ("uscc", "code"),
    [("91341302MA00000", "invalid_uscc"), ("91341302MA0000O1X", "invalid_uscc"), ("", "required")],
)
def test_malformed_usccs_are_refused(personas, district, uscc, code):
    with pytest.raises(DomainError) as caught:
        records.company_create(actor=personas.reviewer, name="丁物业", uscc=uscc)

    assert caught.value.code == code


def test_two_companies_cannot_share_a_uscc(personas, district):
    records.company_create(actor=personas.reviewer, name="丙物业", uscc=GOOD_USCC)

    with pytest.raises(DomainError) as caught:
        records.company_create(actor=personas.reviewer, name="仿冒物业", uscc=GOOD_USCC)

    assert caught.value.code == "duplicate_uscc"


def test_a_bad_contact_phone_is_refused(personas, district):
    with pytest.raises(DomainError) as caught:
        records.company_create(
            actor=personas.reviewer, name="丁物业", uscc=GOOD_USCC, contact_phone="12345"
        )

    assert list(caught.value.fields) == ["contact_phone"]


def test_the_company_list_masks_contact_phones(client, personas, district):
    records.company_create(
        actor=personas.reviewer, name="丁物业", uscc=GOOD_USCC, contact_phone="13955556666"
    )

    page = login(client, personas.reviewer).get(reverse("estates:companies")).content.decode()

    assert "139****6666" in page
    assert "13955556666" not in page


def test_editing_a_company_changes_its_record_and_audits_the_fields_changed(
    client, personas, district
):
    company = records.company_create(actor=personas.reviewer, name="丙物业", uscc=GOOD_USCC)

    response = login(client, personas.reviewer).post(
        reverse("estates:company_edit", args=[company.pk]),
        {"name": "丙物业", "uscc": GOOD_USCC, "contact_name": "吴", "contact_phone": ""},
    )

    assert response.status_code == 302
    company.refresh_from_db()
    assert company.contact_name == "吴"
    event = AuditEvent.objects.get(action="company.update")
    assert event.summary == {"name": "丙物业", "changed": ["contact_name"]}


# --------------------------------------------------------------------------- committees


def test_recording_a_current_interim_committee_updates_the_areas_committee_status(
    client, personas, district
):
    start = timezone.localdate() - timedelta(days=30)

    response = login(client, personas.reviewer).post(
        reverse("estates:committee_create", args=["a2"]),
        {"kind": "interim", "term_start": start.isoformat(), "term_end": ""},
    )

    committee = Committee.objects.get(area=district.a2)
    assert response.status_code == 302
    assert response.url == reverse("estates:committee", args=[committee.pk])
    district.a2.refresh_from_db()
    assert district.a2.committee_status == ManagementArea.CommitteeStatus.INTERIM_COMMITTEE
    assert actions() == ["committee.create", "area.update"]


def test_a_committee_starting_in_the_future_leaves_the_status_alone(personas, district):
    records.committee_create(
        area=district.a2,
        actor=personas.reviewer,
        kind=Committee.Kind.OWNERS,
        term_start=timezone.localdate() + timedelta(days=10),
    )

    district.a2.refresh_from_db()
    assert district.a2.committee_status == ManagementArea.CommitteeStatus.NOT_FORMED
    assert actions() == ["committee.create"]


def test_overlapping_terms_in_one_area_are_refused(client, personas, district):
    records.committee_create(
        area=district.a1,
        actor=personas.reviewer,
        kind=Committee.Kind.OWNERS,
        term_start=date(2021, 1, 1),
        term_end=date(2025, 12, 31),
    )

    response = login(client, personas.reviewer).post(
        reverse("estates:committee_create", args=["a1"]),
        {"kind": "owners", "term_start": "2025-06-01", "term_end": ""},
    )

    assert response.status_code == 409
    assert "任期" in response.context["form"].errors["term_start"][0]
    assert Committee.objects.filter(area=district.a1).count() == 1


def test_a_term_ending_before_it_starts_is_refused(personas, district):
    with pytest.raises(DomainError) as caught:
        records.committee_create(
            area=district.a1,
            actor=personas.reviewer,
            kind=Committee.Kind.OWNERS,
            term_start=date(2024, 1, 1),
            term_end=date(2023, 12, 31),
        )

    assert caught.value.code == "invalid_term"


@pytest.fixture
def committee(personas, district):
    return records.committee_create(
        area=district.a1,
        actor=personas.reviewer,
        kind=Committee.Kind.OWNERS,
        term_start=date(2022, 1, 1),
        term_end=date(2026, 12, 31),
    )


def test_members_are_added_with_positions_on_the_committee_page(client, personas, committee):
    client = login(client, personas.reviewer)

    client.post(
        reverse("estates:member_add", args=[committee.pk]), {"name": "周", "position": "chair"}
    )
    client.post(
        reverse("estates:member_add", args=[committee.pk]), {"name": "吴", "position": "member"}
    )
    page = client.get(reverse("estates:committee", args=[committee.pk])).content.decode()

    assert list(committee.members.order_by("name").values_list("name", "position")) == [
        ("吴", "member"),
        ("周", "chair"),
    ]
    assert "周" in page and "主任" in page
    assert actions()[-2:] == ["committee_member.add", "committee_member.add"]


def test_a_second_chair_is_refused(client, personas, committee):
    records.committee_member_add(
        committee=committee, actor=personas.reviewer, name="周", position="chair"
    )

    response = login(client, personas.reviewer).post(
        reverse("estates:member_add", args=[committee.pk]), {"name": "郑", "position": "chair"}
    )

    assert response.status_code == 409
    assert "该委员会已有主任" in response.content.decode()
    assert committee.members.count() == 1


def test_changing_a_members_position_is_audited(personas, committee):
    member = records.committee_member_add(
        committee=committee, actor=personas.reviewer, name="吴", position="member"
    )

    records.committee_member_update(
        member=member, actor=personas.reviewer, name="吴", position="vice_chair"
    )

    member.refresh_from_db()
    assert member.position == CommitteeMember.Position.VICE_CHAIR
    event = AuditEvent.objects.get(action="committee_member.update")
    assert event.summary == {"committee": committee.pk, "changed": ["position"]}


def test_removing_a_member_deletes_the_row_and_the_audit_keeps_who_it_was(
    client, personas, committee
):
    member = records.committee_member_add(
        committee=committee, actor=personas.reviewer, name="吴", position="member"
    )

    response = login(client, personas.reviewer).post(
        reverse("estates:member_remove", args=[member.pk])
    )

    assert response.status_code == 302
    assert committee.members.count() == 0
    event = AuditEvent.objects.get(action="committee_member.remove")
    assert event.summary == {"committee": committee.pk, "name": "吴", "position": "member"}
    assert event.before_digest == state_digest(
        {"committee": committee.pk, "name": "吴", "position": "member"}
    )
    assert event.after_digest == ""


def test_an_owner_gets_403_on_the_committee_page(client, personas, committee):
    response = login(client, personas.owner).get(reverse("estates:committee", args=[committee.pk]))

    assert response.status_code == 403


def test_every_record_page_opens_for_a_reviewer(client, personas, district, committee):
    member = records.committee_member_add(
        committee=committee, actor=personas.reviewer, name="吴", position="member"
    )
    company = records.company_create(actor=personas.reviewer, name="丙物业", uscc=GOOD_USCC)
    client = login(client, personas.reviewer)
    urls = [
        reverse("estates:area_edit", args=["a1"]),
        reverse("estates:committee_create", args=["a1"]),
        reverse("estates:committee", args=[committee.pk]),
        reverse("estates:committee_edit", args=[committee.pk]),
        reverse("estates:member_add", args=[committee.pk]),
        reverse("estates:member_edit", args=[member.pk]),
        reverse("estates:member_remove", args=[member.pk]),
        reverse("estates:companies"),
        reverse("estates:company_create"),
        reverse("estates:company_edit", args=[company.pk]),
    ]

    statuses = [client.get(url).status_code for url in urls]

    assert statuses == [200] * len(urls)


def test_the_area_form_opens_filled_with_the_current_values(client, personas, district):
    response = login(client, personas.reviewer).get(reverse("estates:area_edit", args=["b1"]))

    form = response.context["form"]
    assert (form["name"].value(), form["committee_status"].value()) == ("乙一小区", 2)
    assert form["property_company"].value() == district.company_q.pk
