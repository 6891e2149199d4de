"""The demo's past: one of each signed notice, made by the real services (issue 16, item 13).

After ``make run`` a new user should see each output the platform exists
for, verifiable at once. Nothing here writes a row by hand: every step is
the service a real deployment calls, run on a back-dated clock
(``clock_at``: ``django.utils.timezone.now`` — the clock every service reads
— answers a moment in the past while a step runs). The story, in the first
demo area (银河花园), counted back from today:

- 1栋屋面防水: the property company applies to use the fund; the committee
  puts it to the owners of 1栋 (notice 120 days ago), the ballots come in,
  the vote is counted (preliminary result notice), the final result follows
  the objection period; the bureau reviews and approves, the bank pays, the
  works are accepted, settled and apportioned, and the use is published.
- 2栋地下室给水主管爆裂: an emergency repair filed by the committee, approved,
  paid, accepted, settled and published for its five days.
- the last finished quarter's public revenue, published;
- last year's annual fund statement, published.

Signatures are made now (the signing keys are this machine's, created by
``signing_init``); the dates the notices carry are the back-dated ones. The
users act as their roles would: the approver "after TOTP" is marked verified
here, as django-otp's middleware marks a session. Idempotent: each story is
skipped when its last step is done, and runs in one transaction, so a story
stopped half-way leaves nothing.
"""

# One piece because it is one story told in order (the roof's vote, approval, works and
# notice; the emergency; the quarter; the year), each step leaning on the one before.

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from emergency import services as emergency
from emergency.models import EmergencyApplication, EvidenceKind
from estates.models import Person
from funds.ledger.services import statement_publish
from funds.ledger.services.statements import current_statement
from funds.models import FundApplication, RepairType
from funds.procedure import services as procedure
from funds.procedure.services.reservations import shortfall_demand_pay
from revenue import services as revenue
from revenue.models import QuarterNotice
from voting import services as voting
from voting.models import Assembly, VotingRight

_real_now = timezone.now

# A one-page PDF and a JPEG header: the scans and records the services store.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64

ROOF_TITLE = "1栋屋面防水翻新（演示）"
ROOF_BUILDING = "1栋"
ROOF_FEN_PER_M2 = 3_000  # 30.00 yuan per m² of the building's units
PIPE_DESCRIPTION = "2栋地下室给水主管爆裂，整栋停水（演示）。"
PIPE_ITEM = "E05"
PIPE_COST_FEN = 18_600_00
PAYEE = {
    "payee_bank": "中国建设银行宿州分行",
    "payee_account": "6217000000000000001",
}


# --------------------------------------------------------------------------- the clock


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """``timezone.now()`` is ``moment`` (and runs on from it) while the block runs.

    Model fields declared ``default=timezone.now`` hold the function itself:
    they are pointed at the same clock for the block (Django caches a field's
    default callable in ``_get_default``, dropped here on the way in and out).
    """
    offset = moment - _real_now()

    def now() -> datetime:
        return _real_now() + offset

    fields = _fields_defaulting_to_now()
    for field in fields:
        field.default = now
        field.__dict__.pop("_get_default", None)
    try:
        with mock.patch("django.utils.timezone.now", now):
            yield
    finally:
        for field in fields:
            field.default = _real_now
            field.__dict__.pop("_get_default", None)


def _fields_defaulting_to_now() -> list:
    from django.apps import apps

    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.default is _real_now
    ]


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """``day`` at ``hour``:``minute`` in the district's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _jpeg(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, JPEG_BYTES, content_type="image/jpeg")


def _verified(user: User) -> User:
    """The approver after TOTP, as django-otp's middleware marks a verified session."""
    user.is_verified = lambda: True
    return user


def _staff() -> dict[str, User]:
    names = ("committee_demo", "property_demo", "reviewer_demo", "approver_demo")
    return {u.username: u for u in User.objects.filter(username__in=names)}


# --------------------------------------------------------------------------- the story


# The days back from today each story publishes on (the roof: its notice, results, use):
# serial numbers are given in the order of issue, so the stories run in the order of
# their dates, and the open assembly's notice (20 days back, voting.demo) falls between.
EMERGENCY_DAYS_BACK = 30  # filed; its notice 7 days later
REVENUE_DAYS_BACK = 15
STATEMENT_DAYS_BACK = 8


def repairs_seed(*, area, today: date | None = None) -> dict[str, str]:
    """The roof's vote and use, then the emergency (module docstring): notices 120 to 23
    days back. Returns the serial of each notice made."""
    today = today or timezone.localdate()
    users = _staff()
    made: dict[str, str] = {}
    with transaction.atomic():
        made.update(_roof_repair(area, users, today))
    with transaction.atomic():
        made.update(_pipe_emergency(area, users, today))
    return made


