"""Small helpers the browser tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import re

from accounts.sms import SmsMessage


def sms_code(outbox: list[SmsMessage], phone_number: str) -> str:
    """The 6-digit code of the newest SMS sent to ``phone_number``."""
    texts = [message.text for message in outbox if message.phone == phone_number]
    assert texts, f"no SMS was sent to {phone_number}"
    return re.search(r"验证码是(\d{6})", texts[-1]).group(1)


# Compared with the layout viewport (clientWidth, 375 px with width=device-width),
# not window.innerWidth: on a mobile page chromium zooms out to fit content
# that is too wide, and innerWidth grows with it, so a page 420 px wide would
# "fit" a 420 px innerWidth.
FITS_WIDTH_JS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def fits_width(page) -> bool:
    """True when nothing on the page is wider than the screen (no sideways scrolling)."""
    return page.evaluate(FITS_WIDTH_JS)
