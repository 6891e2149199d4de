"""The database connection dropped in the middle of a transaction (issue #9 item 3).

A ballot, a bank confirmation and a register import are each cut off after
they have written their rows and before they commit (``tests.faults.dbfault``:
an injected driver error everywhere, a real ``pg_terminate_backend`` on
PostgreSQL). Each test shows three things: the caller gets the database
error, nothing of the call is left (its rows, the chain heads, the audit
events), and the same call made again — with the same idempotency key where
it takes one — does its work exactly once. The ballot and the confirmation
are also run to their commit and then lose the connection before the reply
(the caller cannot tell whether it committed): the retry with the same key
finds the work done and does not do it twice.
"""

from __future__ import annotations

import logging

import pytest
from django.utils import timezone

from audit.models import AuditEvent, AuditHead
from estates import jobs, tasks
from estates.crypto import id_hmac
from estates.models import Building, ImportJob, Ownership, Person, Unit
from estates.services.importing import register_import
from funds.ledger import selectors
from funds.models import Entry, FundApplication, PaymentInstruction, Transaction
from funds.procedure import services
from tests.factories import make_ric
from tests.funds.app_helpers import PAYABLE, approved
from tests.voting.conftest import ALL_APPROVE, close
from voting import services as voting
from voting.board_store import board_build
from voting.models import Assembly, Ballot
from voting.verifier import verify_board

from .dbfault import (
    DB_ERRORS,
    FAULTS,
    audit_chain_ok,
    cut_at_audit,
    funds_check_ok,
    lose_reply_after_commit,
)

pytestmark = pytest.mark.django_db(transaction=True)
parametrize_fault = pytest.mark.parametrize("fault", FAULTS, indirect=True)

# Line 2 of the sample: 1栋,1单元,101, one owner 吕斌建.
LINE2_ID = "341302196301034446"
CRASH_MESSAGE = "导入时发生内部错误，未写入任何数据。请稍后重试；如仍失败，请联系系统管理员。"


def audit_state() -> tuple[int, str]:
    head = AuditHead.objects.filter(pk=1).values_list("count", "last_hash").first()
    assert AuditEvent.objects.count() == (head[0] if head else 0)
    return head


# --------------------------------------------------------------------------- (a) a ballot


@parametrize_fault
def test_a_ballot_cut_off_before_its_commit_leaves_nothing_and_the_retry_counts_it_once(
    fault, assembly, register, monkeypatch
):
    voter = register.user("甲")
    chain = Assembly.objects.values_list("ballots_cast", "chain_head").get(pk=assembly.pk)
    audit_before = audit_state()
    cut = cut_at_audit(
        monkeypatch,
        fault,
        "ballot.online",
        probe=lambda: (
            Ballot.objects.filter(assembly=assembly).count(),
            Assembly.objects.values_list("ballots_cast", flat=True).get(pk=assembly.pk),
        ),
    )

    with pytest.raises(DB_ERRORS) as caught:
        voting.ballot_cast(
            assembly=assembly, choices=ALL_APPROVE, actor=voter, idempotency_key="tap-1"
        )
    fault.recover()
    assert fault.caused(caught.value)

    # The ballot and the new chain head were written when the connection went …
    assert cut.struck and cut.seen == (1, 1)
    # … and none of it is there now.
    assert not Ballot.objects.filter(assembly=assembly).exists()
    assert Assembly.objects.values_list("ballots_cast", "chain_head").get(pk=assembly.pk) == chain
    assert audit_state() == audit_before
    audit_chain_ok()

    ballot = voting.ballot_cast(
        assembly=assembly, choices=ALL_APPROVE, actor=voter, idempotency_key="tap-1"
    )
    again = voting.ballot_cast(
        assembly=assembly, choices=ALL_APPROVE, actor=voter, idempotency_key="tap-1"
    )

    assert again.pk == ballot.pk
    assert (ballot.seq, ballot.prev) == (1, chain[1])
    assert Ballot.objects.filter(assembly=assembly).count() == 1
    assert AuditEvent.objects.filter(action="ballot.online").count() == 1
    # The chain goes on from the retried ballot without a gap, and anyone can recount it.
    voting.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user("乙"))
    close(assembly)
    board = board_build(assembly)
    assert [b["seq"] for b in board["ballots"]] == [1, 2]
    assert verify_board(board).valid
    audit_chain_ok()


