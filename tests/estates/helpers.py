"""Small builders for register tests: buildings, units, persons and ownerships.

Persons are stored exactly as the register stores them (``estates.crypto``:
Fernet token, HMAC, prefix and last four), so a test can search a response
for the clear number and be sure it could only get there by a leak.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from stdnum.cn import uscc

from estates.crypto import encrypt_id, id_hmac, normalize_id
from estates.models import Building, ManagementArea, Ownership, Person, Unit

from ..factories import make_ric

# A known, valid ID number and phone whose clear form must never be shown.
SECRET_ID = make_ric(417, birth="19750312")
SECRET_PHONE = "13912345678"


def valid_uscc(n: int) -> str:
    """A valid 18-character 统一社会信用代码 (91 enterprise, 341302 埇桥区) with its check character.

    (``tests.factories.make_uscc`` builds 17 characters, which ``cn.uscc`` refuses.)
    """
    body = f"91341302MA{n:07d}"
    return body + uscc.calc_check_digit(body)


def make_person(name: str, *, number: str | None = None, phone: str = "", user=None) -> Person:
    number = normalize_id(number or make_ric(Person.objects.count() + 1))
    return Person.objects.create(
        name=name,
        id_encrypted=encrypt_id(number),
        id_hmac=id_hmac(number),
        id_prefix=number[:4],
        id_last4=number[-4:],
        phone=phone,
        user=user,
    )


def make_building(area: ManagementArea, name: str = "1栋", **kwargs) -> Building:
    building, _created = Building.objects.get_or_create(area=area, name=name, defaults=kwargs)
    return building


def add_units(
    area: ManagementArea, building: str, count: int, *, start: int = 1, stair: str = "1单元"
) -> None:
    """``count`` more 80 m² units in one stair of ``building`` (codes "<building>-<stair>-<n>")."""
    block = make_building(area, building)
    Unit.objects.bulk_create(
        Unit(
            area=area,
            building=block,
            code=f"{building}-{stair}-{n}",
            stair=stair,
            floor=1,
            number=str(n),
            use=Unit.Use.RESIDENTIAL,
            registered_area=Decimal("80.00"),
            area_basis=Unit.Basis.REGISTERED,
            floor_area=Decimal("80.00"),
        )
        for n in range(start, start + count)
    )


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def make_unit(
    area: ManagementArea,
    number: str = "101",
    *,
    building: str = "1栋",
    stair: str = "1单元",
    floor: int | None = 1,
    use: str = Unit.Use.RESIDENTIAL,
    registered=None,
    surveyed=None,
    contract=None,
    delivered: bool = True,
    developer_held: bool = False,
) -> Unit:
    """A unit whose area basis follows SPC art. 8 (registered, else surveyed, else contract)."""
    registered, surveyed, contract = _dec(registered), _dec(surveyed), _dec(contract)
    if registered is None and surveyed is None and contract is None:
        registered = Decimal("89.50")
    for basis, value in (
        (Unit.Basis.REGISTERED, registered),
        (Unit.Basis.SURVEYED, surveyed),
        (Unit.Basis.CONTRACT, contract),
    ):
        if value is not None:
            break
    return Unit.objects.create(
        area=area,
        building=make_building(area, building),
        code=f"{building}-{stair}-{number}",
        stair=stair,
        floor=floor,
        number=number,
        use=use,
        registered_area=registered,
        surveyed_area=surveyed,
        contract_area=contract,
        area_basis=basis,
        floor_area=value,
        delivered=delivered,
        developer_held=developer_held,
    )


def own(unit: Unit, *persons: Person, since: date = date(2020, 1, 1)) -> list[Ownership]:
    return [Ownership.objects.create(unit=unit, person=p, since=since) for p in persons]


def sell(unit: Unit, *buyers: Person, on: date) -> list[Ownership]:
    """Close the unit's open ownerships on ``on`` and open the buyers' (history is kept)."""
    Ownership.objects.filter(unit=unit, until__isnull=True).update(until=on)
    return own(unit, *buyers, since=on)
