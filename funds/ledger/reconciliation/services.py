"""Importing the custody bank's statement of an area's fund account (RULES.md §4 "Publication").

Order 165 art. 30: the fund is reconciled with the account bank. The bureau
(``payment.confirm``, the reviewer who also records the bank's payment
confirmations) uploads the bank's statement as CSV (``funds.ledger.reconciliation.bankcsv``:
format in docs/funds-reconciliation.md). ``bank_statement_check`` parses and
checks it and shows what it would reconcile, writing nothing (the page's
confirmation step); ``bank_statement_import`` stores it, all lines or none,
and records an audit event with the difference found.

Refused, with nothing stored: any bad row (the file's errors with their line
numbers), a statement already imported (the same file by its SHA-256, or the
same parsed lines in other bytes — CRLF line endings, another encoding — for
any area), a statement
of another account than the area's custody account in force, a period in
the future.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import join_list
from estates.models import ManagementArea
from funds.ledger.models import Account, FundProfile
from funds.ledger.selectors import bank_account, profile_of

from . import bankcsv
from . import matching as reconcile
from .models import BankStatement, BankStatementLine
from .selectors import Report, reconcile_lines

ACTION = "payment.confirm"
FILENAME_LIMIT = 200


class BankFileError(DomainError):
    """The file was refused; ``errors`` are its rows' problems (``bankcsv.RowError``)."""

    def __init__(self, errors: tuple[bankcsv.RowError, ...], errors_total: int):
        self.errors = tuple(errors)
        self.errors_total = errors_total
        first = "；".join(str(e) for e in self.errors[:3])
        more = errors_total - min(3, len(self.errors))
        message = _("对账单文件有误，未导入：%(first)s") % {"first": first}
        if more > 0:
            message += _("（另有 %(n)d 处错误）") % {"n": more}
        super().__init__("bad_file", message, fields={"file": message})


@dataclass(frozen=True)
class StatementCheck:
    """A parsed, checked statement not yet stored, and what it would reconcile to."""

    area: ManagementArea
    account: Account
    account_no: str
    filename: str
    data: bytes
    parsed: bankcsv.ParsedStatement
    start: date
    end: date
    report: Report


def _read(file) -> tuple[bytes, str]:
    """The upload's bytes (at most one byte past the limit, so a huge file is not read whole)."""
    if isinstance(file, bytes | bytearray):
        return bytes(file), "statement.csv"
    name = str(getattr(file, "name", "") or "statement.csv").replace("\\", "/").rsplit("/", 1)[-1]
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(bankcsv.MAX_BYTES + 1)
    if isinstance(data, str):
        raise DomainError("bad_file", _("请上传文件本身。"), fields={"file": _("无效。")})
    return data, name[:FILENAME_LIMIT]


def _digits(account_no: str) -> str:
    return "".join(account_no.split()).replace("-", "")


def _duplicate(sha256: str, lines_sha256: str) -> DomainError | None:
    # The same file, or the same lines in other bytes (line endings, encoding).
    existing = (
        BankStatement.objects.filter(Q(sha256=sha256) | Q(lines_sha256=lines_sha256))
        .select_related("area")
        .first()
    )
    if existing is None:
        return None
    message = _(
        "该对账单已于 %(when)s 导入（%(area)s，%(start)s至%(end)s），同一对账单不能重复导入。"
    ) % {
        "when": timezone.localtime(existing.imported_at).strftime("%Y-%m-%d %H:%M"),
        "area": existing.area.name,
        "start": existing.start_date,
        "end": existing.end_date,
    }
    return Conflict("duplicate_file", message, fields={"file": message})


