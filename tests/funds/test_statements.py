"""The annual statement (RULES.md §4 "Publication", Order 165 art. 30): figures from the ledger,
per account and per unit, and its signed publication (RULES.md §7)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from estates.models import Person
from funds.ledger import figures as statements
from funds.ledger import services
from funds.ledger.services.statements import check_year
from funds.ledger.statement_layout import statement_context
from funds.models import Account, AnnualStatement, Entry, Transaction
from funds.procedure import services as procedure
from publications.models import Kind, Publication
from publications.selectors import publication_verify_file
from publications.signing import signature_check
from tests.signing import publishing_fixture, signing_dir_fixture  # noqa: F401 - fixtures
from tests.voting.conftest import pdf_text

from .yearly import (
    CLOSING,
    DEPOSIT_101,
    FIRST,
    INTEREST,
    OPENING,
    REFUND_901,
    RETURN_EACH,
    SHARES,
    UNIT_CLOSING,
    code,
    post_first_deposits,
    post_worked_year,
)

pytestmark = pytest.mark.django_db

NEW_YEAR = date(2026, 1, 1)


@pytest.fixture
def worked(fund):
    post_worked_year(fund)
    return fund


def publish(fund, personas, verified, **overrides):
    values = {"area": fund.area, "year": 2025, **overrides}
    if "actor" not in values:
        values["actor"] = verified(personas.approver)
    return services.statement_publish(**values)


def flat(publication) -> str:
    return "".join(pdf_text(publication).split())


# --------------------------------------------------------------------------- figures


def test_the_worked_year_gives_exact_area_totals(worked):
    data = statements.area_statement(worked.area, 2025)

    assert data["totals"] == {
        "opening_fen": OPENING,
        "deposits_fen": DEPOSIT_101,
        "interest_fen": 12_345,
        "returns_fen": 4 * RETURN_EACH,
        "uses_fen": 300_000,
        "refunds_fen": REFUND_901,
        "adjustments_fen": 0,
        "closing_fen": CLOSING,
    }
    assert CLOSING == OPENING + 50_000 + 12_345 + 10_000 - 300_000 - 200_000


def test_each_unit_closes_at_opening_plus_its_flows_and_the_units_add_up_to_the_area(worked):
    data = statements.area_statement(worked.area, 2025)

    by_code = {u["code"]: u for u in data["units"]}
    assert [u["code"] for u in data["units"]] == [code(n) for n in ("101", "102", "103", "901")]
    for number in FIRST:
        unit = by_code[code(number)]
        assert unit["opening_fen"] == FIRST[number]
        assert unit["interest_fen"] == INTEREST[number]
        assert unit["returns_fen"] == RETURN_EACH
        assert unit["uses_fen"] == SHARES.get(number, 0)
        assert unit["closing_fen"] == UNIT_CLOSING[number]
        assert unit["closing_fen"] == (
            unit["opening_fen"]
            + unit["deposits_fen"]
            + unit["interest_fen"]
            + unit["returns_fen"]
            - unit["uses_fen"]
            - unit["refunds_fen"]
            + unit["adjustments_fen"]
        )
    assert by_code[code("101")]["deposits_fen"] == DEPOSIT_101
    assert by_code[code("901")]["refunds_fen"] == REFUND_901
    for name in ("opening_fen", "deposits_fen", "uses_fen", "refunds_fen", "closing_fen"):
        assert sum(u[name] for u in data["units"]) == data["totals"][name]
    assert sum(UNIT_CLOSING.values()) == CLOSING


def test_the_unit_figures_agree_with_the_ledger_balances(worked):
    from funds.ledger import selectors

    data = statements.area_statement(worked.area, 2025)

    balances = selectors.unit_balances(worked.area)
    assert {u["unit_id"]: u["closing_fen"] for u in data["units"]} == balances
    assert data["checks"] == {
        "units_equal_area_fund": True,
        "area_fund_opening_fen": OPENING,
        "area_fund_closing_fen": CLOSING,
    }


def test_the_accounts_show_opening_debits_credits_and_closing(worked):
    data = statements.area_statement(worked.area, 2025)

    rows = {(a["kind"], a["regime"]): a for a in data["accounts"]}
    bank = rows[(Account.Kind.BANK, "bureau")]
    assert (bank["opening_fen"], bank["debit_fen"], bank["credit_fen"], bank["closing_fen"]) == (
        OPENING,
        50_000 + 12_345 + 10_000,
        300_000 + 200_000,
        CLOSING,
    )
    works = rows[(Account.Kind.WORKS, "")]
    assert (works["opening_fen"], works["debit_fen"], works["credit_fen"]) == (0, 300_000, 300_000)
    assert works["closing_fen"] == 0
    fund = rows[(Account.Kind.AREA_FUND, "")]
    assert (fund["opening_fen"], fund["closing_fen"]) == (OPENING, CLOSING)
    # Accounts never moved (the assembly's bank account, payable …) are left out.
    assert (Account.Kind.BANK, "assembly") not in rows
    assert (Account.Kind.PAYABLE, "") not in rows


def test_each_use_is_listed_with_every_unit_share(worked):
    data = statements.area_statement(worked.area, 2025)

    (use,) = data["uses"]
    assert use["memo"] == "结算分摊：1栋屋面防水"
    assert use["value_date"] == date(2025, 9, 20)
    assert use["amount_fen"] == 300_000
    assert use["unit_count"] == 3
    assert use["units"] == [
        {"code": code("101"), "amount_fen": 86_683},
        {"code": code("102"), "amount_fen": 96_852},
        {"code": code("103"), "amount_fen": 116_465},
    ]
    assert use["reversal"] is False


def test_a_use_settled_through_the_procedure_is_listed_by_its_title(fund, personas):
    post_first_deposits(fund)
    fund_use = procedure.fund_use_open(
        area=fund.area,
        source="application",
        source_key="test:statement:1",
        title="1栋屋面防水维修",
        budget_fen=300_000,
        scope_buildings=["1栋"],
    )
    procedure.fund_use_settle(
        fund_use=fund_use,
        final_cost_fen=300_000,
        actor=personas.reviewer,
        settled_on=date(2025, 9, 20),
    )

    data = statements.area_statement(fund.area, 2025)

    (use,) = data["uses"]
    assert use["fund_use"] == {"id": fund_use.pk, "title": "1栋屋面防水维修", "serial": ""}
    assert [s["amount_fen"] for s in use["units"]] == [86_683, 96_852, 116_465]
    listing = statement_context(data)["tables"][1]
    assert listing["cells"][0][2]["text"] == "1栋屋面防水维修"


def test_postings_outside_the_year_are_opening_or_next_year(worked):
    worked.deposit("102", 1_000, on=date(2026, 1, 5), key="BANK-20260105-0001")

    data = statements.area_statement(worked.area, 2025)
    next_year = statements.area_statement(worked.area, 2026)

    assert data["totals"]["closing_fen"] == CLOSING
    assert next_year["totals"]["opening_fen"] == CLOSING
    assert next_year["totals"]["deposits_fen"] == 1_000
    assert next_year["totals"]["closing_fen"] == CLOSING + 1_000
    assert statements.area_statement(worked.area, 2024)["totals"]["closing_fen"] == OPENING


def test_a_reversal_counts_in_the_category_of_what_it_reverses(fund):
    post_first_deposits(fund)
    wrong = fund.deposit("102", 5_000, on=date(2026, 1, 5), key="BANK-20260105-0002")
    services.transaction_reverse(transaction=wrong, reason="重复入账", actor=None)

    data = statements.area_statement(fund.area, 2026)

    # Booked and reversed within the year: no deposit at all, and no adjustment either.
    assert data["totals"]["deposits_fen"] == 0
    assert data["totals"]["adjustments_fen"] == 0
    assert data["totals"]["closing_fen"] == sum(FIRST.values())


def test_a_reversed_settlement_nets_the_uses_and_is_listed_as_a_reversal(worked):
    settlement = Transaction.objects.get(key="test:settlement:roof")
    services.transaction_reverse(transaction=settlement, reason="分摊有误", actor=None)
    year = timezone.localdate().year

    data = statements.area_statement(worked.area, year)

    (reversal,) = data["uses"]
    assert reversal["reversal"] is True
    assert reversal["amount_fen"] == -300_000
    assert data["totals"]["uses_fen"] == -300_000
    assert data["totals"]["closing_fen"] == CLOSING + 300_000


def test_a_unit_statement_shows_its_figures_entries_and_shares(worked):
    unit = worked.units["101"]

    mine = statements.unit_statement(unit, 2025)

    assert mine["unit"]["code"] == code("101")
    assert (mine["opening_fen"], mine["deposits_fen"], mine["interest_fen"]) == (
        671_250,
        50_000,
        2_813,
    )
    assert (mine["returns_fen"], mine["uses_fen"], mine["closing_fen"]) == (2_500, 86_683, 639_880)
    assert [(e["value_date"], e["amount_fen"], e["balance_fen"]) for e in mine["entries"]] == [
        (date(2025, 2, 15), 50_000, 721_250),
        (date(2025, 6, 30), 2_813, 724_063),
        (date(2025, 9, 20), -86_683, 637_380),
        (date(2025, 12, 1), 2_500, 639_880),
    ]
    (use,) = mine["uses"]
    assert (use["share_fen"], use["total_fen"], use["units"]) == (86_683, 300_000, 3)


def test_a_unit_outside_the_uses_has_none(worked):
    mine = statements.unit_statement(worked.units["901"], 2025)

    assert mine["uses"] == []
    assert (mine["refunds_fen"], mine["closing_fen"]) == (REFUND_901, 555_476)


def test_an_owner_gets_the_statements_of_their_own_units_only(worked):
    owner = worked.users["丙"]

    mine = statements.owner_unit_statements(owner, 2025)

    assert [m["unit"]["code"] for m in mine] == [code("103")]
    assert mine[0]["closing_fen"] == UNIT_CLOSING["103"]


def test_the_notice_sets_the_long_tables_as_text_grids(worked):
    context = statement_context(statements.area_statement(worked.area, 2025))

    titles = [t["title"] for t in context["tables"]]
    assert titles[0] == "二、各账户本年发生额"
    assert titles[1] == "三、本年维修资金使用及分摊"
    assert titles[-1] == "四、各户分户账本年情况"
    units = context["tables"][-1]
    assert units["grid"] is not None
    assert context["grid"]
    assert [c["text"] for c in units["totals"]] == [
        "合计（4 户）",
        "30,731.25",
        "500.00",
        "223.45",
        "3,000.00",
        "2,000.00",
        "26,454.70",
    ]


def test_the_long_tables_come_out_on_the_grid_without_falling_back(worked):
    from publications.rendering import render_pdf

    context = statement_context(statements.area_statement(worked.area, 2025))
    pub = {
        "serial": "YQ-2026-000001",
        "title": context["title"],
        "kind_label": "维修资金年度账目公示",
        "period": "2025年度",
        "issued_date": "2026年1月5日",
        "bureau": "埇桥区住房和城乡建设局",
        "header": "甲一小区",
        "verify_url": "https://example.invalid/verify/YQ-2026-000001/",
        "qr": "",
    }

    rendered = render_pdf(template="funds/statement.html", context={**context, "pub": pub})

    assert rendered.grid is True


# --------------------------------------------------------------------------- publishing


def test_a_year_not_over_is_refused_and_the_next_day_it_is_not():
    with pytest.raises(DomainError) as refused:
        check_year(2025, today=date(2025, 12, 31))

    assert refused.value.code == "year_not_over"
    assert check_year(2025, today=date(2026, 1, 1)) == 2025
    for bad in (1997, "2025", True, 10_000):
        with pytest.raises(DomainError):
            check_year(bad, today=NEW_YEAR)


def test_the_current_year_cannot_be_published(worked, personas, verified):
    with pytest.raises(DomainError) as refused:
        publish(worked, personas, verified, year=timezone.localdate().year)

    assert refused.value.code == "year_not_over"
    assert not Publication.objects.exists()


@pytest.mark.usefixtures("publishing")
def test_publishing_a_year_issues_a_signed_notice_anyone_can_verify(worked, personas, verified):
    statement = publish(worked, personas, verified)

    publication = statement.publication
    assert publication.kind == Kind.ANNUAL_STATEMENT
    assert publication.area == worked.area
    assert publication.period == "2025年度"
    assert publication.title == "甲一小区住宅专项维修资金2025年度账目公示"
    with publication.file.open("rb") as handle:
        data = handle.read()
    assert signature_check(data).ok
    assert publication_verify_file(data=data).status == "current"
    assert (statement.year, statement.opening_fen, statement.closing_fen, statement.units) == (
        2025,
        OPENING,
        CLOSING,
        4,
    )
    event = AuditEvent.objects.get(action="fund.statement_publish")
    assert event.summary["serial"] == publication.serial
    assert event.summary["uses_fen"] == 300_000


@pytest.mark.usefixtures("publishing")
def test_the_notice_shows_totals_uses_and_units_by_code_never_owners(worked, personas, verified):
    names = ["欧阳明", "司马青", "诸葛亮", "上官云"]
    for person, name in zip(worked.persons.values(), names, strict=True):
        Person.objects.filter(pk=person.pk).update(name=name)

    text = flat(publish(worked, personas, verified).publication)

    for figure in ("30,731.25", "500.00", "123.45", "100.00", "3,000.00", "2,000.00", "26,454.70"):
        assert figure in text
    # The apportionment of the use, and each unit's closing balance.
    for figure in ("866.83", "968.52", "1,164.65", "6,398.80", "6,586.25", "7,914.89", "5,554.76"):
        assert figure in text
    assert code("103") in text and code("901") in text
    for name in names:
        assert name not in text
    assert "身份证" not in text and "业主姓名" not in text
    assert "第三十条" in text
    assert "尚未导入覆盖年末的专户银行对账单" in text


@pytest.mark.usefixtures("publishing")
def test_the_same_year_twice_is_refused(worked, personas, verified):
    first = publish(worked, personas, verified)

    with pytest.raises(DomainError) as refused:
        publish(worked, personas, verified)

    assert refused.value.code == "already_published"
    assert first.publication.serial in refused.value.message
    assert Publication.objects.count() == 1
    assert AnnualStatement.objects.count() == 1


@pytest.mark.usefixtures("publishing")
def test_a_correction_of_an_unchanged_year_is_refused(worked, personas, verified):
    publish(worked, personas, verified)

    with pytest.raises(DomainError) as refused:
        publish(worked, personas, verified, reason="再发一次")

    assert refused.value.code == "unchanged"
    assert Publication.objects.count() == 1


@pytest.mark.usefixtures("publishing")
def test_a_correction_after_a_late_posting_supersedes_the_old_notice(worked, personas, verified):
    old = publish(worked, personas, verified)
    worked.deposit("102", 1_000, on=date(2025, 12, 20), key="BANK-20251220-LATE")

    new = publish(worked, personas, verified, reason="补记12月20日交存")

    old.publication.refresh_from_db()
    assert old.publication.superseded_by == new.publication
    assert new.supersedes == old
    assert new.closing_fen == CLOSING + 1_000
    assert new.reason == "补记12月20日交存"
    assert statements.area_statement(worked.area, 2025)["totals"]["closing_fen"] == CLOSING + 1_000
    assert "补记12月20日交存" in flat(new.publication)


@pytest.mark.usefixtures("publishing")
def test_only_a_publisher_with_totp_publishes(worked, personas, verified):
    with pytest.raises(PermissionDeniedError):
        publish(worked, personas, verified, actor=personas.committee)
    with pytest.raises(PermissionDeniedError) as refused:
        publish(worked, personas, verified, actor=personas.approver)

    assert refused.value.code == "otp_required"
    assert not Publication.objects.exists()


@pytest.mark.usefixtures("publishing")
def test_a_ledger_whose_sub_ledgers_do_not_add_up_is_not_published(worked, personas, verified):
    # A unit entry slipped in behind the service, without its control entry.
    txn = Transaction.objects.create(
        area=worked.area,
        kind=Transaction.Kind.ADJUSTMENT,
        memo="绕过记账服务",
        value_date=date(2025, 5, 1),
        key="test:tampered",
        digest="0" * 64,
    )
    Entry.objects.create(transaction=txn, account=worked.sub("102"), amount_fen=-100)

    with pytest.raises(DomainError) as refused:
        publish(worked, personas, verified)

    assert refused.value.code == "ledger_inconsistent"
    assert not Publication.objects.exists()
    assert not AnnualStatement.objects.exists()


# --------------------------------------------------------------------------- the command


def totp_code(user) -> str:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def test_the_command_prints_the_year_totals_and_publishes_nothing(worked):
    out = io.StringIO()

    call_command("funds_statement", "--area", "a1", "--year", "2025", stdout=out)

    text = out.getvalue()
    assert "a1 甲一小区 2025: 4 sub-ledgers" in text
    for label, figure in (
        ("opening balance", "30,731.25"),
        ("deposits", "500.00"),
        ("interest", "123.45"),
        ("other returns", "100.00"),
        ("uses (apportioned)", "3,000.00"),
        ("refunds", "2,000.00"),
        ("closing balance", "26,454.70"),
    ):
        assert any(
            line.split() and label in line and line.endswith(figure) for line in text.splitlines()
        )
    assert not Publication.objects.exists()


@pytest.mark.usefixtures("publishing")
def test_the_command_publishes_for_an_approver_with_a_current_totp_code(worked, personas):
    out = io.StringIO()
    code_now = totp_code(personas.approver)

    call_command(
        "funds_statement",
        "--area=a1",
        "--year=2025",
        "--publish",
        f"--actor={personas.approver.username}",
        f"--totp={code_now}",
        stdout=out,
    )

    statement = AnnualStatement.objects.get()
    assert statement.published_by == personas.approver
    assert f"published {statement.publication.serial}" in out.getvalue()


@pytest.mark.usefixtures("publishing")
def test_the_command_refuses_a_wrong_totp_code_or_a_second_publication(worked, personas, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code must not lock the right one out
    right = totp_code(personas.approver)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    with pytest.raises(CommandError, match="--totp"):
        call_command(
            "funds_statement",
            "--area=a1",
            "--year=2025",
            "--publish",
            f"--actor={personas.approver.username}",
            f"--totp={wrong}",
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError, match="--actor"):
        call_command(
            "funds_statement", "--area=a1", "--year=2025", "--publish", stdout=io.StringIO()
        )
    assert not Publication.objects.exists()

    services.statement_publish(area=worked.area, year=2025, actor=None)
    with pytest.raises(CommandError, match="已经公示"):
        call_command(
            "funds_statement",
            "--area=a1",
            "--year=2025",
            "--publish",
            f"--actor={personas.approver.username}",
            f"--totp={right}",
            stdout=io.StringIO(),
        )
    assert Publication.objects.count() == 1


def test_the_command_refuses_an_unknown_area():
    with pytest.raises(CommandError, match="no management area"):
        call_command("funds_statement", "--area=zz", "--year=2025", stdout=io.StringIO())
