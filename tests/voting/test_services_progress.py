"""Live progress (voting.selectors): participation vs. the 2/3 lines, approval vs. the threshold.

Frozen roll: 6 heads, 594.75 m² → quorum lines 4 heads and 396.50 m² (ceil of 2/3).
"""

from __future__ import annotations

import pytest

from voting import selectors, services

from .conftest import ALL_APPROVE, make_assembly, mark_noticed

pytestmark = pytest.mark.django_db


def test_there_is_no_progress_before_the_roll_is_frozen(register, personas):
    assembly = mark_noticed(make_assembly(register.area, personas.committee))
    assert selectors.assembly_progress(assembly) is None


def test_progress_after_one_ballot(assembly, register):
    services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user("甲"))

    progress = selectors.assembly_progress(assembly)

    assert progress["ballots"] == 1
    assert progress["cast"] == {"heads": 1, "area": "89.50"}
    assert progress["cast_bps"] == {"heads": 1666, "area": 1504}
    m1 = progress["motions"][0]
    assert m1["participation"]["heads"] == {
        "value": 1,
        "total": 6,
        "line": 4,
        "met": False,
        "value_bps": 1666,
        "line_bps": 6666,
    }
    assert m1["participation"]["area"]["line"] == 39650
    assert m1["participation"]["area"]["value"] == 8950
    assert m1["approval"]["heads"]["line"] == 1
    assert m1["outcome"] == "no_quorum"


def test_progress_crosses_the_quorum_line_at_exactly_two_thirds(assembly, register):
    # 甲 89.50 + 乙 100.00 + 丙 120.25 + 戊 110.00 = 419.75 m² ≥ 396.50, 4 heads ≥ 4.
    for name in ("甲", "乙", "丙"):
        services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user(name))
    before = selectors.assembly_progress(assembly)["motions"][0]["participation"]
    assert before["heads"]["met"] is False and before["met"] is False

    services.ballot_cast(
        assembly=assembly,
        choices={"m1": "abstain", "m2": "abstain", "m3": "abstain"},
        actor=register.user("戊"),
    )

    after = selectors.assembly_progress(assembly)["motions"][0]
    assert after["participation"]["heads"]["met"] is True
    assert after["participation"]["area"]["met"] is True
    assert after["participation"]["met"] is True
    # Abstaining takes part and never approves: 3 of 4 heads, 309.75 of 419.75 m².
    assert after["approval"]["heads"]["value"] == 3
    assert after["approval"]["area"]["value"] == 30975
    assert after["outcome"] == "approved"


def test_an_owner_sees_their_right_and_receipt(assembly, register):
    assert [r.ballot for r in selectors.rights_for(register.user("甲"), assembly)] == [None]
    ballot = services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user("甲"))

    rights = selectors.rights_for(register.user("甲"), assembly)

    assert [r.ballot for r in rights] == [ballot]
    receipt = selectors.receipt(ballot)
    assert (receipt["tracker"], receipt["hash"], receipt["seq"]) == (ballot.tracker, ballot.hash, 1)
    assert list(selectors.ballots_of(register.user("己"))) == []


def test_the_board_lookup_answers_only_after_the_close(assembly, register):
    from .conftest import close

    ballot = services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user("甲"))
    assert selectors.board_lookup(assembly, ballot.tracker) is None
    close(assembly)
    entry = selectors.board_lookup(assembly, ballot.tracker.upper())
    assert entry["hash"] == ballot.hash
    assert entry["choices"] == ALL_APPROVE


def test_the_committee_lists_rights_that_have_not_voted(assembly, register):
    services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user("甲"))
    left = selectors.unvoted_rights(assembly)
    assert left.count() == 5
    assert selectors.right_by_unit(assembly, "1栋-1单元-102") == register.right(assembly, "乙")
    assert selectors.right_by_unit(assembly, "nowhere") is None


def test_weighing_alike_ballots_together_counts_exactly_as_ballot_by_ballot(
    assembly, register, personas, media
):
    from voting.board_store import board_build

    from .conftest import close, pdf_upload

    # 甲 and 乙 answer alike (one group), 丙 on paper leaves m2 blank, 戊 abstains.
    for name in ("甲", "乙"):
        services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user(name))
    services.ballot_enter_paper(
        assembly=assembly,
        right=register.right(assembly, "丙"),
        choices={"m1": "reject", "m3": ["c1", "c2", "c3"]},
        scan=pdf_upload(),
        actor=personas.committee,
    )
    services.ballot_cast(
        assembly=assembly,
        choices={"m1": "abstain", "m2": "abstain", "m3": "abstain"},
        actor=register.user("戊"),
    )
    weighed, cast = selectors.weighed_ballots(assembly)
    assert (len(weighed), cast) == (3, 4)

    progress = selectors.assembly_progress(assembly)
    close(assembly)
    board = board_build(assembly)

    assert {row["motion"].code: row["count"] for row in progress["motions"]} == board["result"]
    assert board["result"]["m2"]["participating"] == {"heads": 3, "area": "299.50"}
    assert board["result"]["m3"]["invalid"] == {"heads": 1, "area": "120.25"}
