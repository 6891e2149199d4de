"""Ballots against the audit trail and against anchors (DESIGN.md "Trust anchors").

A ballot's chain on its own proves nothing to someone who can rewrite the
database: change a ballot, re-hash it and every later one, move the
assembly's chain head, and the board verifies. Two records outside the
ballot table stop that:

- the audit event written in the same transaction as the ballot
  (``ballot.online|paper|proxy``) holds the digest of its ``seq``, ``hash``
  and ``channel``: a ballot re-hashed since no longer matches it
  (``ballots_mismatch``, run by counting, by the board and by
  ``audit_verify``); rewriting that event too breaks the audit chain, and
  re-hashing the audit chain breaks the head printed in every later signed
  notice;
- the result notices print the ballot chain's head and the number of ballots
  (chain ``gongzhi-board/1``), checked by ``ballot_anchor_check``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.sms import sms_send
from audit.models import AuditEvent
from audit.selectors import made_events
from audit.services import audit_record, state_digest
from core.integrity import RecordsReport
from voting import boardformat
from voting.models import Assembly, Ballot

CHAIN = boardformat.FORMAT
CAST_ACTIONS = tuple(f"ballot.{channel}" for channel in boardformat.CHANNELS)
OBJECT_TYPE = Ballot._meta.label_lower


def cast_digest(*, seq: int, hash: str, channel: str) -> str:  # noqa: A002 - the board's key
    """What ``ballot_cast`` records in its audit event's ``after`` (voting.services.ballots)."""
    return state_digest({"seq": seq, "hash": hash, "channel": channel})


def _ballot_rows(assembly_id: int | None = None):
    ballots = Ballot.objects.order_by("assembly_id", "seq")
    if assembly_id is not None:
        ballots = ballots.filter(assembly_id=assembly_id)
    return ballots.values_list("pk", "assembly_id", "seq", "hash", "channel")


def _first_mismatch(rows, made: dict[str, tuple[int, str]]) -> tuple[int, str | None]:
    checked = 0
    for pk, assembly_id, seq, digest, channel in rows:
        checked += 1
        event = made.get(str(pk))
        where = f"ballot {seq} of assembly {assembly_id} (id {pk})"
        if event is None:
            return checked, f"{where}: no audit event was written when it was cast"
        if event[1] != cast_digest(seq=seq, hash=digest, channel=channel):
            return checked, (
                f"{where}: seq/hash/channel do not match audit event #{event[0]} "
                "written when it was cast"
            )
    return checked, None


def ballots_mismatch(assembly: Assembly) -> str | None:
    """The first ballot of ``assembly`` that no longer matches its cast event, in words."""
    rows = list(_ballot_rows(assembly.pk))
    made = made_events(OBJECT_TYPE, CAST_ACTIONS, [row[0] for row in rows])
    return _first_mismatch(rows, made)[1]


def ballots_records_check() -> RecordsReport:
    """Every ballot of every assembly against its cast event (``core.integrity`` records)."""
    made = made_events(OBJECT_TYPE, CAST_ACTIONS)
    checked, mismatch = _first_mismatch(_ballot_rows().iterator(chunk_size=2000), made)
    return RecordsReport(name="ballots", checked=checked, mismatch=mismatch)


def ballot_anchor(assembly: Assembly) -> dict[str, Any]:
    """The anchor a result notice prints: the assembly, its ballot count and chain head."""
    return {
        "chain": CHAIN,
        "assembly": assembly.pk,
        "count": assembly.ballots_cast,
        "head": assembly.chain_head,
    }


def ballot_anchor_check(anchor: Mapping[str, Any]) -> str | None:
    """None if the assembly's ballots, re-chained from their content now, end at the anchor."""
    assembly_id, count, head = anchor.get("assembly"), anchor.get("count"), anchor.get("head")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (assembly_id, count)):
        return "malformed anchor"
    entries = [
        {key: value for key, value in ballot.board_entry().items() if key not in ("prev", "hash")}
        for ballot in Ballot.objects.filter(assembly_id=assembly_id).order_by("seq")
    ]
    if len(entries) != count:
        return f"assembly {assembly_id} now has {len(entries)} ballots, not {count}"
    try:
        chained = boardformat.chain_ballots(entries)
    except ValueError as exc:
        return f"the ballots of assembly {assembly_id} no longer form a chain: {exc}"
    now = boardformat.chain_head(chained)
    if now != head:
        return f"the ballots of assembly {assembly_id} now chain to {now}"
    return None


# --------------------------------------------------------------------------- alarm

MISMATCH_ACTION = "assembly.board_mismatch"
MISMATCH_CODE = "board_mismatch"
logger = logging.getLogger("gongzhi.integrity")


def board_mismatch_message() -> str:
    return _(
        "公示板校验失败：存储的选票与投票时写入审计链的记录不一致，计票和公示已停止，"
        "已通知住建局核查。"
    )


def board_mismatch_error() -> dict:
    """The JSON body the board and result URLs answer (status 409) instead of a board."""
    return {"code": MISMATCH_CODE, "detail": board_mismatch_message(), "fields": {}}


def board_mismatch_alarm(assembly: Assembly, reason: str) -> None:
    """Record a board that failed its checks and alert the bureau, once per reason.

    Runs in a transaction of its own, after the caller's (the count) rolled
    back: the record of the refusal must stay. The same reason is recorded
    once, so a public URL asked again and again does not grow the audit chain.
    """

    logger.error("Board of assembly %s failed its checks: %s", assembly.pk, reason)
    with transaction.atomic():
        Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
        already = AuditEvent.objects.filter(
            action=MISMATCH_ACTION,
            object_type=Assembly._meta.label_lower,
            object_id=str(assembly.pk),
        ).values_list("summary", flat=True)
        if any(summary.get("reason") == reason for summary in already):
            return
        audit_record(
            actor=None,
            action=MISMATCH_ACTION,
            obj=assembly,
            summary={"assembly": assembly.pk, "reason": reason[:500]},
        )
        phones = list(
            User.objects.filter(is_active=True, roles__role=Role.BUREAU_ADMIN, phone__isnull=False)
            .exclude(phone="")
            .values_list("phone", flat=True)
            .distinct()
        )
    text = (
        f"【{settings.GONGZHI_BUREAU_NAME}】{assembly.area.name}业主大会会议（编号 {assembly.pk}）"
        "公示板校验失败，计票已停止，请登录共治平台查看审计记录。"
    )
    for phone in phones:
        try:
            sms_send(phone=phone, text=text)
        except Exception:  # noqa: BLE001 - the alarm is recorded; a failed text must not hide it
            logger.exception("Alarm text about assembly %s not sent", assembly.pk)
