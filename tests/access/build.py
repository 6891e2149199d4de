"""Building the world (``world.py``): the test district of tests/conftest.py, its
personas, and in each of a1, a2 and b1 one object of every kind a route can name.

Everything is made through the apps' own services and test helpers
(tests/funds/app_helpers.py, tests/voting/conftest.py, tests/emergency/conftest.py,
tests/estates/helpers.py); a state the services reach only over weeks (a vote's
result notices, its objection period) is left on the row the way those helpers
do it (``finalise_without_pdf``, ``mark_noticed``; the objection period as
tests/voting/test_pages_progress.py opens it).

Per area: a register of four owners (甲 乙 丙 丁, one unit each in 1栋) and a
developer unit, its fund (``_estate``); an open assembly with an
attachment where 甲 voted online; a counted assembly in its objection period
with 甲's objection; a fund-use application taken all the way to settlement
(its own vote included); an approved emergency application with a prepayment
instruction. a1 and b1 also have a committee record with a member, a register
import job, a revenue entry with a voucher and a quarter's allocation, an
imported bank statement, and a problem in their community's ledger.

Who acts where: in a1 the committee persona convenes and applies, company P's
staff propose repairs; in a2 (no committee) the street officer convenes and
company P's staff file the emergency; in b1 its own committee member and a
staff member of company Q, who are not personas.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from emergency import services as emergency_services
from estates import jobs
from estates.models import Building, Committee, ManagementArea
from estates.services import committees
from estates.services.area_register import area_register_notice_issue
from estates.services.calendar import holiday_notice_enter
from funds.ledger import services as fund_services
from funds.ledger.reconciliation import services as reconciliation_services
from funds.models import ShortfallDemand
from funds.procedure import services as procedure_services
from revenue import services as revenue_services
from revenue.models import Allocation
from tests.conftest import pass_totp
from tests.emergency.conftest import file_application, review
from tests.factories import (
    CommunityFactory,
    ManagementAreaFactory,
    PropertyCompanyFactory,
    StreetFactory,
    UserFactory,
    grant,
)
from tests.funds.app_helpers import (
    BUDGET,
    DEPOSIT,
    DEVELOPER_DEPOSIT,
    Estate,
    accepted,
)
from tests.voting.conftest import (
    ORDINARY,
    PDF_BYTES,
    build_register,
    close,
    make_assembly,
    open_assembly,
    pdf_upload,
)
from voting import services as voting
from voting.models import Assembly, VotingRight

from .world import Place, World

PAYEE = {"payee_name": "宿州某管道工程有限公司", "payee_bank": "工商银行宿州分行"}


def verified(user):
    """As tests/conftest.py's ``verified``: the user has passed TOTP (for OTP services)."""
    user.is_verified = lambda: True
    return user


# --------------------------------------------------------------------------- building


def _district() -> SimpleNamespace:
    """tests/conftest.py's ``district``, field for field."""
    street_a = StreetFactory(code="SA", name="甲街道")
    street_b = StreetFactory(code="SB", name="乙街道")
    community_a1 = CommunityFactory(street=street_a, code="CA1", name="甲一社区")
    community_b1 = CommunityFactory(street=street_b, code="CB1", name="乙一社区")
    company_p = PropertyCompanyFactory(name="甲物业服务有限公司")
    company_q = PropertyCompanyFactory(name="乙物业服务有限公司")
    status = ManagementArea.CommitteeStatus
    area = ManagementAreaFactory
    return SimpleNamespace(
        street_a=street_a,
        street_b=street_b,
        community_a1=community_a1,
        community_b1=community_b1,
        company_p=company_p,
        company_q=company_q,
        a1=area(
            community=community_a1,
            code="a1",
            name="甲一小区",
            property_company=company_p,
            committee_status=status.OWNERS_COMMITTEE,
        ),
        a2=area(
            community=community_a1,
            code="a2",
            name="甲二小区",
            property_company=company_p,
            committee_status=status.NOT_FORMED,
        ),
        b1=area(
            community=community_b1,
            code="b1",
            name="乙一小区",
            property_company=company_q,
            committee_status=status.INTERIM_COMMITTEE,
        ),
    )


def _staff(username: str, role: str | None = None, scope=None):
    user = UserFactory(username=username)
    if role:
        grant(user, role, scope)
    return user


def _estate(area) -> Estate:
    """tests/funds/app_helpers.py's ``build_estate`` for any area: its deposit keys name
    the unit code only, which repeats from one area to the next, so here they name the area."""
    register = build_register(
        area,
        [("甲", ["89.50"]), ("乙", ["100.00"]), ("丙", ["120.25"]), ("丁", ["75.00"])],
        developer=1,
    )
    Building.objects.filter(area=area).update(completion_date=date(2015, 6, 30))
    fund_services.fund_profile_set(
        area=area,
        deposit_rate=Decimal("0.05"),
        cost_per_m2_fen=150_000,
        bank_name="中国工商银行宿州分行",
        account_no=f"13170000000000{area.pk:05d}",
        actor=None,
    )
    for unit in area.units.order_by("code"):
        fund_services.deposit_record(
            unit=unit,
            amount_fen=DEVELOPER_DEPOSIT if unit.developer_held else DEPOSIT,
            paid_on=date(2024, 1, 10),
            key=f"deposit:{area.code}:{unit.code}",
            actor=None,
        )
    return Estate(register=register, area=area)


