"""Benchmark: a year's interest over 300,000 sub-ledgers (issue 7, "Benchmarks in bench/").

Builds a management area of 300,000 units, each with its own owner, opens
their sub-ledgers (``funds.ledger.services.accounts_ensure``) and posts, through
``funds.ledger.services.transaction_post``, an opening deposit for every unit at
the end of 2023 and twelve monthly deposits in 2024 for a third of them (so
the 积数 has activity inside the period). Then it times, in the same run:

- **interest_post**: ``funds.ledger.services.interest_post`` for 2024-01-01..2024-12-31 —
  one aggregate query for the activity, the 积数 allocation
  (``funds.ledger.accrual``), one posted transaction with a credit per sub-ledger,
  the owners' notices and the audit event, committed;
- **baseline**: the same rows (a transaction, its entries and the notices)
  written with the ledger's bulk writer alone (``funds.ledger.services.bulk.insert_rows``:
  COPY on PostgreSQL), in a database transaction rolled back afterwards — only the cost of writing what the
  posting writes; the ratio is what reading, allocating, checking and
  auditing add on top.

The text messages the posting queues after commit are not sent here (in
eager mode they would run inside the timed call): sending is the Celery
task's job, asynchronous in production, and never needed for the ledger.

After timing, ``funds.integrity.ledger_check`` must pass and the credits must
add up to the interest exactly (exit 1 if not). One JSON line::

    {"benchmark": "interest_post_300000", "sub_ledgers": 300000, "seconds": …,
     "baseline": {"name": "bulk_insert_same_rows", "seconds": …}, "ratio": …,
     "target_seconds": 60, "within_target": true, "balanced": true}

Database: a temporary SQLite file (migrated here) or the one in DATABASE_URL.
``--quick`` uses 5,000 units (for CI).

    .venv/bin/python bench/interest_post_bench.py [--quick] [--units N]
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

START, END = date(2024, 1, 1), date(2024, 12, 31)
INTEREST_FEN = 123_456_789  # 1,234,567.89 yuan
TARGET_SECONDS = 60


def fund_area(units: int):
    """An area of ``units`` units with a profile, open accounts and a year of deposits."""
    from funds.ledger import selectors, services
    from funds.models import Account, Transaction

    area = build_area(units, label="interest")
    services.fund_profile_set(
        area=area,
        deposit_rate=Decimal("0.05"),
        cost_per_m2_fen=150_000,
        bank_name="基准测试银行",
        account_no="0000000000000000000",
        actor=None,
    )
    bank = selectors.bank_account(area)
    subs = list(
        Account.objects.filter(area=area, kind=Account.Kind.UNIT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    def deposit(key: str, on: date, accounts: list[int], fen) -> None:
        lines = [(pk, -fen(pk)) for pk in accounts]
        lines.append((bank.pk, -sum(amount for _pk, amount in lines)))
        services.transaction_post(
            kind=Transaction.Kind.DEPOSIT,
            lines=lines,
            memo="基准测试交存",
            key=f"{area.code}:{key}",
            actor=None,
            value_date=on,
        )

    deposit("opening", date(2023, 12, 31), subs, lambda pk: 500_000 + pk % 97 * 1_000)
    for month in range(1, 13):
        chosen = subs[month % 3 :: 36]
        deposit(f"2024-{month:02d}", date(2024, month, 15), chosen, lambda pk: 10_000 + pk % 13)
    return area


def baseline_bulk_insert(area, posting) -> float:
    """Write the same transaction, entries and notices, nothing else; roll back."""
    from django.db import transaction

    from funds.models import Transaction

    entries, notices = posting_rows(posting.transaction)

    class Rollback(Exception):
        pass

    started = time.perf_counter()
    try:
        with transaction.atomic():
            posting_insert(
                area,
                kind=Transaction.Kind.INTEREST,
                value_date=END,
                entries=entries,
                notices=notices,
                tag=f"baseline:{time.time_ns()}",
            )
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return elapsed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 units")
    parser.add_argument("--units", type=int, default=None)
    args = parser.parse_args(argv)
    units = args.units or (5_000 if args.quick else 300_000)

    setup_django()
    from funds.integrity import Broken, ledger_check
    from funds.ledger import services
    from funds.ledger.services import notices
    from funds.models import Entry

    # Texts are the Celery task's job (see the module docstring): not queued here.
    notices._enqueue = lambda transaction_id: None

    area = fund_area(units)

    started = time.perf_counter()
    posting = services.interest_post(
        area=area, start=START, end=END, amount_fen=INTEREST_FEN, actor=None
    )
    seconds = time.perf_counter() - started

    baseline = baseline_bulk_insert(area, posting)

    credited = -sum(
        Entry.objects.filter(transaction=posting.transaction, account__kind="unit").values_list(
            "amount_fen", flat=True
        )
    )
    try:
        ledger_check()
        balanced = credited == INTEREST_FEN
    except Broken as exc:
        print(f"ledger check failed: {exc}", file=sys.stderr)
        balanced = False

    print(
        json.dumps(
            {
                "benchmark": f"interest_post_{units}",
                "sub_ledgers": posting.ledgers,
                "seconds": round(seconds, 3),
                "baseline": {"name": "bulk_insert_same_rows", "seconds": round(baseline, 3)},
                "ratio": round(seconds / baseline, 2) if baseline else None,
                "target_seconds": TARGET_SECONDS,
                "within_target": seconds < TARGET_SECONDS,
                "balanced": balanced,
            }
        ),
        flush=True,
    )
    return 0 if balanced else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
