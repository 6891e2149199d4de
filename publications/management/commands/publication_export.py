"""Write a stored signed PDF to a file, byte for byte."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from publications.models import Publication
from publications.signing import sha256_hex


class Command(BaseCommand):
    help = "Write the signed PDF of publication SERIAL (or the latest) to --out FILE."

    def add_arguments(self, parser):
        parser.add_argument("serial", nargs="?", help="Serial, e.g. YQ-2026-000123.")
        parser.add_argument("--latest", action="store_true", help="The most recent publication.")
        parser.add_argument("--out", required=True, type=Path, help="File to write.")

    def handle(self, *args, serial: str | None, latest: bool, out: Path, **options):
        if bool(serial) == bool(latest):
            raise CommandError("Give either a SERIAL or --latest.")
        if latest:
            publication = Publication.objects.order_by("-issued_at", "-serial").first()
            if publication is None:
                raise CommandError("No publication has been issued yet.")
        else:
            publication = Publication.objects.filter(serial=serial).first()
            if publication is None:
                raise CommandError(f"No publication {serial}.")
        with publication.file.open("rb") as handle:
            data = handle.read()
        # The stored file must still be what the register says was published.
        if sha256_hex(data) != publication.sha256:
            raise CommandError(
                f"The stored file of {publication.serial} does not match its registered SHA-256."
            )
        out.write_bytes(data)
        self.stdout.write(
            f"{publication.serial} → {out} ({len(data)} bytes, sha256 {publication.sha256})"
        )
