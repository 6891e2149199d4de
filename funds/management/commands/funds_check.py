"""Prove the fund ledger is whole (STYLE.md §12; invariants in funds.ledger.models.accounts)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from funds.integrity import Broken, ledger_check


class Command(BaseCommand):
    help = (
        "Recompute the fund ledger from its rows: every transaction balances, its entries "
        "still match the digest stored when it was posted, reversals negate their original, "
        "the unit sub-ledgers of every area sum to its area fund account (Order 165 art. 10), "
        "no bank account or sub-ledger is negative at the end of any value date, and every "
        "interest posting's 积数 and shares recompute from the ledger. Prints 'OK: …' and exits 0, or "
        "names the first broken transaction, account or area and exits 1. Read-only."
    )

    def handle(self, *args, **options):
        try:
            summary = ledger_check()
        except Broken as exc:
            self.stderr.write(f"BROKEN: {exc}")
            # Not CommandError: monitoring reads the exit status and one clean line.
            raise SystemExit(1) from None
        self.stdout.write(
            f"OK: {summary.transactions} transactions, {summary.entries} entries balanced; "
            f"sub-ledgers equal the area fund account in {summary.areas} areas; "
            f"{summary.accounts} bank and unit accounts non-negative on every value date; "
            f"{summary.interest_postings} interest postings match their 积数"
        )
