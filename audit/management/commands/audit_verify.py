"""Walk the audit chain, cross-check the records, check the anchors (STYLE.md §12).

Three checks, each naming the first thing that no longer matches (exit 1):

1. the audit chain: every event's hash recomputed in seq order, and the head row;
2. records: every ballot and every ledger transaction against the audit event
   written when it was made (the checks the domains register in
   ``core.integrity``; this app imports none of them);
3. anchors (DESIGN.md "Trust anchors"): the chain heads each signed
   publication carries, read from the signed PDF itself after its signature
   and its SHA-256 against the publication log were checked. ``--anchors DIR``
   checks the PDFs in DIR (copies kept outside the system) instead of the
   stored ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from audit.models import AuditHead
from audit.selectors import CHUNK_SIZE, audit_chain_verify
from core import integrity


class Command(BaseCommand):
    help = (
        "Recompute every audit event's hash in seq order and check the head row; check "
        "every ballot and ledger transaction against the audit event written when it was "
        "made; check the chain heads carried by every signed publication (or by the PDFs "
        "in --anchors DIR). Prints 'OK: N events, head <hash>' (and a line per further "
        "check) and exits 0, or names the first mismatch and exits 1. Read-only: safe to "
        "run at any time, as often as wanted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=CHUNK_SIZE,
            help="rows fetched per database round trip (default %(default)s)",
        )
        parser.add_argument(
            "--anchors",
            type=Path,
            metavar="DIR",
            help="check the anchors of the signed PDFs in DIR instead of the stored ones",
        )

    def handle(self, *args, chunk_size: int, anchors: Path | None = None, **options):
        if chunk_size < 1:
            self.stderr.write("--chunk-size must be at least 1.")
            raise SystemExit(2)
        files = self._anchor_files(anchors) if anchors is not None else None
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
            self._records()
            self._anchors(files)
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

    def _anchor_files(self, directory: Path) -> list[Path]:
        if not directory.is_dir():
            self.stderr.write(f"--anchors {directory}: not a directory.")
            raise SystemExit(2)
        files = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() == ".pdf")
        if not files:
            self.stderr.write(f"--anchors {directory}: no PDF file in it.")
            raise SystemExit(2)
        return files

    def _records(self) -> None:
        for report in integrity.records_verify():
            if not report.ok:
                self.stderr.write(f"MISMATCH in {report.name}: {report.mismatch}")
                raise SystemExit(1)
            if report.checked:
                self.stdout.write(f"OK: {report.checked} {report.name} match their audit events")

    def _anchors(self, files: list[Path] | None) -> None:
        if files is None:
            documents = integrity.stored_documents()
        else:
            documents = (integrity.document_read(path.read_bytes(), path.name) for path in files)
        report = integrity.documents_verify(documents)
        if not report.ok:
            self.stderr.write(f"ANCHOR BROKEN: {report.failure}")
            raise SystemExit(1)
        if report.documents:
            self.stdout.write(
                f"OK: {report.anchors} anchors in {report.documents} signed publications hold"
                + (f" ({len(report.unanchored)} carry none)" if report.unanchored else "")
            )
