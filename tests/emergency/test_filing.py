"""Filing an emergency application (RULES.md §5): who may, what is checked, nothing stored on refusal.

District: a1 has a 业委会 (company P serves it), a2 has none (company P), b1 a
物管会 (company Q). Seeded whitelist v1: E05 water pipes, cap 30,000.00 yuan,
photos + budget; E01 elevator adds the special-equipment report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from emergency import services
from emergency.models import EmergencyApplication, Evidence, EvidenceKind, Problem

from .conftest import (
    BASIC,
    ELEVATOR,
    FIRE,
    PIPES_CAP_FEN,
    evidence_for,
    file_application,
    pdf,
    photo,
)

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "emergency"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def nothing_stored():
    """Asserts after the test body that no application, evidence, file or audit event appeared."""
    events = AuditEvent.objects.count()
    yield
    assert EmergencyApplication.objects.count() == 0
    assert Evidence.objects.count() == 0
    assert stored_files() == []
    assert AuditEvent.objects.count() == events


# --------------------------------------------------------------------------- accepted


def test_the_committee_files_an_elevator_application_with_its_inspection_report(estate, personas):
    application = file_application(
        personas.committee,
        estate.a1,
        item_code=ELEVATOR,
        estimate_fen=85_000_00,
        scope_buildings=["1栋"],
    )
    assert application.status == EmergencyApplication.Status.FILED
    assert application.item.version.number == 1
    assert application.applicant_role == "committee_member"
    assert application.scope_buildings == ["1栋"]
    kinds = sorted(application.evidence.values_list("kind", flat=True))
    assert kinds == sorted([EvidenceKind.PHOTO, EvidenceKind.BUDGET, EvidenceKind.ELEVATOR_REPORT])
    assert len(stored_files()) == 3
    event = AuditEvent.objects.get(action="emergency.file")
    assert event.summary["whitelist_version"] == 1
    assert event.summary["estimate_fen"] == 85_000_00


def test_an_estimate_exactly_at_the_cap_is_accepted(estate, personas):
    application = file_application(personas.committee, estate.a1, estimate_fen=PIPES_CAP_FEN)
    assert application.estimate_fen == 30_000_00


def test_evidence_is_stored_with_its_sha256_under_a_random_name(estate, personas):
    application = file_application(personas.committee, estate.a1)
    row = application.evidence.get(kind=EvidenceKind.PHOTO)
    import hashlib

    from .conftest import JPEG_BYTES

    assert row.sha256 == hashlib.sha256(JPEG_BYTES).hexdigest()
    assert row.original_name == "photo.jpg"
    assert "photo" not in row.file.name


# --------------------------------------------------------------------------- who may file


@pytest.mark.parametrize(
    ("persona", "area"),
    [
        ("committee", "a1"),  # 业委会 of its own area
        ("other_committee", "b1"),  # 物管会 of its own area
        ("property_staff", "a2"),  # property company, area without committee
        ("street_officer", "a2"),  # street office, area without committee
        ("community_officer", "a2"),  # community office, area without committee
    ],
)
def test_who_may_file(estate, personas, persona, area):
    application = file_application(getattr(personas, persona), getattr(estate, area))
    assert application.pk


def test_the_property_company_is_refused_where_the_area_has_a_committee(
    estate, personas, nothing_stored
):
    with pytest.raises(PermissionDeniedError) as caught:
        file_application(personas.property_staff, estate.a1)
    assert caught.value.code == "committee_applies"
    assert "已成立业委会" in caught.value.message
    assert "应由业委会提出" in caught.value.message


def test_the_street_office_is_refused_where_the_area_has_a_committee(
    estate, personas, nothing_stored
):
    with pytest.raises(PermissionDeniedError) as caught:
        file_application(personas.street_officer, estate.a1)
    assert caught.value.code == "committee_applies"


@pytest.mark.parametrize(
    ("persona", "area"),
    [
        ("owner", "a1"),  # owners propose through the normal procedure
        ("other_committee", "a1"),  # another area's committee
        ("other_street_officer", "a2"),  # another street
        ("reviewer", "a1"),  # the bureau decides, it does not apply
        ("approver", "a1"),
        ("admin", "a1"),
        ("outsider", "a1"),
    ],
)
def test_applicants_without_the_right_role_are_refused(
    estate, personas, persona, area, nothing_stored
):
    with pytest.raises(PermissionDeniedError) as caught:
        file_application(getattr(personas, persona), getattr(estate, area))
    assert caught.value.code == "not_applicant"
    assert "只有该区域的业委会（物管会）成员" in caught.value.message


# --------------------------------------------------------------------------- what is checked


def test_missing_required_evidence_is_refused_naming_what_is_missing(
    estate, personas, nothing_stored
):
    with pytest.raises(DomainError) as caught:
        file_application(
            personas.committee,
            estate.a1,
            item_code=ELEVATOR,
            evidence=evidence_for(*BASIC),  # no special-equipment report
        )
    assert caught.value.code == "missing_evidence"
    assert "特种设备检验报告或电梯维保单位报告" in caught.value.message
    assert set(caught.value.fields) == {"evidence_elevator_report"}


def test_a_fire_system_application_needs_the_fire_safety_report(estate, personas, nothing_stored):
    with pytest.raises(DomainError) as caught:
        file_application(
            personas.committee, estate.a1, item_code=FIRE, evidence=evidence_for(*BASIC)
        )
    assert caught.value.code == "missing_evidence"
    assert "消防设施检测报告" in caught.value.message


def test_photos_alone_are_not_enough(estate, personas, nothing_stored):
    with pytest.raises(DomainError) as caught:
        file_application(personas.committee, estate.a1, evidence=evidence_for(EvidenceKind.PHOTO))
    assert caught.value.fields == {"evidence_budget": "必须提交。"}


def test_an_item_not_on_the_whitelist_is_refused_with_the_normal_procedure_offered(
    estate, personas, nothing_stored
):
    with pytest.raises(DomainError) as caught:
        file_application(personas.committee, estate.a1, item_code="X99")
    assert caught.value.code == "not_on_whitelist"
    assert "不在现行紧急维修事项清单（第1版）上" in caught.value.message
    assert "一般使用程序" in caught.value.message


def test_an_item_removed_from_the_current_version_is_refused(estate, personas, verified):
    services.whitelist_item_remove(actor=verified(personas.admin), note="并入E02", code="E06")
    before = EmergencyApplication.objects.count()
    with pytest.raises(DomainError) as caught:
        file_application(personas.committee, estate.a1, item_code="E06", estimate_fen=1_000_00)
    assert caught.value.code == "not_on_whitelist"
    assert "第2版" in caught.value.message
    assert EmergencyApplication.objects.count() == before


def test_an_estimate_one_fen_over_the_cap_is_refused_with_the_normal_procedure_offered(
    estate, personas, nothing_stored
):
    with pytest.raises(DomainError) as caught:
        file_application(personas.committee, estate.a1, estimate_fen=PIPES_CAP_FEN + 1)
    assert caught.value.code == "over_cap"
    assert "预算 30,000.01 元超过“供排水管道爆裂、堵塞”的费用上限 30,000.00 元" in (
        caught.value.message
    )
    assert "一般使用程序" in caught.value.message


@pytest.mark.parametrize("estimate", [0, -1])
def test_a_zero_or_negative_estimate_is_refused(estate, personas, nothing_stored, estimate):
    with pytest.raises(DomainError) as caught:
        file_application(personas.committee, estate.a1, estimate_fen=estimate)
    assert caught.value.code == "bad_estimate"


def test_a_prepayment_above_the_estimate_is_refused(estate, personas, nothing_stored):
    with pytest.raises(DomainError) as caught:
        file_application(
            personas.committee, estate.a1, estimate_fen=10_000_00, prepayment_fen=10_000_01
        )
    assert caught.value.code == "bad_prepayment"


def test_a_prepayment_equal_to_the_estimate_is_accepted(estate, personas):
    application = file_application(
        personas.committee, estate.a1, estimate_fen=10_000_00, prepayment_fen=10_000_00
    )
    assert application.prepayment_fen == 10_000_00


def test_a_scope_naming_a_building_not_in_the_area_is_refused(estate, personas, nothing_stored):
    with pytest.raises(DomainError) as caught:
        file_application(personas.committee, estate.a1, scope_buildings=["1栋", "9栋"])
    assert caught.value.code == "bad_scope"
    assert "9栋" in caught.value.message


def test_a_scope_naming_another_areas_unit_is_refused(estate, personas, nothing_stored):
    with pytest.raises(DomainError) as caught:
        file_application(
            personas.committee, estate.a1, scope_unit_codes=[estate.units.b1_101.code + "x"]
        )
    assert caught.value.code == "bad_scope"


def test_a_file_whose_content_is_not_its_extension_is_refused(estate, personas, nothing_stored):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("budget.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError) as caught:
        file_application(
            personas.committee,
            estate.a1,
            evidence=[(EvidenceKind.PHOTO, photo()), (EvidenceKind.BUDGET, fake)],
        )
    assert caught.value.code == "bad_file"
    assert "文件内容与扩展名不符" in caught.value.message


def test_a_file_over_ten_megabytes_is_refused(estate, personas, nothing_stored):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile(
        "big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
    )
    with pytest.raises(DomainError) as caught:
        file_application(
            personas.committee,
            estate.a1,
            evidence=[(EvidenceKind.PHOTO, photo()), (EvidenceKind.BUDGET, big)],
        )
    assert caught.value.code == "bad_file"


def test_an_empty_description_is_refused(estate, personas, nothing_stored):
    with pytest.raises(DomainError) as caught:
        file_application(personas.committee, estate.a1, description="   ")
    assert caught.value.code == "required"
    assert caught.value.fields == {"description": "请填写情况说明。"}


# --------------------------------------------------------------------------- problems


def _problem(area=None, community=None, **kw):
    return Problem.objects.create(
        project_name="甲一小区",
        community=community or area.community,
        area=area,
        category="安全隐患",
        content="3栋给水管老化",
        **kw,
    )


def test_an_application_may_reference_problems_of_its_area_and_community(estate, personas):
    own = _problem(area=estate.a1)
    community_wide = _problem(community=estate.a1.community)
    application = file_application(
        personas.committee, estate.a1, problem_ids=[own.pk, community_wide.pk]
    )
    assert set(application.problems.all()) == {own, community_wide}


def test_a_problem_of_another_area_cannot_be_referenced(estate, personas, nothing_stored):
    other = _problem(area=estate.b1)
    with pytest.raises(DomainError) as caught:
        file_application(personas.committee, estate.a1, problem_ids=[other.pk])
    assert caught.value.code == "bad_problems"


def test_the_checks_read_the_upload_but_leave_it_readable(estate, personas):
    upload = pdf("budget.pdf")
    file_application(
        personas.committee,
        estate.a1,
        evidence=[(EvidenceKind.PHOTO, photo()), (EvidenceKind.BUDGET, upload)],
    )
    stored = Evidence.objects.get(kind=EvidenceKind.BUDGET)
    from .conftest import PDF_BYTES

    with stored.file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
