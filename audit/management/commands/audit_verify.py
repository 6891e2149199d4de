"""Walk the audit chain and name the first event that no longer matches (STYLE.md §12)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from audit.models import AuditHead
from audit.selectors import CHUNK_SIZE, audit_chain_verify


class Command(BaseCommand):
    help = (
        "Recompute every audit event's hash in seq order and check the head row. "
        "Prints 'OK: N events, head <hash>' and exits 0, or names the first broken "
        "event and exits 1. Read-only: safe to run at any time, as often as wanted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=CHUNK_SIZE,
            help="rows fetched per database round trip (default %(default)s)",
        )

    def handle(self, *args, chunk_size: int, **options):
        if chunk_size < 1:
            self.stderr.write("--chunk-size must be at least 1.")
            raise SystemExit(2)
        total = AuditHead.objects.filter(pk=1).values_list("count", flat=True).first() or 0
        # The bar goes to the terminal's stderr so stdout stays one parseable line.
        with tqdm(
            total=total,
            unit="event",
            desc="audit chain",
            disable=not self.stdout.isatty(),
            file=sys.stderr,
        ) as bar:
            report = audit_chain_verify(
                chunk_size=chunk_size, progress=lambda done: bar.update(done - bar.n)
            )
            bar.update(report.count - bar.n)

        if report.ok:
            self.stdout.write(f"OK: {report.count} events, head {report.head}")
            return
        if report.broken_seq is None:
            where = "the head"
        elif report.broken_id is None:
            where = f"event #{report.broken_seq} (missing)"
        else:
            where = f"event #{report.broken_seq} (id {report.broken_id})"
        self.stderr.write(f"BROKEN at {where}: {report.reason}")
        # Not CommandError: its "CommandError:" prefix would garble the one-line
        # report. The exit status is what monitoring reads.
        raise SystemExit(1)
