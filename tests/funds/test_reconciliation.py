"""Reconciliation with the custody bank (RULES.md §4 "Publication", Order 165 art. 30): the
matcher, the import service, the difference report and the pages."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from funds.ledger import figures as statements
from funds.ledger import services
from funds.ledger.reconciliation import matching as reconcile
from funds.ledger.reconciliation import services as reconciliation_services
from funds.ledger.reconciliation.selectors import statement_report
from funds.ledger.reconciliation.services import BankFileError
from funds.models import BankStatement, BankStatementLine, PaymentInstruction, Transaction
from funds.procedure import services as procedure
from tests.parallel import in_threads
from tests.signing import publishing_fixture, signing_dir_fixture  # noqa: F401 - fixtures

from .yearly import CLOSING, OPENING, post_first_deposits, post_worked_year

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "bank-statement-sample.csv"
YEAR_START, YEAR_END = date(2025, 1, 1), date(2025, 12, 31)
HEADER = "交易日期,借方金额,贷方金额,余额,流水号,对方户名,摘要"


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def item(id, day, fen, **kw):
    return reconcile.BankItem(id=id, value_date=day, amount_fen=fen, **kw)


def entry(id, day, fen, **kw):
    return reconcile.LedgerItem(id=id, value_date=day, amount_fen=fen, **kw)


D = date(2025, 3, 10)


# --------------------------------------------------------------------------- the matcher (pure)


def test_a_reference_beats_an_earlier_entry_of_the_same_amount_and_date():
    result = reconcile.match(
        [item(1, D, 500, reference="REF-0002")],
        [entry(10, D, 500, refs=frozenset({"REF-0001"})), entry(11, D, 500, refs={"REF-0002"})],
    )

    (m,) = result.matched
    assert (m.ledger.id, m.method) == (11, "reference")
    assert [e.id for e in result.ledger_only] == [10]


def test_an_instruction_key_inside_the_bank_memo_matches_even_days_apart():
    result = reconcile.match(
        [item(1, D, -300_000, reference="2025031000456", memo="代付 划款指令 ZL-2025-0012")],
        [
            entry(10, D, -300_000),
            entry(11, D - timedelta(days=9), -300_000, keys=frozenset({"ZL-2025-0012"})),
        ],
        tolerance_days=3,
    )

    assert [(m.ledger.id, m.method) for m in result.matched] == [(11, "reference")]


def test_a_key_shorter_than_six_characters_is_not_searched_for_in_the_memo():
    result = reconcile.match(
        [item(1, D + timedelta(days=9), 100, memo="付款 K1234")],
        [entry(10, D, 100, keys=frozenset({"K1234"}))],
    )

    assert not result.matched


def test_the_same_amount_on_the_same_date_is_preferred_to_a_nearer_pk():
    result = reconcile.match(
        [item(1, D, 100)],
        [entry(5, D - timedelta(days=1), 100), entry(9, D, 100)],
    )

    assert [(m.ledger.id, m.method) for m in result.matched] == [(9, "date")]


@pytest.mark.parametrize(("days", "matched"), [(3, True), (-3, True), (4, False), (-4, False)])
def test_a_near_date_matches_within_three_days_and_not_beyond(days, matched):
    result = reconcile.match(
        [item(1, D, 100)], [entry(10, D + timedelta(days=days), 100)], tolerance_days=3
    )

    assert bool(result.matched) is matched
    if matched:
        assert (result.matched[0].method, result.matched[0].days) == ("near_date", days)


def test_amounts_must_be_equal_to_the_fen():
    result = reconcile.match([item(1, D, 100, reference="R")], [entry(10, D, 101, refs={"R"})])

    assert not result.matched
    assert len(result.bank_only) == 1 and len(result.ledger_only) == 1


def test_ledger_entries_outside_the_period_are_not_reported_missing():
    result = reconcile.match(
        [],
        [entry(1, D - timedelta(days=1), 5), entry(2, D, 5), entry(3, D + timedelta(days=1), 5)],
        ledger_period=(D, D),
    )

    assert [e.id for e in result.ledger_only] == [2]


def test_the_match_does_not_depend_on_the_order_of_the_ledger():
    bank = [item(i, D + timedelta(days=i % 5), 100 * (i % 3 + 1)) for i in range(12)]
    ledger = [entry(i, D + timedelta(days=(i * 7) % 6), 100 * (i % 3 + 1)) for i in range(12)]
    shuffled = ledger[:]
    random.Random(4).shuffle(shuffled)

    assert reconcile.match(bank, ledger) == reconcile.match(bank, shuffled)


@given(
    bank=st.lists(st.tuples(st.integers(0, 30), st.integers(-500, 500).filter(bool)), max_size=25),
    ledger=st.lists(
        st.tuples(st.integers(-5, 35), st.integers(-500, 500).filter(bool)), max_size=25
    ),
    bank_opening=st.integers(0, 10_000),
    ledger_opening=st.integers(0, 10_000),
)
def test_the_items_found_always_explain_the_closing_difference(
    bank, ledger, bank_opening, ledger_opening
):
    start, end = D, D + timedelta(days=30)
    bank_items = [item(i, start + timedelta(days=d), fen) for i, (d, fen) in enumerate(bank)]
    ledger_items = [entry(i, start + timedelta(days=d), fen) for i, (d, fen) in enumerate(ledger)]
    # The ledger's balance at the start is its opening plus what it dated before the period.
    before = sum(e.amount_fen for e in ledger_items if e.value_date < start)
    within = sum(e.amount_fen for e in ledger_items if start <= e.value_date <= end)
    bank_closing = bank_opening + sum(b.amount_fen for b in bank_items)
    ledger_open_at_start = ledger_opening + before
    ledger_closing = ledger_open_at_start + within

    result = reconcile.match(bank_items, ledger_items, ledger_period=(start, end))

    assert bank_closing - ledger_closing == result.explain(
        opening_difference_fen=bank_opening - ledger_open_at_start, start=start, end=end
    )


# --------------------------------------------------------------------------- import and report


@pytest.fixture
def worked(fund):
    post_worked_year(fund)
    return fund


def import_sample(fund, actor, **kw):
    values = {"period_start": YEAR_START, "period_end": YEAR_END, **kw}
    return reconciliation_services.bank_statement_import(
        area=fund.area, file=SAMPLE.read_bytes(), actor=actor, **values
    )


def test_the_sample_reconciles_with_the_worked_year_to_the_fen(worked, personas):
    # In the ledger, not (yet) in the bank: a deposit recorded on 28 December.
    worked.deposit("103", 20_000, on=date(2025, 12, 28), key="BANK-20251228-0009")

    statement = import_sample(worked, personas.reviewer)
    report = statement_report(statement)

    methods = [(m.bank.amount_fen, m.method, m.days) for m in report.result.matched]
    assert methods == [
        (50_000, "reference", 0),  # the deposit's key is the bank's reference
        (12_345, "date", 0),
        (-300_000, "near_date", -1),  # recorded 1 September, booked by the bank on the 2nd
        (10_000, "date", 0),
        (-200_000, "date", 0),
    ]
    (fee,) = report.result.bank_only
    assert (fee.value_date, fee.amount_fen, fee.reference) == (
        date(2025, 12, 21),
        -500,
        "2025122100001",
    )
    (missing,) = report.ledger_only
    assert (missing.value_date, missing.amount_fen, missing.key) == (
        date(2025, 12, 28),
        20_000,
        "BANK-20251228-0009",
    )
    assert (report.bank_opening_fen, report.ledger_opening_fen) == (OPENING, OPENING)
    assert (report.bank_closing_fen, report.ledger_closing_fen) == (2_644_970, CLOSING + 20_000)
    assert report.closing_difference_fen == -20_500 == -500 - 20_000
    assert report.explained and not report.reconciled


def test_an_import_stores_every_line_and_is_audited(worked, personas):
    statement = import_sample(worked, personas.reviewer)

    assert (statement.start_date, statement.end_date) == (YEAR_START, YEAR_END)
    assert (statement.opening_balance_fen, statement.closing_balance_fen) == (OPENING, 2_644_970)
    assert (statement.credits_fen, statement.debits_fen, statement.line_count) == (
        72_345,
        500_500,
        6,
    )
    assert statement.account == worked.bank
    assert statement.account_no == "1317000000000000001"
    assert statement.imported_by == personas.reviewer
    lines = list(statement.lines.order_by("seq"))
    assert [(x.seq, x.file_line, x.amount_fen) for x in lines][:2] == [
        (1, 4, 50_000),
        (2, 5, 12_345),
    ]
    event = AuditEvent.objects.get(action="fund.bank_statement_import")
    assert event.summary["matched"] == 5
    assert event.summary["bank_only"] == 1
    assert event.summary["ledger_only"] == 0
    assert event.summary["difference_fen"] == -500


def test_the_same_file_twice_is_refused(worked, personas, district):
    import_sample(worked, personas.reviewer)

    with pytest.raises(DomainError) as refused:
        import_sample(worked, personas.reviewer)

    assert refused.value.code == "duplicate_file"
    assert BankStatement.objects.count() == 1
    assert BankStatementLine.objects.count() == 6


@pytest.mark.parametrize(
    "other_bytes",
    [
        pytest.param(lambda b: b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="bom"),
        pytest.param(lambda b: b.decode("utf-8").encode("gb18030"), id="gb18030"),
    ],
)
def test_the_same_statement_in_other_bytes_is_a_duplicate(worked, personas, other_bytes):
    """Compared by its parsed lines, not its bytes: other line endings are the same statement."""
    first = import_sample(worked, personas.reviewer)
    data = other_bytes(SAMPLE.read_bytes())
    assert data != SAMPLE.read_bytes()

    with pytest.raises(DomainError) as refused:
        reconciliation_services.bank_statement_import(
            area=worked.area,
            file=data,
            actor=personas.reviewer,
            period_start=YEAR_START,
            period_end=YEAR_END,
        )

    assert refused.value.code == "duplicate_file"
    assert list(BankStatement.objects.values_list("pk", flat=True)) == [first.pk]
    assert BankStatementLine.objects.count() == 6


def test_a_statement_differing_by_one_fen_in_one_line_is_not_a_duplicate(worked, personas):
    from funds.ledger.reconciliation import bankcsv

    original = bankcsv.parse_statement(SAMPLE.read_bytes())
    lines = [
        (x.value_date, x.amount_fen, x.balance_fen, x.reference, x.counterparty, x.memo)
        for x in original.lines
    ]
    assert bankcsv.lines_digest(lines) == original.lines_sha256
    changed = [lines[0][:2] + (lines[0][2] + 1,) + lines[0][3:], *lines[1:]]
    assert bankcsv.lines_digest(changed) != original.lines_sha256


def test_a_bad_file_changes_nothing(worked, personas):
    data = csv_bytes(
        "2025-02-15,,500.00,31231.25,R1,王某,",
        "2025-02-16,,500.001,31731.25,R2,王某,",
        "2025-02-17,x,,31731.25,R3,王某,",
    )

    with pytest.raises(BankFileError) as refused:
        reconciliation_services.bank_statement_import(
            area=worked.area, file=data, actor=personas.reviewer
        )

    assert [e.line for e in refused.value.errors] == [3, 4]
    assert refused.value.errors_total == 2
    assert "第 3 行" in refused.value.message
    assert not BankStatement.objects.exists()
    assert not BankStatementLine.objects.exists()
    assert not AuditEvent.objects.filter(action="fund.bank_statement_import").exists()


def test_a_statement_of_another_account_is_refused(worked, personas):
    data = SAMPLE.read_bytes().replace(b"1317000000000000001", b"6222000000000000009")

    with pytest.raises(DomainError) as refused:
        reconciliation_services.bank_statement_import(
            area=worked.area, file=data, actor=personas.reviewer
        )

    assert refused.value.code == "wrong_account"
    assert not BankStatement.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("period_start", date(2025, 2, 16), "bad_period"),  # after the first line (15 Feb)
        ("period_end", date(2025, 12, 20), "bad_period"),  # before the last line (21 Dec)
        ("period_end", date(2999, 1, 1), "future_period"),
    ],
)
def test_a_period_that_does_not_cover_the_lines_is_refused(worked, personas, field, value, code):
    with pytest.raises(DomainError) as refused:
        import_sample(worked, personas.reviewer, **{field: value})

    assert refused.value.code == code
    assert field in refused.value.fields


def test_the_period_may_be_exactly_the_first_and_last_days(worked, personas):
    statement = import_sample(
        worked, personas.reviewer, period_start=date(2025, 2, 15), period_end=date(2025, 12, 21)
    )

    assert (statement.start_date, statement.end_date) == (date(2025, 2, 15), date(2025, 12, 21))


def test_only_the_bureau_reviewer_imports(worked, personas):
    for actor in (personas.committee, personas.approver, personas.street_officer):
        with pytest.raises(PermissionDeniedError):
            import_sample(worked, actor)

    assert not BankStatement.objects.exists()


def test_an_entry_posted_after_the_import_shows_as_matched_next_time(fund, personas):
    post_first_deposits(fund)
    data = csv_bytes(
        "2025-03-01,,300.00,31031.25,BANK-20250301-0002,乙,交存",
        "2025-03-05,,200.00,31231.25,BANK-20250305-0003,甲,交存",
    )
    fund.deposit("101", 20_000, on=date(2025, 3, 5), key="BANK-20250305-0003")
    statement = reconciliation_services.bank_statement_import(
        area=fund.area, file=data, actor=personas.reviewer
    )
    before = statement_report(statement)
    assert [b.reference for b in before.result.bank_only] == ["BANK-20250301-0002"]
    assert before.closing_difference_fen == 30_000

    fund.deposit("102", 30_000, on=date(2025, 3, 1), key="BANK-20250301-0002")
    after = statement_report(statement)

    assert [m.method for m in after.result.matched] == ["reference", "reference"]
    assert after.reconciled and after.closing_difference_fen == 0


def test_a_confirmed_payment_matches_by_its_instruction_key_in_the_bank_memo(fund, personas):
    post_first_deposits(fund)
    fund_use = procedure.fund_use_open(
        area=fund.area,
        source="application",
        source_key="test:recon:1",
        title="1栋屋面防水",
        budget_fen=500_000,
        actor=None,
    )
    txn = services.transaction_post(
        kind=Transaction.Kind.PAYMENT,
        lines=[(fund.account("works"), 120_000), (fund.bank, -120_000)],
        memo="划款：1栋屋面防水（ZL-2025-0012）",
        key=f"fund-use:{fund_use.pk}:payment:1",
        actor=None,
        value_date=date(2025, 4, 1),
    )
    PaymentInstruction.objects.create(
        fund_use=fund_use,
        key="ZL-2025-0012",
        digest="0" * 64,
        amount_fen=120_000,
        payee_name="宿州市某防水工程有限公司",
        payee_bank="中国建设银行宿州分行",
        payee_account="6217000000000000001",
        status=PaymentInstruction.Status.CONFIRMED,
        instructed_by=personas.approver,
        bank_reference="CCB-1",
        paid_on=date(2025, 4, 1),
        transaction=txn,
    )
    # The bank executed it a week later and quotes our instruction key in its memo.
    data = csv_bytes(
        "2025-04-08,1200.00,,29531.25,2025040800077,宿州市某防水工程有限公司,ZL-2025-0012"
    )

    statement = reconciliation_services.bank_statement_import(
        area=fund.area, file=data, actor=personas.reviewer, period_start=date(2025, 4, 1)
    )
    report = statement_report(statement)

    (m,) = report.result.matched
    assert (m.method, m.days, m.ledger.id) == (
        "reference",
        -7,
        txn.entries.get(account=fund.bank).pk,
    )
    assert report.reconciled


def test_the_annual_statement_cites_the_bank_balance_at_the_year_end(worked, personas):
    import_sample(worked, personas.reviewer)

    bank = statements.area_statement(worked.area, 2025)["bank"]

    assert (bank["day"], bank["bank_fen"], bank["ledger_fen"], bank["difference_fen"]) == (
        YEAR_END,
        2_644_970,
        CLOSING,
        -500,
    )


def test_a_statement_ending_before_the_year_end_is_not_cited(worked, personas):
    import_sample(worked, personas.reviewer, period_end=date(2025, 12, 30))

    assert statements.area_statement(worked.area, 2025)["bank"] is None


# --------------------------------------------------------------------------- pages


@pytest.fixture
def reviewer_client(client, personas):
    client.force_login(personas.reviewer)
    return client


def test_the_upload_shows_the_report_and_stores_nothing_until_confirmed(worked, reviewer_client):
    url = reverse("funds_reconciliation:upload", args=[worked.area.code])
    upload = SimpleUploadedFile("对账单2025.csv", SAMPLE.read_bytes(), content_type="text/csv")

    response = reviewer_client.post(
        url, {"file": upload, "period_start": "2025-01-01", "period_end": "2025-12-31"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "确认导入" in page
    assert "账户管理费" in page  # the bank-only line
    assert "-5.00" in page
    assert not BankStatement.objects.exists()

    token = response.context["token"]
    confirmed = reviewer_client.post(
        reverse("funds_reconciliation:confirm", args=[worked.area.code]), {"token": token}
    )

    statement = BankStatement.objects.get()
    assert confirmed.status_code == 302
    assert confirmed.url == reverse(
        "funds_reconciliation:detail", args=[worked.area.code, statement.pk]
    )
    assert statement.filename == "对账单2025.csv"
    assert (statement.start_date, statement.end_date) == (YEAR_START, YEAR_END)
    again = reviewer_client.post(
        reverse("funds_reconciliation:confirm", args=[worked.area.code]), {"token": token}
    )
    assert again.status_code == 302
    assert BankStatement.objects.count() == 1


def test_a_bad_upload_lists_its_row_errors_and_stores_nothing(worked, reviewer_client):
    data = csv_bytes("2025-02-15,,500.00,31231.25,R1,王某,", "2025-02-31,,1.00,31232.25,R2,王某,")

    response = reviewer_client.post(
        reverse("funds_reconciliation:upload", args=[worked.area.code]),
        {"file": SimpleUploadedFile("bad.csv", data)},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "第 3 行" in page and "不存在" in page
    assert not BankStatement.objects.exists()


def test_a_tampered_token_is_refused(worked, reviewer_client):
    response = reviewer_client.post(
        reverse("funds_reconciliation:confirm", args=[worked.area.code]), {"token": "x:y:z"}
    )

    assert response.status_code == 302
    assert not BankStatement.objects.exists()


def test_the_report_page_is_for_the_area_in_scope_only(worked, personas, client):
    statement = import_sample(worked, personas.reviewer)
    url = reverse("funds_reconciliation:detail", args=[worked.area.code, statement.pk])

    client.force_login(personas.committee)  # a1's committee
    page = client.get(url)
    assert page.status_code == 200
    assert "-5.00" in page.content.decode()

    client.force_login(personas.other_committee)  # b1's
    assert client.get(url).status_code == 404
    client.force_login(personas.owner)
    assert client.get(url).status_code == 403


def test_the_committee_reads_but_cannot_upload(worked, personas, client):
    client.force_login(personas.committee)

    area_page = client.get(reverse("funds_reconciliation:area", args=[worked.area.code]))
    upload = client.post(
        reverse("funds_reconciliation:upload", args=[worked.area.code]),
        {"file": SimpleUploadedFile("s.csv", SAMPLE.read_bytes())},
    )

    assert area_page.status_code == 200
    assert "上传并核对" not in area_page.content.decode()
    assert upload.status_code == 403
    assert not BankStatement.objects.exists()


def test_the_index_lists_the_areas_in_scope_with_their_latest_statement(worked, personas, client):
    statement = import_sample(worked, personas.reviewer)
    url = reverse("funds_reconciliation:index")

    client.force_login(personas.committee)
    page = client.get(url).content.decode()
    assert "甲一小区" in page and "乙一小区" not in page
    assert reverse("funds_reconciliation:detail", args=["a1", statement.pk]) in page

    client.force_login(personas.owner)
    assert client.get(url).status_code == 403


def test_an_approver_without_totp_is_sent_to_pass_it_and_nothing_is_published(
    worked, personas, client
):
    client.force_login(personas.approver)

    response = client.post(reverse("funds_reconciliation:annual", args=["a1", 2025]))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/otp/")
    assert statements_current(worked) is None


@pytest.mark.usefixtures("publishing")
def test_the_annual_page_shows_the_year_and_the_approver_publishes_it(
    worked, personas, client, login_with_totp
):
    url = reverse("funds_reconciliation:annual", args=[worked.area.code, 2025])
    client.force_login(personas.committee)
    page = client.get(url)
    assert page.status_code == 200
    assert "26,454.70" in page.content.decode()
    assert client.post(url).status_code == 403

    login_with_totp(client, personas.approver)
    published = client.post(url)

    assert published.status_code == 302
    statement = statements_current(worked)
    assert statement.publication.serial in client.get(url).content.decode()


def statements_current(fund):
    from funds.ledger.services.statements import current_statement

    return current_statement(fund.area, 2025)


# --------------------------------------------------------------------------- concurrency


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_file_imported_twice_at_once_is_stored_once(fund, personas):
    post_first_deposits(fund)

    def work():
        return import_sample(fund, personas.reviewer)

    results = in_threads([work, work])

    assert sorted(str(type(r).__name__) if not isinstance(r, str) else r for r in results) == [
        "BankStatement",
        "duplicate_file",
    ], results
    assert BankStatement.objects.count() == 1
    assert BankStatementLine.objects.count() == 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("publishing")
def test_a_year_published_twice_at_once_is_published_once(fund):
    from funds.models import AnnualStatement
    from publications.models import Publication

    post_worked_year(fund)

    def work():
        return services.statement_publish(area=fund.area, year=2025, actor=None)

    results = in_threads([work, work])

    assert sorted(r if isinstance(r, str) else type(r).__name__ for r in results) == [
        "AnnualStatement",
        "already_published",
    ], results
    assert AnnualStatement.objects.count() == 1
    assert Publication.objects.count() == 1
