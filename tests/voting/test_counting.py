"""RULES.md §2 with exact numbers, on both sides of every boundary, and a Fraction reference.

Pure tests: no database, no Django (voting.counting is standard library only).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.counting import (
    Totals,
    area_to_cents,
    cents_to_area,
    count_board,
    count_motion,
    fill_seats,
    ordinary_passes,
    quorum_met,
    special_passes,
)


def t(heads: int, area: str) -> Totals:
    return Totals.of(heads=heads, area=area)


def motion(kind: str = "ordinary", motion_id: str = "m", seats=None, options=None) -> dict:
    if options is None:
        options = ["approve", "reject", "abstain"]
    return {"id": motion_id, "title": "议题", "kind": kind, "seats": seats, "options": options}


def election(seats: int, candidates=("c1", "c2", "c3"), motion_id: str = "e") -> dict:
    return motion("election", motion_id, seats=seats, options=list(candidates))


def ballot(area: str, choice, heads: int = 1, motion_id: str = "m") -> dict:
    return {"heads": heads, "area": area, "choices": {motion_id: choice}}


# --- areas ------------------------------------------------------------------


def test_area_strings_and_decimals_become_integer_cents():
    assert area_to_cents("2729.45") == 272945
    assert area_to_cents(Decimal("89.5")) == 8950
    assert area_to_cents("0.01") == 1
    assert cents_to_area(272945) == "2729.45"
    assert cents_to_area(5) == "0.05"


def test_area_with_three_decimals_is_refused():
    with pytest.raises(ValueError, match="more than two decimal places"):
        area_to_cents("12.345")


def test_float_area_is_refused():
    with pytest.raises(TypeError):
        area_to_cents(12.34)


def test_negative_or_non_numeric_area_is_refused():
    with pytest.raises(ValueError):
        area_to_cents("-1.00")
    with pytest.raises(ValueError):
        area_to_cents("NaN")
    with pytest.raises(ValueError):
        area_to_cents("12,34")


# --- quorum: P ≥ 2/3 T by area and by heads (art. 278 para 2, art. 1259) ------


def test_quorum_met_at_exactly_two_thirds_of_area():
    assert quorum_met(t(3, "3.00"), t(2, "2.00")) is True


def test_quorum_missed_one_hundredth_m2_below_two_thirds_of_area():
    assert quorum_met(t(3, "3.00"), t(2, "1.99")) is False


def test_quorum_met_at_exactly_two_thirds_of_heads():
    assert quorum_met(t(15, "3250.00"), t(10, "3250.00")) is True


def test_quorum_missed_one_head_below_two_thirds_of_heads():
    assert quorum_met(t(15, "3250.00"), t(9, "3250.00")) is False


def test_quorum_area_rounds_up_when_two_thirds_is_not_whole():
    # 2/3 of 3,250.00 m² is 2,166.666…: 2,166.67 reaches it, 2,166.66 does not.
    assert quorum_met(t(15, "3250.00"), t(10, "2166.67")) is True
    assert quorum_met(t(15, "3250.00"), t(10, "2166.66")) is False


def test_empty_roll_never_has_quorum():
    assert quorum_met(t(0, "0.00"), t(0, "0.00")) is False


# --- ordinary motions: A > 1/2 P by area and by heads (过半数) -----------------


def test_ordinary_fails_at_exactly_half_of_area():
    assert ordinary_passes(t(3, "2.00"), t(3, "1.00")) is False


def test_ordinary_passes_one_hundredth_m2_above_half_of_area():
    assert ordinary_passes(t(3, "2.00"), t(3, "1.01")) is True


def test_ordinary_fails_at_exactly_half_of_heads():
    assert ordinary_passes(t(4, "100.00"), t(2, "100.00")) is False


def test_ordinary_passes_one_head_above_half_of_heads():
    assert ordinary_passes(t(4, "100.00"), t(3, "100.00")) is True


def test_ordinary_needs_both_area_and_heads():
    # The sample's m1: 7 of 12 heads (> ½) but 884.70 of 2,807.55 m² (not > ½).
    assert ordinary_passes(t(12, "2807.55"), t(7, "884.70")) is False
    assert ordinary_passes(t(12, "2807.55"), t(6, "2807.55")) is False


# --- special motions: A ≥ 3/4 P by area and by heads -------------------------


def test_special_passes_at_exactly_three_quarters_of_area():
    assert special_passes(t(4, "4.00"), t(4, "3.00")) is True


def test_special_fails_one_hundredth_m2_below_three_quarters_of_area():
    assert special_passes(t(4, "4.00"), t(4, "2.99")) is False


def test_special_passes_at_exactly_three_quarters_of_heads():
    assert special_passes(t(4, "4.00"), t(3, "4.00")) is True


def test_special_fails_one_head_below_three_quarters_of_heads():
    assert special_passes(t(4, "4.00"), t(2, "4.00")) is False


# --- count_motion: ordinary and special --------------------------------------


def test_ordinary_motion_counts_each_choice_in_heads_and_area():
    ballots = [
        ballot("100.00", "approve"),
        ballot("50.00", "approve"),
        ballot("20.00", "approve"),
        ballot("1.00", "approve"),
        ballot("60.00", "reject"),
        ballot("10.00", "abstain"),
        ballot("5.25", "invalid"),
    ]
    result = count_motion(motion(), ballots, t(8, "300.00"))
    assert result["outcome"] == "approved"
    assert result["quorum"] is True
    assert result["participating"] == {"heads": 7, "area": "246.25"}
    assert result["approve"] == {"heads": 4, "area": "171.00"}
    assert result["reject"] == {"heads": 1, "area": "60.00"}
    assert result["abstain"] == {"heads": 1, "area": "10.00"}
    assert result["invalid"] == {"heads": 1, "area": "5.25"}
    assert result["total"] == {"heads": 8, "area": "300.00"}
    # Quorum: ceil(2·8/3) = 6 heads, 2·300.00/3 = 200.00 m²;
    # approval: floor(7/2)+1 = 4 heads, floor(24625/2)+1 = 12313 cents = 123.13 m².
    assert result["thresholds"] == {
        "quorum": {"heads": 6, "area": "200.00"},
        "approval": {"heads": 4, "area": "123.13"},
    }


def test_ordinary_motion_fails_by_heads_at_exactly_half_even_with_area_majority():
    ballots = [ballot("90.00", "approve"), ballot("10.00", "reject")]
    result = count_motion(motion(), ballots, t(2, "100.00"))
    assert result["outcome"] == "rejected"


def test_abstain_and_invalid_take_part_and_can_block_an_ordinary_majority():
    approving = [ballot("10.00", "approve"), ballot("10.00", "approve")]
    assert count_motion(motion(), approving, t(2, "20.00"))["outcome"] == "approved"
    with_blanks = approving + [ballot("10.00", "abstain"), ballot("10.00", "invalid")]
    result = count_motion(motion(), with_blanks, t(4, "40.00"))
    assert result["participating"] == {"heads": 4, "area": "40.00"}
    assert result["outcome"] == "rejected"  # 2 of 4 heads is not more than half


def test_abstentions_count_towards_quorum():
    ballots = [ballot("10.00", "approve"), ballot("10.00", "abstain")]
    result = count_motion(motion(), ballots, t(3, "30.00"))
    assert result["quorum"] is True
    assert result["outcome"] == "rejected"  # 1 of 2 heads approve: exactly half


def test_special_motion_passes_at_three_quarters_with_an_abstention():
    ballots = [ballot("30.00", "approve", heads=3), ballot("10.00", "abstain")]
    result = count_motion(motion("special"), ballots, t(4, "40.00"))
    assert result["outcome"] == "approved"
    assert result["thresholds"]["approval"] == {"heads": 3, "area": "30.00"}


def test_special_motion_fails_one_hundredth_below_three_quarters():
    ballots = [ballot("29.99", "approve", heads=3), ballot("10.01", "reject")]
    result = count_motion(motion("special"), ballots, t(4, "40.00"))
    assert result["outcome"] == "rejected"


def test_motion_missing_from_a_ballot_means_it_did_not_take_part():
    ballots = [
        {"heads": 1, "area": "10.00", "choices": {"m1": "approve", "m2": "approve"}},
        {"heads": 1, "area": "10.00", "choices": {"m1": "reject", "m2": "approve"}},
        {"heads": 1, "area": "10.00", "choices": {"m1": "reject"}},
    ]
    total = t(3, "30.00")
    m2 = count_motion(motion(motion_id="m2"), ballots, total)
    assert m2["participating"] == {"heads": 2, "area": "20.00"}
    assert m2["outcome"] == "approved"
    m1 = count_motion(motion(motion_id="m1"), ballots, total)
    assert m1["participating"] == {"heads": 3, "area": "30.00"}
    assert m1["outcome"] == "rejected"


def test_unanimous_motion_below_quorum_is_no_quorum_not_rejected():
    ballots = [ballot("10.00", "approve"), ballot("10.00", "approve")]
    result = count_motion(motion(), ballots, t(4, "40.00"))  # 2 of 4 heads < 2/3
    assert result["quorum"] is False
    assert result["outcome"] == "no_quorum"


def test_rejected_motion_below_quorum_is_also_no_quorum():
    ballots = [ballot("10.00", "reject")]
    assert count_motion(motion("special"), ballots, t(4, "40.00"))["outcome"] == "no_quorum"


def test_unknown_choice_on_an_ordinary_motion_is_an_error():
    with pytest.raises(ValueError, match="unknown choice"):
        count_motion(motion(), [ballot("1.00", "yes")], t(1, "1.00"))


# --- elections ---------------------------------------------------------------


def _tied_board_ballots(b3_area: str = "10.00") -> list[dict]:
    # c1 approved by 4, c2 by 3, c3 by 3 of 5 equal ballots (10.00 m² each).
    lists = [["c1", "c2"], ["c1", "c2"], ["c1", "c3"], ["c1", "c3"], ["c2", "c3"]]
    areas = ["10.00", "10.00", b3_area, "10.00", "10.00"]
    return [ballot(a, c, motion_id="e") for a, c in zip(areas, lists, strict=True)]


def test_tie_at_the_last_seat_is_reported_and_not_broken():
    result = count_motion(election(2), _tied_board_ballots(), t(5, "50.00"))
    assert result["outcome"] == "elected"
    assert result["elected"] == ["c1"]
    assert result["tie"] is True
    assert result["tied"] == ["c2", "c3"]
    assert result["tied_seats"] == 1
    assert result["candidates"] == {
        "c1": {"heads": 4, "area": "40.00", "passes": True},
        "c2": {"heads": 3, "area": "30.00", "passes": True},
        "c3": {"heads": 3, "area": "30.00", "passes": True},
    }


def test_equal_heads_are_ranked_by_approving_area():
    # One hundredth of a m² more on a c3 ballot gives c3 the second seat.
    result = count_motion(election(2), _tied_board_ballots("10.01"), t(5, "50.01"))
    assert result["elected"] == ["c1", "c3"]
    assert result["tie"] is False
    assert result["tied"] == []
    assert result["tied_seats"] == 0


def test_three_way_tie_for_two_seats_elects_nobody_for_certain():
    lists = [["c1", "c2"], ["c1", "c2"], ["c1", "c3"], ["c1", "c3"], ["c2", "c3"], ["c2", "c3"]]
    ballots = [ballot("10.00", c, motion_id="e") for c in lists]
    result = count_motion(election(2), ballots, t(6, "60.00"))
    # Each candidate: 4 of 6 heads, 40.00 of 60.00 m² — all pass, all equal.
    assert result["candidates"]["c1"] == {"heads": 4, "area": "40.00", "passes": True}
    assert result["outcome"] == "elected"
    assert result["elected"] == []
    assert result["tie"] is True
    assert result["tied"] == ["c1", "c2", "c3"]
    assert result["tied_seats"] == 2


def test_tied_group_that_fits_in_the_seats_is_elected_without_a_tie():
    result = count_motion(election(3), _tied_board_ballots(), t(5, "50.00"))
    assert result["elected"] == ["c1", "c2", "c3"]
    assert result["tie"] is False


def test_candidate_passing_heads_but_failing_area_is_not_elected():
    ballots = [
        ballot("10.00", ["c1"], motion_id="e"),
        ballot("10.00", ["c1"], motion_id="e"),
        ballot("30.00", ["c2"], motion_id="e"),
    ]
    result = count_motion(election(2, ("c1", "c2")), ballots, t(3, "50.00"))
    # c1: 2 of 3 heads (> ½) but 20.00 of 50.00 m²; c2: 30.00 m² but 1 of 3 heads.
    assert result["candidates"]["c1"] == {"heads": 2, "area": "20.00", "passes": False}
    assert result["candidates"]["c2"] == {"heads": 1, "area": "30.00", "passes": False}
    assert result["outcome"] == "elected"
    assert result["elected"] == []
    assert result["tie"] is False


def test_more_approvals_than_seats_make_the_ballot_invalid_for_that_election():
    ballots = [
        ballot("10.00", ["c1", "c2", "c3"], motion_id="e"),
        ballot("10.00", ["c1"], motion_id="e"),
        ballot("10.00", ["c1"], motion_id="e"),
    ]
    result = count_motion(election(2), ballots, t(3, "30.00"))
    assert result["invalid"] == {"heads": 1, "area": "10.00"}
    assert result["participating"] == {"heads": 3, "area": "30.00"}
    assert result["candidates"]["c1"]["heads"] == 2
    assert result["candidates"]["c2"]["heads"] == 0


def test_unknown_or_repeated_candidate_makes_the_ballot_invalid():
    ballots = [
        ballot("10.00", ["c1", "zz"], motion_id="e"),
        ballot("10.00", ["c1", "c1"], motion_id="e"),
        ballot("10.00", ["c1"], motion_id="e"),
    ]
    result = count_motion(election(2), ballots, t(3, "30.00"))
    assert result["invalid"] == {"heads": 2, "area": "20.00"}
    assert result["candidates"]["c1"] == {"heads": 1, "area": "10.00", "passes": False}


def test_election_buckets_empty_list_abstain_and_invalid():
    ballots = [
        ballot("10.00", ["c1"], motion_id="e"),
        ballot("20.00", [], motion_id="e"),
        ballot("30.00", "abstain", motion_id="e"),
        ballot("40.00", "invalid", motion_id="e"),
    ]
    result = count_motion(election(1), ballots, t(4, "100.00"))
    assert result["approve"] == {"heads": 1, "area": "10.00"}
    assert result["reject"] == {"heads": 1, "area": "20.00"}
    assert result["abstain"] == {"heads": 1, "area": "30.00"}
    assert result["invalid"] == {"heads": 1, "area": "40.00"}
    assert result["participating"] == {"heads": 4, "area": "100.00"}


def test_election_without_quorum_elects_nobody():
    ballots = [ballot("10.00", ["c1"], motion_id="e")]
    result = count_motion(election(1), ballots, t(2, "20.00"))
    assert result["outcome"] == "no_quorum"
    assert result["elected"] == []
    assert result["candidates"]["c1"] == {"heads": 1, "area": "10.00", "passes": False}


def test_election_word_other_than_abstain_or_invalid_is_an_error():
    with pytest.raises(ValueError):
        count_motion(election(1), [ballot("1.00", "approve", motion_id="e")], t(1, "1.00"))


def test_fill_seats_with_fewer_passing_candidates_than_seats():
    assert fill_seats({"b": Totals(2, 5), "a": Totals(3, 1)}, 5) == (["a", "b"], [], 0)


def test_count_board_counts_every_motion_over_the_roll():
    board = {
        "roll": {"rights": 3, "heads": 3, "area": "30.00", "digest": "0" * 64},
        "motions": [motion(motion_id="m1"), election(1, ("c1",), motion_id="e1")],
        "ballots": [
            {"heads": 1, "area": "10.00", "choices": {"m1": "approve", "e1": ["c1"]}},
            {"heads": 1, "area": "10.00", "choices": {"m1": "approve", "e1": ["c1"]}},
        ],
    }
    result = count_board(board)
    assert list(result) == ["m1", "e1"]
    assert result["m1"]["outcome"] == "approved"
    assert result["e1"]["elected"] == ["c1"]


# --- a brute-force reference with fractions.Fraction -------------------------

TWO_THIRDS, HALF, THREE_QUARTERS = Fraction(2, 3), Fraction(1, 2), Fraction(3, 4)


def _m2(area: str) -> Fraction:
    return Fraction(Decimal(area))


def reference_count(kind, seats, candidates, ballots, total_heads, total_area):
    """RULES §2 read literally, in exact rational arithmetic, independent of voting.counting."""
    taking_part = [b for b in ballots if "m" in b["choices"]]
    p_heads = sum(b["heads"] for b in taking_part)
    p_area = sum((_m2(b["area"]) for b in taking_part), Fraction(0))
    quorum = (
        p_heads > 0
        and p_area >= TWO_THIRDS * total_area
        and Fraction(p_heads) >= TWO_THIRDS * total_heads
    )
    if kind != "election":
        approving = [b for b in taking_part if b["choices"]["m"] == "approve"]
        a_heads = sum(b["heads"] for b in approving)
        a_area = sum((_m2(b["area"]) for b in approving), Fraction(0))
        if kind == "ordinary":
            passes = a_area > HALF * p_area and a_heads > HALF * p_heads
        else:
            passes = a_area >= THREE_QUARTERS * p_area and a_heads >= THREE_QUARTERS * p_heads
        return {
            "outcome": "no_quorum" if not quorum else "approved" if passes else "rejected",
            "participating": (p_heads, p_area),
            "approve": (a_heads, a_area),
        }

    def valid_list(choice):
        return (
            isinstance(choice, list)
            and len(choice) <= seats
            and len(set(choice)) == len(choice)
            and all(x in candidates for x in choice)
        )

    def approves(b, c):
        return valid_list(b["choices"]["m"]) and c in b["choices"]["m"]

    spoiled = [
        b
        for b in taking_part
        if b["choices"]["m"] == "invalid"
        or (isinstance(b["choices"]["m"], list) and not valid_list(b["choices"]["m"]))
    ]

    score = {}
    for c in candidates:
        voters = [b for b in taking_part if approves(b, c)]
        score[c] = (
            sum(b["heads"] for b in voters),
            sum((_m2(b["area"]) for b in voters), Fraction(0)),
        )
    passing = [
        c
        for c in candidates
        if quorum and score[c][1] > HALF * p_area and score[c][0] > HALF * p_heads
    ]
    elected, tied, tied_seats = reference_seats({c: score[c] for c in passing}, seats)
    return {
        "outcome": "elected" if quorum else "no_quorum",
        "elected": elected,
        "tie": bool(tied),
        "tied": tied,
        "tied_seats": tied_seats,
        "passes": {c: c in passing for c in candidates},
        "participating": (p_heads, p_area),
        "scores": score,
        "invalid": (
            sum(b["heads"] for b in spoiled),
            sum((_m2(b["area"]) for b in spoiled), Fraction(0)),
        ),
    }


def reference_seats(score: dict, seats: int) -> tuple[list, list, int]:
    """A passing candidate is certain of a seat when it and every candidate ranked
    at or above it fit in the seats; it is tied when the candidates strictly
    above it leave seats, but not enough for its whole level."""
    certain, tied = [], []
    for c in score:
        above = sum(1 for d in score if score[d] > score[c])
        level = sum(1 for d in score if score[d] == score[c])
        if above + level <= seats:
            certain.append(c)
        elif above < seats:
            tied.append(c)
    return sorted(certain), sorted(tied), seats - len(certain) if tied else 0


@settings(max_examples=400, deadline=None)
@given(
    score=st.dictionaries(
        st.sampled_from(["a", "b", "c", "d", "e", "f"]),
        st.tuples(st.integers(0, 3), st.integers(0, 3)),
    ),
    seats=st.integers(1, 4),
)
def test_fill_seats_agrees_with_the_reference(score, seats):
    passing = {c: Totals(heads, area) for c, (heads, area) in score.items()}
    elected, tied, tied_seats = fill_seats(passing, seats)
    assert (elected, tied, tied_seats) == reference_seats(score, seats)
    assert len(elected) + tied_seats == min(seats, len(score))
    assert tied_seats < len(tied) or not tied


CANDIDATES = ("c1", "c2", "c3", "c4")
# Few heads and areas drawn mostly from a handful of small values, so that sums
# land exactly on the boundaries and candidates tie often; choices and
# absences weighted so that most motions reach quorum and every outcome is
# common. Election ballots mostly repeat a few lists, as real slates do.
_area = st.one_of(st.sampled_from([1, 1, 2, 3, 100]), st.integers(1, 500_000)).map(cents_to_area)
_plain_choice = st.sampled_from(["approve", "approve", "reject", "abstain", "invalid", None])


@st.composite
def motions_and_ballots(draw):
    kind = draw(st.sampled_from(["ordinary", "special", "election"]))
    seats = candidates = None
    choice = _plain_choice
    if kind == "election":
        seats = draw(st.integers(1, 3))
        candidates = CANDIDATES[: draw(st.integers(1, 4))]
        slates = draw(
            st.lists(
                st.lists(st.sampled_from(candidates), min_size=1, max_size=seats, unique=True),
                min_size=1,
                max_size=3,
            )
        )
        overfull = st.lists(
            st.sampled_from(candidates), min_size=seats + 1, max_size=seats + 1, unique=True
        )
        choice = st.one_of(
            st.sampled_from(slates),
            st.sampled_from(slates),
            overfull if len(candidates) > seats else st.just([]),
            st.lists(st.sampled_from([*candidates, "zz"]), max_size=4),
            st.sampled_from(["abstain", "invalid", None]),
        )
    ballots = []
    for _ in range(draw(st.integers(0, 8))):
        picked = draw(choice)
        ballots.append(
            {
                "heads": draw(st.sampled_from([1, 1, 1, 2, 3])),
                "area": draw(_area),
                "choices": {} if picked is None else {"m": picked},
            }
        )
    voted = Totals()
    for b in ballots:
        voted += Totals.of(heads=b["heads"], area=b["area"])
    absent = Totals(draw(st.sampled_from([0, 0, 1, 3])), draw(st.sampled_from([0, 0, 1, 900])))
    return kind, seats, candidates or (), ballots, voted + absent


@settings(max_examples=600, deadline=None)
@given(motions_and_ballots())
def test_counting_agrees_with_the_fraction_reference(case):
    kind, seats, candidates, ballots, total = case
    the_motion = motion(kind, "m", seats=seats, options=list(candidates) if candidates else None)
    result = count_motion(the_motion, ballots, total)
    expected = reference_count(
        kind, seats, candidates, ballots, total.heads, Fraction(total.area_cents, 100)
    )

    def pair(counted):
        return (counted["heads"], _m2(counted["area"]))

    assert result["outcome"] == expected["outcome"]
    assert pair(result["participating"]) == expected["participating"]
    if kind != "election":
        assert pair(result["approve"]) == expected["approve"]
    else:
        assert pair(result["invalid"]) == expected["invalid"]
        assert {c: pair(v) for c, v in result["candidates"].items()} == expected["scores"]
        assert result["elected"] == expected["elected"]
        assert result["tie"] == expected["tie"]
        assert result["tied"] == expected["tied"]
        assert result["tied_seats"] == expected["tied_seats"]
        assert {c: v["passes"] for c, v in result["candidates"].items()} == expected["passes"]
        assert len(result["elected"]) <= seats


@settings(max_examples=1000, deadline=None)
@given(
    t_heads=st.integers(0, 12),
    t_area=st.integers(0, 12),
    p_heads=st.integers(0, 12),
    p_area=st.integers(0, 12),
    a_heads=st.integers(0, 12),
    a_area=st.integers(0, 12),
)
def test_the_three_tests_agree_with_fractions(t_heads, t_area, p_heads, p_area, a_heads, a_area):
    # Small numbers, so that every exact boundary (2/3, 1/2, 3/4) comes up.
    total, part, appr = Totals(t_heads, t_area), Totals(p_heads, p_area), Totals(a_heads, a_area)
    assert quorum_met(total, part) == (
        p_heads > 0
        and Fraction(p_area) >= TWO_THIRDS * t_area
        and Fraction(p_heads) >= TWO_THIRDS * t_heads
    )
    assert ordinary_passes(part, appr) == (
        Fraction(a_area) > HALF * p_area and Fraction(a_heads) > HALF * p_heads
    )
    assert special_passes(part, appr) == (
        Fraction(a_area) >= THREE_QUARTERS * p_area
        and Fraction(a_heads) >= THREE_QUARTERS * p_heads
    )


@settings(max_examples=300, deadline=None)
@given(
    p_heads=st.integers(0, 50),
    p_area=st.integers(0, 10_000),
    t_heads=st.integers(0, 50),
    t_area=st.integers(0, 10_000),
    kind=st.sampled_from(["ordinary", "special"]),
)
def test_thresholds_are_the_smallest_numbers_that_pass(p_heads, p_area, t_heads, t_area, kind):
    total, part = Totals(t_heads, t_area), Totals(p_heads, p_area)
    result = count_motion(motion(kind), [], total)  # thresholds of quorum depend on T only
    q = result["thresholds"]["quorum"]
    q_heads, q_area = q["heads"], area_to_cents(q["area"])
    assert 3 * q_heads >= 2 * t_heads and (q_heads == 0 or 3 * (q_heads - 1) < 2 * t_heads)
    assert 3 * q_area >= 2 * t_area and (q_area == 0 or 3 * (q_area - 1) < 2 * t_area)

    passes = special_passes if kind == "special" else ordinary_passes
    ballots = [ballot(cents_to_area(p_area), "abstain", heads=p_heads)] if p_heads else []
    approval = count_motion(motion(kind), ballots, total)["thresholds"]["approval"]
    a_heads, a_area = approval["heads"], area_to_cents(approval["area"])
    p = part if p_heads else Totals(0, 0)
    assert passes(p, Totals(a_heads, a_area))
    assert not passes(p, Totals(a_heads - 1, a_area))
    assert not passes(p, Totals(a_heads, a_area - 1))
