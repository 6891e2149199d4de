"""Create (or complete) a staff login with one role: ``manage.py create_staff USERNAME --role ROLE``.

Safe to re-run: an existing user is kept and a role already held is not
granted twice. The password is read from standard input with
``--password-stdin`` (never from the command line, where it would land in
the shell history and the process list); without it a new account has no
usable password until ``manage.py changepassword USERNAME`` sets one.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import ROLE_SCOPE_FIELD, Role, User
from core.errors import DomainError
from estates.models import Community, ManagementArea, PropertyCompany, Street


class Command(BaseCommand):
    help = "Create a staff login (or reuse it) and grant it one role with its scope."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            required=True,
            help="One of: " + ", ".join(r for r in Role.values if r != Role.OWNER),
        )
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--area", metavar="CODE", help="management area code")
        scope.add_argument("--street", metavar="CODE", help="street code")
        scope.add_argument("--community", metavar="CODE", help="community code")
        scope.add_argument("--company", metavar="USCC", help="property company's 统一社会信用代码")
        parser.add_argument("--display-name", default="", help="the person's name")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )

    def handle(self, *args, username, role, display_name, password_stdin, **options):
        if role not in Role.values or role == Role.OWNER:
            raise CommandError(
                f"Unknown staff role {role!r}. Choose one of: "
                + ", ".join(r for r in Role.values if r != Role.OWNER)
                + ". (Owners are created from the register, not with this command.)"
            )
        scope = self._scope(role, options)
        password = None
        if password_stdin:
            stream = options.get("stdin") or sys.stdin
            password = stream.readline().rstrip("\r\n")
            if not password:
                raise CommandError("--password-stdin was given but standard input was empty.")

        try:
            with transaction.atomic():
                user = User.objects.filter(username=username).first()
                if user is None:
                    user = services.staff_create(
                        username=username, password=password, display_name=display_name
                    )
                    self.stdout.write(f"Created staff user {username}.")
                else:
                    self.stdout.write(f"User {username} already exists; kept.")
                    if password is not None:
                        services.staff_password_set(user=user, password=password)
                        self.stdout.write("Password updated.")
                before = user.roles.count()
                services.role_grant(user=user, role=role, scope=scope)
                granted = user.roles.count() > before
        except DomainError as exc:
            raise CommandError(exc.message) from None

        where = f" over {scope}" if scope is not None else " (district-wide)"
        if granted:
            self.stdout.write(self.style.SUCCESS(f"Granted {role}{where} to {username}."))
        else:
            self.stdout.write(f"{username} already holds {role}{where}; nothing changed.")
        if password is None and not user.has_usable_password():
            self.stdout.write(
                f"No password set: run `manage.py changepassword {username}` before first login."
            )

    def _scope(self, role: str, options):

        lookups = {
            "area": (ManagementArea, "code"),
            "street": (Street, "code"),
            "community": (Community, "code"),
            "company": (PropertyCompany, "uscc"),
        }
        given = [name for name in lookups if options.get(name)]
        wanted = ROLE_SCOPE_FIELD[role]
        if wanted is None and given:
            raise CommandError(f"Role {role} is district-wide; do not pass --{given[0]}.")
        if wanted is not None and given != [wanted]:
            raise CommandError(f"Role {role} needs --{wanted} {lookups[wanted][1].upper()}.")
        if wanted is None:
            return None
        model, key = lookups[wanted]
        value = options[wanted].strip()
        obj = model.objects.filter(**{key: value}).first()
        if obj is None:
            raise CommandError(f"No {model._meta.model_name} with {key} {value!r}.")
        return obj
