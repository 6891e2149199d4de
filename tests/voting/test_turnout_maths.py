"""voting.turnout: per-building / per-stair turnout and the projection, on a worked example."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from voting.turnout import (
    NOT_BEFORE_CLOSE,
    ON_PACE,
    REACHED,
    RightUnits,
    group_turnout,
    mask_name,
    per_day,
    project,
    two_thirds_line,
)

CN = timezone(timedelta(hours=8))

# A: 1栋1单元 90.00 voted · B: 1栋1单元 100.00 · C: 1栋2单元 110.00 voted
# D: 1栋2单元 80.00 and 2栋1单元 120.00 (one buyer, one head) · E: 2栋1单元 95.50 voted
# F: 10栋1单元 60.00
ROLL = [
    RightUnits(1, True, (("1栋", "1单元", 9000),)),
    RightUnits(1, False, (("1栋", "1单元", 10000),)),
    RightUnits(1, True, (("1栋", "2单元", 11000),)),
    RightUnits(1, False, (("1栋", "2单元", 8000), ("2栋", "1单元", 12000))),
    RightUnits(1, True, (("2栋", "1单元", 9550),)),
    RightUnits(1, False, (("10栋", "1单元", 6000),)),
]


def test_two_thirds_line_on_both_sides():
    assert two_thirds_line(3) == 2
    assert two_thirds_line(4) == 3  # 3·2 = 6 < 8; 3·3 = 9 ≥ 8
    assert two_thirds_line(21550) == 14367  # 3·14366 = 43098 < 2·21550 = 43100 ≤ 3·14367


def test_per_building_worked_example():
    b1, b2, b10 = group_turnout(ROLL, by_stair=False)
    # Natural order: 1栋, 2栋, 10栋.
    assert [g.key for g in (b1, b2, b10)] == [("1栋",), ("2栋",), ("10栋",)]
    assert (b1.heads, b1.area, b1.voted_heads, b1.voted_area) == (4, 38000, 2, 20000)
    assert (b1.line_heads, b1.need_heads) == (3, 1)
    assert (b1.line_area, b1.need_area) == (25334, 5334)  # 53.34 m² more
    # D is one head in 2栋 too (a vote over 2栋 alone would count it so).
    assert (b2.heads, b2.area, b2.voted_heads, b2.voted_area) == (2, 21550, 1, 9550)
    assert (b2.line_heads, b2.need_heads, b2.line_area, b2.need_area) == (2, 1, 14367, 4817)
    assert (b10.heads, b10.need_heads, b10.need_area) == (1, 1, 4000)
    assert not any(g.met for g in (b1, b2, b10))


def test_per_stair_worked_example():
    groups = {g.key: g for g in group_turnout(ROLL, by_stair=True)}
    s11 = groups[("1栋", "1单元")]
    assert (s11.heads, s11.area, s11.voted_heads, s11.voted_area) == (2, 19000, 1, 9000)
    assert (s11.need_heads, s11.need_area) == (1, 12667 - 9000)
    s12 = groups[("1栋", "2单元")]
    assert (s12.heads, s12.area, s12.voted_heads, s12.voted_area) == (2, 19000, 1, 11000)
    assert (s12.need_heads, s12.need_area) == (1, 1667)


def test_a_group_at_exactly_two_thirds_is_met_and_one_below_is_not():
    at = [RightUnits(1, True, (("1栋", "1", 100),)) for _ in range(2)]
    below = RightUnits(1, False, (("1栋", "1", 100),))
    (group,) = group_turnout([*at, below], by_stair=False)
    assert group.met and group.need_heads == 0 and group.need_area == 0
    (group,) = group_turnout([at[0], below, below], by_stair=False)
    assert not group.met and group.need_heads == 1 and group.need_area == 100


OPENED = datetime(2026, 12, 1, 8, 0, tzinfo=CN)
NOW = datetime(2026, 12, 4, 8, 0, tzinfo=CN)  # three days later
CLOSES = datetime(2026, 12, 10, 8, 0, tzinfo=CN)


def test_projection_worked_example_heads():
    # 90 of 300 heads in 3 days: 30 a day; line 200, 110 missing → 3⅔ days → 8 Dec 00:00.
    p = project(cast=90, total=300, opened_at=OPENED, now=NOW, closes_at=CLOSES)
    assert p.state == ON_PACE
    assert (p.line, p.missing) == (200, 110)
    assert p.at == datetime(2026, 12, 8, 0, 0, tzinfo=CN)


def test_projection_worked_example_area_too_slow():
    # 5,400.00 of 27,000.00 m² in 3 days: 1,800 m² a day; 12,600.00 m² missing → 7 days,
    # 11 Dec 08:00, after the close.
    p = project(cast=540000, total=2700000, opened_at=OPENED, now=NOW, closes_at=CLOSES)
    assert p.state == NOT_BEFORE_CLOSE and p.at is None
    assert (p.line, p.missing) == (1800000, 1260000)


def test_projection_at_the_close_exactly_is_on_pace_one_second_later_is_not():
    at = datetime(2026, 12, 8, 0, 0, tzinfo=CN)
    assert project(cast=90, total=300, opened_at=OPENED, now=NOW, closes_at=at).state == ON_PACE
    early = at - timedelta(seconds=1)
    assert (
        project(cast=90, total=300, opened_at=OPENED, now=NOW, closes_at=early).state
        == NOT_BEFORE_CLOSE
    )


def test_projection_reached_at_the_line_and_not_one_below():
    assert project(cast=200, total=300, opened_at=OPENED, now=NOW, closes_at=CLOSES).state == (
        REACHED
    )
    p = project(cast=199, total=300, opened_at=OPENED, now=NOW, closes_at=CLOSES)
    assert p.state == ON_PACE and p.missing == 1
    # 1 head at 199 per 3 days: ceil(259200 / 199) = 1303 s.
    assert p.at == NOW + timedelta(seconds=1303)


def test_projection_without_pace_cannot_reach():
    assert project(cast=0, total=300, opened_at=OPENED, now=NOW, closes_at=CLOSES).state == (
        NOT_BEFORE_CLOSE
    )
    assert project(cast=5, total=300, opened_at=NOW, now=NOW, closes_at=CLOSES).state == (
        NOT_BEFORE_CLOSE
    )


def test_pace_per_day():
    assert per_day(90, opened_at=OPENED, now=NOW) == (30, 0)
    assert per_day(100, opened_at=OPENED, now=NOW) == (33, 33)
    assert per_day(5, opened_at=NOW, now=NOW) == (0, 0)


def test_mask_name():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "李*"
    assert mask_name("") == "*"