def bank_statement_check(
    *,
    area: ManagementArea,
    file,
    actor,
    period_start: date | None = None,
    period_end: date | None = None,
    today: date | None = None,
) -> StatementCheck:
    """Parse and check a bank statement file for ``area`` and reconcile it, storing nothing."""
    permissions.require(actor, ACTION, area)
    data, filename = _read(file)
    parsed = bankcsv.parse_statement(data)
    if not parsed.ok:
        raise BankFileError(parsed.errors, parsed.errors_total)
    duplicate = _duplicate(parsed.sha256, parsed.lines_sha256)
    if duplicate is not None:
        raise duplicate
    profile = profile_of(area)
    if len(parsed.accounts) > 1:
        message = _("对账单中有多个本方账号（%(nos)s），一个文件只能是一个账户的对账单。") % {
            "nos": join_list(parsed.accounts)
        }
        raise DomainError("several_accounts", message, fields={"file": message})
    if parsed.accounts and _digits(parsed.accounts[0]) != _digits(profile.account_no):
        message = _("对账单的账号 %(no)s 不是本区域现行的维修资金专户（尾号 %(tail)s）。") % {
            "no": parsed.accounts[0],
            "tail": profile.account_no[-4:],
        }
        raise DomainError("wrong_account", message, fields={"file": message})
    start = period_start or parsed.start_date
    end = period_end or parsed.end_date
    if start > parsed.start_date:
        message = _("起始日期不能晚于对账单第一笔交易的日期（%(day)s）。") % {
            "day": parsed.start_date
        }
        raise DomainError("bad_period", message, fields={"period_start": message})
    if end < parsed.end_date:
        message = _("截止日期不能早于对账单最后一笔交易的日期（%(day)s）。") % {
            "day": parsed.end_date
        }
        raise DomainError("bad_period", message, fields={"period_end": message})
    if end > (today or timezone.localdate()):
        message = _("对账单的日期不能晚于今天。")
        raise DomainError("future_period", message, fields={"period_end": message})
    account = bank_account(area)
    report = reconcile_lines(
        account=account,
        lines=[
            reconcile.BankItem(
                id=number,
                value_date=line.value_date,
                amount_fen=line.amount_fen,
                reference=line.reference,
                memo=line.memo,
                counterparty=line.counterparty,
            )
            for number, line in enumerate(parsed.lines, start=1)
        ],
        start=start,
        end=end,
        bank_opening_fen=parsed.opening_balance_fen,
        bank_closing_fen=parsed.closing_balance_fen,
    )
    return StatementCheck(
        area=area,
        account=account,
        account_no=parsed.accounts[0] if parsed.accounts else profile.account_no,
        filename=filename,
        data=data,
        parsed=parsed,
        start=start,
        end=end,
        report=report,
    )


def bank_statement_import(
    *,
    area: ManagementArea,
    file,
    actor,
    period_start: date | None = None,
    period_end: date | None = None,
) -> BankStatement:
    """Store a bank statement of ``area`` (all its lines, or nothing) and audit the import.

    ``file``: the bytes, or an uploaded file. ``period_start``/``period_end``:
    the period the bank's statement covers, if wider than its first and last
    lines (a statement "to 31 December" whose last movement was on the 21st).
    """
    check = bank_statement_check(
        area=area, file=file, actor=actor, period_start=period_start, period_end=period_end
    )
    parsed = check.parsed
    with transaction.atomic():
        # One import of an area at a time (and the duplicate check under that lock).
        FundProfile.objects.select_for_update().filter(area=area).first()
        duplicate = _duplicate(parsed.sha256, parsed.lines_sha256)
        if duplicate is not None:
            raise duplicate
        try:
            with transaction.atomic():
                statement = BankStatement.objects.create(
                    area=area,
                    account=check.account,
                    account_no=check.account_no,
                    sha256=parsed.sha256,
                    lines_sha256=parsed.lines_sha256,
                    filename=check.filename,
                    encoding=parsed.encoding,
                    size=len(check.data),
                    start_date=check.start,
                    end_date=check.end,
                    opening_balance_fen=parsed.opening_balance_fen,
                    closing_balance_fen=parsed.closing_balance_fen,
                    credits_fen=parsed.credits_fen,
                    debits_fen=parsed.debits_fen,
                    line_count=len(parsed.lines),
                    imported_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            # The same file, imported concurrently (SQLite has no row locks).
            raise _duplicate(parsed.sha256, parsed.lines_sha256) or Conflict(
                "duplicate_file", _("同一文件不能重复导入。")
            ) from None
        _store_lines(statement, parsed.lines)
        _import_audit(statement, check, actor=actor)
    return statement


def _store_lines(statement: BankStatement, lines) -> None:
    """The statement's lines, in the bank's order (one bulk insert)."""
    BankStatementLine.objects.bulk_create(
        [
            BankStatementLine(
                statement=statement,
                seq=seq,
                file_line=line.line,
                value_date=line.value_date,
                amount_fen=line.amount_fen,
                balance_fen=line.balance_fen,
                reference=line.reference,
                counterparty=line.counterparty,
                memo=line.memo,
            )
            for seq, line in enumerate(lines, start=1)
        ],
        batch_size=2000,
    )


def _import_audit(statement: BankStatement, check, *, actor) -> None:
    """The audit event of an import, with the difference report's counts."""
    parsed, report, area = check.parsed, check.report, statement.area
    audit_record(
        actor=actor,
        action="fund.bank_statement_import",
        obj=statement,
        after={"sha256": parsed.sha256, "lines": len(parsed.lines)},
        summary={
            "area": area.code,
            "filename": check.filename,
            "start": check.start.isoformat(),
            "end": check.end.isoformat(),
            "lines": len(parsed.lines),
            "closing_balance_fen": parsed.closing_balance_fen,
            "matched": len(report.result.matched),
            "bank_only": len(report.result.bank_only),
            "ledger_only": len(report.result.ledger_only),
            "difference_fen": report.closing_difference_fen,
        },
    )
