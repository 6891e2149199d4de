"""Benchmark: settle a repair and apportion its cost over 5,000 units (issue 7, "Benchmarks").

Builds a management area of 5,000 units, each with its own owner, opens
their sub-ledgers and posts an opening deposit for every unit (one
``transaction_post``), opens a ``FundUse`` over the whole area and, in the
same run, times:

- **settle**: ``funds.procedure.services.fund_use_settle`` — the units of the 列支范围,
  their sub-ledgers locked and their balances read (one GROUP BY), the cost
  apportioned by floor area (``funds.apportion.apportion``), the shortfall
  check, one posted settlement transaction (a debit per sub-ledger, the
  control entry, the payable line), the owners' notices, one share row per
  unit and the audit events, committed;
- **baseline**: the same rows — the transaction, its entries, the notices and
  the share rows — written with the ledger's bulk writer alone
  (``funds.ledger.services.bulk.insert_rows``: COPY on PostgreSQL) in a database
  transaction rolled back afterwards: only the cost of writing what
  the settlement writes. The ratio is what reading, apportioning, locking,
  checking and auditing add on top.

The text messages the posting queues after commit are not sent here (the
Celery task's job). After timing, ``funds.integrity.ledger_check`` must pass
and the shares must add up to the cost exactly (exit 1 if not). One JSON line::

    {"benchmark": "apportion_settle_5000", "units": 5000, "seconds": …,
     "baseline": {"name": "bulk_insert_same_rows", "seconds": …}, "ratio": …,
     "exact": true, "balanced": true}

Each figure is the best of ``--repeat`` runs (default 3; a fresh FundUse each
time). Database: a temporary SQLite file (migrated here) or DATABASE_URL.
``--quick`` uses 500 units (for CI).

    .venv/bin/python bench/apportion_bench.py [--quick] [--units N] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bare_posting import posting_insert, posting_rows  # noqa: E402
from tally_bench import build_area, setup_django  # noqa: E402

COST_FEN = 987_654_321  # 9,876,543.21 yuan: every unit's share has a remainder
DEPOSIT_FEN = 900_000


def fund_area(units: int):
    """An area of ``units`` units with a profile, open accounts and an opening deposit each."""
    from funds.ledger import selectors, services
    from funds.models import Account, Transaction

    area = build_area(units, label="apportion")
    services.fund_profile_set(
        area=area,
        deposit_rate=Decimal("0.05"),
        cost_per_m2_fen=150_000,
        bank_name="基准测试银行",
        account_no="0000000000000000000",
        actor=None,
    )
    subs = list(
        Account.objects.filter(area=area, kind=Account.Kind.UNIT).values_list("pk", flat=True)
    )
    lines = [(pk, -DEPOSIT_FEN) for pk in subs]
    lines.append((selectors.bank_account(area).pk, DEPOSIT_FEN * len(subs)))
    services.transaction_post(
        kind=Transaction.Kind.DEPOSIT,
        lines=lines,
        memo="基准测试交存",
        key=f"{area.code}:opening",
        actor=None,
        value_date=date(2024, 1, 10),
    )
    return area


def reviewer():
    from accounts.models import Role, RoleAssignment, User

    user = User.objects.create(username=f"bench-reviewer-{time.time_ns()}")
    RoleAssignment.objects.create(user=user, role=Role.BUREAU_REVIEWER)
    return user


def audit_report():
    """A one-page PDF standing for the 审价 report the settlement of this cost requires."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "审价报告.pdf",
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        content_type="application/pdf",
    )


def open_use(area, n: int):
    from funds.models import FundUse
    from funds.procedure import services as procedure

    return procedure.fund_use_open(
        area=area,
        source=FundUse.Source.COMMISSION,
        source_key=f"bench:{area.code}:{n}",
        title=f"基准测试维修 {n}",
        budget_fen=COST_FEN,
        actor=None,
    )


def baseline_bulk_insert(area, fund_use) -> float:
    """Write the same transaction, entries, notices and share rows, nothing else; roll back."""
    from django.db import transaction

    from funds.ledger.services.bulk import insert_rows
    from funds.models import FundUse, FundUseShare, Transaction

    entries, notices = posting_rows(fund_use.settlement_txn)
    shares = list(
        FundUseShare.objects.filter(fund_use=fund_use).values_list(
            "unit_id", "unit_code", "floor_area", "developer_held", "share_fen", "charged_fen"
        )
    )

    class Rollback(Exception):
        pass

    started = time.perf_counter()
    try:
        with transaction.atomic():
            other = FundUse.objects.create(
                area=area,
                source=FundUse.Source.COMMISSION,
                source_key=f"baseline:{time.time_ns()}",
                title="baseline",
                budget_fen=COST_FEN,
            )
            posting_insert(
                area,
                kind=Transaction.Kind.SETTLEMENT,
                value_date=date.today(),
                entries=entries,
                notices=notices,
                tag=f"baseline:{time.time_ns()}",
            )
            insert_rows(
                FundUseShare,
                [
                    "fund_use",
                    "unit",
                    "unit_code",
                    "floor_area",
                    "developer_held",
                    "share_fen",
                    "charged_fen",
                    "collected_fen",
                ],
                ((other.pk, *row, 0) for row in shares),
            )
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return elapsed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 units")
    parser.add_argument("--units", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    units = args.units or (500 if args.quick else 5_000)

    setup_django()
    from funds.integrity import Broken, ledger_check
    from funds.ledger.services import notices
    from funds.procedure import services as procedure

    # Texts are the Celery task's job (see the module docstring): not queued here.
    notices._enqueue = lambda transaction_id: None

    area = fund_area(units)
    actor = reviewer()
    best = baseline = None
    exact = True
    for n in range(max(args.repeat, 1)):
        fund_use = open_use(area, n)
        started = time.perf_counter()
        settled = procedure.fund_use_settle(
            fund_use=fund_use,
            final_cost_fen=COST_FEN,
            actor=actor,
            # A cost this size needs its audited final account (审价, RULES.md §4 "use").
            audit_report=audit_report(),
        )
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
        shares = list(settled.shares.values_list("share_fen", flat=True))
        exact = exact and len(shares) == units and sum(shares) == COST_FEN
        measured = baseline_bulk_insert(area, settled)
        baseline = measured if baseline is None else min(baseline, measured)
    try:
        ledger_check()
        balanced = True
    except Broken as exc:
        print(f"ledger check failed: {exc}", file=sys.stderr)
        balanced = False

    print(
        json.dumps(
            {
                "benchmark": f"apportion_settle_{units}",
                "units": units,
                "seconds": round(best, 3),
                "baseline": {"name": "bulk_insert_same_rows", "seconds": round(baseline, 3)},
                "ratio": round(best / baseline, 2) if baseline else None,
                "exact": exact,
                "balanced": balanced,
            }
        ),
        flush=True,
    )
    return 0 if exact and balanced else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