def accounts_seed(*, area, today: date | None = None) -> dict[str, str]:
    """The last quarter's public revenue and last year's fund statement, 15 and 8 days back."""
    today = today or timezone.localdate()
    made: dict[str, str] = {}
    with transaction.atomic():
        made.update(_revenue_quarter(area, _staff(), today - timedelta(days=REVENUE_DAYS_BACK)))
    with transaction.atomic():
        made.update(_annual_statement(area, today - timedelta(days=STATEMENT_DAYS_BACK)))
    return made


def history_seed(*, area, today: date | None = None) -> dict[str, str]:
    """The whole past of ``area`` at once (the demo calls the two halves around the open
    assembly, ``gongzhi.demo.seed``)."""
    return {**repairs_seed(area=area, today=today), **accounts_seed(area=area, today=today)}


# --------------------------------------------------------------------------- 1栋 roof


def _roof_repair(area, users, today: date) -> dict[str, str]:
    done = FundApplication.objects.filter(area=area, title=ROOF_TITLE).first()
    if done is not None:
        return {}
    start = today - timedelta(days=120)
    application = _roof_apply(area, users, start)
    assembly = _roof_vote(application, users, start)
    application = _roof_approve(application, users, start + timedelta(days=42))
    application = _roof_works(application, users, start + timedelta(days=55))
    return {
        "assembly_notice": assembly.notice_publication.serial,
        "vote_result_preliminary": assembly.preliminary_publication.serial,
        "vote_result_final": assembly.final_publication.serial,
        "fund_use": application.fund_use.publication.serial,
    }


def _roof_units(area):
    return area.units.filter(building__name=ROOF_BUILDING)


