"""seed_demo: the demo district with a login for every role, one signed notice of each kind
(issue 16 item 13), a quiet console (item 12), the public base URL and an unbound owner
(item 11). Idempotent.

The district is seeded once for the module (seeding takes most of a minute); each test
runs in a transaction rolled back over it, and the module's end empties the database.
"""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Min
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import permissions, sms
from accounts.models import Role, User
from estates.models import ManagementArea, Ownership, Person, Street, Unit
from estates.selectors import area_roll
from publications.models import Kind, Publication
from publications.signing import signature_check
from tests.signing import PASSPHRASE
from tests.voting.conftest import pdf_text

BASE_URL = "https://gongzhi-demo.example.org:8443"
EVERY_KIND = {
    Kind.AREA_REGISTER,
    Kind.ASSEMBLY_NOTICE,
    Kind.VOTE_RESULT_PRELIMINARY,
    Kind.VOTE_RESULT_FINAL,
    Kind.FUND_USE,
    Kind.EMERGENCY_REPAIR,
    Kind.PUBLIC_REVENUE,
    Kind.ANNUAL_STATEMENT,
}


def _console_handler() -> logging.Handler:
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    return handler


@contextmanager
def _console_shown_in(stream: io.StringIO):
    """The console handler writes to ``stream`` for the block. Its own stream is swapped,
    not flushed (``setStream`` flushes): under pytest it may be an earlier test's
    captured stderr, already closed."""
    console = _console_handler()
    previous, console.stream = console.stream, stream
    try:
        yield
    finally:
        console.stream = previous


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """``manage.py seed_demo`` once, with what it printed and what the console showed."""
    folder = tmp_path_factory.mktemp("demo")
    overrides = override_settings(
        GONGZHI_SIGNING_DIR=folder / "signing",
        GONGZHI_SIGNING_PASSPHRASE=PASSPHRASE,
        GONGZHI_SIGNING_PKCS12="",
        GONGZHI_TIMESTAMP_URL="",
        MEDIA_ROOT=folder / "media",
        GONGZHI_SMS_BACKEND="accounts.sms.ConsoleSender",
        GONGZHI_SMS_LOG=folder / "sms.log",
        GONGZHI_PUBLIC_BASE_URL=BASE_URL,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    overrides.enable()
    shown, printed = io.StringIO(), io.StringIO()
    with django_db_blocker.unblock():
        _whitelist_ensure()
        with _console_shown_in(shown):
            call_command("seed_demo", stdout=printed)
    try:
        yield SimpleNamespace(out=printed.getvalue(), console=shown.getvalue(), folder=folder)
    finally:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
        overrides.disable()


def _whitelist_ensure() -> None:
    # The emergency whitelist comes from a migration; a transactional test may have flushed it.
    import importlib

    from emergency.models import WhitelistVersion

    if not WhitelistVersion.objects.exists():
        importlib.import_module("emergency.migrations.0002_seed_whitelist").seed(apps, None)


@pytest.fixture
def demo(seeded, settings, db):
    """The seeded district under the settings it was seeded with (files, keys, base URL)."""
    settings.MEDIA_ROOT = seeded.folder / "media"
    settings.GONGZHI_SIGNING_DIR = seeded.folder / "signing"
    settings.GONGZHI_SIGNING_PASSPHRASE = PASSPHRASE
    settings.GONGZHI_PUBLIC_BASE_URL = BASE_URL
    return seeded


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


# --------------------------------------------------------------------------- the district


def test_seed_demo_builds_the_district_with_a_login_for_every_role(demo):
    assert Street.objects.count() == 3
    assert ManagementArea.objects.count() == 6
    assert 2900 <= Unit.objects.count() <= 3100
    held = {a.role for user in User.objects.all() for a in user.roles.all()}
    assert held == set(Role.values)
    for login in ("13900000001", "13900000003", "committee_demo", "approver_demo", "admin_demo"):
        assert login in demo.out
    from voting.demo import DEMO_TITLE
    from voting.models import Assembly

    current = Assembly.objects.get(title=DEMO_TITLE)
    assert current.current_status() == Assembly.Status.OPEN
    assert current.snapshot.heads > 0
    # Its notice is a real signed one, dated 20 days back.
    assert current.notice_publication.issued_at < timezone.now() - timedelta(days=19)


def test_demo_register_has_co_owners_multi_unit_buyers_and_developer_units(demo):
    area = ManagementArea.objects.get(code="YQ-001")
    roll = area_roll(area)
    assert any(right.is_developer for right in roll.rights)
    assert any(len(right.unit_codes) > 1 and not right.is_developer for right in roll.rights)
    co_owned = Unit.objects.filter(area=area, ownerships__until__isnull=True).values("pk")
    assert co_owned.count() > co_owned.distinct().count()  # some unit has two open ownerships
    assert roll.totals["heads"] < roll.totals["units"]


def test_demo_owner_is_bound_to_the_register(demo):
    owner = User.objects.get(phone="13900000001")
    person = Person.objects.get(user=owner)
    area = person.ownerships.get(until__isnull=True).unit.area
    assert permissions.can(owner, "ballot.cast", area)


def test_owners_are_registered_before_their_first_deposit(demo):
    from funds.models import Account, Entry

    area = ManagementArea.objects.get(code="YQ-001")
    first_paid = dict(
        Entry.objects.filter(
            account__area=area, account__kind=Account.Kind.UNIT, transaction__kind="deposit"
        )
        .values_list("account__unit_id")
        .annotate(first=Min("transaction__value_date"))
    )
    assert len(first_paid) > 400
    since = dict(
        Ownership.objects.filter(unit__area=area)
        .values_list("unit_id")
        .annotate(first=Min("since"))
    )
    late = [unit for unit, day in first_paid.items() if unit in since and since[unit] > day]
    assert late == []


# --------------------------------------------------------------------------- what make run prints


def test_the_logins_are_printed_last_at_the_public_base_url(demo):
    lines = demo.out.rstrip().splitlines()
    header = next(n for n, line in enumerate(lines) if line.startswith("Demo logins"))
    assert f"({BASE_URL}/accounts/login/)" in lines[header]
    assert all("Demo district ready" not in line for line in lines[header:])
    assert "TOTP" in lines[-1]
    assert "127.0.0.1:8000" not in demo.out


def test_seeding_prints_no_text_message_and_files_them_one_a_line(demo):
    assert "SMS to" not in demo.out
    assert "SMS to" not in demo.console
    texts = (demo.folder / "sms.log").read_text(encoding="utf-8").splitlines()
    assert len(texts) > 1000
    assert all(" gongzhi.sms SMS to " in line for line in texts)
    assert str(demo.folder / "sms.log") in demo.out  # where to read them is said


def test_a_login_code_still_shows_on_the_console(settings, tmp_path):
    settings.GONGZHI_SMS_LOG = tmp_path / "sms.log"
    shown = io.StringIO()
    with _console_shown_in(shown):
        sms.ConsoleSender().send("13900000001", "【共治】您的登录验证码是654321，5分钟内有效。")
        sms.ConsoleSender().send("13900000001", "【共治】您的分户账收到交存 100.00 元。")
    assert "654321" in shown.getvalue()
    assert "交存" not in shown.getvalue()
    assert len((tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()) == 2


# --------------------------------------------------------------------------- the signed notices


def test_every_kind_of_notice_is_published_signed_and_verifies(demo):
    published = {p.kind: p for p in Publication.objects.order_by("issued_at")}
    assert set(published) >= EVERY_KIND
    for kind in EVERY_KIND:
        with published[kind].file.open("rb") as handle:
            check = signature_check(handle.read())
        assert check.ok, (kind, check.detail)
    # Made on back-dated clocks: the past's notices carry past dates, in the order of events.
    past = [published[k].issued_at for k in (Kind.VOTE_RESULT_PRELIMINARY, Kind.VOTE_RESULT_FINAL)]
    assert past[0] < past[1] < published[Kind.FUND_USE].issued_at
    assert published[Kind.FUND_USE].issued_at < timezone.now() - timedelta(days=20)
    # Issued in the order of their dates: the serials do not contradict them.
    in_serial_order = list(Publication.objects.order_by("serial"))
    dates = [p.issued_at for p in in_serial_order]
    assert dates == sorted(dates)


def test_the_notices_link_to_the_public_base_url(demo):
    notice = Publication.objects.filter(kind=Kind.VOTE_RESULT_FINAL).get()
    text = pdf_text(notice)
    assert f"{BASE_URL}/verify/{notice.serial}" in text.replace("\n", "")
    assert "127.0.0.1:8000" not in text


def test_the_past_assembly_board_is_accepted_by_the_standalone_verifier(demo, client, tmp_path):
    from voting.models import Assembly

    past = Assembly.objects.get(status=Assembly.Status.FINAL)
    assert past.preliminary_publication and past.final_publication
    response = client.get(reverse("voting:board", args=[past.pk]))
    assert response.status_code == 200
    board = tmp_path / "board.json"
    board.write_bytes(response.content)
    run = subprocess.run(
        [sys.executable, "-m", "voting.verifier", str(board)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode()
    report = json.loads(run.stdout)
    assert report["valid"] is True
    assert all(m["outcome"] == "approved" for m in report["motions"].values())
    assert past.ballots.count() > 2 * past.snapshot.heads // 3


def test_the_settled_use_is_apportioned_over_its_building(demo):
    from funds.models import FundUse

    use = FundUse.objects.get(status=FundUse.Status.PUBLISHED, source=FundUse.Source.APPLICATION)
    shares = list(use.shares.all())
    units = Unit.objects.filter(area=use.area, building__name="1栋").count()
    assert len(shares) == units
    assert sum(s.share_fen for s in shares) == use.final_cost_fen
    assert use.publication.kind == Kind.FUND_USE
    emergency = FundUse.objects.get(source=FundUse.Source.EMERGENCY)
    assert emergency.status == FundUse.Status.PUBLISHED
    assert emergency.publication.kind == Kind.EMERGENCY_REPAIR


def test_the_demo_owner_s_shares_list_shows_each_charge_of_the_sub_ledger(demo, client):
    """Issue 16 item 3: 我的维修分摊 and the sub-ledger are one source. In the demo the
    building-1 roof is settled through the real procedure: every bound owner whose
    sub-ledger carries a charge sees it on 我的维修分摊 at the same amount."""
    from core.money import yuan
    from funds.ledger import selectors as ledger

    seen = 0
    for owner in User.objects.filter(phone__isnull=False).order_by("pk"):
        charges = {
            unit.pk: [line for line in ledger.sub_ledger(unit) if line.is_charge]
            for unit in ledger.owner_units(owner)
        }
        if not any(charges.values()):
            continue
        seen += 1
        client.force_login(owner)
        page = client.get(reverse("funds:application_mine")).content.decode()
        for lines in charges.values():
            for line in lines:
                assert f"{yuan(-line.amount_fen)} 元" in page
        assert "目前没有涉及您房屋的维修资金使用。" not in page
    assert seen


# --------------------------------------------------------------------------- first login


def test_the_unbound_demo_owner_binds_with_the_printed_id_number(
    demo, client, settings, django_capture_on_commit_callbacks
):
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    sms.outbox.clear()
    row = next(line for line in demo.out.splitlines() if "13900000003" in line)
    [id_number] = re.findall(r"\b\d{17}[\dX]\b", row)
    person = Person.objects.get(phone="13900000003")
    assert person.user is None

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:login"), {"form": "send_code", "phone": "13900000003"})
    [text] = [m.text for m in sms.outbox if m.phone == "13900000003"]
    code = re.search(r"(\d{6})", text).group(1)
    response = client.post(
        reverse("accounts:login"), {"form": "owner", "phone": "13900000003", "code": code}
    )
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:bind"))
    response = client.post(reverse("accounts:bind"), {"id_number": id_number})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user is not None
    assert int(client.session["_auth_user_id"]) == person.user.pk
    sms.outbox.clear()


# --------------------------------------------------------------------------- idempotent


def test_seeding_again_changes_nothing(demo):
    before = _row_counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _row_counts() == before
