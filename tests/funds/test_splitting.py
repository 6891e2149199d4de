"""The split flag (RULES.md §4, issue #14 §2): same area, same parts, within 90 days.

Pure rule (``funds.procedure.splitting``) on both sides of the window, and the
selector over real applications of area a1 (``split_flag``): two roof
repairs of 1栋 filed 89 days apart are flagged, 91 days apart not, and a
plumbing repair of the same building 89 days apart not.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from funds.models import FundApplication, RepairType
from funds.procedure import splitting
from funds.procedure.selectors.approval import split_flag
from funds.procedure.splitting import UseFacts

from .app_helpers import BUDGET, estate_fixture, propose  # noqa: F401

DAY = date(2026, 3, 1)
ROOF = "waterproofing"


def use(pk, *, days=0, repair=ROOF, units=(1, 2), budget=10_000_000):
    return UseFacts(pk, repair, frozenset(units), DAY + timedelta(days=days), budget)


@pytest.mark.parametrize(("days", "flagged"), [(89, True), (90, True), (91, False), (-90, True)])
def test_the_window_is_ninety_days_both_ends_counted(days, flagged):
    assert bool(splitting.split_suspects(use(1), [use(2, days=days)])) is flagged


def test_other_parts_are_not_flagged():
    this = use(1)
    assert splitting.split_suspects(this, [use(2, days=10, repair="plumbing")]) == []
    assert splitting.split_suspects(this, [use(3, days=10, units=(3, 4))]) == []
    assert splitting.split_suspects(this, [use(4, days=10, units=(2, 3))]) == [
        use(4, days=10, units=(2, 3))
    ]


def test_the_combined_amount_adds_every_suspect():
    this = use(1, budget=15_000_000)
    suspects = splitting.split_suspects(this, [use(2, days=30, budget=5_000_001), use(3, days=-5)])
    assert [s.id for s in suspects] == [3, 2]
    assert splitting.combined_fen(this, suspects) == 30_000_001


@settings(max_examples=60, deadline=None)
@given(days=st.integers(-400, 400), repair=st.sampled_from([ROOF, "plumbing"]))
def test_flagged_exactly_when_same_parts_and_within_the_window(days, repair):
    flagged = bool(splitting.split_suspects(use(1), [use(2, days=days, repair=repair)]))
    assert flagged is (repair == ROOF and abs(days) <= 90)


# --------------------------------------------------------------------------- over the database


def _filed(estate, personas, *, days_before: int, repair_type=RepairType.WATERPROOFING):
    application = propose(estate, personas.property_staff, repair_type=repair_type)
    FundApplication.objects.filter(pk=application.pk).update(
        status=FundApplication.Status.SUBMITTED,
        created_at=timezone.now() - timedelta(days=days_before),
    )
    application.refresh_from_db()
    return application


@pytest.mark.django_db
def test_two_roof_repairs_89_days_apart_are_flagged(estate, personas):
    earlier = _filed(estate, personas, days_before=89)
    later = _filed(estate, personas, days_before=0)
    flag = split_flag(later)
    assert [a.pk for a in flag.suspects] == [earlier.pk]
    assert flag.combined_fen == 2 * BUDGET
    assert [a.pk for a in split_flag(earlier).suspects] == [later.pk]


@pytest.mark.django_db
def test_two_roof_repairs_91_days_apart_are_not(estate, personas):
    _filed(estate, personas, days_before=91)
    later = _filed(estate, personas, days_before=0)
    assert not split_flag(later)


@pytest.mark.django_db
def test_a_plumbing_repair_of_the_same_building_is_not(estate, personas):
    _filed(estate, personas, days_before=89, repair_type=RepairType.PLUMBING)
    later = _filed(estate, personas, days_before=0)
    assert not split_flag(later)


@pytest.mark.django_db
def test_a_refused_or_withdrawn_use_is_not_a_part(estate, personas):
    earlier = _filed(estate, personas, days_before=10)
    FundApplication.objects.filter(pk=earlier.pk).update(status=FundApplication.Status.REFUSED)
    later = _filed(estate, personas, days_before=0)
    assert not split_flag(later)


@pytest.mark.django_db
def test_over_the_threshold_together_is_said(estate, personas, settings):
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = 2 * BUDGET - 1
    _filed(estate, personas, days_before=30)
    flag = split_flag(_filed(estate, personas, days_before=0))
    assert flag.combined_fen == 20_000_000 and flag.over_threshold is True
    settings.GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = 2 * BUDGET
    assert split_flag(flag.suspects[0]).over_threshold is False
