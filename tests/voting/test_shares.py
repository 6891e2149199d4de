"""Lines shown as ⅔ / ½ / ¾; a share that reaches a line never shows below it (voting.shares)."""

from __future__ import annotations

import pytest

from voting import counting
from voting.shares import (
    MORE_THAN_HALF,
    THREE_QUARTERS,
    TWO_THIRDS,
    Line,
    choice_shares,
    participation_shares,
    share_text,
)


def test_lines_are_shown_as_fractions():
    assert TWO_THIRDS.symbol == "⅔"
    assert MORE_THAN_HALF.symbol == "½"
    assert THREE_QUARTERS.symbol == "¾"
    assert Line(5, 7).symbol == "5/7"


def _quorum_share(value: int, total: int) -> str:
    # "met" from the exact integer test of voting.counting, as the pages pass it.
    met = counting.quorum_met(counting.Totals(total, total), counting.Totals(value, value))
    return share_text(value, total, line=TWO_THIRDS, met=met)


def test_exactly_two_thirds_shows_66_67_not_66_66():
    assert _quorum_share(2, 3) == "66.67%"
    assert _quorum_share(4, 6) == "66.67%"
    assert _quorum_share(200, 300) == "66.67%"


def test_one_below_two_thirds_is_rounded_down_below_the_line():
    assert _quorum_share(1, 3) == "33.33%"
    assert _quorum_share(199, 300) == "66.33%"
    # 2/3 of 3,250.00 m² is 2,166.666…: 2,166.66 m² does not reach it and shows 66.66%.
    assert _quorum_share(216666, 325000) == "66.66%"
    assert _quorum_share(216667, 325000) == "66.67%"


def test_a_share_above_the_line_keeps_its_own_rounded_down_figure():
    assert _quorum_share(7, 9) == "77.77%"
    assert _quorum_share(3, 3) == "100.00%"


def test_more_than_half_reached_never_shows_50_00():
    # 10001 of 20000 passes (2·A > P): rounded down it would read 50.00%.
    met = counting.ordinary_passes(counting.Totals(20000, 20000), counting.Totals(10001, 10001))
    assert met
    assert share_text(10001, 20000, line=MORE_THAN_HALF, met=met) == "50.01%"
    # Exactly half does not pass and shows 50.00%.
    assert share_text(10000, 20000, line=MORE_THAN_HALF, met=False) == "50.00%"


def test_three_quarters_boundary():
    assert share_text(3, 4, line=THREE_QUARTERS, met=True) == "75.00%"
    assert share_text(74999, 100000, line=THREE_QUARTERS, met=False) == "74.99%"


def test_a_share_not_met_is_never_lifted():
    assert share_text(2, 3, line=TWO_THIRDS, met=False) == "66.66%"


def test_empty_whole_and_bad_input():
    assert share_text(0, 0, line=TWO_THIRDS, met=False) == "—"
    with pytest.raises(ValueError):
        share_text(-1, 3)
    with pytest.raises(ValueError):
        share_text(True, 3)


def _count(kind, choices, total_heads=3, total_area="300.00"):
    ballots = [{"heads": 1, "area": "100.00", "choices": {"m1": c}} for c in choices]
    motion = {"id": "m1", "kind": kind, "seats": None, "options": ["approve", "reject", "abstain"]}
    return counting.count_motion(
        motion, ballots, counting.Totals.of(heads=total_heads, area=total_area)
    )


def test_result_notice_participation_at_exactly_two_thirds_reads_66_67():
    count = _count("ordinary", ["approve", "approve"])
    assert count["quorum"] is True
    assert participation_shares(count) == {"heads": "66.67%", "area": "66.67%"}


def test_result_notice_participation_one_below_reads_below():
    # 2 of 4 heads, 200.00 of 400.00 m²: 50.00% each, short of ⅔.
    count = _count("ordinary", ["approve", "approve"], total_heads=4, total_area="400.00")
    assert participation_shares(count) == {"heads": "50.00%", "area": "50.00%"}


def test_result_notice_approval_exactly_half_is_not_more_than_half():
    count = _count("ordinary", ["approve", "reject"])
    assert count["outcome"] == counting.REJECTED
    assert choice_shares(count, "approve") == {"share_heads": "50.00%", "share_area": "50.00%"}


def test_result_notice_special_two_of_three_approve_is_below_three_quarters():
    count = _count("special", ["approve", "approve", "reject"])
    assert count["outcome"] == counting.REJECTED
    assert choice_shares(count, "approve")["share_heads"] == "66.66%"
