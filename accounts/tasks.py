"""Celery tasks: thin wrappers over services (DESIGN.md "Layout")."""

from __future__ import annotations

from celery import shared_task

from . import services, sms


@shared_task(
    name="accounts.sms_send",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def sms_send(phone: str, text: str) -> None:
    """Send a notice by SMS (e.g. a sub-ledger posting, RULES.md §4), retried on failure.

    Not used for login codes: those go out straight after commit, because
    an owner is waiting for them and their text should not sit in a broker.
    """
    sms.sms_send(phone=phone, text=text)


@shared_task(name="accounts.phone_codes_purge")
def phone_codes_purge() -> int:
    """Daily housekeeping: drop one-time code rows and try counters older than a day."""
    return services.code_purge() + services.tries_purge()
