"""A register with buildings and units, uploads of each kind, and filing helpers; the
signing keys are tests/signing.py's.

District (tests/conftest.py): street A holds a1 (业委会, company P) and a2 (no
committee, company P); street B holds b1 (物管会, company Q).
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import sms
from emergency import services
from emergency.models import EvidenceKind
from tests.estates.helpers import make_unit
from tests.signing import publishing_fixture, signing_dir_fixture  # noqa: F401 - fixtures

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64
# The seeded whitelist (migration 0002): the codes tests use.
ELEVATOR, PIPES, MANHOLE, FIRE = "E01", "E05", "E06", "E04"
PIPES_CAP_FEN = 30_000_00


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def photo(name: str = "site.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, JPEG_BYTES, content_type="image/jpeg")


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def evidence_for(*kinds: str) -> list[tuple[str, SimpleUploadedFile]]:
    files = []
    for kind in kinds:
        upload = photo(f"{kind}.jpg") if kind == EvidenceKind.PHOTO else pdf(f"{kind}.pdf")
        files.append((kind, upload))
    return files


BASIC = (EvidenceKind.PHOTO, EvidenceKind.BUDGET)


COMPLETED = date(2010, 6, 30)  # every building's completion acceptance: long out of warranty


@pytest.fixture
def estate(district):
    """Units in every area: a1 has 1栋 (101: 89.50 m², 102: 100.00 m²) and 2栋 (201: 120.25 m²);
    a2 and b1 one unit each (89.50 m²). Every building passed completion acceptance on
    2010-06-30 (``COMPLETED``): out of every warranty, unless a test says otherwise."""
    from estates.models import Building

    d = district
    units = SimpleNamespace(
        a1_101=make_unit(d.a1, "101", building="1栋", registered="89.50"),
        a1_102=make_unit(d.a1, "102", building="1栋", registered="100.00"),
        a1_201=make_unit(d.a1, "201", building="2栋", registered="120.25"),
        a2_101=make_unit(d.a2, "101", building="1栋"),
        b1_101=make_unit(d.b1, "101", building="1栋"),
    )
    Building.objects.filter(area__in=[d.a1, d.a2, d.b1]).update(completion_date=COMPLETED)
    return SimpleNamespace(**vars(d), units=units)


def file_application(actor, area, *, item_code=PIPES, estimate_fen=12_000_00, evidence=None, **kw):
    """File through the real service with the evidence the item asks for (unless given)."""
    if evidence is None:
        kinds = list(BASIC)
        if item_code == ELEVATOR:
            kinds.append(EvidenceKind.ELEVATOR_REPORT)
        if item_code == FIRE:
            kinds.append(EvidenceKind.FIRE_REPORT)
        evidence = evidence_for(*kinds)
    return services.application_file(
        area=area,
        item_code=item_code,
        description=kw.pop("description", "3栋地下室给水主管爆裂，整栋停水。"),
        estimate_fen=estimate_fen,
        evidence=evidence,
        actor=actor,
        **kw,
    )


def review(application, reviewer, *, now=None, **checklist):
    """Take under review and record the checklist through the real services: by default no
    exclusion ticked and a reason for paying now (needed only if the warranty is flagged)."""
    moment = {"now": now} if now is not None else {}
    services.application_review_start(application=application, actor=reviewer, **moment)
    checklist.setdefault("exclusions", {})
    checklist.setdefault("warranty_note", "险情紧急，先行列支。")
    return services.application_checklist_record(
        application=application, actor=reviewer, **moment, **checklist
    )


@pytest.fixture
def filed(estate, personas):
    """An application of a1 filed by its committee (water pipes, 12,000.00 yuan)."""
    return file_application(personas.committee, estate.a1)


# --------------------------------------------------------------------------- the fund


DEPOSIT_FEN = 5_000_00


@pytest.fixture
def funded(estate):
    """a1's fund: bureau custody, every unit's sub-ledger holding 5,000.00 yuan (bank 15,000.00)."""
    from datetime import date
    from decimal import Decimal

    from funds.ledger import selectors as ledger
    from funds.ledger import services as funds_services
    from funds.models import Transaction

    funds_services.fund_profile_set(
        area=estate.a1,
        deposit_rate=Decimal("0.05"),
        cost_per_m2_fen=150_000,
        bank_name="中国工商银行宿州分行",
        account_no="1317000000000000001",
        actor=None,
    )
    bank = ledger.bank_account(estate.a1)
    for unit in (estate.units.a1_101, estate.units.a1_102, estate.units.a1_201):
        funds_services.transaction_post(
            kind=Transaction.Kind.DEPOSIT,
            lines=[(bank, DEPOSIT_FEN), (ledger.unit_account(unit), -DEPOSIT_FEN)],
            memo=f"交存 {unit.code}",
            key=f"test-deposit:{unit.pk}",
            actor=None,
            value_date=date(2024, 1, 10),
        )
    return estate


@pytest.fixture
def seeded_whitelist(db):
    """Version 1 as migration 0002 seeds it, again if a transactional test's flush emptied it."""
    import importlib

    from django.apps import apps

    from emergency.models import WhitelistVersion

    if not WhitelistVersion.objects.exists():
        importlib.import_module("emergency.migrations.0002_seed_whitelist").seed(apps, None)
