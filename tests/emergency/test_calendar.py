"""An emergency filed before Spring Festival 2027 gets its review due moment from the
bureau's calendar (RULES.md §2 "Periods", §5: review within 2 working days)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from tests.core.test_calendar import SHANGHAI, enter_2027

from .conftest import file_application


@pytest.fixture
def admin(personas, verified):
    return verified(personas.admin)


@pytest.mark.parametrize(
    ("entered", "due"),
    [
        # Package only: 5-10 February off, no swapped day: Thu 11 (1), Fri 12 (2).
        (False, datetime(2027, 2, 13, tzinfo=SHANGHAI)),
        # The bureau's notice: 5-13 off, Sunday 14 a working day (1), Monday 15 (2).
        (True, datetime(2027, 2, 16, tzinfo=SHANGHAI)),
    ],
)
def test_the_review_due_moment_across_spring_festival_follows_the_bureaus_calendar(
    estate, personas, admin, seeded_whitelist, monkeypatch, entered, due
):
    if entered:
        enter_2027(admin)
    filed_at = datetime(2027, 2, 4, 10, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: filed_at)
    application = file_application(personas.committee, estate.a1)
    assert application.review_due_at == due
