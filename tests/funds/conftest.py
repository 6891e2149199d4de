"""A small fund: area a1 with four units, their owners, a fund profile and open accounts.

Units (building 1栋): 101 (89.50 m², owner 甲), 102 (100.00 m², 乙), 103
(120.25 m², co-owners 丙+丁), 901 (100.00 m², developer-held, no owner).
Profile: bureau custody, rate 5%, construction cost 1,500.00 元/m², so the
first deposits are 6,712.50 / 7,500.00 / 9,018.75 / 7,500.00 元.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from accounts import sms
from accounts.models import Role
from estates.models import ManagementArea, Person, Unit
from funds.ledger import selectors, services
from funds.models import Account, Transaction
from tests.estates.helpers import make_person, make_unit, own
from tests.factories import OwnerUserFactory, grant


@dataclass
class Fund:
    area: ManagementArea
    units: dict[str, Unit]
    persons: dict[str, Person]
    users: dict[str, object]

    @property
    def bank(self) -> Account:
        return selectors.bank_account(self.area)

    def account(self, kind: str) -> Account:
        return selectors.account_of(self.area, kind)

    def sub(self, number: str) -> Account:
        return selectors.unit_account(self.units[number])

    def deposit(self, number: str, fen: int, *, on: date = date(2024, 1, 10), key: str = ""):
        return services.transaction_post(
            kind=Transaction.Kind.DEPOSIT,
            lines=[(self.bank, fen), (self.sub(number), -fen)],
            memo=f"交存 {number}",
            key=key or f"test-deposit:{number}:{fen}:{on}",
            actor=None,
            value_date=on,
        )


def bound_owner(person: Person, area: ManagementArea):
    user = OwnerUserFactory(phone=person.phone, display_name=person.name)
    person.user = user
    person.save(update_fields=["user"])
    grant(user, Role.OWNER, area)
    return user


def build_fund(area: ManagementArea, *, prefix: str = "139") -> Fund:
    n = Person.objects.count()
    persons = {
        name: make_person(name, phone=f"{prefix}{n + i:08d}")
        for i, name in enumerate(["甲", "乙", "丙", "丁"], start=1)
    }
    units = {
        "101": make_unit(area, "101", registered="89.50"),
        "102": make_unit(area, "102", registered="100.00"),
        "103": make_unit(area, "103", registered="120.25"),
        "901": make_unit(area, "901", building="9栋", registered="100.00", developer_held=True),
    }
    own(units["101"], persons["甲"])
    own(units["102"], persons["乙"])
    own(units["103"], persons["丙"], persons["丁"])
    users = {name: bound_owner(p, area) for name, p in persons.items()}
    services.fund_profile_set(
        area=area,
        deposit_rate=Decimal("0.05"),
        cost_per_m2_fen=150_000,
        bank_name="中国工商银行宿州分行",
        account_no="1317000000000000001",
        actor=None,
    )
    return Fund(area=area, units=units, persons=persons, users=users)


@pytest.fixture
def fund(district) -> Fund:
    return build_fund(district.a1)


@pytest.fixture
def outbox(settings):
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()
