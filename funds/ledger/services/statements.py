"""Publishing an area's annual fund statement as a signed notice (RULES.md §4 "Publication", §7).

Order 165 art. 30 and programme task 3: at least once a year per area, the
fund's totals (deposits, interest and other returns, uses, refunds, balance),
each use with its apportionment and each unit's sub-ledger figures are
published. The figures come from the ledger only (``funds.ledger.figures``);
the notice is kind ``annual_statement`` (维修资金年度账目公示), which
``publications.models.Kind`` already has.

- Only a year that is over is published: its figures can no longer change
  by a posting dated inside it, short of a correction.
- A year is published once. Publishing it again is a correction (RULES.md
  §7): it needs a reason, it is refused when nothing changed since the
  current notice, and the new notice supersedes the old one, which stays
  public and is marked superseded.
- Refused, too, when the sub-ledgers do not add up to the area's fund
  account (Order 165 art. 10): a statement is not published over a broken ledger.
- The unit table shows unit codes and figures only, never an owner's name
  or ID number: a notice is public and kept for ever.
"""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from core.text import clean_text
from estates.models import ManagementArea
from funds.ledger.figures import CATEGORIES, area_statement
from funds.ledger.models import AnnualStatement, FundProfile
from funds.ledger.statement_layout import statement_context
from publications.models import Kind
from publications.services import issued_file_guard, publication_issue

TEMPLATE = "funds/statement.html"
REASON_LIMIT = 500
FIRST_YEAR = 1998  # Order 165's predecessor rules; no fund statement is older
ACTION = "publication.issue"


def period_label(year: int) -> str:
    return f"{year}年度"


def statement_digest(data: dict) -> str:
    """SHA-256 of the statement's data: the same ledger gives the same digest."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def check_year(year, *, today=None) -> int:
    """``year`` if it is a whole number of a year that is over (Asia/Shanghai), else DomainError."""
    today = today or timezone.localdate()
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= 9999:
        message = _("年度无效。")
        raise DomainError("bad_year", message, fields={"year": message})
    if year >= today.year:
        message = _("%(year)s年尚未结束，年度账目只能在次年公示。") % {"year": year}
        raise Conflict("year_not_over", message, fields={"year": message})
    return year


def current_statement(area: ManagementArea, year: int) -> AnnualStatement | None:
    """The statement of ``year`` in force (the newest version of the year's chain)."""
    return (
        AnnualStatement.objects.filter(area=area, year=year, superseded_by__isnull=True)
        .select_related("publication")
        .order_by("-pk")
        .first()
    )


# --------------------------------------------------------------------------- the service


def statement_publish(
    *, area: ManagementArea, year: int, actor, reason: str = "", today=None
) -> AnnualStatement:
    """Publish the annual statement of ``area`` for ``year`` (module docstring).

    ``actor`` None is the system; a user needs ``publication.issue`` in the
    area (bureau approver or admin, after TOTP). ``reason`` makes it a
    correction of the year's current statement. Returns the new ``AnnualStatement``.
    """
    if actor is not None:
        permissions.require(actor, ACTION, area)
    year = check_year(year, today=today)
    reason = _checked_reason(reason)
    with transaction.atomic():
        # One statement of an area at a time: the "already published" check below is exact.
        if FundProfile.objects.select_for_update().filter(area=area).first() is None:
            raise Conflict("no_profile", _("该区域尚未设置维修资金。"))
        current = current_statement(area, year)
        if current is not None and not reason:
            message = _(
                "%(year)s年度账目已经公示（%(serial)s）。如需更正，请填写更正原因，新公示将取代原公示。"
            ) % {"year": year, "serial": current.publication.serial}
            raise Conflict("already_published", message, fields={"reason": message})
        data, digest = _statement_data(area, year, current)
        reason = reason if current is not None else ""
        context = statement_context(data, reason=reason)
        publication = publication_issue(
            kind=Kind.ANNUAL_STATEMENT,
            area=area,
            period=period_label(year),
            template=TEMPLATE,
            context=context,
            actor=actor,
            title=context["title"],
            supersedes=current.publication if current is not None else None,
            data_digest=digest,
        )
        statement = _statement_record(
            area=area,
            year=year,
            publication=publication,
            current=current,
            reason=reason,
            data=data,
            actor=actor,
        )
        _statement_audit(statement, data=data, digest=digest, current=current, actor=actor)
    return statement


def _checked_reason(reason) -> str:
    """A correction's reason, checked (empty: a first publication)."""
    if reason is None:
        reason = ""
    if not isinstance(reason, str):
        raise DomainError("bad_reason", _("更正原因格式不正确。"), fields={"reason": _("无效。")})
    reason = reason.strip()
    if len(reason) > REASON_LIMIT:
        message = _("更正原因不能超过 %(n)d 字。") % {"n": REASON_LIMIT}
        raise DomainError("too_long", message, fields={"reason": message})
    if not reason:
        return ""
    return clean_text(reason, field="reason", limit=REASON_LIMIT, multiline=True)


def _statement_data(area: ManagementArea, year: int, current) -> tuple[dict, str]:
    """The year's figures and their digest; refused if the ledger is inconsistent or
    nothing changed since the current statement."""
    data = area_statement(area, year)
    if not data["checks"]["units_equal_area_fund"]:
        raise DomainError(
            "ledger_inconsistent",
            _("分户账合计与区域维修资金总账不一致，账目未公示；请先运行 funds_check 核查账簿。"),
        )
    digest = statement_digest(data)
    if current is not None and current.publication.data_digest == digest:
        raise DomainError(
            "unchanged",
            _("%(year)s年度账目自上次公示（%(serial)s）以来没有变化，无需更正。")
            % {"year": year, "serial": current.publication.serial},
        )
    return data, digest


def _statement_record(*, area, year, publication, current, reason, data, actor) -> AnnualStatement:
    """The ``AnnualStatement`` row of a publication (a concurrent one of the year: 409)."""
    try:
        with issued_file_guard(publication), transaction.atomic():
            return AnnualStatement.objects.create(
                area=area,
                year=year,
                publication=publication,
                supersedes=current,
                reason=reason,
                opening_fen=data["totals"]["opening_fen"],
                closing_fen=data["totals"]["closing_fen"],
                units=len(data["units"]),
                published_at=publication.issued_at,
                published_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        # A concurrent publication of the same year won (SQLite has no row locks).
        raise Conflict(
            "already_published", _("%(year)s年度账目已经公示。") % {"year": year}
        ) from None


def _statement_audit(statement: AnnualStatement, *, data, digest, current, actor) -> None:
    publication = statement.publication
    audit_record(
        actor=actor,
        action="fund.statement_publish",
        obj=statement,
        after={"serial": publication.serial, "digest": digest},
        summary={
            "area": statement.area.code,
            "year": statement.year,
            "serial": publication.serial,
            "supersedes": current.publication.serial if current is not None else "",
            **{f"{name}_fen": data["totals"][f"{name}_fen"] for name in CATEGORIES},
            "opening_fen": data["totals"]["opening_fen"],
            "closing_fen": data["totals"]["closing_fen"],
        },
    )