def _personas(d: SimpleNamespace, owner) -> SimpleNamespace:
    """The personas of model.PERSONAS (the owner is 甲 of a1's register, bound to a login)."""
    approver = _staff("approver", Role.BUREAU_APPROVER)
    admin = _staff("bureau_admin", Role.BUREAU_ADMIN)
    return SimpleNamespace(
        anonymous=None,
        outsider=_staff("outsider"),
        owner=owner,
        committee=_staff("committee_a1", Role.COMMITTEE_MEMBER, d.a1),
        property_staff=_staff("staff_p", Role.PROPERTY_STAFF, d.company_p),
        street_officer=_staff("street_a", Role.STREET_OFFICER, d.street_a),
        community_officer=_staff("community_a1", Role.COMMUNITY_OFFICER, d.community_a1),
        reviewer=_staff("reviewer", Role.BUREAU_REVIEWER),
        approver=approver,
        approver_totp=approver,
        admin=admin,
        admin_totp=admin,
    )


def _voting(area, estate, convener) -> tuple[Assembly, object, VotingRight, Assembly, object]:
    owner = estate.register.user("甲")
    assembly = make_assembly(area, convener, title="共治矩阵：表决中的会议", motions=(ORDINARY,))
    attachment = voting.attachment_add(
        assembly=assembly, title="会议材料", file=pdf_upload(), actor=convener
    )
    assembly = open_assembly(assembly, convener)
    voting.ballot_cast(assembly=assembly, choices={"m1": "approve"}, actor=owner)
    right = estate.register.right(assembly, "丙")

    counted = open_assembly(
        make_assembly(area, convener, title="共治矩阵：异议期的会议", motions=(ORDINARY,)),
        convener,
    )
    for name in ("甲", "乙"):
        voting.ballot_cast(
            assembly=counted, choices={"m1": "approve"}, actor=estate.register.user(name)
        )
    close(counted)
    voting.assembly_count(assembly=counted, actor=None)
    # The preliminary notice opens the objection period; only its PDF is skipped.
    Assembly.objects.filter(pk=counted.pk).update(
        status=Assembly.Status.PRELIMINARY, objection_deadline=timezone.now() + timedelta(days=3)
    )
    counted.refresh_from_db()
    objection = voting.objection_file(assembly=counted, text="计票有误，请复核。", actor=owner)
    return assembly, attachment, right, counted, objection


def _fund_app(estate, actors) -> object:
    application = accepted(estate, actors, verified)
    return procedure_services.application_settle(
        application=application, actor=actors.reviewer, final_cost_fen=BUDGET
    )


def _demand(fund_use, unit):
    """A shortfall demanded of one unit (分摊补缴): the one approval demanded, else one recorded
    for the unit as approval would (the pages only need a demand to name)."""
    found = fund_use.shortfall_demands.order_by("pk").first()
    if found is not None:
        return found
    return ShortfallDemand.objects.create(
        fund_use=fund_use,
        unit=unit,
        unit_code=unit.code,
        share_fen=1_000_00,
        available_fen=0,
        amount_fen=1_000_00,
        due_on=timezone.localdate() + timedelta(days=30),
    )


def _emergency(area, filer, actors, key: str):
    application = file_application(filer, area, estimate_fen=12_000_00, prepayment_fen=4_000_00)
    review(application, actors.reviewer)
    application = emergency_services.application_approve(
        application=application, actor=verified(actors.approver)
    )
    instruction = emergency_services.application_payment_instruct(
        application=application,
        actor=verified(actors.approver),
        amount_fen=4_000_00,
        payee_account="6222000011112222",
        key=key,
        **PAYEE,
    )
    application.refresh_from_db()
    claim = emergency_services.recovery_claim_open(
        application=application,
        actor=actors.reviewer,
        claim=emergency_services.ClaimInput(
            against="builder", party_name="宿州某建筑工程有限公司", amount_fen=12_000_00
        ),
    )
    return application, instruction, claim