def _roof_apply(area, users, start: date) -> FundApplication:
    budget = int(sum(u.floor_area for u in _roof_units(area)) * ROOF_FEN_PER_M2)
    budget -= budget % 100  # a quote in whole yuan
    with clock_at(at(start - timedelta(days=3), 10)):
        application = procedure.application_create(
            area=area,
            title=ROOF_TITLE,
            repair_type=RepairType.WATERPROOFING,
            actor=users["property_demo"],
            description="1栋屋面防水层老化，顶层多户渗漏。",
            scope_buildings=[ROOF_BUILDING],
            contractor="宿州某防水工程有限公司",
            items=[
                ("拆除旧防水层", "屋面全部", budget // 4),
                ("新做 SBS 防水卷材", "屋面全部", budget - budget // 4),
            ],
        )
        procedure.application_attach(
            application=application,
            kind="quote",
            title="防水工程报价单",
            file=_pdf("quote.pdf"),
            actor=users["property_demo"],
        )
    return application


def _roof_vote(application: FundApplication, users, start: date) -> Assembly:
    """Notice on ``start``, 10 days of voting after the 15-day notice, count, results."""
    committee = users["committee_demo"]
    opens, closes = at(start + timedelta(days=17)), at(start + timedelta(days=27), 18)
    with clock_at(at(start, 9)):
        application = procedure.application_vote_create(
            application=application, actor=committee, opens_at=opens, closes_at=closes
        )
        assembly = voting.assembly_notice(assembly=application.assembly, actor=committee)
    voting.assembly_open(assembly=assembly, actor=committee, now=opens)
    _roof_ballots(assembly, committee, opens)
    counted_at = closes + timedelta(minutes=5)
    with clock_at(counted_at):
        assembly = voting.assembly_close_and_count(
            assembly=assembly, actor=committee, now=counted_at
        )
    final_at = assembly.objection_deadline + timedelta(hours=1)
    with clock_at(final_at):
        assembly = voting.assembly_finalise(assembly=assembly, actor=committee, now=final_at)
        procedure.application_vote_conclude(application=application, actor=committee)
    return assembly


def _roof_ballots(assembly: Assembly, committee: User, opens: datetime) -> None:
    """The two demo owners online, about four in five of the other rights on paper;
    one right in eight of those against the use."""
    codes = list(assembly.motions.order_by("position").values_list("code", flat=True))
    online = set()
    for number, person in enumerate(
        Person.objects.filter(user__isnull=False, ownerships__unit__building__name=ROOF_BUILDING)
        .filter(ownerships__unit__area=assembly.area)
        .distinct()
        .order_by("pk")
    ):
        moment = opens + timedelta(hours=2 + number)
        ballot = voting.ballot_cast(
            assembly=assembly,
            choices=dict.fromkeys(codes, "approve"),
            actor=person.user,
            now=moment,
        )
        online.add(ballot.right_id)
    rights = VotingRight.objects.filter(assembly=assembly).exclude(pk__in=online).order_by("pk")
    for number, right in enumerate(rights):
        if number % 5 == 4:
            continue  # did not vote
        choice = "reject" if number % 8 == 3 else "approve"
        voting.ballot_enter_paper(
            assembly=assembly,
            right=right,
            choices=dict.fromkeys(codes, choice),
            scan=_pdf(f"ballot-{number + 1}.pdf"),
            actor=committee,
            now=opens + timedelta(days=1 + number % 8, hours=number % 9),
        )


def _roof_approve(application: FundApplication, users, day: date) -> FundApplication:
    application.refresh_from_db()
    with clock_at(at(day, 10)):
        application = procedure.application_review(
            application=application,
            actor=users["reviewer_demo"],
            decision="pass",
            exclusions={
                "excl_developer": False,
                "excl_utility": False,
                "excl_caused": False,
                "excl_contract": False,
            },
            materials_complete=True,
        )
    with clock_at(at(day + timedelta(days=2), 15)):
        application = procedure.application_approve(
            application=application, actor=_verified(users["approver_demo"])
        )
    return application


def _pay(fund_use, users, amount_fen: int, *, key: str, day: date, payee: str) -> None:
    with clock_at(at(day, 10)):
        instruction = procedure.payment_instruct(
            fund_use=fund_use,
            amount_fen=amount_fen,
            payee_name=payee,
            key=key,
            actor=_verified(users["approver_demo"]),
            **PAYEE,
        )
    with clock_at(at(day + timedelta(days=1), 11)):
        procedure.payment_confirm(
            instruction=instruction,
            bank_reference=f"CCB{day:%Y%m%d}{instruction.pk:04d}",
            paid_on=day + timedelta(days=1),
            actor=users["reviewer_demo"],
        )


def _roof_works(application: FundApplication, users, day: date) -> FundApplication:
    """Works paid in advance (half), done, accepted, settled at the budget less 3 %, the
    rest paid less the 质保金, and published."""
    fund_use = application.fund_use
    payee = application.contractor
    # 分摊补缴: the owners whose sub-ledgers cannot carry their share pay it in first.
    for number, demand in enumerate(fund_use.shortfall_demands.order_by("pk")):
        paid_on = day - timedelta(days=5) + timedelta(days=number % 4)
        with clock_at(at(paid_on, 15)):
            shortfall_demand_pay(
                demand=demand,
                amount_fen=demand.outstanding_fen,
                paid_on=paid_on,
                key=f"CCB-BJ-{paid_on:%Y%m%d}-{number + 1:03d}",
                actor=users["reviewer_demo"],
            )
    _pay(fund_use, users, application.budget_fen // 2, key="demo-roof-1", day=day, payee=payee)
    done_on = day + timedelta(days=20)
    with clock_at(at(done_on, 17)):
        application = procedure.application_works_done(
            application=application, actor=users["property_demo"], done_on=done_on
        )
    accepted_on = done_on + timedelta(days=3)
    with clock_at(at(accepted_on, 10)):
        application = procedure.application_accept(
            application=application,
            actor=users["committee_demo"],
            accepted_on=accepted_on,
            note="业委会组织验收，防水层闭水试验合格。",
            files=[
                ("acceptance_report", "验收报告", _pdf("acceptance.pdf")),
                ("acceptance_photo", "", _jpeg("roof.jpg")),
            ],
        )
    settled_on = accepted_on + timedelta(days=7)
    cost = application.budget_fen - application.budget_fen * 3 // 100
    with clock_at(at(settled_on, 10)):
        application = procedure.application_settle(
            application=application,
            actor=users["reviewer_demo"],
            final_cost_fen=cost,
            settled_on=settled_on,
        )
    fund_use.refresh_from_db()
    rest = cost - fund_use.retention_fen - application.budget_fen // 2
    if rest > 0:
        _pay(fund_use, users, rest, key="demo-roof-2", day=settled_on, payee=payee)
    with clock_at(at(settled_on + timedelta(days=3), 9)):
        application = procedure.application_publish(
            application=application, actor=_verified(users["approver_demo"])
        )
    application.fund_use.refresh_from_db()
    return application


# --------------------------------------------------------------------------- 2栋 emergency


def _pipe_emergency(area, users, today: date) -> dict[str, str]:
    if EmergencyApplication.objects.filter(area=area, description=PIPE_DESCRIPTION).exists():
        return {}
    day = today - timedelta(days=EMERGENCY_DAYS_BACK)
    committee, approver = users["committee_demo"], _verified(users["approver_demo"])
    reviewer = users["reviewer_demo"]
    filed_at = at(day, 7, 30)
    with clock_at(filed_at):
        application = emergency.application_file(
            area=area,
            item_code=PIPE_ITEM,
            description=PIPE_DESCRIPTION,
            estimate_fen=20_000_00,
            evidence=[
                (EvidenceKind.PHOTO, _jpeg("burst.jpg")),
                (EvidenceKind.BUDGET, _pdf("budget.pdf")),
            ],
            actor=committee,
            scope_buildings=["2栋"],
            now=filed_at,
        )
    moment = filed_at + timedelta(hours=2)
    with clock_at(moment):
        emergency.application_review_start(application=application, actor=reviewer, now=moment)
        emergency.application_checklist_record(
            application=application,
            actor=reviewer,
            exclusions={},
            warranty_note="险情紧急，先行列支。",
            now=moment,
        )
        moment += timedelta(hours=1)
        application = emergency.application_approve(
            application=application, actor=approver, now=moment
        )
    return _pipe_works(application, users, filed_at)


def _pipe_works(application, users, filed_at: datetime) -> dict[str, str]:
    committee, approver = users["committee_demo"], _verified(users["approver_demo"])
    reviewer = users["reviewer_demo"]
    started, done = filed_at + timedelta(hours=5), filed_at + timedelta(days=2)
    with clock_at(done + timedelta(hours=1)):
        emergency.application_works_start(application=application, actor=committee, at=started)
        emergency.application_works_done(application=application, actor=committee, at=done)
    accepted = filed_at + timedelta(days=3)
    with clock_at(accepted):
        emergency.application_accept(
            application=application,
            actor=committee,
            note="业委会、物业共同验收，恢复供水。",
            evidence=[_pdf("acceptance.pdf")],
            now=accepted,
        )
    settled = filed_at + timedelta(days=6)
    with clock_at(settled):
        application = emergency.application_settle(
            application=application,
            actor=reviewer,
            final_cost_fen=PIPE_COST_FEN,
            settled_on=timezone.localdate(settled),
            evidence=[_pdf("invoice.pdf")],
            now=settled,
        )
        fund_use = application.fund_use
        fund_use.refresh_from_db()
        instruction = emergency.application_payment_instruct(
            application=application,
            actor=approver,
            amount_fen=PIPE_COST_FEN - fund_use.retention_fen,
            payee_name="宿州某管道工程有限公司",
            key="demo-pipe-1",
            **PAYEE,
        )
    paid = settled + timedelta(days=1)
    with clock_at(paid):
        emergency.application_payment_confirm(
            application=application,
            instruction=instruction,
            actor=reviewer,
            bank_reference=f"CCB{paid:%Y%m%d}{instruction.pk:04d}",
            paid_on=timezone.localdate(paid),
        )
    with clock_at(paid + timedelta(hours=4)):
        application = emergency.application_publish(application=application, actor=approver)
    return {"emergency_repair": application.fund_use.publication.serial}


# --------------------------------------------------------------------------- revenue, statement


REVENUE = (
    # (direction, category, yuan in fen, day of the quarter, counterparty)
    ("income", "parking", 18_600_00, 5, "宿州银河停车管理有限公司"),
    ("income", "advertising", 7_200_00, 12, "宿州楼宇传媒有限公司"),
    ("income", "parking", 19_350_00, 35, "宿州银河停车管理有限公司"),
    ("cost", "management", 2_580_00, 40, "宿州市安居物业服务有限公司"),
    ("income", "parking", 18_950_00, 66, "宿州银河停车管理有限公司"),
    ("cost", "repair", 3_460_00, 75, "宿州某电梯工程有限公司"),
)


def last_quarter(today: date) -> tuple[int, int, date, date]:
    """The last quarter over by ``today``: year, quarter, first and last day."""
    first_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_this - timedelta(days=1)
    start = date(end.year, end.month - 2, 1)
    return end.year, (end.month - 1) // 3 + 1, start, end


def _revenue_quarter(area, users, published: date) -> dict[str, str]:
    """The last quarter over by ``published``, its entries and its notice on that day."""
    year, quarter, start, end = last_quarter(published)
    if QuarterNotice.objects.filter(area=area, year=year, quarter=quarter).exists():
        return {}
    for direction, category, amount, offset, counterparty in REVENUE:
        day = min(start + timedelta(days=offset), end)
        with clock_at(at(day, 16)):
            revenue.revenue_entry_record(
                area=area,
                direction=direction,
                category=category,
                amount_fen=amount,
                occurred_on=day,
                counterparty=counterparty,
                actor=users["committee_demo"],
            )
    with clock_at(at(published, 10)):
        notice = revenue.revenue_quarter_publish(
            area=area, year=year, quarter=quarter, actor=None, today=published
        )
    return {"public_revenue": notice.publication.serial}


def _annual_statement(area, published: date) -> dict[str, str]:
    """The statement of the last year over by ``published``, published that day."""
    year = published.year - 1
    if current_statement(area, year) is not None:
        return {}
    with clock_at(at(published, 10)):
        statement = statement_publish(area=area, year=year, actor=None, today=published)
    return {"annual_statement": statement.publication.serial}
