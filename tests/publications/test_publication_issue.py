"""publication_issue: serials, the register, the log, corrections, immutability, permissions."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from publications import logchain, selectors
from publications.models import (
    ImmutableError,
    Kind,
    Publication,
    PublicationLogEntry,
    PublicationLogHead,
    SerialCounter,
)

from .conftest import nothing_stored, pdftext, stored_bytes

pytestmark = pytest.mark.django_db


def test_serials_run_from_000001_in_the_year_of_issue(issue):
    year = timezone.localtime().year

    first, second = issue(), issue()

    assert first.serial == f"YQ-{year}-000001"
    assert second.serial == f"YQ-{year}-000002"
    assert SerialCounter.objects.get(prefix="YQ", year=year).last == 2


def test_the_serial_prefix_is_a_setting(issue, settings):
    settings.GONGZHI_SERIAL_PREFIX = "GZ"

    publication = issue()

    assert publication.serial.startswith("GZ-")


def test_the_register_holds_the_sha256_of_the_stored_signed_file(issue):
    publication = issue()
    data = stored_bytes(publication)

    assert publication.sha256 == hashlib.sha256(data).hexdigest()
    assert publication.size == len(data)
    assert data.startswith(b"%PDF-")
    assert (
        publication.file.name == f"publications/{publication.issued_at:%Y}/{publication.serial}.pdf"
    )


def test_the_register_records_kind_area_period_title_and_issuer(
    issue, district, personas, verified
):
    approver = verified(personas.approver)

    publication = issue(kind=Kind.PUBLIC_REVENUE, area=district.b1, actor=approver, period="2026Q1")

    publication.refresh_from_db()
    assert publication.kind == "public_revenue"
    assert publication.area == district.b1
    assert publication.period == "2026Q1"
    assert publication.title == "测试公告"
    assert publication.issued_by == approver
    assert publication.pages == 1


def test_each_issue_appends_one_chained_log_entry(issue):
    first, second = issue(), issue()

    entries = list(PublicationLogEntry.objects.order_by("seq"))
    assert [e.serial for e in entries] == [first.serial, second.serial]
    assert entries[0].prev == logchain.GENESIS
    assert entries[1].prev == entries[0].hash
    assert entries[1].sha256 == second.sha256
    assert entries[1].area == "a1"
    assert PublicationLogHead.objects.get(pk=1).last_hash == entries[1].hash
    assert selectors.log_verify() == (2, None, "")


def test_a_rewritten_log_record_breaks_the_chain_from_there(issue):
    issue(), issue(), issue()
    records = [e.as_record() for e in PublicationLogEntry.objects.order_by("seq")]

    records[1]["sha256"] = "0" * 64
    count, bad, reason = logchain.first_break(records)

    assert count == 1
    assert bad["seq"] == 2
    assert reason == "hash does not match the entry's contents"


def test_a_removed_log_record_breaks_the_chain(issue):
    issue(), issue(), issue()
    records = [e.as_record() for e in PublicationLogEntry.objects.order_by("seq")]

    count, bad, reason = logchain.first_break([records[0], records[2]])

    assert count == 1
    assert bad["seq"] == 3


def test_issuing_records_an_audit_event(issue):
    publication = issue()

    event = AuditEvent.objects.get(action="publication.issue")
    assert event.object_type == "publications.publication"
    assert event.object_id == str(publication.pk)
    assert event.summary["serial"] == publication.serial
    assert event.summary["sha256"] == publication.sha256
    assert event.actor_label == "system"


def test_a_correction_supersedes_the_old_notice_and_both_stay_public(issue, tmp_path):
    old = issue(title="原公告")

    new = issue(title="更正公告", supersedes=old)

    old.refresh_from_db()
    assert old.superseded_by == new
    assert Publication.objects.count() == 2
    assert new.is_current and not old.is_current
    assert selectors.supersession_chain(old) == [old, new]
    assert selectors.supersession_chain(new) == [old, new]
    assert PublicationLogEntry.objects.get(serial=new.serial).supersedes == old.serial
    assert (
        AuditEvent.objects.filter(action="publication.supersede", object_id=str(old.pk)).count()
        == 1
    )
    path = tmp_path / "new.pdf"
    path.write_bytes(stored_bytes(new))
    assert f"更正并取代编号为{old.serial}" in "".join(pdftext(path, 1).split())


def test_a_superseded_notice_cannot_be_superseded_again(issue, settings):
    old = issue()
    issue(supersedes=old)
    old.refresh_from_db()

    with pytest.raises(DomainError) as refused:
        issue(supersedes=old)

    assert refused.value.code == "already_superseded"
    assert Publication.objects.count() == 2


def test_a_correction_must_keep_the_kind_and_area(issue, district):
    old = issue(kind=Kind.FUND_USE)

    with pytest.raises(DomainError) as other_kind:
        issue(kind=Kind.APPORTIONMENT, supersedes=old)
    with pytest.raises(DomainError) as other_area:
        issue(kind=Kind.FUND_USE, area=district.b1, supersedes=old)

    assert other_kind.value.code == other_area.value.code == "supersede_mismatch"
    assert Publication.objects.count() == 1


def test_a_publication_cannot_be_deleted_one_by_one_or_in_bulk(issue):
    publication = issue()

    with pytest.raises(ImmutableError):
        publication.delete()
    with pytest.raises(ImmutableError):
        Publication.objects.all().delete()
    assert Publication.objects.count() == 1


def test_a_published_fact_cannot_be_changed(issue):
    publication = issue()

    publication.title = "改过的标题"
    with pytest.raises(ImmutableError):
        publication.save()
    with pytest.raises(ImmutableError):
        Publication.objects.filter(pk=publication.pk).update(title="改过的标题")
    assert Publication.objects.get(pk=publication.pk).title == "测试公告"


def test_log_entries_cannot_be_changed_or_deleted(issue):
    issue()
    entry = PublicationLogEntry.objects.get()

    with pytest.raises(ImmutableError):
        entry.delete()
    with pytest.raises(ImmutableError):
        PublicationLogEntry.objects.update(title="x")
    with pytest.raises(ImmutableError):
        entry.save()


def test_an_owner_may_not_issue(issue, personas, settings):
    with pytest.raises(PermissionDeniedError):
        issue(actor=personas.owner)

    assert nothing_stored(settings.MEDIA_ROOT)


def test_an_approver_must_pass_totp_before_issuing(issue, personas):
    with pytest.raises(PermissionDeniedError) as refused:
        issue(actor=personas.approver)

    assert refused.value.code == "otp_required"


def test_an_unknown_kind_or_an_empty_period_is_refused(issue):
    with pytest.raises(DomainError) as kind:
        issue(kind="gossip")
    with pytest.raises(DomainError) as period:
        issue(period="  ")

    assert kind.value.code == "bad_kind"
    assert period.value.code == "bad_period"
    assert "period" in period.value.fields


def test_without_signing_keys_nothing_is_issued(issue, settings, tmp_path):
    settings.GONGZHI_SIGNING_DIR = tmp_path / "empty"

    with pytest.raises(DomainError) as refused:
        issue()

    assert refused.value.code == "signing_not_ready"
    assert "signing_init" in refused.value.message
    assert nothing_stored(settings.MEDIA_ROOT)


def test_a_wrong_passphrase_is_a_clear_error(issue, settings, tmp_path):
    from publications import signing

    directory = tmp_path / "keys"
    signing.signing_init(
        config=signing.SigningConfig(
            directory=directory,
            passphrase="right",
            pkcs12="",
            pkcs12_passphrase="",
            timestamp_url="",
            bureau_name="局",
            district_name="区",
        )
    )
    settings.GONGZHI_SIGNING_DIR = directory
    settings.GONGZHI_SIGNING_PASSPHRASE = "wrong"

    with pytest.raises(DomainError) as refused:
        issue()

    assert refused.value.code == "signing_passphrase"
    assert "GONGZHI_SIGNING_PASSPHRASE" in refused.value.message


def test_a_district_wide_notice_has_no_area(district):
    from publications.services import publication_issue

    publication = publication_issue(
        kind=Kind.OTHER,
        area=None,
        period="2026",
        template="publications/pdf/table.html",
        context={"columns": [{"label": "事项", "align": ""}], "rows": [["全区通知"]]},
        actor=None,
    )

    assert publication.area is None
    assert publication.title == "其他公告"
    assert PublicationLogEntry.objects.get().area == ""


def test_a_bureau_name_the_seal_font_cannot_draw_is_refused(issue, settings):
    settings.GONGZHI_BUREAU_NAME = "测试\U0003134a局"

    with pytest.raises(DomainError) as refused:
        issue()

    assert refused.value.code == "seal_font"
    assert nothing_stored(settings.MEDIA_ROOT)


def test_table_context_refuses_a_row_with_the_wrong_number_of_cells():
    from publications.rendering import table_context

    with pytest.raises(ValueError, match="Row 2 has 1 cells for 2 columns"):
        table_context(columns=[{"label": "甲"}, {"label": "乙"}], rows=[["1", "2"], ["3"]])


def test_a_table_with_every_column_width_uses_the_fixed_layout():
    from publications.rendering import table_context

    fixed = table_context(columns=[{"label": "甲", "width": "30%"}], rows=[["1"]])
    auto = table_context(columns=[{"label": "甲"}], rows=[["1"]])

    assert fixed["fixed_layout"] is True
    assert auto["fixed_layout"] is False
