"""funds.demo: the demo fund of one area is seeded once, balanced, with something to flag."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from funds.demo import funds_demo_seed
from funds.ledger import services
from funds.models import Transaction
from tests.estates.helpers import make_unit


def test_demo_seed_is_balanced_idempotent_and_leaves_units_to_flag(district):
    area = district.a1
    for n in range(30):
        make_unit(area, f"{101 + n}", building="1栋" if n < 10 else "2栋", registered="88.00")

    first = funds_demo_seed(area)
    posted = Transaction.objects.count()
    again = funds_demo_seed(area)

    assert first["deposits"] == 29  # the 8th unit by code is left unpaid
    assert first["interest_fen"] > 0
    assert again == {"deposits": 29, "interest_fen": 0}
    assert Transaction.objects.count() == posted
    assert len(services.units_unpaid(area)) == 2  # the unpaid one and the 14th, half-paid
    call_command("funds_check", stdout=StringIO())