@parametrize_fault
def test_a_ballot_whose_commit_reply_was_lost_is_not_cast_twice_by_the_retry(
    fault, assembly, register, monkeypatch
):
    voter = register.user("甲")
    cut = lose_reply_after_commit(monkeypatch, fault, "ballot.online")

    with pytest.raises(DB_ERRORS) as caught:
        voting.ballot_cast(
            assembly=assembly, choices=ALL_APPROVE, actor=voter, idempotency_key="tap-1"
        )
    fault.recover()
    assert cut.struck and fault.caused(caught.value)
    committed = Ballot.objects.get(assembly=assembly)

    retried = voting.ballot_cast(
        assembly=assembly, choices=ALL_APPROVE, actor=voter, idempotency_key="tap-1"
    )

    assert retried.pk == committed.pk
    assert Ballot.objects.filter(assembly=assembly).count() == 1
    assert Assembly.objects.values_list("ballots_cast", flat=True).get(pk=assembly.pk) == 1
    assert AuditEvent.objects.filter(action="ballot.online").count() == 1


# --------------------------------------------------------------------------- (b) a payment


def instruct(application, approver) -> PaymentInstruction:
    return services.payment_instruct(
        fund_use=application.fund_use,
        amount_fen=PAYABLE,  # the approved amount less the 5 % 质保金
        payee_name="宿州某防水工程有限公司",
        payee_bank="中国建设银行宿州分行",
        payee_account="6217000000000000001",
        key="PAY-1",
        actor=approver,
    )


@parametrize_fault
def test_a_bank_confirmation_cut_off_before_its_commit_posts_nothing_and_the_retry_posts_once(
    fault, estate, personas, verified, monkeypatch
):
    application = approved(estate, personas, verified)
    instruction = instruct(application, verified(personas.approver))
    bank = selectors.bank_account(estate.area)
    bank_before = selectors.balance(bank)
    audit_before = audit_state()
    payments = Transaction.objects.filter(kind=Transaction.Kind.PAYMENT)
    # The application's move to "paid" is the last write of a confirmation.
    cut = cut_at_audit(
        monkeypatch,
        fault,
        "fund_application.paid",
        probe=lambda: (
            payments.count(),
            Entry.objects.filter(transaction__in=payments).count(),
            PaymentInstruction.objects.get(pk=instruction.pk).status,
        ),
    )
    confirm = {
        "instruction": instruction,
        "bank_reference": "ICBC20260101001",
        "paid_on": timezone.localdate(),
        "actor": personas.reviewer,
    }

    with pytest.raises(DB_ERRORS) as caught:
        services.payment_confirm(**confirm)
    fault.recover()
    assert fault.caused(caught.value)

    assert cut.seen == (1, 2, "confirmed")
    assert cut.actions_before[-2:] == ["fund.payment", "payment.confirm"]
    assert not payments.exists()
    assert not Entry.objects.filter(account=bank, amount_fen__lt=0).exists()
    stored = PaymentInstruction.objects.get(pk=instruction.pk)
    assert (stored.status, stored.transaction_id, stored.bank_reference) == ("instructed", None, "")
    assert FundApplication.objects.get(pk=application.pk).status == FundApplication.Status.APPROVED
    assert selectors.balance(bank) == bank_before
    assert audit_state() == audit_before
    funds_check_ok()
    audit_chain_ok()

    confirmed = services.payment_confirm(**confirm)
    again = services.payment_confirm(**confirm)

    assert again.pk == confirmed.pk and confirmed.status == "confirmed"
    assert payments.count() == 1
    assert AuditEvent.objects.filter(action="fund.payment").count() == 1
    assert selectors.balance(bank) == bank_before - PAYABLE
    assert FundApplication.objects.get(pk=application.pk).status == FundApplication.Status.PAID
    assert funds_check_ok().startswith("OK:")
    audit_chain_ok()


@parametrize_fault
def test_a_bank_confirmation_whose_commit_reply_was_lost_is_not_posted_twice_by_the_retry(
    fault, estate, personas, verified, monkeypatch
):
    application = approved(estate, personas, verified)
    instruction = instruct(application, verified(personas.approver))
    bank = selectors.bank_account(estate.area)
    bank_before = selectors.balance(bank)
    cut = lose_reply_after_commit(monkeypatch, fault, "payment.confirm")
    confirm = {
        "instruction": instruction,
        "bank_reference": "ICBC20260101001",
        "paid_on": timezone.localdate(),
        "actor": personas.reviewer,
    }

    with pytest.raises(DB_ERRORS) as caught:
        services.payment_confirm(**confirm)
    fault.recover()
    assert cut.struck and fault.caused(caught.value)

    retried = services.payment_confirm(**confirm)

    assert retried.status == "confirmed"
    assert Transaction.objects.filter(kind=Transaction.Kind.PAYMENT).count() == 1
    assert selectors.balance(bank) == bank_before - PAYABLE
    funds_check_ok()


# --------------------------------------------------------------------------- (c) an import


def register_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Building, Unit, Person, Ownership)}


