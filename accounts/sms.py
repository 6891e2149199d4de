"""Sending SMS through a pluggable sender (DESIGN.md "Real components").

``settings.GONGZHI_SMS_BACKEND`` names the sender class. The default,
``ConsoleSender``, writes each message to the log "gongzhi.sms": that is the
documented development behaviour ("code printed in the server log") and the
only place a one-time code may ever appear in a log. A production deployment
points the setting at a class wrapping its SMS provider's API; the class only
has to implement ``send``.

Phone numbers are personal data (DESIGN.md "Personal data"): the console
sender logs them masked. Message texts never contain ID numbers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from .phones import mask_phone

logger = logging.getLogger("gongzhi.sms")


class SmsSender:
    """Base class: deliver ``text`` to the mainland mobile number ``phone``.

    ``send`` raises on a delivery failure; callers decide whether that matters
    (a login code the user can request again; a ledger notice a task retries).
    """

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSender(SmsSender):
    """Development sender: the message goes to the server log, the phone masked."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


# Messages "sent" by LocmemSender, oldest first (like django.core.mail.outbox).
outbox: list[SmsMessage] = []


class LocmemSender(SmsSender):
    """Test sender: appends to the module-level ``outbox``; tests read and clear it."""

    def send(self, phone: str, text: str) -> None:
        outbox.append(SmsMessage(phone=phone, text=text))


def get_sender() -> SmsSender:
    """An instance of the configured sender (read on every call, so overrides apply)."""
    cls = import_string(settings.GONGZHI_SMS_BACKEND)
    if not (isinstance(cls, type) and issubclass(cls, SmsSender)):
        raise TypeError(
            f"GONGZHI_SMS_BACKEND {settings.GONGZHI_SMS_BACKEND!r} is not an SmsSender."
        )
    return cls()


def sms_send(*, phone: str, text: str) -> None:
    """Send one message through the configured sender."""
    get_sender().send(phone, text)
