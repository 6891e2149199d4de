"""Fixtures and steps for the use-procedure tests (tests/funds/test_applications*.py).

The estate: area a1 with four owners of one unit each in building 1栋
(甲 89.50 m², 乙 100.00, 丙 120.25, 丁 75.00) and one developer-held unit
9栋-1单元-901 (100.00 m²), registered and bound as in the voting tests
(``tests.voting.conftest.build_register``). 1栋 passed completion acceptance
on 2015-06-30 (out of every 2- and 5-year warranty). Fund profile: bureau
custody; every unit has paid 30,000.00 元 into its sub-ledger, 901 only
``DEVELOPER_DEPOSIT``.

The 列支范围 of the applications: building 1栋 plus unit 9栋-1单元-901
(484.75 m²). The vote runs through the voting services with real ballots;
only the two signed result notices are replaced, where a test does not look
at them, by what they leave on the row (status final) — as
``tests.voting.conftest.mark_noticed`` does for the notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from estates.models import Building
from funds.integrity import ledger_check
from funds.ledger import services
from funds.models import FundApplication, RepairType, Transaction
from funds.procedure import services as procedure
from tests.factories import UserFactory, grant
from tests.voting.conftest import (
    PDF_BYTES,
    PNG_BYTES,
    Register,
    build_register,
    mark_noticed,
    shift,
)
from voting import services as voting
from voting.models import Assembly

SCOPE_BUILDINGS = ["1栋"]
DEVELOPER_UNIT = "9栋-1单元-901"
SCOPE_UNITS = [DEVELOPER_UNIT]
DEPOSIT = 3_000_000  # 30,000.00 元 per unit
DEVELOPER_DEPOSIT = 3_000_000
BUDGET = 10_000_000  # 100,000.00 元
RETENTION = BUDGET * 5 // 100  # 质保金 at the default 5 %: 5,000.00 元 (funds.procedure.ceiling)
PAYABLE = BUDGET - RETENTION  # what may be instructed before settlement: 95,000.00 元


def pdf(name: str = "quote.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


@dataclass
class Estate:
    register: Register
    area: object

    def unit(self, code: str):
        return self.area.units.get(code=code)

    def owner_unit(self, name: str):
        return self.register.owners[name].units[0]


def build_estate(district, *, developer_deposit: int = DEVELOPER_DEPOSIT) -> Estate:
    register = build_register(
        district.a1,
        [("甲", ["89.50"]), ("乙", ["100.00"]), ("丙", ["120.25"]), ("丁", ["75.00"])],
        developer=1,
    )
    Building.objects.filter(area=district.a1, name="1栋").update(completion_date=date(2015, 6, 30))
    Building.objects.filter(area=district.a1, name="9栋").update(completion_date=date(2015, 6, 30))
    services.fund_profile_set(
        area=district.a1,
        deposit_rate=Decimal("0.05"),
        cost_per_m2_fen=150_000,
        bank_name="中国工商银行宿州分行",
        account_no="1317000000000000001",
        actor=None,
    )
    for unit in district.a1.units.order_by("code"):
        amount = developer_deposit if unit.developer_held else DEPOSIT
        if amount:
            services.deposit_record(
                unit=unit,
                amount_fen=amount,
                paid_on=date(2024, 1, 10),
                key=f"deposit:{unit.code}",
                actor=None,
            )
    return Estate(register=register, area=district.a1)


# Fixtures are defined under a name of their own (``name=``) so that a test module imports
# ``estate_fixture`` and asks for ``estate`` without shadowing the import.


@pytest.fixture(name="estate")
def estate_fixture(district) -> Estate:
    return build_estate(district)


@pytest.fixture(name="second_approver")
def second_approver_fixture(personas):
    user = UserFactory(username="approver2")
    grant(user, Role.BUREAU_APPROVER)
    return user


def check_ledger() -> None:
    """``manage.py funds_check``'s checks: raises ``funds.integrity.Broken`` if anything is off."""
    ledger_check()


# --------------------------------------------------------------------------- steps


