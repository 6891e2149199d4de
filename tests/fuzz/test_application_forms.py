"""Random input to the two application forms (issue #9 item 4): the fund-use draft
(``funds:application_create``) and the emergency filing (``emergency:apply``).

Any text in any field — script tags, formula cells, NUL, 2,000 characters, huge,
negative, exponent or full-width amounts, budget lines of any shape — answers
302 with one application stored, or 400 with the form again and nothing
stored (no application, no item, no evidence row, no file, no audit event);
never a 500. What is stored is the text as typed (escaped where it is shown:
``test_escaping.py``), and an amount is a whole number of fen that fits.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEvent
from emergency.models import EmergencyApplication, Evidence
from funds.models import FundApplication
from tests.emergency.conftest import pdf, photo
from tests.estates.helpers import make_unit
from tests.funds.app_helpers import build_estate
from tests.fuzz.strategies import SETTINGS, amounts, each_example_undone, texts

pytestmark = pytest.mark.django_db

BIGINT = 2**63
budget_lines = st.lists(
    st.one_of(
        st.builds(lambda name, amount: f"{name} | 规格 | {amount}", st.text(max_size=40), amounts),
        st.builds(lambda name, amount: f"{name} ｜ {amount}", st.text(max_size=40), amounts),
        texts,
    ),
    max_size=4,
).map("\n".join)
unit_codes = st.one_of(texts, st.sampled_from(["1栋-1单元-101", "1栋-1单元-101,1栋-1单元-999"]))


def stored_files() -> set[Path]:
    """The files stored for applications. A form shown again keeps the user's accepted
    files for the draft under kept/ (issue 16 item 4, core.upload_drafts): not the
    application's, and expiring on their own."""
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return set()
    return {p for p in root.rglob("*") if p.is_file() and "kept" not in p.relative_to(root).parts}


@pytest.fixture
def fund_form(district, personas):
    estate = build_estate(district)
    client = Client()
    client.force_login(personas.property_staff)
    return SimpleNamespace(
        client=client, url=f"{reverse('funds:application_create')}?area={estate.area.pk}"
    )


@SETTINGS
@given(
    title=texts,
    description=texts,
    contractor=texts,
    items=budget_lines,
    scope_unit_codes=unit_codes,
    repair_type=st.sampled_from(["other", "waterproofing", "", "nonsense"]),
)
def test_any_text_in_the_fund_application_form_is_a_draft_or_the_form_again(
    fund_form, title, description, contractor, items, scope_unit_codes, repair_type
):
    events, files = AuditEvent.objects.count(), stored_files()
    data = {
        "title": title,
        "repair_type": repair_type,
        "description": description,
        "contractor": contractor,
        "items": items,
        "scope_unit_codes": scope_unit_codes,
    }
    with each_example_undone():
        response = fund_form.client.post(fund_form.url, data)
        assert response.status_code in (302, 400)
        drafts = list(FundApplication.objects.all())
        stored_events = AuditEvent.objects.count()
        if drafts:
            draft = drafts[0]
            item_amounts = list(draft.items.values_list("amount_fen", flat=True))
    if response.status_code == 400:
        assert (drafts, stored_events) == ([], events)
    else:
        assert len(drafts) == 1 and stored_events > events
        assert (draft.title, draft.description) == (title.strip(), description.strip())
        assert draft.budget_fen == sum(item_amounts) and 0 <= draft.budget_fen < BIGINT
    assert stored_files() == files


@pytest.fixture
def filing_form(district, personas):
    make_unit(district.a1, "101", building="1栋", registered="89.50")
    client = Client()
    client.force_login(personas.committee)
    return SimpleNamespace(client=client, url=reverse("emergency:apply", args=["a1"]))


@SETTINGS
@given(
    description=texts,
    estimate=amounts,
    prepayment=st.one_of(st.just(""), amounts),
    scope_unit_codes=unit_codes,
    item=st.sampled_from(["E05", "E01", "__other__", "", "E99", "<b>"]),
)
def test_any_text_in_the_emergency_filing_form_is_a_filing_or_the_form_again(
    filing_form, description, estimate, prepayment, scope_unit_codes, item
):
    events, files = AuditEvent.objects.count(), stored_files()
    data = {
        "item": item,
        "description": description,
        "estimate": estimate,
        "prepayment": prepayment,
        "scope_unit_codes": scope_unit_codes,
        "evidence_photo": [photo()],
        "evidence_budget": [pdf("budget.pdf")],
    }
    with each_example_undone():
        response = filing_form.client.post(filing_form.url, data)
        assert response.status_code in (302, 400)
        filed = list(EmergencyApplication.objects.all())
        evidence = Evidence.objects.count()
        stored_events = AuditEvent.objects.count()
    if response.status_code == 400:
        assert (filed, evidence, stored_events) == ([], 0, events)
        assert stored_files() == files
    else:
        (application,) = filed
        assert application.item.code == "E05" and evidence == 2
        assert application.description == description.strip()
        assert 0 < application.estimate_fen <= 30_000_00
        assert 0 <= (application.prepayment_fen or 0) <= application.estimate_fen


def test_the_fuzzed_fund_form_can_succeed_so_the_test_above_can_tell(fund_form):
    draft = fund_form.client.post(
        fund_form.url, {"title": "屋面防水", "repair_type": "other", "items": "防水 | 600㎡ | 100"}
    )
    assert draft.status_code == 302 and FundApplication.objects.count() == 1


def test_the_fuzzed_filing_form_can_succeed_so_the_test_above_can_tell(filing_form):
    filing = filing_form.client.post(
        filing_form.url,
        {
            "item": "E05",
            "description": "爆管",
            "estimate": "12000",
            "prepayment": "",
            "scope_unit_codes": "",
            "evidence_photo": [photo()],
            "evidence_budget": [pdf("budget.pdf")],
        },
    )
    assert filing.status_code == 302 and EmergencyApplication.objects.count() == 1
