"""Reversals and decisions racing each other (PostgreSQL: real row locks, real connections)."""

from __future__ import annotations

import pytest

from revenue import services
from revenue.models import Allocation, RevenueEntry
from tests.voting.test_concurrency import in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_reversals_of_one_entry_at_once_store_one(personas, record):
    entry = record(88_00)

    def reverse():
        return services.revenue_entry_reverse(
            entry=entry, reason="重复登记", actor=personas.committee
        ).pk

    results = in_threads([reverse, reverse])

    assert sorted(results, key=str).count("already_reversed") == 1
    assert RevenueEntry.objects.filter(reverses=entry).count() == 1


def test_two_first_decisions_of_one_quarter_at_once_store_one(district, personas, register, record):
    record(1_000)

    def decide():
        return services.revenue_allocation_record(
            area=district.a1,
            year=2025,
            quarter=1,
            method=Allocation.Method.SHARE_BY_AREA,
            actor=personas.committee,
        ).pk

    results = in_threads([decide, decide])

    assert results.count("already_decided") == 1
    assert Allocation.objects.count() == 1
    assert Allocation.objects.get().shares.count() == 6
