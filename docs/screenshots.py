"""Take the user guides' screenshots (docs/img/*.png) from a fresh demo district.

    .venv/bin/python docs/screenshots.py

The script builds a throw-away SQLite database in a temporary directory
(migrate + ``seed_demo``, the same data ``make run`` loads), serves the site
from a thread of this process on 127.0.0.1 and a free port, and walks it with
Playwright driving Debian's chromium on a 375 × 812 phone screen. SMS go to
``accounts.sms.LocmemSender``, whose outbox this process can read, so the
owner's one-time code never has to be fished out of a log. Nothing outside
the temporary directory and docs/img/ is touched; the repository's own
db.sqlite3 is left alone.

A page that does not exist (yet) or does not answer 200 is skipped and
listed at the end, as is any page wider than the screen. Re-running replaces
the images.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
import tempfile
from base64 import b32encode
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium calls Google's services at
# start-up; on a closed network those connections are refused and slow it down.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 375, "height": 812},
    # 1, not a phone's 2 or 3: the images stay small enough for a repository.
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
MAX_HEIGHT = 1800  # long pages are cut here; the top is what a guide needs
MAX_BYTES = 200 * 1024


def _environment(tmp: Path) -> None:
    """Point the settings at the temporary directory before Django reads them."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
            "GONGZHI_ENV": "development",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "MEDIA_ROOT": str(tmp / "media"),
            "GONGZHI_SIGNING_DIR": str(tmp / "signing"),
            "GONGZHI_SMS_BACKEND": "accounts.sms.LocmemSender",
            "LOG_LEVEL": "WARNING",
            # Playwright's sync API keeps an asyncio loop on this thread; the
            # ORM calls below are plain sequential code, not async code.
            "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
        }
    )
    for name in ("REDIS_CACHE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))


@dataclass
class Report:
    taken: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class Shooter:
    def __init__(self, browser, base_url: str, report: Report):
        self.browser = browser
        self.base_url = base_url
        self.report = report

    def phone(self):
        context = self.browser.new_context(base_url=self.base_url, **PHONE)
        context.set_default_timeout(20_000)
        return context.new_page()

    def open(self, page, name: str, url: str) -> bool:
        response = page.goto(url)
        status = response.status if response else 0
        if status != 200:
            self.report.skipped.append(f"{name}: {url} answered {status}")
            return False
        return True

    def shot(self, page, name: str, url: str | None = None, *, ready: str | None = None) -> None:
        """Save the page (after ``ready``, a selector, is visible) as docs/img/<name>.png."""
        if url is not None and not self.open(page, name, url):
            return
        page.wait_for_load_state("load")
        if ready:
            page.locator(ready).first.wait_for()
        # clientWidth, not innerWidth: chromium zooms a mobile page out to fit
        # content that is too wide, and innerWidth grows with the zoom.
        if not page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        ):
            width = page.evaluate("document.documentElement.scrollWidth")
            self.report.problems.append(f"{name}: {page.url} is {width} px wide on a 375 px screen")
        height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
        path = IMG / f"{name}.png"
        page.screenshot(
            path=str(path),
            full_page=True,
            clip={"x": 0, "y": 0, "width": PHONE["viewport"]["width"], "height": height},
        )
        size = path.stat().st_size
        if size > MAX_BYTES:
            self.report.problems.append(f"{name}.png is {size // 1024} KB (over 200 KB)")
        self.report.taken.append(f"{name}.png ({size // 1024} KB)")


# --------------------------------------------------------------------------- steps


def _sms_code(phone_number: str) -> str:
    from accounts import sms

    texts = [m.text for m in sms.outbox if m.phone == phone_number]
    if not texts:
        raise RuntimeError(f"no SMS was sent to {phone_number}")
    return re.search(r"验证码是(\d{6})", texts[-1]).group(1)


