"""PDF signing failing in the middle of a publication (issue #9 item 3).

Three real callers of ``publications.services.publication_issue`` are made to
fail while signing: the result of a vote (the signing key unusable, e.g. an
HSM gone), the fund-use notice (the timestamp service refusing connections —
a real network fault, no patch) and the quarterly revenue notice. Each time
no publication, serial, log entry, audit event or file is left, the caller's
state has not moved (the assembly stays counted and closed, the fund use and
the application stay settled, no quarter notice), and the same call made
again publishes with the next serial — so serials stay gapless — and a
publication log that still verifies.

Then the other way round: the publication is signed and stored, and the
caller's own step after it fails. Everything rolls back; the signed file
must not stay behind.
"""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from pyhanko.sign.general import SigningError

from audit.models import AuditEvent
from core.errors import DomainError
from funds.models import FundApplication, FundUse
from funds.procedure import services as procedure_services
from publications import signing
from publications.models import Publication, PublicationLogEntry, SerialCounter
from publications.selectors import log_verify
from revenue import services as revenue
from revenue.models import Allocation, QuarterNotice
from tests.funds.app_helpers import BUDGET, accepted
from tests.voting.conftest import ALL_APPROVE, close
from voting import services as voting
from voting.models import Assembly

from .dbfault import DB_ERRORS, Fault, cut_at_audit

pytestmark = pytest.mark.django_db


def signed_files() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT) / "publications"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def nothing_published() -> None:
    assert not Publication.objects.exists()
    assert not PublicationLogEntry.objects.exists()
    assert not SerialCounter.objects.filter(last__gt=0).exists()  # no serial used up
    assert not AuditEvent.objects.filter(action="publication.issue").exists()
    assert signed_files() == []


def published_first(publication: Publication) -> None:
    """The retry got the first serial of the year, a valid signature and a sound log."""
    year = timezone.localtime(publication.issued_at).year
    assert publication.serial == f"YQ-{year}-000001"
    assert signed_files() == [f"{year}/{publication.serial}.pdf"]
    with publication.file.open("rb") as handle:
        check = signing.signature_check(handle.read())
    assert check.ok, check.detail
    assert log_verify() == (1, None, "")


@pytest.fixture
def unusable_key(monkeypatch):
    """The signing key cannot be used (a hardware module gone, a revoked token …)."""

    def refuse(self, data, digest_algorithm):
        raise SigningError("signing key unavailable")

    monkeypatch.setattr(signing._kept_key_signer_class(), "sign_raw", refuse)
    return monkeypatch


