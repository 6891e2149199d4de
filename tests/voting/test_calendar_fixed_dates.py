"""A date fixed in a published notice is not moved by a later calendar entry (RULES.md §2).

An assembly's opening is checked again when it opens; that check counts with
the bureau's calendar as it stood when the notice was published
(``core.calendar.as_of``), so a holiday entered afterwards never refuses the
opening the notice announced.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from core import periods
from core.errors import DomainError
from tests.core.test_calendar import SHANGHAI, enter_2027
from voting import services as voting
from voting.models import Assembly

from .conftest import make_assembly


@pytest.fixture
def admin(personas, verified):
    return verified(personas.admin)


@pytest.mark.django_db
def test_an_opening_the_notice_announced_is_not_moved_by_a_later_entry(register, personas, admin):
    # Noticed Wed 20 Jan 2027 with the package calendar: 15 days end Thu 4 Feb (a working
    # day for the package), so voting may open on 5 Feb and the notice says so.
    noticed_at = datetime(2027, 1, 20, 10, tzinfo=SHANGHAI)
    opens_at = datetime(2027, 2, 5, tzinfo=SHANGHAI)
    assembly = make_assembly(register.area, personas.committee)
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.NOTICED,
        notice_published_at=noticed_at,
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=10),
    )
    # Five days later the bureau enters a (corrected) notice making 4 February a day off:
    # counted with it, the period would end on the next working day and voting open later.
    enter_2027(
        personas.admin,
        "2027-02-04 至 2027-02-13 放假 春节",
        now=datetime(2027, 1, 25, 9, tzinfo=SHANGHAI),
    )
    assert periods.is_working_day(date(2027, 2, 4)) is False

    opened = voting.assembly_open(
        assembly=Assembly.objects.get(pk=assembly.pk),
        actor=personas.committee,
        now=opens_at + timedelta(minutes=1),
    )
    assert opened.status == Assembly.Status.OPEN


@pytest.mark.django_db
def test_a_notice_published_after_the_entry_is_counted_with_it(register, personas, admin):
    enter_2027(
        personas.admin,
        "2027-02-04 至 2027-02-13 放假 春节",
        now=datetime(2027, 1, 19, 9, tzinfo=SHANGHAI),
    )
    noticed_at = datetime(2027, 1, 20, 10, tzinfo=SHANGHAI)
    opens_at = datetime(2027, 2, 5, tzinfo=SHANGHAI)
    assembly = make_assembly(register.area, personas.committee)
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.NOTICED,
        notice_published_at=noticed_at,
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=10),
    )
    # The last day (4 Feb) is a day off: the period runs to Sunday 14? No — to the next
    # working day, Monday 15 February; voting may open on the 16th.
    with pytest.raises(DomainError) as caught:
        voting.assembly_open(
            assembly=Assembly.objects.get(pk=assembly.pk),
            actor=personas.committee,
            now=opens_at + timedelta(minutes=1),
        )
    assert caught.value.code == "notice_period"
    assert "2027年2月16日" in caught.value.message