def propose(
    estate: Estate,
    actor,
    *,
    budget: int = BUDGET,
    repair_type=RepairType.WATERPROOFING,
    tolerance: int = 0,
):
    application = procedure.application_create(
        area=estate.area,
        title="1栋屋面防水翻新",
        repair_type=repair_type,
        actor=actor,
        description="1栋屋面渗漏，影响顶层住户。",
        scope_buildings=SCOPE_BUILDINGS,
        scope_unit_codes=SCOPE_UNITS,
        contractor="宿州某防水工程有限公司",
        items=[
            ("拆除旧防水层", "约 600 ㎡", budget // 4),
            ("新做 SBS 防水卷材", "约 600 ㎡", budget - budget // 4),
        ],
        tolerance_pct=tolerance,
    )
    procedure.application_attach(
        application=application, kind="quote", title="防水工程报价单", file=pdf(), actor=actor
    )
    return application


def put_to_vote(application, committee, **kwargs) -> FundApplication:
    now = timezone.now()
    return procedure.application_vote_create(
        application=application,
        actor=committee,
        opens_at=now + timedelta(days=20),
        closes_at=now + timedelta(days=30),
        **kwargs,
    )


def run_vote(estate: Estate, application, committee, *, answers: dict[str, str]) -> Assembly:
    """Notice (as left on the row), open, owners cast ``answers`` (name → choice), count."""
    assembly = application.assembly
    mark_noticed(assembly)
    shift(assembly, opens=-timedelta(hours=1), closes=timedelta(days=1))
    voting.assembly_open(assembly=assembly, actor=committee)
    codes = list(assembly.motions.order_by("position").values_list("code", flat=True))
    for name, choice in answers.items():
        voting.ballot_cast(
            assembly=assembly,
            choices=dict.fromkeys(codes, choice),
            actor=estate.register.user(name),
        )
    shift(assembly, opens=-timedelta(days=2), closes=-timedelta(minutes=1))
    return voting.assembly_count(assembly=assembly, actor=committee)


def finalise_without_pdf(assembly: Assembly) -> Assembly:
    """What the preliminary and final notices leave on a counted assembly (module docstring)."""
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.FINAL, finalised_at=timezone.now()
    )
    assembly.refresh_from_db()
    return assembly


ALL_APPROVE = {"甲": "approve", "乙": "approve", "丙": "approve", "丁": "approve"}
ALL_REJECT = {"甲": "reject", "乙": "reject", "丙": "reject", "丁": "approve"}

CLEAN = {
    "excl_developer": False,
    "excl_utility": False,
    "excl_caused": False,
    "excl_contract": False,
}


def review(
    application,
    actor,
    *,
    decision: str = "pass",
    exclusions: dict[str, bool] = CLEAN,
    materials_complete: bool = True,
    **notes: str,
) -> FundApplication:
    """The bureau's review; unless told otherwise a pass, nothing excluded, materials complete."""
    return procedure.application_review(
        application=application,
        actor=actor,
        decision=decision,
        exclusions=exclusions,
        materials_complete=materials_complete,
        **notes,
    )


def voted_and_submitted(estate, personas, *, budget: int = BUDGET, **kwargs) -> FundApplication:
    application = propose(estate, personas.property_staff, budget=budget, **kwargs)
    application = put_to_vote(application, personas.committee)
    run_vote(estate, application, personas.committee, answers=ALL_APPROVE)
    finalise_without_pdf(application.assembly)
    return procedure.application_vote_conclude(application=application, actor=personas.committee)


def reviewed(estate, personas, **kwargs) -> FundApplication:
    application = voted_and_submitted(estate, personas, **kwargs)
    return review(application, personas.reviewer)


def approved(estate, personas, verified, **kwargs) -> FundApplication:
    application = reviewed(estate, personas, **kwargs)
    return procedure.application_approve(application=application, actor=verified(personas.approver))


def instruct(fund_use, approver, *, amount: int = PAYABLE, key: str = "PAY-1"):
    """A payment instruction to the contractor, for the bank to pay out of ``fund_use``."""
    return procedure.payment_instruct(
        fund_use=fund_use,
        amount_fen=amount,
        payee_name="宿州某防水工程有限公司",
        payee_bank="中国建设银行宿州分行",
        payee_account="6217000000000000001",
        key=key,
        actor=approver,
    )


def paid(estate, personas, verified, *, amount: int = PAYABLE, **kwargs):
    application = approved(estate, personas, verified, **kwargs)
    instruction = instruct(
        application.fund_use,
        verified(personas.approver),
        amount=amount,
        key=f"PAY-{application.pk}-1",
    )
    procedure.payment_confirm(
        instruction=instruction,
        bank_reference="ICBC20260101001",
        paid_on=timezone.localdate(),
        actor=personas.reviewer,
    )
    application.refresh_from_db()
    return application


def accepted(estate, personas, verified, **kwargs):
    application = paid(estate, personas, verified, **kwargs)
    today = timezone.localdate()
    procedure.application_works_done(
        application=application, actor=personas.property_staff, done_on=today
    )
    return procedure.application_accept(
        application=application,
        actor=personas.committee,
        accepted_on=today,
        note="业委会组织验收，合格。",
        files=[
            ("acceptance_report", "验收报告", pdf("report.pdf")),
            ("acceptance_photo", "", png()),
        ],
    )


def settlement_txn(application) -> Transaction:
    application.fund_use.refresh_from_db()
    return application.fund_use.settlement_txn