def closed_port_url() -> str:
    """The address of a timestamp service that refuses every connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"


# --------------------------------------------------------------------------- a vote's result


@pytest.fixture
def counted_vote(assembly, register):
    for name in ("甲", "乙", "丙", "丁", "戊"):
        voting.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user(name))
    close(assembly)
    return assembly


def test_a_result_whose_signing_fails_stays_counted_and_is_published_once_on_retry(
    counted_vote, publishing, unusable_key
):
    with pytest.raises(SigningError):
        voting.assembly_close_and_count(assembly=counted_vote, actor=None)

    stored = Assembly.objects.get(pk=counted_vote.pk)
    assert stored.status == "closed" and stored.result["m1"]["outcome"] == "approved"
    assert stored.preliminary_publication_id is None and stored.objection_deadline is None
    assert not AuditEvent.objects.filter(action="assembly.result_preliminary").exists()
    nothing_published()

    unusable_key.undo()
    published = voting.assembly_close_and_count(assembly=counted_vote, actor=None)
    again = voting.assembly_close_and_count(assembly=counted_vote, actor=None)

    assert published.status == again.status == "preliminary"
    assert again.preliminary_publication_id == published.preliminary_publication_id
    published_first(published.preliminary_publication)


# --------------------------------------------------------------------------- a fund use


@pytest.fixture
def settled(estate, personas, verified):
    application = accepted(estate, personas, verified)
    return procedure_services.application_settle(
        application=application, actor=personas.reviewer, final_cost_fen=BUDGET
    )


def test_a_fund_use_notice_refused_by_a_dead_timestamp_service_publishes_nothing_until_retried(
    settled, personas, verified, publishing, settings
):
    approver = verified(personas.approver)
    settings.GONGZHI_TIMESTAMP_URL = closed_port_url()

    with pytest.raises(DomainError) as refused:
        procedure_services.application_publish(application=settled, actor=approver)

    assert refused.value.code == "timestamp_failed"
    assert "公示未发布" in refused.value.message
    application = FundApplication.objects.get(pk=settled.pk)
    fund_use = FundUse.objects.get(pk=settled.fund_use_id)
    assert application.status == FundApplication.Status.SETTLED
    assert (fund_use.status, fund_use.publication_id) == (FundUse.Status.SETTLED, None)
    nothing_published()

    settings.GONGZHI_TIMESTAMP_URL = ""  # the service is back (or the bureau signs without it)
    application = procedure_services.application_publish(application=settled, actor=approver)

    assert application.status == FundApplication.Status.PUBLISHED
    assert application.fund_use.status == FundUse.Status.PUBLISHED
    published_first(application.fund_use.publication)


# --------------------------------------------------------------------------- a revenue quarter


@pytest.fixture
def quarter(register, personas, record, district):
    """Q1 2025 of a1: 1,500.00 parking income, 200.25 repairs; shared by area."""
    record(150_000, category="parking", on=date(2025, 1, 31))
    record(20_025, category="repair", on=date(2025, 3, 20), counterparty="丙维修队")
    revenue.revenue_allocation_record(
        area=district.a1,
        year=2025,
        quarter=1,
        method=Allocation.Method.SHARE_BY_AREA,
        actor=personas.committee,
    )
    return {"area": district.a1, "year": 2025, "quarter": 1}


def test_a_revenue_notice_whose_signing_fails_is_not_recorded_and_is_published_once_on_retry(
    quarter, personas, verified, publishing, unusable_key
):
    approver = verified(personas.approver)

    with pytest.raises(SigningError):
        revenue.revenue_quarter_publish(actor=approver, **quarter)

    assert not QuarterNotice.objects.exists()
    assert not AuditEvent.objects.filter(action="revenue.quarter_publish").exists()
    nothing_published()

    unusable_key.undo()
    notice = revenue.revenue_quarter_publish(actor=approver, **quarter)
    with pytest.raises(DomainError) as again:
        revenue.revenue_quarter_publish(actor=approver, **quarter)

    assert again.value.code == "already_published"
    assert QuarterNotice.objects.count() == 1 and notice.net_fen == 150_000 - 20_025
    published_first(notice.publication)


# --------------------------------------------------------------------------- signed, then failed

INJECTED = Fault("injected")
# A caller that fails on its own step after signing rolls the publication back; its
# signed file goes too (publications.services.issued_file_guard).


def test_a_fund_use_notice_whose_own_step_fails_after_signing_leaves_no_signed_file(
    settled, personas, verified, publishing, monkeypatch
):
    cut = cut_at_audit(monkeypatch, INJECTED, "fund_use.publish", probe=signed_files)

    with pytest.raises(DB_ERRORS):
        procedure_services.application_publish(
            application=settled, actor=verified(personas.approver)
        )

    assert len(cut.seen) == 1  # the signed file was there when the step failed
    assert not Publication.objects.exists()
    assert signed_files() == []


def test_a_result_whose_own_step_fails_after_signing_leaves_no_signed_file(
    counted_vote, publishing, monkeypatch
):
    cut = cut_at_audit(monkeypatch, INJECTED, "assembly.result_preliminary", probe=signed_files)

    with pytest.raises(DB_ERRORS):
        voting.assembly_close_and_count(assembly=counted_vote, actor=None)

    assert len(cut.seen) == 1
    assert not Publication.objects.exists()
    assert signed_files() == []


def test_a_revenue_notice_whose_own_step_fails_after_signing_leaves_no_signed_file(
    quarter, personas, verified, publishing, monkeypatch
):
    cut = cut_at_audit(monkeypatch, INJECTED, "revenue.quarter_publish", probe=signed_files)

    with pytest.raises(DB_ERRORS):
        revenue.revenue_quarter_publish(actor=verified(personas.approver), **quarter)

    assert len(cut.seen) == 1
    assert not Publication.objects.exists() and not QuarterNotice.objects.exists()
    assert signed_files() == []
