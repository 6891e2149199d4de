"""The first real notice: one area's annex-1 register entry (RULES.md §8), and the commands."""

from __future__ import annotations

import hashlib
import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from core.errors import PermissionDeniedError
from estates.services.area_register import area_register_fields, area_register_notice_issue
from publications.models import Publication

from .conftest import pdftext, stored_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(district):
    a1 = district.a1
    a1.estate_name = "甲一花园"
    a1.boundaries = "东至银河路，南至汴河路，西至淮海路，北至胜利路"
    a1.service_form = 1
    a1.party_coverage = 3
    a1.project_manager = "王经理"
    a1.fee_collection_rate = Decimal("87.50")
    a1.save()
    return a1


def test_the_fields_are_annex_1_with_its_codes(area):
    assert area_register_fields(area) == [
        ("区域编码", "a1"),
        ("物业管理区域名称", "甲一小区"),
        ("小区名称", "甲一花园"),
        ("所在街道/社区", "甲街道 / 甲一社区"),
        ("四至范围", "东至银河路，南至汴河路，西至淮海路，北至胜利路"),
        ("物业服务形态", "1 专业化"),
        ("业委会组建情况", "1 业委会"),
        ("党的工作覆盖", "3 党支部"),
        ("物业服务企业", "甲物业服务有限公司"),
        ("项目负责人", "王经理"),
        ("物业费收缴率", "87.50%"),
    ]


def test_an_area_without_company_or_rate_shows_empty_fields(district):
    district.a2.property_company = None
    district.a2.save()

    fields = dict(area_register_fields(district.a2))

    assert fields["物业服务企业"] == ""
    assert fields["物业费收缴率"] == ""
    assert fields["业委会组建情况"] == "3 未成立"


def test_the_notice_prints_every_field(area, tmp_path):
    publication = area_register_notice_issue(area=area, actor=None)
    path = tmp_path / "a1.pdf"
    path.write_bytes(stored_bytes(publication))

    text = re.sub(r"\s+", "", pdftext(path))

    assert publication.kind == "area_register"
    assert publication.title == "物业管理区域信息台账公示（甲一小区）"
    for label, value in area_register_fields(area):
        assert re.sub(r"\s+", "", f"{label}{value}") in text


def test_the_command_publishes_then_refuses_to_repeat_an_unchanged_register(area):
    out = io.StringIO()

    call_command("publish_area_register", "--area", "a1", stdout=out)
    call_command("publish_area_register", "--area", "a1", stdout=out)

    publication = Publication.objects.get()
    assert publication.serial in out.getvalue()
    assert "以来没有变化" in out.getvalue()
    assert Publication.objects.count() == 1


def test_a_changed_register_is_published_again_and_supersedes_the_old_notice(area):
    call_command("publish_area_register", "--area", "a1", stdout=io.StringIO())
    area.fee_collection_rate = Decimal("91.00")
    area.save()

    call_command("publish_area_register", "--area", "a1", stdout=io.StringIO())

    old, new = Publication.objects.order_by("issued_at")
    assert old.superseded_by == new
    assert new.is_current


def test_the_command_refuses_an_unknown_area(db):
    with pytest.raises(CommandError, match="No management area"):
        call_command("publish_area_register", "--area", "nope", stdout=io.StringIO())


def test_a_committee_member_may_not_publish_the_register(area, personas):
    with pytest.raises(PermissionDeniedError):
        area_register_notice_issue(area=area, actor=personas.committee)


def test_export_writes_the_stored_bytes_of_a_serial(area, tmp_path):
    publication = area_register_notice_issue(area=area, actor=None)
    out = tmp_path / "out.pdf"

    call_command("publication_export", publication.serial, "--out", str(out), stdout=io.StringIO())

    assert hashlib.sha256(out.read_bytes()).hexdigest() == publication.sha256


def test_export_latest_writes_the_newest(issue, tmp_path):
    issue(title="较早")
    newest = issue(title="最新")
    out = tmp_path / "latest.pdf"

    call_command("publication_export", "--latest", "--out", str(out), stdout=io.StringIO())

    assert out.read_bytes() == stored_bytes(newest)


def test_export_needs_exactly_one_of_serial_or_latest(issue, tmp_path):
    issue()
    out = tmp_path / "x.pdf"

    with pytest.raises(CommandError, match="either"):
        call_command("publication_export", "--out", str(out), stdout=io.StringIO())
    with pytest.raises(CommandError, match="No publication YQ-2026-999999"):
        call_command(
            "publication_export", "YQ-2026-999999", "--out", str(out), stdout=io.StringIO()
        )
    assert not out.exists()


def test_export_refuses_a_stored_file_that_no_longer_matches_the_register(issue, tmp_path):
    publication = issue()
    path = publication.file.path
    with open(path, "r+b") as handle:
        handle.seek(100)
        handle.write(b"X")
    out = tmp_path / "x.pdf"

    with pytest.raises(CommandError, match="does not match its registered SHA-256"):
        call_command(
            "publication_export", publication.serial, "--out", str(out), stdout=io.StringIO()
        )
    assert not out.exists()
