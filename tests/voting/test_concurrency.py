"""Double voting under concurrent submission (PostgreSQL: real row locks, real connections).

Each thread has its own database connection (Django opens one per thread),
so these are parallel transactions racing for the same assembly row.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import DomainError
from tests.parallel import in_threads
from voting import services
from voting.board_store import board_build
from voting.models import Assembly, Ballot
from voting.verifier import verify_board

from .conftest import (
    ORDINARY,
    build_register,
    close,
    make_assembly,
    open_assembly,
    pdf_upload,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHOICES = {"m1": "approve"}
NAMES = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"]


@pytest.fixture
def voting(district, personas, media):
    register = build_register(district.a1, [(name, ["80.00"]) for name in NAMES])
    assembly = open_assembly(
        make_assembly(district.a1, personas.committee, motions=(ORDINARY,)), personas.committee
    )
    return register, assembly


def test_the_same_ballot_from_eight_connections_is_stored_once(voting):
    register, assembly = voting
    user = register.user("甲")

    results = in_threads(
        [
            lambda: services.ballot_cast(assembly=assembly, choices=CHOICES, actor=user)
            for _ in range(8)
        ]
    )

    ballots = [r for r in results if isinstance(r, Ballot)]
    assert len(ballots) == 1
    assert results.count("already_voted") == 7
    assert Ballot.objects.filter(assembly=assembly).count() == 1
    assert Assembly.objects.get(pk=assembly.pk).ballots_cast == 1


def test_the_same_keyed_submission_from_eight_connections_returns_one_ballot(voting):
    register, assembly = voting
    user = register.user("甲")

    results = in_threads(
        [
            lambda: services.ballot_cast(
                assembly=assembly, choices=CHOICES, actor=user, idempotency_key="tap-1"
            )
            for _ in range(8)
        ]
    )

    assert all(isinstance(r, Ballot) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Ballot.objects.filter(assembly=assembly).count() == 1


def test_online_and_paper_for_one_right_at_once_store_exactly_one(voting, personas):
    register, assembly = voting
    right = register.right(assembly, "乙")

    results = in_threads(
        [
            lambda: services.ballot_cast(
                assembly=assembly, choices=CHOICES, actor=register.user("乙")
            ),
            lambda: services.ballot_enter_paper(
                assembly=assembly,
                right=right,
                choices={"m1": "reject"},
                scan=pdf_upload(),
                actor=personas.committee,
            ),
        ]
    )

    assert sum(isinstance(r, Ballot) for r in results) == 1
    assert results.count("already_voted") == 1
    assert Ballot.objects.filter(right=right).count() == 1


def test_online_then_paper_is_refused(voting, personas):
    register, assembly = voting
    services.ballot_cast(assembly=assembly, choices=CHOICES, actor=register.user("丙"))
    with pytest.raises(DomainError) as caught:
        services.ballot_enter_paper(
            assembly=assembly,
            right=register.right(assembly, "丙"),
            choices=CHOICES,
            scan=pdf_upload(),
            actor=personas.committee,
        )
    assert caught.value.code == "already_voted"


def test_eight_owners_at_once_make_one_gapless_chain_that_verifies(voting):
    register, assembly = voting

    results = in_threads(
        [
            (
                lambda name=name: services.ballot_cast(
                    assembly=assembly, choices=CHOICES, actor=register.user(name)
                )
            )
            for name in NAMES
        ]
    )

    assert all(isinstance(r, Ballot) for r in results), results
    assert sorted(r.seq for r in results) == list(range(1, 9))
    close(assembly)
    report = verify_board(board_build(assembly))
    assert report.valid, report.errors
    assert report.motions["m1"]["participating"] == {"heads": 8, "area": "640.00"}


def test_the_first_ballots_of_a_due_assembly_freeze_its_roll_once(district, personas, media):
    from voting.models import RollSnapshot

    from .conftest import mark_noticed, shift

    register = build_register(district.a1, [(name, ["80.00"]) for name in NAMES])
    assembly = mark_noticed(make_assembly(district.a1, personas.committee, motions=(ORDINARY,)))
    shift(assembly, opens=-timedelta(minutes=1), closes=timedelta(days=1))

    results = in_threads(
        [
            (
                lambda name=name: services.ballot_cast(
                    assembly=assembly, choices=CHOICES, actor=register.user(name)
                )
            )
            for name in NAMES
        ]
    )

    assert all(isinstance(r, Ballot) for r in results), results
    assert RollSnapshot.objects.filter(assembly=assembly).count() == 1