@parametrize_fault
def test_an_import_cut_off_before_its_commit_leaves_no_register_rows_and_the_retry_imports_once(
    fault, district, personas, sample, monkeypatch
):
    audit_before = audit_state()
    cut = cut_at_audit(monkeypatch, fault, "register.import", probe=register_counts)
    kwargs = {
        "area": district.a1,
        "data": sample,
        "filename": "台账.csv",
        "actor": personas.reviewer,
    }

    with pytest.raises(DB_ERRORS) as caught:
        register_import(**kwargs)
    fault.recover()
    assert fault.caused(caught.value)

    assert cut.seen == {"Building": 2, "Unit": 48, "Person": 60, "Ownership": 65}
    assert register_counts() == {"Building": 0, "Unit": 0, "Person": 0, "Ownership": 0}
    assert audit_state() == audit_before

    report = register_import(**kwargs)
    again = register_import(**kwargs)

    assert report.ok and report.counts.units_created == 48
    assert again.ok and not again.counts.changed
    assert register_counts() == cut.seen
    assert AuditEvent.objects.filter(action="register.import").count() == 1
    audit_chain_ok()


@parametrize_fault
def test_a_sale_cut_off_before_its_commit_leaves_the_old_owner_in_place(
    fault, district, personas, sample, monkeypatch
):
    register_import(area=district.a1, data=sample, filename="台账.csv", actor=personas.reviewer)
    seller = Person.objects.get(id_hmac=id_hmac(LINE2_ID))
    buyer_id = make_ric(901, "19900101")
    data = _edited(sample, 2, 业主姓名="买受人", 身份证号=buyer_id, 手机号="13900000901")
    owners = Ownership.objects.filter(unit__area=district.a1, unit__code="1栋-1单元-101")
    audit_before = audit_state()
    cut = cut_at_audit(
        monkeypatch,
        fault,
        "register.sale",
        probe=lambda: (owners.filter(until__isnull=False).count(), owners.count()),
    )

    with pytest.raises(DB_ERRORS) as caught:
        register_import(area=district.a1, data=data, filename="台账.csv", actor=personas.reviewer)
    fault.recover()
    assert fault.caused(caught.value)

    # The seller's ownership was closed and the buyer's opened when the connection went.
    assert cut.seen == (1, 2)
    assert list(owners.values_list("person_id", "until")) == [(seller.pk, None)]
    assert not Person.objects.filter(id_hmac=id_hmac(buyer_id)).exists()
    assert audit_state() == audit_before

    report = register_import(
        area=district.a1, data=data, filename="台账.csv", actor=personas.reviewer
    )
    again = register_import(
        area=district.a1, data=data, filename="台账.csv", actor=personas.reviewer
    )

    assert (report.counts.sales, again.counts.sales) == (1, 0)
    assert owners.filter(until__isnull=True).get().person.id_hmac == id_hmac(buyer_id)
    assert AuditEvent.objects.filter(action="register.sale").count() == 1
    audit_chain_ok()


@parametrize_fault
def test_an_import_job_whose_connection_drops_fails_with_a_plain_message_and_a_new_upload_runs(
    fault, district, personas, sample, monkeypatch, caplog
):
    cut = cut_at_audit(monkeypatch, fault, "register.import", probe=register_counts)
    with caplog.at_level(logging.ERROR, logger="gongzhi.estates.import"):
        job = jobs.import_job_create(
            area=district.a1,
            data=sample,
            filename="台账.csv",
            dry_run=False,
            actor=personas.reviewer,
        )
    # Committed: the task ran on commit (Celery is eager) and lost its connection mid-import.
    fault.recover()
    logged = [r.exc_info[1] for r in caplog.records if r.exc_info]
    assert len(logged) == 1 and fault.caused(logged[0])

    job.refresh_from_db()
    assert cut.seen["Unit"] == 48
    assert (job.status, job.message, job.report) == ("failed", CRASH_MESSAGE, None)
    assert register_counts() == {"Building": 0, "Unit": 0, "Person": 0, "Ownership": 0}
    # The task delivered again finds the job finished and leaves it so.
    assert tasks.register_import_job.delay(job.pk).get() is None

    second = jobs.import_job_create(
        area=district.a1, data=sample, filename="台账.csv", dry_run=False, actor=personas.reviewer
    )

    second.refresh_from_db()
    assert second.status == "done"
    assert ImportJob.objects.get(pk=job.pk).status == "failed"
    assert register_counts() == cut.seen
    audit_chain_ok()


def _edited(sample: bytes, line: int, **cells: str) -> bytes:
    """The sample with the cells of file line ``line`` (header = line 1) replaced."""
    import csv
    import io

    reader = csv.reader(io.StringIO(sample.decode("utf-8-sig")))
    header = next(reader)
    rows = [dict(zip(header, values, strict=True)) for values in reader]
    rows[line - 2].update(cells)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[row[name] for name in header] for row in rows])
    return out.getvalue().encode()
