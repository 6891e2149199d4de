"""Random input to the ballot and to the revenue entry (issue #9 item 4).

``voting.services.ballot_cast`` with any JSON as choices either records a ballot
or raises ``DomainError`` — never another exception — and a refusal stores no
ballot. The revenue entry page with any text in its fields answers 302 (stored)
or 400 (the form again, nothing stored), never a 500. Each example runs in a
savepoint rolled back at its end, so every example meets the same state.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from core.errors import DomainError
from revenue import services as revenue_services
from revenue.models import RevenueEntry
from tests.fuzz.strategies import SETTINGS, amounts, each_example_undone, texts
from tests.voting.conftest import ELECTION, ORDINARY, SPECIAL, make_assembly, open_assembly
from voting import services as voting_services
from voting.models import Ballot

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.sampled_from(["approve", "reject", "abstain", "invalid", "c1", "c2", "c3"]),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)
choices = st.one_of(
    st.dictionaries(st.sampled_from(["m1", "m2", "m3", "m4", "", "M1"]), json_values, max_size=5),
    json_values,
)


@pytest.fixture
def ballot_box(world, personas, district):
    assembly = open_assembly(
        make_assembly(district.a1, personas.committee, motions=(ORDINARY, SPECIAL, ELECTION)),
        personas.committee,
    )
    return assembly, world.user("丙")


@SETTINGS
@given(choices=choices)
def test_any_json_as_choices_is_a_ballot_or_a_domain_error_and_a_refusal_stores_nothing(
    ballot_box, choices
):
    assembly, owner = ballot_box
    with each_example_undone():
        before = Ballot.objects.count()
        try:
            ballot = voting_services.ballot_cast(assembly=assembly, choices=choices, actor=owner)
        except DomainError as refused:
            assert refused.code and refused.message
            assert Ballot.objects.count() == before
        else:
            assert Ballot.objects.count() == before + 1
            # What is stored is what the rules allow (DESIGN.md board format).
            assert set(ballot.choices) <= {"m1", "m2", "m3"}
            for code in ("m1", "m2"):
                assert ballot.choices.get(code) in (None, "approve", "reject", "abstain", "invalid")


def test_the_fuzzed_ballot_can_succeed_so_the_test_above_can_tell(ballot_box):
    assembly, owner = ballot_box
    ballot = voting_services.ballot_cast(
        assembly=assembly,
        choices={"m1": "approve", "m2": "reject", "m3": ["c1"]},
        actor=owner,
    )
    assert ballot.pk


# --------------------------------------------------------------------------- revenue entry


@SETTINGS
@given(amount=amounts, counterparty=texts, memo=texts, day=st.text(max_size=12))
def test_any_text_in_the_entry_form_is_stored_or_refused_never_a_crash(
    personas, district, amount, counterparty, memo, day
):
    client = Client()
    client.force_login(personas.committee)
    with each_example_undone():
        response = client.post(
            reverse("revenue:entry_new", kwargs={"code": "a1"}),
            {
                "direction": "income",
                "category": "parking",
                "amount": amount,
                "occurred_on": day or "2025-02-10",
                "counterparty": counterparty,
                "memo": memo,
                "confirm": "on",
            },
        )
        stored = RevenueEntry.objects.count()

    assert response.status_code in (302, 400)
    assert stored == (1 if response.status_code == 302 else 0)


@SETTINGS
@given(
    amount_fen=st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.floats(), st.text()),
    counterparty=texts,
)
def test_the_entry_service_takes_only_a_positive_whole_fen_amount(
    personas, district, amount_fen, counterparty
):
    from datetime import date

    with each_example_undone():
        try:
            entry = revenue_services.revenue_entry_record(
                area=district.a1,
                direction="income",
                category="parking",
                amount_fen=amount_fen,
                occurred_on=date(2025, 2, 10),
                counterparty=counterparty,
                actor=personas.committee,
            )
        except DomainError:
            assert RevenueEntry.objects.count() == 0
        else:
            assert isinstance(amount_fen, int) and not isinstance(amount_fen, bool)
            assert 0 < entry.amount_fen == amount_fen < 2**63