def _request_code(page, phone_number: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("手机号", exact=True).fill(phone_number)
    page.get_by_role("button", name="获取验证码", exact=True).click()
    page.get_by_label("验证码", exact=True).wait_for()


def _enter_code(page, phone_number: str) -> None:
    page.get_by_label("验证码", exact=True).fill(_sms_code(phone_number))
    form = page.locator("form", has=page.locator("input[name=form][value=owner]"))
    form.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")


def _staff_login(page, username: str) -> None:
    from gongzhi.demo import DEMO_PASSWORD

    page.goto("/accounts/login/")
    page.get_by_text("工作人员：用户名 + 密码").click()
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
    form = page.locator("form", has=page.locator("input[name=form][value=staff]"))
    form.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")


def _totp_now(username: str) -> str:
    """The code an authenticator app holding the enrolled key shows now."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username).order_by("-pk").first()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def _secret_shown(username: str) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    return b32encode(device.bin_key).decode()


def _enrol(page, username: str) -> None:
    page.get_by_label("动态口令").fill(_totp_now(username))
    page.get_by_role("button", name="完成绑定").click()
    page.wait_for_load_state("load")


def _import_files() -> tuple[tuple[str, bytes], tuple[str, bytes], str]:
    """A demo area's own register file (a clean check) and a copy with mistakes."""
    from gongzhi import demo

    index = 4  # 书香苑 (YQ-004): seeded from this very file, so the check finds no change
    spec = demo.AREAS[index - 1]
    good = demo.area_register_csv(spec, seed=index)
    rows = list(csv.reader(io.StringIO(good.decode("utf-8"))))
    header = rows[0]
    col = {name: header.index(name) for name in header}
    bad_rows = [list(row) for row in rows]
    # Rows with one owner, so each mistake below is reported once.
    single = [
        n
        for n, row in enumerate(bad_rows[1:], start=1)
        if row[col["开发商持有"]] == "否"
        and row[col["身份证号"]]
        and ";" not in row[col["身份证号"]]
    ]
    # Typical mistakes of a hand-kept spreadsheet: a wrong ID check digit, no
    # area at all, a phone with a digit missing, an unknown use.
    wrong_id = bad_rows[single[0]][col["身份证号"]]
    bad_rows[single[0]][col["身份证号"]] = wrong_id[:17] + ("0" if wrong_id[17] != "0" else "1")
    for name in ("登记面积", "实测面积", "合同面积"):
        bad_rows[single[1]][col[name]] = ""
    bad_rows[single[2]][col["手机号"]] = bad_rows[single[2]][col["手机号"]][:10]
    bad_rows[single[3]][col["用途"]] = "仓库"
    out = io.StringIO()
    csv.writer(out).writerows(bad_rows)
    label = f"{spec.name}物业管理区域（{spec.code}）"
    return (f"{spec.code}.csv", good), (f"{spec.code}-有误.csv", out.getvalue().encode()), label


def anonymous(s: Shooter) -> None:
    page = s.phone()
    s.shot(page, "home", "/")
    s.shot(page, "login", "/accounts/login/")
    page.get_by_text("工作人员：用户名 + 密码").click()
    s.shot(page, "login-staff")
    s.shot(page, "public-publications", "/publications/")
    s.shot(page, "public-verify", "/verify/")
    page.context.close()


def owner(s: Shooter) -> None:
    from gongzhi.demo import OWNER_PHONES

    page = s.phone()
    _request_code(page, OWNER_PHONES[0])
    s.shot(page, "owner-code")
    _enter_code(page, OWNER_PHONES[0])
    s.shot(page, "owner-home")
    s.shot(page, "owner-units", "/estates/my-units/")
    page.context.close()


def first_login(s: Shooter) -> None:
    from estates.models import Person

    person = (
        Person.objects.filter(user__isnull=True, ownerships__until__isnull=True)
        .exclude(phone="")
        .order_by("pk")
        .first()
    )
    page = s.phone()
    _request_code(page, person.phone)
    _enter_code(page, person.phone)
    s.shot(page, "owner-bind")
    page.context.close()


def area_staff(s: Shooter) -> None:
    committee_pages = [("register", "/estates/"), ("area", "/estates/areas/YQ-001/")]
    street_pages = [
        ("register", "/estates/"),
        ("dashboard", "/estates/dashboard/"),
        ("annex1", "/estates/annex1/"),
    ]
    for username, prefix, pages in [
        ("committee_demo", "committee", committee_pages),
        ("property_demo", "property", [("register", "/estates/")]),
        ("street_demo", "street", street_pages),
    ]:
        page = s.phone()
        _staff_login(page, username)
        s.shot(page, f"{prefix}-home")
        for name, url in pages:
            s.shot(page, f"{prefix}-{name}", url)
        page.context.close()


def reviewer(s: Shooter) -> None:
    from estates.models import Building, Committee, Ownership

    building = Building.objects.filter(area__code="YQ-001").order_by("pk").first()
    # A unit with two co-owners shows what the unit page holds.
    shared = (
        Ownership.objects.filter(unit__area__code="YQ-001", until__isnull=True)
        .values("unit")
        .order_by("unit")
    )
    unit_id = next(
        (row["unit"] for row in shared if shared.filter(unit=row["unit"]).count() > 1),
        shared.first()["unit"],
    )
    committee = Committee.objects.filter(area__code="YQ-001").order_by("pk").first()
    page = s.phone()
    _staff_login(page, "reviewer_demo")
    s.shot(page, "reviewer-home")
    pages = [
        ("register-index", "/estates/"),
        ("register-area", "/estates/areas/YQ-001/"),
        ("register-building", f"/estates/buildings/{building.pk}/"),
        ("register-unit", f"/estates/units/{unit_id}/"),
        ("register-area-edit", "/estates/areas/YQ-001/edit/"),
        ("register-companies", "/estates/companies/"),
    ]
    if committee is not None:
        pages.append(("register-committee", f"/estates/committees/{committee.pk}/"))
    for name, url in pages:
        s.shot(page, name, url)
    # Swagger UI draws the page with JavaScript after loading the schema.
    s.shot(page, "api-docs", "/api/docs/", ready=".swagger-ui .opblock")

    if s.open(page, "import", "/estates/import/"):
        s.shot(page, "import")
        (good_name, good), (bad_name, bad), label = _import_files()
        for name, (filename, data) in (
            ("import-errors", (bad_name, bad)),
            ("import-check", (good_name, good)),
        ):
            page.goto("/estates/import/")
            page.get_by_label("物业管理区域").select_option(label=label)
            page.get_by_label("台账文件").set_input_files(
                {"name": filename, "mimeType": "text/csv", "buffer": data}
            )
            page.get_by_role("button", name="预检（不写入）").click()
            page.wait_for_load_state("load")
            page.locator("#import-report").scroll_into_view_if_needed()
            s.shot(page, name)
    page.context.close()


def bureau_otp(s: Shooter) -> None:
    page = s.phone()
    _staff_login(page, "approver_demo")
    shown = page.locator("#otp-secret").inner_text().replace(" ", "")
    if shown != _secret_shown("approver_demo"):
        s.report.problems.append("otp-setup: the secret shown is not the device's key")
    s.shot(page, "otp-setup")
    _enrol(page, "approver_demo")
    s.shot(page, "approver-home")
    s.shot(page, "audit", "/audit/")
    page.get_by_text("筛选条件").click()
    s.shot(page, "audit-filters")
    s.shot(page, "audit-event", "/audit/1/")
    page.context.close()

    # The next login asks for the code of the enrolled app.
    page = s.phone()
    _staff_login(page, "approver_demo")
    s.shot(page, "otp-verify")
    page.context.close()


# --------------------------------------------------------------------------- main


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="gongzhi-screenshots-") as tmp:
        _environment(Path(tmp))
        import django

        django.setup()
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.core.management import call_command
        from django.test.testcases import LiveServerThread
        from playwright.sync_api import sync_playwright

        print(f"Fresh database in {tmp}: migrate, seed_demo …", flush=True)
        call_command("migrate", verbosity=0)
        call_command("seed_demo", stdout=io.StringIO())

        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        base_url = f"http://127.0.0.1:{server.port}"
        print(f"Serving on {base_url}; screenshots to {IMG.relative_to(ROOT)}/", flush=True)
        IMG.mkdir(parents=True, exist_ok=True)
        report = Report()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                shooter = Shooter(browser, base_url, report)
                for step in (anonymous, owner, first_login, area_staff, reviewer, bureau_otp):
                    step(shooter)
                browser.close()
        finally:
            server.terminate()
            server.join(timeout=10)

    print(f"\nTaken ({len(report.taken)}):")
    for line in report.taken:
        print(f"  {line}")
    if report.skipped:
        print(f"\nSkipped ({len(report.skipped)}):")
        for line in report.skipped:
            print(f"  {line}")
    if report.problems:
        print(f"\nProblems ({len(report.problems)}):")
        for line in report.problems:
            print(f"  {line}")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
