"""An allocation's shares listed in natural unit order (issue 16 item 11: 1栋, 9栋, 10栋)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from revenue.models import Allocation
from tests.estates.helpers import make_unit

pytestmark = pytest.mark.django_db


def test_allocation_page_lists_shares_1_9_10(client, district, personas, register, record):
    make_unit(district.a1, "1001", building="10栋", registered="80.00")
    record(100_004)
    client.force_login(personas.committee)
    response = client.post(
        reverse("revenue:allocate", args=[district.a1.code]),
        {"year": 2025, "quarter": 1, "method": "share_by_area", "confirm": "on"},
    )
    assert response.status_code == 302
    page = client.get(
        reverse("revenue:allocation", args=[Allocation.objects.get().pk])
    ).content.decode()
    positions = [page.index(code) for code in ("1栋-1单元-101", "9栋-1单元-901", "10栋-1单元-1001")]
    assert positions == sorted(positions)
