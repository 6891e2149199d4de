"""Every funds list shows each role exactly the rows of its scope (docs/permissions.md,
"角色与范围"; issue #16 item 5): the property company the areas it serves, community and
street officers their community / street, a committee its own area, the bureau all.

One application per area (a1, a2 in street A / community A1, served by company P; b1 in
street B, company Q), each at the step the list is about; a role's page must name exactly
the titles of its areas."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funds.ledger import services as ledger
from funds.models import CustodyRegime, FundApplication, FundUse, PaymentInstruction, UseFiling
from tests.conftest import pass_totp
from tests.factories import UserFactory

Status = FundApplication.Status
AREAS = ("a1", "a2", "b1")


def title(code: str) -> str:
    return f"测试申请-{code}"


@pytest.fixture
def rows(district):
    """One application per area, by an applicant none of the personas is."""
    applicant = UserFactory(username="applicant")
    made = {}
    for code in AREAS:
        made[code] = FundApplication.objects.create(
            area=getattr(district, code),
            title=title(code),
            repair_type="waterproofing",
            budget_fen=1_000_000,
            applicant=applicant,
            applicant_role="property_staff",
            status=Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
    return made


def custody(district, code: str, regime: str) -> None:
    ledger.fund_profile_set(
        area=getattr(district, code),
        deposit_rate=Decimal("0.05"),
        cost_per_m2_fen=150_000,
        bank_name="中国建设银行宿州分行",
        account_no=f"3405{code}",
        actor=None,
        regime=regime,
    )


def seen(client, user, name: str, *, totp: bool = False) -> set[str]:
    client.force_login(user)
    if totp:
        pass_totp(client, user)
    response = client.get(reverse(f"funds:{name}"))
    assert response.status_code == 200
    page = response.content.decode()
    return {code for code in AREAS if title(code) in page}


EVERY = set(AREAS)
# role persona → the areas whose applications it may see (docs/permissions.md).
LIST_SCOPES = {
    "committee": {"a1"},
    "other_committee": {"b1"},
    "property_staff": {"a1", "a2"},
    "street_officer": {"a1", "a2"},
    "other_street_officer": {"b1"},
    "community_officer": {"a1", "a2"},
    "reviewer": EVERY,
    "approver": EVERY,
    "admin": EVERY,
    "owner": set(),  # an owner without a unit in any scope
    "outsider": set(),
}
TOTP = {"approver", "admin"}


@pytest.mark.parametrize("persona", sorted(LIST_SCOPES))
def test_the_application_list_shows_each_role_its_scope(client, personas, rows, persona):
    user = getattr(personas, persona)
    assert seen(client, user, "application_list", totp=persona in TOTP) == LIST_SCOPES[persona]


@pytest.mark.parametrize(
    "persona", ["committee", "property_staff", "community_officer", "reviewer"]
)
def test_the_application_api_list_matches_the_page(client, personas, rows, persona):
    client.force_login(getattr(personas, persona))
    data = client.get("/api/v1/funds/applications/?page_size=100").json()
    items = data["results"] if isinstance(data, dict) else data
    assert {item["area"] for item in items} == LIST_SCOPES[persona]


def test_the_review_queue_follows_custody(client, district, personas, rows):
    # a1's fund is kept by its assembly (the committee reviews), a2 and b1 by the bureau.
    custody(district, "a1", CustodyRegime.ASSEMBLY)
    custody(district, "b1", CustodyRegime.BUREAU)
    assert seen(client, personas.reviewer, "review_queue") == {"a2", "b1"}
    assert seen(client, personas.committee, "review_queue") == {"a1"}


def test_a_committee_never_reviews_another_assembly_kept_area(client, district, personas, rows):
    custody(district, "a1", CustodyRegime.ASSEMBLY)
    custody(district, "b1", CustodyRegime.ASSEMBLY)
    assert seen(client, personas.committee, "review_queue") == {"a1"}
    assert seen(client, personas.other_committee, "review_queue") == {"b1"}
    assert seen(client, personas.reviewer, "review_queue") == {"a2"}


def test_the_approval_queue_follows_custody(client, district, personas, rows):
    FundApplication.objects.update(status=Status.REVIEWED, reviewed_at=timezone.now())
    custody(district, "b1", CustodyRegime.ASSEMBLY)
    assert seen(client, personas.approver, "approval_queue", totp=True) == {"a1", "a2"}
    assert seen(client, personas.other_committee, "approval_queue") == {"b1"}
    assert seen(client, personas.committee, "approval_queue") == set()


def instructed(rows, district):
    for code, application in rows.items():
        use = FundUse.objects.create(
            area=getattr(district, code),
            source=FundUse.Source.APPLICATION,
            source_key=f"application:{application.pk}",
            title=title(code),
            budget_fen=1_000_000,
        )
        PaymentInstruction.objects.create(
            fund_use=use,
            key=f"PAY-{code}",
            amount_fen=500_000,
            payee_name="施工单位",
            payee_bank="银行",
            payee_account="6217000000000000001",
            instructed_by=application.applicant,
        )


def test_the_payment_queue_follows_custody(client, district, personas, rows):
    instructed(rows, district)
    custody(district, "a1", CustodyRegime.ASSEMBLY)
    assert seen(client, personas.reviewer, "payment_queue") == {"a2", "b1"}
    assert seen(client, personas.approver, "payment_queue", totp=True) == {"a2", "b1"}
    assert seen(client, personas.committee, "payment_queue") == {"a1"}
    assert seen(client, personas.other_committee, "payment_queue") == set()


def test_the_filing_queue_is_the_bureau_s_whole_district(client, district, personas, rows):
    instructed(rows, district)
    for code, application in rows.items():
        UseFiling.objects.create(
            application=application,
            fund_use=FundUse.objects.get(area=getattr(district, code)),
            filed_by=personas.committee,
        )
    assert seen(client, personas.reviewer, "filing_queue") == EVERY
    assert seen(client, personas.approver, "filing_queue", totp=True) == EVERY


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("committee", {"a1"}),
        ("street_officer", {"a1", "a2"}),
        ("community_officer", {"a1", "a2"}),
        ("other_street_officer", {"b1"}),
        ("reviewer", EVERY),
    ],
)
def test_the_fund_area_list_shows_each_role_its_scope(client, district, personas, persona, codes):
    client.force_login(getattr(personas, persona))
    page = client.get(reverse("funds:areas")).content.decode()
    names = {"a1": "甲一小区", "a2": "甲二小区", "b1": "乙一小区"}
    assert {code for code, name in names.items() if name in page} == codes
