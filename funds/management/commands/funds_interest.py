"""Post one period's interest of an area to its sub-ledgers by 积数 (STYLE.md §12)."""

from __future__ import annotations

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.errors import DomainError
from core.money import parse_yuan, yuan
from estates.models import ManagementArea
from funds.ledger import services

STAGES = ("activity", "allocate", "post", "done")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _fen(value: str) -> int:
    """Yuan with at most two decimals → exact int fen (never through float)."""
    try:
        return parse_yuan(value)
    except ValueError as exc:
        raise CommandError(f"not an amount in yuan (at most two decimals): {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Allocate the interest the bank credited for --start..--end (both days included) "
        "to the unit sub-ledgers of --area in proportion to their day-weighted balances "
        "(积数, RULES.md §4) and post it as one transaction. A period already posted, or "
        "overlapping one, is refused (exit 1). --dry-run prints the allocation and posts nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="management area code")
        parser.add_argument("--start", required=True, type=_day, help="first day (YYYY-MM-DD)")
        parser.add_argument("--end", required=True, type=_day, help="last day (YYYY-MM-DD)")
        parser.add_argument(
            "--amount", required=True, type=_fen, help="interest in yuan, e.g. 1234.56"
        )
        parser.add_argument("--dry-run", action="store_true", help="show the allocation only")

    def handle(
        self, *args, area: str, start: date, end: date, amount: int, dry_run: bool, **options
    ):
        found = ManagementArea.objects.filter(code=area).first()
        if found is None:
            raise CommandError(f"no management area with code {area!r}")
        try:
            if dry_run:
                period = services.interest_preview(
                    area=found, start=start, end=end, amount_fen=amount
                )
                self.stdout.write(
                    f"DRY RUN {found.code} {start}..{end}: {yuan(amount)} yuan over "
                    f"{sum(1 for s in period.shares.values() if s)} sub-ledgers, "
                    f"积数 {period.total_jishu} fen·days"
                )
                return
            # The bar goes to stderr so stdout stays one parseable line.
            with tqdm(
                total=len(STAGES),
                desc=f"interest {found.code}",
                file=sys.stderr,
                disable=not sys.stderr.isatty(),
            ) as bar:
                posting = services.interest_post(
                    area=found,
                    start=start,
                    end=end,
                    amount_fen=amount,
                    actor=None,
                    progress=lambda stage: bar.update(1),
                )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"OK {found.code} {start}..{end}: {yuan(amount)} yuan to {posting.ledgers} "
            f"sub-ledgers, transaction #{posting.transaction_id}"
        )