def _records(place: Place, actors, *, kind: str, recorder, officer) -> None:
    """What only a1 and b1 carry: register records, revenue, a bank statement, a problem."""
    area = place.area
    place.committee = committees.committee_create(
        area=area, actor=actors.reviewer, kind=kind, term_start=date(2024, 1, 1)
    )
    place.member = committees.committee_member_add(
        committee=place.committee, actor=actors.reviewer, name="王主任", position="chair"
    )
    place.import_job = jobs.import_job_create(
        area=area,
        data=b"\xef\xbb\xbf",
        filename="register.csv",
        dry_run=True,
        actor=actors.reviewer,
    )
    place.revenue_entry = revenue_services.revenue_entry_record(
        area=area,
        direction="income",
        category="parking",
        amount_fen=100_00,
        occurred_on=date(2025, 2, 10),
        counterparty="甲停车管理有限公司",
        voucher=SimpleUploadedFile("voucher.pdf", PDF_BYTES, content_type="application/pdf"),
        actor=recorder,
    )
    place.allocation = revenue_services.revenue_allocation_record(
        area=area, year=2025, quarter=1, method=Allocation.Method.SHARE_BY_AREA, actor=recorder
    )
    place.statement = reconciliation_services.bank_statement_import(
        area=area,
        file=(
            "交易日期,借方金额,贷方金额,余额,流水号,对方户名,摘要\n"
            f"2025-03-01,,300.00,300.00,BANK-{area.code}-0002,乙,交存\n"
        ).encode(),
        actor=actors.reviewer,
    )
    place.problem = emergency_services.problem_create(
        actor=officer,
        project_name=area.name,
        community=area.community,
        area=area,
        category="安全隐患",
        content="3栋电梯多次困人",
        measures="已通知维保单位全面检修",
        responsible="物业服务企业/刘强",
        deadline=date(2026, 12, 31),
    )


def build_world() -> World:
    d = _district()
    estates = {key: _estate(getattr(d, key)) for key in ("a1", "a2", "b1")}
    personas = _personas(d, estates["a1"].register.user("甲"))
    world = World(district=d, personas=personas)
    bureau = {"reviewer": personas.reviewer, "approver": personas.approver}
    b1_committee = _staff("committee_b1", Role.COMMITTEE_MEMBER, d.b1)
    b1_staff = _staff("staff_q", Role.PROPERTY_STAFF, d.company_q)
    other_officer = _staff("street_b", Role.STREET_OFFICER, d.street_b)
    # Per area: who convenes (and accepts works), who proposes repairs, who files emergencies.
    cast = {
        "a1": (personas.committee, personas.property_staff, personas.committee),
        "a2": (personas.street_officer, personas.property_staff, personas.property_staff),
        "b1": (b1_committee, b1_staff, b1_committee),
    }
    for key, (convener, proposer, filer) in cast.items():
        area, estate = getattr(d, key), estates[key]
        actors = SimpleNamespace(committee=convener, property_staff=proposer, **bureau)
        assembly, attachment, right, counted, objection = _voting(area, estate, convener)
        fund_app = _fund_app(estate, actors)
        emergency, instruction, claim = _emergency(area, filer, actors, key=f"EM-{key}")
        world.places[key] = Place(
            area=area,
            estate=estate,
            assembly=assembly,
            attachment=attachment,
            right=right,
            counted=counted,
            objection=objection,
            fund_app=fund_app,
            emergency=emergency,
            emergency_instruction=instruction,
            emergency_claim=claim,
            fund_demand=_demand(fund_app.fund_use, estate.owner_unit("甲")),
            emergency_demand=_demand(emergency.fund_use, estate.owner_unit("甲")),
        )
    _records(
        world.places["a1"],
        SimpleNamespace(**bureau),
        kind=Committee.Kind.OWNERS,
        recorder=personas.committee,
        officer=personas.street_officer,
    )
    _records(
        world.places["b1"],
        SimpleNamespace(**bureau),
        kind=Committee.Kind.INTERIM,
        recorder=b1_committee,
        officer=other_officer,
    )
    a1 = world.places["a1"]
    world.paper_ballot = voting.ballot_enter_paper(
        assembly=a1.assembly,
        right=a1.estate.register.right(a1.assembly, "乙"),
        choices={"m1": "reject"},
        scan=pdf_upload("paper.pdf"),
        actor=personas.committee,
    )
    world.publication = area_register_notice_issue(area=d.a1, actor=None)
    # The admin past TOTP (a copy: the persona's own session is made below).
    admin = type(personas.admin).objects.get(pk=personas.admin.pk)
    admin.is_verified = lambda: True
    holiday_notice_enter(
        actor=admin,
        year=2027,
        notice_ref="国办发明电〔2026〕7号",
        published_on=date(2026, 11, 20),
        days_text="2027-02-05 至 2027-02-13 放假 春节",
        now=datetime(2026, 11, 21, 9, tzinfo=UTC),
    )
    world.sessions = _sessions(world)
    return world


def _sessions(world: World) -> dict[str, str]:
    """One logged-in session per persona, made once (a test's writes to it are rolled back)."""
    from .model import PERSONAS

    keys = {}
    for persona in PERSONAS:
        if persona.anonymous:
            continue
        client = Client()
        user = world.user(persona.name)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if persona.totp:
            pass_totp(client, user)
        keys[persona.name] = client.session.session_key
    return keys
