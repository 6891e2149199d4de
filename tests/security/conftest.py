"""A small district with something private in each place an attacker would look.

Area a1 (committee ``personas.committee``): owners 甲, 乙, 丙 (the voting
tests' register), an assembly with a PDF attachment, open, where 甲 voted
online and 乙 on paper (a scan entered by the committee); a revenue entry with
a voucher; the fund of its units (tests/funds/conftest.py). Area b1
(``personas.other_committee``): owner 庚, his own assembly and voucher.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from revenue import services as revenue_services
from tests.accounts.conftest import outbox, totp_token  # noqa: F401 (fixtures for these tests)
from tests.voting.conftest import (
    ORDINARY,
    PDF_BYTES,
    build_register,
    make_assembly,
    open_assembly,
    pdf_upload,
)
from voting import services as voting_services
from voting.models import Ballot

# What a caller must never see unless allowed: the attachment, scan and voucher bytes.
ATTACHMENT_BYTES = PDF_BYTES + b"% assembly attachment a1\n"
SCAN_BYTES = PDF_BYTES + b"% paper ballot scan of owner yi\n"
VOUCHER_BYTES = PDF_BYTES + b"% revenue voucher a1\n"


@dataclass
class World:
    district: object
    personas: object
    a1: object  # Register of a1 (tests.voting.conftest.Register)
    b1: object
    assembly: object  # a1's open assembly
    other_assembly: object  # b1's
    attachment: object
    paper_ballot: Ballot
    online_ballot: Ballot
    other_ballot: Ballot
    entry: object  # a1's revenue entry with a voucher
    other_entry: object

    def user(self, name: str):
        register = self.a1 if name in self.a1.owners else self.b1
        return register.user(name)

    def unit(self, name: str):
        register = self.a1 if name in self.a1.owners else self.b1
        return register.owners[name].units[0]


def _voucher(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("voucher.pdf", data, content_type="application/pdf")


@pytest.fixture
def world(district, personas, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    a1 = build_register(district.a1, [("甲", ["89.50"]), ("乙", ["100.00"]), ("丙", ["120.25"])])
    b1 = build_register(district.b1, [("庚", ["80.00"])])

    draft = make_assembly(district.a1, personas.committee, motions=(ORDINARY,))
    attachment = voting_services.attachment_add(
        assembly=draft,
        title="维修方案",
        file=pdf_upload("plan.pdf", ATTACHMENT_BYTES),
        actor=personas.committee,
    )
    assembly = open_assembly(draft, personas.committee)
    online = voting_services.ballot_cast(
        assembly=assembly, choices={"m1": "approve"}, actor=a1.user("甲")
    )
    paper = voting_services.ballot_enter_paper(
        assembly=assembly,
        right=a1.right(assembly, "乙"),
        choices={"m1": "reject"},
        scan=pdf_upload("scan.pdf", SCAN_BYTES),
        actor=personas.committee,
    )
    other_assembly = open_assembly(
        make_assembly(district.b1, personas.other_committee, motions=(ORDINARY,)),
        personas.other_committee,
    )
    other = voting_services.ballot_cast(
        assembly=other_assembly, choices={"m1": "approve"}, actor=b1.user("庚")
    )

    def entry(area, actor):
        return revenue_services.revenue_entry_record(
            area=area,
            direction="income",
            category="parking",
            amount_fen=120000,
            occurred_on=date(2025, 2, 10),
            counterparty="甲停车管理有限公司",
            actor=actor,
            voucher=_voucher(VOUCHER_BYTES),
        )

    return World(
        district=district,
        personas=personas,
        a1=a1,
        b1=b1,
        assembly=assembly,
        other_assembly=other_assembly,
        attachment=attachment,
        paper_ballot=paper,
        online_ballot=online,
        other_ballot=other,
        entry=entry(district.a1, personas.committee),
        other_entry=entry(district.b1, personas.other_committee),
    )


def body(response) -> bytes:
    """A response's bytes, streamed (files) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
