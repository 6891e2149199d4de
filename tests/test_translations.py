"""The English catalogue: complete, compiled, and actually shown when English is chosen.

The UI's msgids are Simplified Chinese (DESIGN.md "Language"); English is the
second language in ``settings.LANGUAGES``. A msgid without a translation would
show Chinese on an English page, and a .po edited but not compiled changes
nothing at run time, so both are checked here.
"""

from __future__ import annotations

import gettext
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

MSGFMT = shutil.which("msgfmt")
needs_msgfmt = pytest.mark.skipif(MSGFMT is None, reason="gettext msgfmt not installed")


def _msgfmt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([MSGFMT, *args], capture_output=True, text=True, env={"LC_ALL": "C"})


def _statistics() -> dict[str, int]:
    """msgfmt's one-line summary, e.g. "740 translated messages, 2 fuzzy translations, 7 untranslated messages."."""
    done = _msgfmt("-c", "--statistics", str(PO_FILE), "-o", "/dev/null")
    assert done.returncode == 0, done.stderr
    summary = done.stderr.strip().splitlines()[-1]
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for number, kind in re.findall(r"(\d+) (translated|fuzzy|untranslated)", summary):
        counts[kind] = int(number)
    return counts


@needs_msgfmt
def test_english_catalogue_has_no_untranslated_or_fuzzy_entry():
    counts = _statistics()
    assert counts["untranslated"] == 0
    assert counts["fuzzy"] == 0
    assert counts["translated"] > 0


@needs_msgfmt
def test_compiled_english_catalogue_matches_the_po_file(tmp_path):
    fresh = tmp_path / "django.mo"
    done = _msgfmt("-c", str(PO_FILE), "-o", str(fresh))
    assert done.returncode == 0, done.stderr
    with fresh.open("rb") as f:
        expected = gettext.GNUTranslations(f)._catalog
    with MO_FILE.open("rb") as f:
        shipped = gettext.GNUTranslations(f)._catalog
    stale = sorted(str(k) for k in expected.keys() ^ shipped.keys())
    assert stale == [], "django.mo is out of date; run manage.py compilemessages -l en"
    assert shipped == expected


def _chrome_text(body: str, *, drop: tuple[str, ...] = ()) -> str:
    """Visible text of the base layout's header/menu, the page title and its headings.

    The language switch is left out on purpose: each language is named in its
    own language (简体中文 / English). ``drop`` removes data (a user's name).
    """
    parts = re.findall(
        r"<header\b.*?</header>|<title>.*?</title>|<h[12]\b.*?</h[12]>", body, flags=re.S
    )
    chrome = "\n".join(parts)
    chrome = re.sub(r'<form[^>]*class="lang".*?</form>', "", chrome, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", chrome))
    for data in drop:
        text = text.replace(data, "")
    return " ".join(text.split())


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_home_page_menu_and_headings_are_english_when_english_is_chosen(client):
    body = _english(client).get("/").content.decode()
    text = _chrome_text(body)
    assert '<html lang="en">' in body
    assert "Menu" in text
    assert "Log in" in text
    assert "Gongzhi · Residents' co-governance platform" in text
    assert HAN.findall(text) == []


@pytest.mark.django_db
def test_login_page_menu_and_headings_are_english_when_english_is_chosen(client):
    body = _english(client).get(reverse("accounts:login")).content.decode()
    text = _chrome_text(body)
    assert "Owners: phone + code" in text
    assert "Staff: username + password" in text
    assert "Send me a code" in body
    assert HAN.findall(text) == []


@pytest.mark.django_db
def test_logged_in_home_shows_english_roles_and_actions(client, personas):
    client.force_login(personas.reviewer)
    body = _english(client).get("/").content.decode()
    text = _chrome_text(body, drop=(str(personas.reviewer),))
    assert "Bureau reviewer" in text
    assert "Log out" in text
    assert "What you can do" in text
    assert "Audit chain" in body
    assert HAN.findall(text) == []


@pytest.mark.django_db
def test_chinese_stays_the_default_without_the_language_cookie(client):
    text = _chrome_text(client.get(reverse("accounts:login")).content.decode())
    assert "业主：手机号 + 验证码" in text
    assert "Owners: phone + code" not in text
