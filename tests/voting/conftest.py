"""Registers, assemblies at each stage, and signing keys for the voting tests.

The register is built as the import stores it (``tests.estates.helpers``:
persons with encrypted ID numbers and HMACs, units with an area basis,
ownerships). Assemblies reach each stage through the services; only the
notice step is replaced, where a test does not look at the notice itself,
by recording a notice date in the past on the row — the one thing the
notice step leaves behind that later steps read — because a real notice is
a signed PDF (a second or more each). Tests of the notice and the results
issue the real signed PDFs with the ``publishing`` fixture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import sms
from accounts.models import Role
from estates.models import ManagementArea, Person, Unit
from tests.estates.helpers import make_person, make_unit, own
from tests.factories import OwnerUserFactory, grant
from tests.signing import publishing_fixture as publishing  # noqa: F401 - fixture
from tests.signing import signing_dir_fixture as signing_dir  # noqa: F401 - fixture
from voting import services
from voting.models import Assembly, VotingRight

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf_upload(name: str = "scan.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def png_upload(name: str = "scan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


@dataclass
class Owner:
    person: Person
    user: object
    units: list[Unit] = field(default_factory=list)


@dataclass
class Register:
    """A small register of one area: owners by name, each bound to a login."""

    area: ManagementArea
    owners: dict[str, Owner]
    developer_units: list[Unit]

    def user(self, name: str):
        return self.owners[name].user

    def person(self, name: str) -> Person:
        return self.owners[name].person

    def right(self, assembly: Assembly, name: str) -> VotingRight:
        return VotingRight.objects.filter(
            assembly=assembly, holder_rows__person=self.person(name)
        ).get()


def bind(person: Person, *, area: ManagementArea):
    """A bound owner login, as ``estates.services.binding.owner_bind`` leaves it."""
    user = OwnerUserFactory(phone=person.phone, display_name=person.name)
    person.user = user
    person.save(update_fields=["user"])
    grant(user, Role.OWNER, area)
    return user


def build_register(area: ManagementArea, spec: list[tuple[str, list[str]]], *, developer: int = 0):
    """``spec``: (owner name, [area of each unit they own alone]); names with "+" are co-owners.

    Units are numbered in order in building 1栋 (101, 102 …); ``developer``
    adds that many developer-held units of 100.00 m² in building 9栋.
    """
    owners: dict[str, Owner] = {}
    number = 100
    for name, areas in spec:
        names = name.split("+")
        people = []
        for part in names:
            if part not in owners:
                n = Person.objects.count() + 1
                person = make_person(part, phone=f"139{n:08d}")
                owners[part] = Owner(person=person, user=bind(person, area=area))
            people.append(owners[part].person)
        for unit_area in areas:
            number += 1
            unit = make_unit(area, str(number), registered=unit_area)
            own(unit, *people)
            for part in names:
                owners[part].units.append(unit)
    developer_units = [
        make_unit(area, str(900 + i), building="9栋", registered="100.00", developer_held=True)
        for i in range(1, developer + 1)
    ]
    return Register(area=area, owners=owners, developer_units=developer_units)


@pytest.fixture
def register(district):
    """Area a1: four owners of one unit each (甲 89.50, 乙 100.00, 丙 120.25, 丁 75.00),
    co-owners 戊+己 of one unit (110.00), and one developer-held unit (100.00).
    Six voting rights, 594.75 m² in all."""
    return build_register(
        district.a1,
        [
            ("甲", ["89.50"]),
            ("乙", ["100.00"]),
            ("丙", ["120.25"]),
            ("丁", ["75.00"]),
            ("戊+己", ["110.00"]),
        ],
        developer=1,
    )


ORDINARY = {"title": "续聘物业服务企业", "item": 4}
SPECIAL = {"title": "筹集维修资金", "item": 6}
ELECTION = {
    "title": "选举业主委员会委员",
    "item": 3,
    "seats": 2,
    "candidates": ["张三", "李四", "王五"],
}


def make_assembly(
    area,
    actor,
    *,
    motions=(ORDINARY,),
    opens_in=timedelta(days=20),
    lasts=timedelta(days=10),
    **kwargs,
) -> Assembly:
    now = timezone.now()
    assembly = services.assembly_create(
        area=area,
        title=kwargs.pop("title", "2026年第一次业主大会会议"),
        opens_at=now + opens_in,
        closes_at=now + opens_in + lasts,
        actor=actor,
        **kwargs,
    )
    for motion in motions:
        services.motion_add(assembly=assembly, actor=actor, **motion)
    return assembly


def mark_noticed(assembly: Assembly, *, days_ago: int = 30) -> Assembly:
    """What a notice published ``days_ago`` days ago leaves on the row (module docstring)."""
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.NOTICED,
        notice_published_at=timezone.now() - timedelta(days=days_ago),
    )
    assembly.refresh_from_db()
    return assembly


def shift(assembly: Assembly, *, opens: timedelta | None = None, closes: timedelta | None = None):
    """Move the voting window relative to now: the clock has moved on."""
    now = timezone.now()
    fields = {}
    if opens is not None:
        fields["opens_at"] = now + opens
    if closes is not None:
        fields["closes_at"] = now + closes
    Assembly.objects.filter(pk=assembly.pk).update(**fields)
    assembly.refresh_from_db()
    return assembly


def open_assembly(assembly: Assembly, actor) -> Assembly:
    """Noticed long ago, window open now (closing in a day), roll frozen by the service."""
    mark_noticed(assembly)
    shift(assembly, opens=-timedelta(hours=1), closes=timedelta(days=1))
    return services.assembly_open(assembly=assembly, actor=actor)


def close(assembly: Assembly) -> Assembly:
    """The voting window has passed."""
    return shift(assembly, opens=-timedelta(days=2), closes=-timedelta(minutes=1))


@pytest.fixture
def assembly(register, personas):
    """An open assembly of a1 with an ordinary, a special and an election motion."""
    created = make_assembly(
        register.area, personas.committee, motions=(ORDINARY, SPECIAL, ELECTION)
    )
    return open_assembly(created, personas.committee)


ALL_APPROVE = {"m1": "approve", "m2": "approve", "m3": ["c1", "c2"]}


@pytest.fixture
def outbox(settings):
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_text(publication) -> str:
    """The text of a published PDF, through poppler's pdftotext."""
    import subprocess

    with publication.file.open("rb") as handle:
        data = handle.read()
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, timeout=60, check=True
    )
    return result.stdout.decode("utf-8")


def area_sum(*values: str) -> Decimal:
    return sum((Decimal(v) for v in values), Decimal("0.00"))
