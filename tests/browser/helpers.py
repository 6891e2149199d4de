"""Small helpers the browser tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client

from accounts.sms import SmsMessage


def session_log_in(page, live_server, user) -> None:
    """Log ``user`` in for ``page`` without the login form: a test client's session cookie
    handed to the browser (the login walk itself is tests/browser/test_login.py)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


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


# --------------------------------------------------------------------------- walks
# Added for the bureau and public walks (test_review_approve.py, test_public_verify.py).

STAFF_PASSWORD = "pass-word-123"  # tests.factories.UserFactory's password


def staff_log_in(page, username: str, password: str = STAFF_PASSWORD) -> None:
    """Log in on the login page's staff form (username + password), as a person does."""
    page.goto("/accounts/login/")
    page.get_by_text("工作人员：用户名 + 密码").click()
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    staff_form = page.locator("form", has=page.locator("input[name=form][value=staff]"))
    staff_form.get_by_role("button", name="登录").click()


def totp_code(device) -> str:
    """What an authenticator app holding ``device``'s key (a django_otp TOTPDevice) shows now."""
    from django_otp.oath import totp

    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


# The user guide's walk images (docs/img/walk-*.png): 375 CSS px wide whatever the device
# scale (the phone fixture renders at 2x), cut at WALK_MAX_HEIGHT, re-saved with a
# 256-colour palette when larger than WALK_MAX_BYTES (docs/screenshots.py's limits).
WALK_MAX_HEIGHT = 1800
WALK_MAX_BYTES = 200 * 1024


def walk_screenshot(page, name: str, *, start=None) -> str:
    """Save the page as <name>.png; return the file's path. With GONGZHI_DOC_SHOTS=1 the
    image goes to docs/img/ for the user guide; otherwise to a temporary folder, so a test
    run leaves the checkout as it found it.

    ``start`` (a locator) makes the image begin at that element instead of the page's top,
    for a long page whose step is at the bottom (a form below the facts it is about)."""
    import os
    import tempfile
    from pathlib import Path

    from PIL import Image  # installed with WeasyPrint

    if os.environ.get("GONGZHI_DOC_SHOTS") == "1":
        folder = Path(__file__).resolve().parents[2] / "docs" / "img"
    else:
        folder = Path(tempfile.gettempdir()) / "gongzhi-walks"
        folder.mkdir(exist_ok=True)
    path = folder / f"{name}.png"
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.clientWidth")
    top = 0
    if start is not None:
        top = max(0, int(start.evaluate("e => e.getBoundingClientRect().top + window.scrollY")) - 8)
    height = min(page.evaluate("document.documentElement.scrollHeight") - top, WALK_MAX_HEIGHT)
    page.screenshot(
        path=str(path),
        full_page=True,
        scale="css",
        clip={"x": 0, "y": top, "width": width, "height": height},
    )
    if path.stat().st_size > WALK_MAX_BYTES:
        with Image.open(path) as image:
            reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        reduced.save(path, "PNG", optimize=True)
    return str(path)


# A control a thumb cannot reach: any part of it outside the screen's width, unless it sits
# in a box the user can scroll sideways (.table-wrap), where scrolling brings it in.
CONTROLS_OFF_SCREEN_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if ((x === "auto" || x === "scroll") && p.scrollWidth > p.clientWidth) return true;
    }
    return false;
  };
  const controls = document.querySelectorAll(
    "button, input:not([type=hidden]), select, textarea, a.button, summary"
  );
  return Array.from(controls)
    .filter((e) => e.getClientRects().length > 0)
    .filter((e) => {
      const r = e.getBoundingClientRect();
      return (r.left < -0.5 || r.right > width + 0.5) && !scrolls(e);
    })
    .map((e) => `${e.tagName.toLowerCase()} "${(e.innerText || e.name || "").trim()}"`);
}"""


def controls_off_screen(page) -> list[str]:
    """The buttons, fields and button-links that stick out of the 375 px screen."""
    return page.evaluate(CONTROLS_OFF_SCREEN_JS)
