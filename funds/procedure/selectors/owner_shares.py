"""我的维修分摊: what each repair charged, or will charge, the owner's units (RULES.md §4).

One source with the sub-ledger (issue #16 item 3): a settled line is built
from the repair charges posted to the units' sub-ledgers
(``funds.ledger.selectors.unit_charges``, the rows ``sub_ledger`` marks as
charges), grouped by the fund use whose settlement or shortfall collection
posted them. So every charge on a sub-ledger appears here with its
application, at the same amount, and nothing here charged a unit unless the
sub-ledger shows it. A charge no fund use claims (an entry posted outside the
procedure) is still listed, under its memo. A settled share the sub-ledger
could not pay at all (charged 0, owed) is listed from its share row. Before
settlement an application's line is an estimate from its budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.money import yuan_plain
from funds.ledger.selectors import ChargePosting, owner_units, unit_charges
from funds.models import FundApplication, FundUse, FundUseShare, ShortfallCollection
from funds.procedure.selectors.applications import (
    OWNER_VISIBLE,
    estimated_shares,
    owner_application_ids,
)

Status = FundApplication.Status


@dataclass(frozen=True)
class OwnerShare:
    """One line of "my shares": an application or fund use touching the owner's units."""

    application: FundApplication | None
    fund_use: FundUse | None
    title: str
    status_label: str
    unit_codes: tuple[str, ...]
    estimated_fen: int | None  # before settlement
    share_fen: int | None  # after settlement
    charged_fen: int | None  # what the sub-ledgers show charged (positive)
    outstanding_fen: int | None
    transaction_ids: tuple[int, ...] = ()  # the sub-ledger postings of this line
    value_date: date | None = None

    @property
    def amount_yuan(self) -> str:
        value = self.share_fen if self.share_fen is not None else self.estimated_fen
        return yuan_plain(value or 0)


@dataclass
class _Group:
    fund_use: FundUse | None = None
    memo: str = ""
    postings: list[ChargePosting] = field(default_factory=list)
    shares: list[FundUseShare] = field(default_factory=list)


def _fund_use_of_transactions(ids: set[int]) -> dict[int, FundUse]:
    """transaction id → the fund use whose settlement or shortfall collection posted it."""
    found = {f.settlement_txn_id: f for f in FundUse.objects.filter(settlement_txn_id__in=ids)}
    for collection in ShortfallCollection.objects.filter(transaction_id__in=ids).select_related(
        "share__fund_use"
    ):
        found[collection.transaction_id] = collection.share.fund_use
    return found


def _settled_groups(units) -> dict[object, _Group]:
    postings = unit_charges(units)
    ids = {p.transaction_id for p in postings} | {p.reverses_id for p in postings if p.reverses_id}
    owner = _fund_use_of_transactions(ids)
    groups: dict[object, _Group] = {}
    for posting in postings:
        # A reversal belongs where the posting it reverses belongs.
        root = posting.reverses_id or posting.transaction_id
        fund_use = owner.get(root)
        key = fund_use.pk if fund_use else ("txn", root)
        group = groups.setdefault(key, _Group(fund_use=fund_use, memo=posting.memo))
        group.postings.append(posting)
    for share in FundUseShare.objects.filter(unit__in=units).select_related("fund_use"):
        group = groups.setdefault(share.fund_use_id, _Group(fund_use=share.fund_use))
        group.shares.append(share)
    return groups


def _settled_line(group: _Group, codes: dict[int, str], application) -> OwnerShare:
    charged = -sum(p.amount_fen for p in group.postings)
    unit_ids = {p.unit_id for p in group.postings} | {s.unit_id for s in group.shares}
    fund_use = group.fund_use
    share = sum(s.share_fen for s in group.shares) if group.shares else charged
    dates = [p.value_date for p in group.postings]
    return OwnerShare(
        application=application,
        fund_use=fund_use,
        title=fund_use.title if fund_use else group.memo,
        status_label=str(
            fund_use.get_status_display() if fund_use else FundUse.Status.SETTLED.label
        ),
        unit_codes=tuple(sorted(codes[u] for u in unit_ids)),
        estimated_fen=None,
        share_fen=share,
        charged_fen=charged,
        outstanding_fen=sum(s.outstanding_fen for s in group.shares),
        transaction_ids=tuple(dict.fromkeys(p.transaction_id for p in group.postings)),
        value_date=max(dates) if dates else (fund_use.settled_on if fund_use else None),
    )


def shares_of_user(user) -> list[OwnerShare]:
    """The owner's units' lines: settled charges first (newest first), then estimates."""
    units = owner_units(user)
    if not units:
        return []
    codes = {u.pk: u.code for u in units}
    groups = _settled_groups(units)
    used = [g.fund_use.pk for g in groups.values() if g.fund_use]
    applications = {
        a.fund_use_id: a
        for a in FundApplication.objects.filter(fund_use_id__in=used).only(
            "pk", "fund_use_id", "title", "status"
        )
    }
    lines = [
        _settled_line(g, codes, applications.get(g.fund_use.pk) if g.fund_use else None)
        for g in groups.values()
    ]
    lines.sort(key=lambda line: line.value_date or date.min, reverse=True)
    pending = (
        FundApplication.objects.filter(pk__in=owner_application_ids(user), status__in=OWNER_VISIBLE)
        .exclude(fund_use_id__in=used)
        .exclude(status__in=[Status.VOTE_FAILED, Status.REFUSED])
    )
    wanted = set(codes.values())
    for application in pending:
        estimate = estimated_shares(application, wanted)
        if not estimate:
            continue
        lines.append(
            OwnerShare(
                application=application,
                fund_use=application.fund_use,
                title=application.title,
                status_label=application.status_shown,
                unit_codes=tuple(sorted(estimate)),
                estimated_fen=sum(estimate.values()),
                share_fen=None,
                charged_fen=None,
                outstanding_fen=None,
            )
        )
    return lines
