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

The demo data has an open assembly, a fund with a settled repair and the
emergency whitelist, but no fund-use application, emergency application or
public-revenue entry. For those pages the script creates them in its own
temporary database, each through the real pages (a vote, a paper ballot, an
emergency filing, its review and approval) or the real services (a fund-use
application put to the owners' vote, revenue entries, an allocation by area)
— never by writing rows directly, and never by moving the clock: an
application that would need a final vote result (the reviewer's art. 25
checklist) is not shown, since that takes weeks of real time.

A page that does not exist (yet) or does not answer 200 is skipped and
listed at the end, as is any page wider than the screen and any image still
over 200 KB after it is re-saved with a 256-colour palette. Re-running
replaces the images.
"""

# One piece because it is one script that walks one temporary demo site in one
# Playwright session, role by role; the roles share the login helpers and the Shooter.

from __future__ import annotations

import csv
import io
import os
import re
import sys
import tempfile
import time
from base64 import b32encode
from dataclasses import dataclass, field
from datetime import date, timedelta
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
# The browser's own words in Chinese: chromium on Linux reads LANGUAGE (Debian's chromium-l10n).
CHROMIUM_ENV = {**os.environ, "LANGUAGE": "zh_CN:zh"}
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
        self.made: dict = {}  # what earlier steps created, for later ones (ids, files)

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
            size = _palette(path)
        if size > MAX_BYTES:
            self.report.problems.append(f"{name}.png is {size // 1024} KB (over 200 KB)")
        self.report.taken.append(f"{name}.png ({size // 1024} KB)")


def _palette(path: Path) -> int:
    """Re-save a long page as a 256-colour PNG (a page of text and flat colours loses
    nothing visible, and the file shrinks to about a third); return the new size."""
    from PIL import Image  # installed with WeasyPrint

    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, "PNG", optimize=True)
    return path.stat().st_size


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


# --------------------------------------------------------------------------- this session's pages
#
# The demo has an open assembly (voting.demo), a fund with a settled repair
# (funds.demo) and the emergency whitelist (a migration). What the pages below
# also need is created here, in this temporary database only, through the
# real pages or services (module docstring).

QUOTE_HTML = """<html lang="zh-CN"><body style="font-family: 'Noto Sans CJK SC', sans-serif; margin: 40px">
<h2>报价单</h2><p>项目：银河花园1栋雨污水管道改造</p>
<table border="1" cellpadding="6" style="border-collapse: collapse">
<tr><th>项目</th><th>内容、数量</th><th>金额（元）</th></tr>
<tr><td>拆除旧铸铁立管</td><td>8 根，约 150 m</td><td>12,600.00</td></tr>
<tr><td>新装 PVC-U 排水立管及管件</td><td>约 150 m</td><td>28,500.00</td></tr>
<tr><td>室外检查井疏通、修补</td><td>6 座</td><td>6,900.00</td></tr>
<tr><th colspan="2">合计</th><th>48,000.00</th></tr></table>
<p>宿州市汴河市政工程有限公司（演示文件）</p></body></html>"""
PHOTO_HTML = """<html><body style="margin: 0; background: #d9d4c7; font-family: 'Noto Sans CJK SC', sans-serif">
<svg width="640" height="420" xmlns="http://www.w3.org/2000/svg">
<rect x="0" y="0" width="640" height="420" fill="#cfc8b8"/>
<rect x="60" y="40" width="520" height="340" fill="#e8e2d4" stroke="#8a8372" stroke-width="4"/>
<path d="M200 40 q30 120 -10 200 q-20 60 30 140" stroke="#6b5d44" stroke-width="10" fill="none"/>
<ellipse cx="230" cy="300" rx="90" ry="40" fill="#9c8f73" opacity="0.6"/>
<text x="320" y="400" font-size="20" fill="#333" text-anchor="middle">现场照片（演示文件）</text>
</svg></body></html>"""


def _documents(s: Shooter) -> None:
    """A quotation PDF and a site photo PNG drawn by chromium: real files for the uploads."""
    page = s.browser.new_page()
    page.set_content(QUOTE_HTML)
    s.made["quote"] = page.pdf(format="A4")
    page.set_viewport_size({"width": 640, "height": 420})
    page.set_content(PHOTO_HTML)
    s.made["photo"] = page.screenshot(type="png")
    page.close()


def _user(username: str):
    from accounts.models import User

    return User.objects.get(username=username)


def _pass_totp(page, username: str) -> None:
    """Type the authenticator's current code on the verification page."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = (
        TOTPDevice.objects.filter(user__username=username, confirmed=True).order_by("-pk").first()
    )
    # A code is accepted once: if this 30 s step's code was used (at enrolment), wait.
    while int((time.time() - device.t0) // device.step) <= device.last_t:
        time.sleep(1)
    page.get_by_label("动态口令").fill(_totp_now(username))
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state("load")


def _quarters_back(today: date) -> tuple[tuple[int, int], date]:
    """The last finished quarter (year, quarter) and the first day of the current one."""
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    previous = first - timedelta(days=1)
    return (previous.year, (previous.month - 1) // 3 + 1), first


def fund_application(s: Shooter) -> None:
    """The property company proposes a repair of 1栋 with its quote; the committee puts it to
    the owners of 1栋 (funds services, as the pages call them). The notice follows on the
    committee's page in ``committee_pages``."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from estates.models import ManagementArea
    from funds.models import RepairType
    from funds.procedure import services as procedure

    area = ManagementArea.objects.get(code="YQ-001")
    property_staff = _user("property_demo")
    application = procedure.application_create(
        area=area,
        title="1栋雨污水管道改造",
        repair_type=RepairType.DRAINAGE,
        actor=property_staff,
        description="1栋雨污水立管老化锈蚀，底层住户多次返水。更换为 PVC-U 排水立管，疏通、修补室外检查井。",
        scope_buildings=["1栋"],
        contractor="宿州市汴河市政工程有限公司",
        items=[
            ("拆除旧铸铁立管", "8 根，约 150 m", 1_260_000),
            ("新装 PVC-U 排水立管及管件", "约 150 m", 2_850_000),
            ("室外检查井疏通、修补", "6 座", 690_000),
        ],
    )
    procedure.application_attach(
        application=application,
        kind="quote",
        title="管道改造报价单",
        file=SimpleUploadedFile("报价单.pdf", s.made["quote"], content_type="application/pdf"),
        actor=property_staff,
    )
    # Voting opens after the 15-day notice period (RULES.md §3), counted from today.
    morning = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    application = procedure.application_vote_create(
        application=application,
        actor=_user("committee_demo"),
        opens_at=morning + timedelta(days=25),
        closes_at=morning + timedelta(days=35, hours=12),
    )
    s.made["application"] = application.pk
    s.made["fund_assembly"] = application.assembly_id


def committee_pages(s: Shooter) -> None:
    from estates.models import Unit
    from voting.demo import DEMO_TITLE
    from voting.models import Assembly

    demo = Assembly.objects.get(area__code="YQ-001", title=DEMO_TITLE)
    s.made["demo_assembly"] = demo.pk
    page = s.phone()
    _staff_login(page, "committee_demo")
    s.shot(page, "committee-fund-application", f"/funds/applications/{s.made['application']}/")
    s.shot(page, "committee-fund-area", "/funds/areas/YQ-001/")
    # The notice of the fund vote, published on the committee's page (signed PDF, SMS).
    if s.open(page, "committee-notice", f"/voting/manage/{s.made['fund_assembly']}/notice/"):
        s.shot(page, "committee-notice")
        page.get_by_role("button", name="确认发布公告").click()
        page.wait_for_load_state("load")
    s.shot(page, "committee-assembly", f"/voting/manage/{demo.pk}/")
    # A paper ballot with its scan, for an owner who is not one of the demo logins.
    unit = (
        Unit.objects.filter(area__code="YQ-001", building__name="3栋", developer_held=False)
        .filter(delivered=True, ownerships__until__isnull=True)
        .order_by("code")
        .first()
    )
    if s.open(page, "committee-paper-find", f"/voting/manage/{demo.pk}/ballots/"):
        page.get_by_label("房屋编码").fill(unit.code)
        page.get_by_role("button", name="查找表决权").click()
        page.get_by_text("该表决权尚未投票。").wait_for()
        page.get_by_role("link", name="录入纸质表决票", exact=True).click()
        page.wait_for_load_state("load")
        s.shot(page, "committee-paper-entry")
        page.locator("#motion-m1").get_by_label("同意").check()
        page.locator("#motion-m2").get_by_label("同意").check()
        page.locator("#motion-m3").get_by_label("弃权").check()
        page.locator("#motion-m4").get_by_label("陈明").check()
        page.get_by_role("button", name="下一步：核对并上传").click()
        page.get_by_label("表决票扫描件").set_input_files(
            {"name": "表决票.png", "mimeType": "image/png", "buffer": s.made["photo"]}
        )
        s.shot(page, "committee-paper-review")
        page.get_by_role("button", name="确认录入").click()
        page.wait_for_load_state("load")
    page.context.close()


def revenue_entries(s: Shooter) -> None:
    """A quarter of parking and advertising income with its costs, and the committee's
    decision to share the net by area (Civil Code art. 283), through the revenue services."""
    from django.utils import timezone

    from estates.models import ManagementArea
    from revenue import services

    area = ManagementArea.objects.get(code="YQ-001")
    (year, quarter), this_quarter = _quarters_back(timezone.localdate())
    start = date(year, 3 * quarter - 2, 1)
    property_staff, committee = _user("property_demo"), _user("committee_demo")
    rows = [
        ("income", "parking", 1_864_000, 5, "临时停车车主", "地面临时停车费（第一个月）"),
        ("income", "parking", 1_792_500, 36, "临时停车车主", "地面临时停车费（第二个月）"),
        ("income", "parking", 1_915_000, 66, "临时停车车主", "地面临时停车费（第三个月）"),
        ("income", "advertising", 1_200_000, 12, "宿州市某传媒有限公司", "电梯厅广告位季度租金"),
        ("income", "venue", 80_000, 40, "王女士", "小区广场场地使用费"),
        (
            "cost",
            "management",
            559_000,
            70,
            "宿州市安居物业服务有限公司",
            "停车管理人员劳务（按合同 10%）",
        ),
        ("cost", "repair", 126_000, 50, "宿州某电子设备有限公司", "道闸遥控器更换"),
    ]
    for direction, category, amount, day, counterparty, memo in rows:
        services.revenue_entry_record(
            area=area,
            direction=direction,
            category=category,
            amount_fen=amount,
            occurred_on=start + timedelta(days=day),
            counterparty=counterparty,
            memo=memo,
            actor=property_staff,
        )
    services.revenue_entry_record(
        area=area,
        direction="income",
        category="parking",
        amount_fen=612_000,
        occurred_on=this_quarter,
        counterparty="临时停车车主",
        memo="地面临时停车费（本季度第一天起）",
        actor=property_staff,
    )
    services.revenue_allocation_record(
        area=area, year=year, quarter=quarter, method="share_by_area", actor=committee
    )
    s.made["revenue_period"] = (year, quarter)


def emergency_pages(s: Shooter) -> None:
    """Two filings on the committee's phone; the bureau reviews and approves the second."""
    documents = {
        "evidence_photo": {"name": "现场.png", "mimeType": "image/png", "buffer": s.made["photo"]},
        "evidence_budget": {
            "name": "维修方案及预算.pdf",
            "mimeType": "application/pdf",
            "buffer": s.made["quote"],
        },
    }
    filings = [
        (
            "E02",
            "3栋2单元顶层屋面渗漏进户，601、602 室顶棚大面积湿水，已临时覆盖防水布。",
            "28600.00",
            "3栋",
        ),
        ("E05", "5栋污水主管堵塞，一楼检查井污水外溢至单元门口，已临时抽排。", "12800.00", "5栋"),
    ]
    page = s.phone()
    _staff_login(page, "committee_demo")
    filed = []
    for n, (item, text, estimate, building) in enumerate(filings):
        if not s.open(page, "emergency-apply", "/emergency/apply/"):
            page.context.close()
            return
        if n == 0:
            s.shot(page, "emergency-apply")
        page.get_by_label("紧急维修事项").select_option(item)
        page.get_by_label("情况说明").fill(text)
        page.get_by_label("预算金额（元）").fill(estimate)
        page.get_by_label(building, exact=True).check()
        for name, upload in documents.items():
            page.locator(f'input[name="{name}"]').set_input_files(upload)
        page.get_by_role("button", name="提交申请").click()
        page.get_by_text("已提交紧急维修申请").wait_for()
        filed.append(page.url)
        if n == 0:
            s.shot(page, "emergency-detail")
    page.context.close()

    page = s.phone()
    _staff_login(page, "reviewer_demo")
    s.shot(page, "reviewer-emergency", "/emergency/")
    page.goto(filed[1])
    page.get_by_role("link", name="受理审核").click()
    page.get_by_role("button", name="确认受理").click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name="核查清单").click()
    page.get_by_label("保修期内（或竣工日期未知）仍先行列支的理由").fill(
        "给水主管爆裂，整栋停水，先行列支。"
    )
    page.get_by_role("button", name="保存核查清单").click()
    page.get_by_text("已保存核查清单。").wait_for()
    page.context.close()

    page = s.phone()
    _staff_login(page, "approver_demo")
    _pass_totp(page, "approver_demo")
    page.goto(filed[1])
    page.get_by_role("link", name="审批").click()
    page.get_by_label("意见").fill("属紧急维修事项清单 E05，同意按紧急维修办理。")
    page.get_by_role("button", name="确认批准").click()
    page.get_by_text("已批准。").wait_for()
    page.context.close()

    page = s.phone()
    _staff_login(page, "street_demo")
    s.shot(page, "emergency-dashboard", "/emergency/dashboard/")
    page.context.close()

    page = s.phone()
    s.shot(page, "emergency-whitelist", "/emergency/whitelist/")
    page.context.close()


def owner_pages(s: Shooter) -> None:
    """The owner votes on the phone, sees the receipt, the progress, the fund-use share of
    the noticed fund vote, their sub-ledger and the public revenue."""
    from estates.models import Unit
    from gongzhi.demo import OWNER_PHONES

    demo = s.made["demo_assembly"]
    page = s.phone()
    _request_code(page, OWNER_PHONES[0])
    _enter_code(page, OWNER_PHONES[0])
    s.shot(page, "owner-assemblies", "/voting/mine/")
    s.shot(page, "owner-ballot", f"/voting/{demo}/ballot/")
    page.locator("#motion-m1").get_by_label("同意").check()
    page.locator("#motion-m2").get_by_label("同意").check()
    page.locator("#motion-m3").get_by_label("反对").check()
    page.locator("#motion-m4").get_by_label("陈明").check()
    page.locator("#motion-m4").get_by_label("刘芳").check()
    page.get_by_role("button", name="下一步：核对").click()
    page.get_by_text("确认提交，提交后不可更改").wait_for()
    s.shot(page, "owner-ballot-confirm")
    page.get_by_role("button", name="确认提交", exact=True).click()
    page.wait_for_load_state("load")
    s.shot(page, "owner-receipt", ready="[data-tracker]")
    s.shot(page, "owner-progress", f"/voting/{demo}/progress/")
    s.shot(page, "owner-ballot-fund", f"/voting/{s.made['fund_assembly']}/ballot/")
    s.shot(page, "owner-funds", "/funds/mine/")
    unit = Unit.objects.filter(ownerships__person__phone=OWNER_PHONES[0]).order_by("code").first()
    s.shot(page, "owner-subledger", f"/funds/mine/{unit.pk}/")
    s.shot(page, "owner-fund-shares", "/funds/applications/mine/")
    if "revenue_period" in s.made:
        year, quarter = s.made["revenue_period"]
        s.shot(page, "owner-revenue", f"/revenue/areas/YQ-001/?year={year}&quarter={quarter}")
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
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=CHROMIUM_ENV
                )
                shooter = Shooter(browser, base_url, report)
                steps = (
                    anonymous,
                    owner,
                    first_login,
                    area_staff,
                    reviewer,
                    bureau_otp,
                    _documents,
                    fund_application,
                    committee_pages,
                    revenue_entries,
                    emergency_pages,
                    owner_pages,
                )
                for step in steps:
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
