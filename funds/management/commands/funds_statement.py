"""Print an area's annual fund statement totals, and publish it (STYLE.md §12).

RULES.md §4 "Publication" (Order 165 art. 30). Without ``--publish`` it only
reads. With it, the statement is issued as a signed notice on behalf of
``--actor``, a bureau approver or admin (``publication.issue``), who proves
it is them with the current code of their authenticator app (``--totp``):
the same second factor the web page asks for. Re-running after a
publication prints the refusal and exits 1 (a year is published once;
a correction needs ``--reason``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from core.money import yuan
from estates.models import ManagementArea
from funds.ledger.figures import area_statement
from funds.ledger.services.statements import statement_publish

LABELS = (
    ("opening_fen", "opening balance"),
    ("deposits_fen", "deposits"),
    ("interest_fen", "interest"),
    ("returns_fen", "other returns"),
    ("uses_fen", "uses (apportioned)"),
    ("refunds_fen", "refunds"),
    ("adjustments_fen", "adjustments"),
    ("closing_fen", "closing balance"),
)


def _year(value: str) -> int:
    try:
        year = int(value)
    except ValueError:
        raise CommandError(f"not a year: {value!r}") from None
    return year


class Command(BaseCommand):
    help = (
        "Print the maintenance-fund statement of --area for --year (totals in yuan, from the "
        "ledger). --publish issues it as a signed annual statement notice on behalf of --actor "
        "(a bureau approver or admin) after checking their TOTP code (--totp); --reason makes "
        "it a correction of the year's current notice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="management area code")
        parser.add_argument("--year", required=True, type=_year, help="calendar year, e.g. 2025")
        parser.add_argument("--publish", action="store_true", help="issue the signed notice")
        parser.add_argument("--actor", default="", help="username of the approver who issues it")
        parser.add_argument("--totp", default="", help="the actor's current TOTP code")
        parser.add_argument("--reason", default="", help="reason of a correction")

    def handle(self, *args, area: str, year: int, publish: bool, actor: str, totp: str, **options):
        found = ManagementArea.objects.filter(code=area).first()
        if found is None:
            raise CommandError(f"no management area with code {area!r}")
        user = self._actor(actor, totp) if publish else None
        data = area_statement(found, year)
        totals = data["totals"]
        self.stdout.write(f"{found.code} {found.name} {year}: {len(data['units'])} sub-ledgers")
        for key, label in LABELS:
            self.stdout.write(f"  {label:<20} {yuan(totals[key]):>16}")
        self.stdout.write(f"  {'uses':<20} {len(data['uses']):>16}")
        if not data["checks"]["units_equal_area_fund"]:
            self.stderr.write("sub-ledgers do not add up to the area fund account: run funds_check")
        if not publish:
            return
        try:
            statement = statement_publish(
                area=found, year=year, actor=user, reason=options["reason"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        publication = statement.publication
        self.stdout.write(
            f"published {publication.serial} {publication.title} "
            f"({publication.pages} pages, sha256 {publication.sha256})"
        )

    def _actor(self, username: str, code: str):
        """The named user, marked as having passed TOTP only if ``code`` is their current code."""
        from django_otp import match_token

        if not username:
            raise CommandError("--publish needs --actor USERNAME (and --totp CODE)")
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        if not code or match_token(user, code.strip()) is None:
            raise CommandError(f"--totp is not a current code of {username!r}'s authenticator")
        # What django-otp's middleware does for a session that passed TOTP.
        user.is_verified = lambda: True
        return user
