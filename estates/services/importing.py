"""Importing the district's unit register (issue 4 part 2; RULES.md §1, §8).

One file describes one management area: its buildings, units (three areas,
use, delivered / developer-held flags) and each unit's current owners. The
import is **all or nothing**: every row is checked first — by the pure parser
``estates.register_csv`` and then against what the register already holds —
and if any row is bad nothing is written and the report lists every bad row
with its line number. Otherwise the whole write runs in one transaction.

What an import does (and why):

- Buildings are created as needed; units are created or updated in place.
  Units in the register but absent from the file are never deleted (a unit
  carries votes, sub-ledgers and history); the report lists them instead.
- Owners are matched by the HMAC of their resident ID number (DESIGN.md
  "Personal data"): the clear number is only ever encrypted into
  ``Person.id_encrypted``; it is never logged nor put into an audit summary.
  A number already registered under another name is refused rather than
  guessed at. A changed phone number updates the person.
- A unit whose current owner set differs from the file's is a **sale**: the
  ownerships of the owners who left are closed (``until`` = today) and the new
  owners' ownerships are opened (``since`` = today); owners who stay keep
  their open row. History is never deleted, so the roll of any earlier date
  can be rebuilt (RULES.md §1: the roll changes with the sale).
- Importing the same file again changes nothing and records nothing.
- One audit event per import that changed anything ("register.import") and
  one per sale ("register.sale"), in the same transaction as the change.
- No logins are created: owners bind their phone later (RULES.md §3).

Speed: 20,000 units in one file are normal for a large area. Existing units,
open ownerships and persons are read once into dicts; writes go in chunks of
``CHUNK`` rows with ``bulk_create`` / ``bulk_update`` — no per-row query.

The steps live in three modules besides this one, read in order: the check
(``import_check``), the write (``import_apply``) and the report
(``import_report``); this module runs them in one transaction.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from accounts import permissions
from audit.services import audit_record
from core.errors import Conflict, DomainError
from estates.crypto import id_hmac
from estates.models import Community, ManagementArea
from estates.register_csv import RowError
from estates.register_files import read_register
from estates.services.import_apply import Progress, register_apply
from estates.services.import_check import field_limit, register_load, rows_check
from estates.services.import_report import ImportReport

logger = logging.getLogger("gongzhi.estates.import")

__all__ = [
    "management_area_create",
    "read_register",
    "register_import",
]

# After an import that creates this many units, PostgreSQL's planner statistics of the
# register tables are refreshed at once (``statistics_refresh``).
ANALYZE_AFTER_UNITS = 1000
REGISTER_TABLES = ("estates_building", "estates_unit", "estates_person", "estates_ownership")


def register_import(
    *,
    area: ManagementArea,
    data: bytes,
    filename: str,
    actor,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a register file into ``area``, all or nothing (module docstring).

    Returns the report; when ``report.ok`` is False nothing was written.
    ``dry_run`` checks and counts everything without writing. ``actor`` None
    is the system (the management command); a user needs ``register.edit``
    on the area. ``progress(done, total)`` is called as rows are processed.
    """
    if actor is not None:
        permissions.require(actor, "register.edit", area)
    report = ImportReport(
        ok=False,
        dry_run=dry_run,
        filename=filename,
        file_sha256=hashlib.sha256(data).hexdigest(),
    )
    parsed = read_register(data, filename)
    # The clear ID number lives only in this dict's keys, for this call.
    keys = {
        owner.id_number: id_hmac(owner.id_number) for row in parsed.rows for owner in row.owners
    }
    try:
        with transaction.atomic():
            if not dry_run:
                # Two imports into one area would each decide "create" for the same
                # unit; the second waits here and then sees the first one's rows.
                ManagementArea.objects.select_for_update().filter(pk=area.pk).first()
            register = register_load(area, keys.values())
            errors = list(parsed.errors) + rows_check(parsed.rows, keys, register)
            if not parsed.rows and not errors:
                errors.append(RowError(2, _("文件中没有任何房屋数据行")))
            if errors:
                _refused(report, errors, area)
                return report
            register_apply(
                area=area,
                rows=parsed.rows,
                keys=keys,
                register=register,
                report=report,
                actor=actor,
                dry_run=dry_run,
                progress=progress,
            )
            report.ok = True
            if report.counts.changed and not dry_run:
                audit_record(
                    actor=actor, action="register.import", obj=area, summary=report.summary()
                )
                if report.counts.units_created >= ANALYZE_AFTER_UNITS:
                    transaction.on_commit(statistics_refresh)
    except IntegrityError:
        # Only a concurrent writer can get here (all conflicts are checked above).
        logger.warning("register import conflict: area=%s", area.code, exc_info=True)
        raise Conflict(
            "register_conflict",
            _("导入时台账被同时修改（可能有另一次导入正在进行），未写入任何数据，请稍后重试。"),
        ) from None
    logger.info(
        "register import %s: area=%s sha256=%s %s",
        "checked" if dry_run else "done",
        area.code,
        report.file_sha256,
        asdict(report.counts),
    )
    return report


def _refused(report: ImportReport, errors: list[RowError], area: ManagementArea) -> None:
    """Put every bad row on the report, in line order; nothing is written."""
    report.errors = [(error.line, error.reason) for error in sorted(errors, key=lambda e: e.line)]
    logger.info(
        "register import refused: area=%s sha256=%s errors=%d",
        area.code,
        report.file_sha256,
        len(errors),
    )


def statistics_refresh() -> None:
    """``ANALYZE`` the register tables (PostgreSQL; nothing elsewhere).

    Until autovacuum gets to them, the planner believes a table that has just
    grown from a few hundred rows to tens of thousands is still small, and
    plans what comes next for a new estate (its roll, interest over every
    sub-ledger) with nested loops that take minutes instead of seconds. Run
    after the commit of a large import; a failure here is logged, never the
    import's.
    """
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            for table in REGISTER_TABLES:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    except Exception:
        logger.warning("ANALYZE after a register import failed", exc_info=True)


# --- creating an area for a first import -----------------------------------------------------


def management_area_create(*, community: Community, code: str, name: str, actor) -> ManagementArea:
    """Create an empty management area (for ``import_register --area-name``), audited."""
    code, name = (code or "").strip(), (name or "").strip()
    if actor is not None:
        permissions.require(actor, "register.edit", community)
    if not code or len(code) > field_limit(ManagementArea, "code"):
        raise DomainError(
            "bad_area_code",
            _("区域编码不能为空，且不超过 %(n)d 个字符。")
            % {"n": field_limit(ManagementArea, "code")},
            fields={"code": _("无效。")},
        )
    if not name or len(name) > field_limit(ManagementArea, "name"):
        raise DomainError(
            "bad_area_name",
            _("区域名称不能为空，且不超过 %(n)d 个字。")
            % {"n": field_limit(ManagementArea, "name")},
            fields={"name": _("无效。")},
        )
    with transaction.atomic():
        if ManagementArea.objects.filter(code=code).exists():
            raise Conflict(
                "area_exists",
                _("区域编码 %(code)s 已存在。") % {"code": code},
                fields={"code": _("已存在。")},
            )
        area = ManagementArea.objects.create(
            community=community, code=code, name=name, estate_name=name
        )
        audit_record(
            actor=actor,
            action="area.create",
            obj=area,
            after={"code": code, "name": name, "community": community.code},
            summary={"code": code, "name": name, "community": community.code},
        )
    return area
