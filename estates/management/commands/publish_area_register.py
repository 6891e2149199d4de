"""Publish the annex-1 register summary of one management area as a signed notice."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from estates.models import ManagementArea
from estates.services.area_register import area_register_notice_issue


class Command(BaseCommand):
    help = "Publish the register summary (annex 1) of one management area as a signed PDF."

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="The management area's code.")

    def handle(self, *args, area: str, **options):
        found = ManagementArea.objects.select_related(
            "community__street", "property_company"
        ).filter(code=area)
        if not found:
            raise CommandError(f"No management area with code {area!r}.")
        try:
            publication = area_register_notice_issue(area=found[0], actor=None)
        except DomainError as exc:
            if exc.code == "unchanged":
                # Safe to re-run: an unchanged register is not published twice.
                self.stdout.write(exc.message)
                return
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"{publication.serial} {publication.title} "
            f"({publication.pages} pages, sha256 {publication.sha256})"
        )
