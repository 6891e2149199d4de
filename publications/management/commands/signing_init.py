"""Create the deployment CA and the bureau's signing certificate, once.

Re-running changes nothing; ``--rotate`` issues a new signing certificate and
keeps the old ones so that what they signed still verifies.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from publications import signing


class Command(BaseCommand):
    help = (
        "Create (once) the signing CA and the bureau signing certificate; --rotate adds a new one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Issue a new signing certificate (the old ones are kept for verification).",
        )

    def handle(self, *args, rotate: bool = False, **options):
        config = signing.SigningConfig.from_settings()
        try:
            result = signing.signing_init(rotate=rotate, config=config)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if result.created:
            for name in result.created:
                self.stdout.write(f"created {config.directory / name}")
        else:
            self.stdout.write(f"nothing to do: keys already exist in {config.directory}")
        self.stdout.write(f"CA certificate SHA-256 fingerprint:      {result.ca_fingerprint}")
        self.stdout.write(
            f"signing certificate ({result.signing_file}) SHA-256: {result.signing_fingerprint}"
        )
