"""The demo district loaded by ``manage.py seed_demo`` (and so by ``make run``).

Three streets, six management areas, about 3,000 units with co-owners,
multi-unit buyers, unsold and sold-but-undelivered units; committees and
property companies; and a login for every role. Everything goes through the
same services a real deployment uses (the register import, role grants), so
the demo exercises the real paths. Deterministic (a fixed random seed) and
idempotent: a second run changes nothing.
"""

# One piece because the demo district is one consistent world told top to bottom
# (geography, people, register, roles, notices); it is not used by the app.

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from stdnum.cn import ric

from accounts.models import User
from accounts.services import owner_user_ensure, role_grant, staff_create
from core.errors import DomainError
from estates.models import (
    Building,
    Committee,
    CommitteeMember,
    Community,
    ManagementArea,
    Person,
    PropertyCompany,
    Street,
)
from estates.services.area_register import (
    area_register_notice_issue,
    current_area_register_notice,
)
from estates.services.binding import owner_roles_sync
from estates.services.importing import register_import
from funds.demo import funds_demo_seed
from gongzhi.demo_history import accounts_seed, at, clock_at, repairs_seed
from publications.models import Publication
from publications.signing import signing_init
from voting.demo import voting_demo_seed

DEMO_PASSWORD = "gongzhi-demo-2026"  # noqa: S105 - demo data only, printed in README
OWNER_PHONES = ("13900000001", "13900000002")
UNBOUND_PHONE = "13900000003"

STREETS = [
    ("YQ-SL", "三里街道", [("YQ-SL-01", "三里社区")]),
    ("YQ-CD", "城东街道", [("YQ-CD-01", "城东社区"), ("YQ-CD-02", "新汴社区")]),
    ("YQ-BG", "北关街道", [("YQ-BG-01", "北关社区")]),
]

COMPANIES = [
    ("宿州市安居物业服务有限公司", "张国庆", "0557-3021188"),
    ("安徽诚信物业管理有限公司", "李文华", "0557-3905566"),
    ("宿州汴河物业服务有限公司", "王海燕", "0557-2217788"),
]


@dataclass(frozen=True)
class DemoArea:
    code: str
    community: str
    name: str
    boundaries: str
    service_form: int  # annex 1 codes
    committee_status: int
    party_coverage: int
    company: int | None  # index into COMPANIES
    manager: str
    fee_rate: str | None
    buildings: int
    stairs: int
    floors: int
    per_floor: int
    completed: date


AREAS = [
    DemoArea(
        "YQ-001",
        "YQ-SL-01",
        "银河花园",
        "东至银河一路，西至三里路，南至汴河路，北至规划路",
        1,
        1,
        3,
        0,
        "赵明",
        "92.50",
        10,
        2,
        6,
        4,
        date(2012, 6, 18),
    ),
    DemoArea(
        "YQ-002",
        "YQ-SL-01",
        "金色港湾",
        "东至淮海路，西至金港路，南至人民路，北至纺织路",
        1,
        2,
        4,
        1,
        "钱勇",
        "85.30",
        6,
        2,
        11,
        4,
        date(2016, 9, 30),
    ),
    DemoArea(
        "YQ-003",
        "YQ-CD-01",
        "翡翠城",
        "东至东外环，西至翡翠路，南至银河三路，北至雪枫路",
        1,
        1,
        3,
        2,
        "孙丽",
        "95.10",
        5,
        3,
        18,
        2,
        date(2019, 12, 26),
    ),
    DemoArea(
        "YQ-004",
        "YQ-CD-02",
        "书香苑",
        "东至新汴河，西至书院路，南至文化路，北至胜利路",
        4,
        3,
        5,
        None,
        "",
        None,
        6,
        2,
        6,
        4,
        date(2009, 4, 12),
    ),
    DemoArea(
        "YQ-005",
        "YQ-BG-01",
        "和平小区",
        "东至和平路，西至北关路，南至工人路，北至铁路",
        2,
        3,
        4,
        None,
        "",
        "61.00",
        10,
        3,
        6,
        2,
        date(2003, 10, 8),
    ),
    DemoArea(
        "YQ-006",
        "YQ-BG-01",
        "锦绣家园",
        "东至拂晓大道，西至锦绣路，南至北关路，北至规划支路",
        1,
        1,
        2,
        0,
        "周洁",
        "90.00",
        6,
        2,
        17,
        4,
        date(2021, 5, 20),
    ),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华建国志强海燕红梅玉兰春梅金凤晓东小红建华立新国庆子涵浩然欣怡宇轩梓萱雨桐"


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return rng.choice(SURNAMES) + given


def _id_number(rng: random.Random, serial: int) -> str:
    # Unique by construction: each block of 1,000 serials gets its own 97-day window
    # of birth dates, and the serial's last three digits are the sequence code.
    birth = date(1955, 1, 1) + timedelta(days=(serial // 1000) * 97 + rng.randint(0, 96))
    body = f"341302{birth:%Y%m%d}{serial % 1000:03d}"
    # stdnum's calc_check_digit reads the first 17 of 18 characters.
    return body + ric.calc_check_digit(body + "0")


@dataclass
class _Owner:
    name: str
    id_number: str
    phone: str


def area_register_csv(area: DemoArea, *, seed: int, pinned: list[_Owner] | None = None) -> bytes:
    """The register file of one demo area, in the import format of samples/register-sample.csv."""
    rng = random.Random(seed)
    serial = seed * 10_000
    people: list[list[_Owner]] = []  # the owner set of each owned unit
    rows = []
    pinned = list(pinned or [])
    buyers: list[list[_Owner]] = []  # owner sets that may buy a second unit
    for b in range(1, area.buildings + 1):
        for s in range(1, area.stairs + 1):
            for floor in range(1, area.floors + 1):
                for n in range(1, area.per_floor + 1):
                    room = f"{floor}{n:02d}"
                    base = Decimal2.pick(rng)
                    registered = base if rng.random() < 0.85 else ""
                    surveyed = Decimal2.nudge(rng, base) if rng.random() < 0.9 else ""
                    contract = Decimal2.nudge(rng, base)
                    roll = rng.random()
                    developer = roll < 0.02
                    delivered = not (0.02 <= roll < 0.03)
                    if developer:
                        owners: list[_Owner] = []
                    elif pinned:
                        owners = [pinned.pop(0)]
                    elif buyers and rng.random() < 0.04:
                        owners = rng.choice(buyers)  # one buyer, several units (SPC art. 9)
                    else:
                        owners = []
                        for _ in range(2 if rng.random() < 0.25 else 1):  # co-owners
                            serial += 1
                            owners.append(
                                _Owner(
                                    _name(rng),
                                    _id_number(rng, serial),
                                    f"13{rng.randint(500000000, 999999999)}",
                                )
                            )
                        if rng.random() < 0.1:
                            buyers.append(owners)
                    people.append(owners)
                    rows.append(
                        [
                            f"{b}栋",
                            f"{s}单元",
                            room,
                            "住宅",
                            registered,
                            surveyed,
                            contract,
                            "是" if delivered else "否",
                            "是" if developer else "否",
                            ";".join(o.name for o in owners),
                            ";".join(o.id_number for o in owners),
                            ";".join(o.phone for o in owners),
                        ]
                    )
    # Ground-floor shops of building 1 (非住宅), surveyed area only.
    for n in range(1, 3):
        serial += 1
        owner = _Owner(
            _name(rng), _id_number(rng, serial), f"13{rng.randint(500000000, 999999999)}"
        )
        rows.append(
            [
                "1栋",
                "商铺",
                f"S{n:02d}",
                "非住宅",
                "",
                Decimal2.pick(rng, 40, 160),
                "",
                "是",
                "否",
                owner.name,
                owner.id_number,
                owner.phone,
            ]
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "楼栋",
            "单元",
            "房号",
            "用途",
            "登记面积",
            "实测面积",
            "合同面积",
            "是否交付",
            "开发商持有",
            "业主姓名",
            "身份证号",
            "手机号",
        ]
    )
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


class Decimal2:
    """Areas as two-decimal strings, built from integers (no float ever reaches the data)."""

    @staticmethod
    def pick(rng: random.Random, low: int = 60, high: int = 145) -> str:
        cents = rng.randint(low * 100, high * 100)
        return f"{cents // 100}.{cents % 100:02d}"

    @staticmethod
    def nudge(rng: random.Random, base: str) -> str:
        whole, frac = base.split(".")
        cents = int(whole) * 100 + int(frac) + rng.randint(-150, 150)
        return f"{cents // 100}.{cents % 100:02d}"


DEMO_OWNERS = [
    _Owner("陈立新", "341302198003150016", OWNER_PHONES[0]),
    _Owner("刘桂英", "341302197508220025", OWNER_PHONES[1]),
    # Not bound by the seed: the first login asks for the ID number (printed by make run).
    _Owner("王建华", "341302196907120033", UNBOUND_PHONE),
]


def demo_owners() -> list[_Owner]:
    """The owners with demo logins, with valid check digits (the last one is left unbound)."""
    fixed = []
    for owner in DEMO_OWNERS:
        body = owner.id_number[:17]
        fixed.append(_Owner(owner.name, body + ric.calc_check_digit(body + "0"), owner.phone))
    return fixed


def unbound_owner() -> _Owner:
    """The demo owner whose first login binds the phone to the register with the ID number."""
    return demo_owners()[-1]


# --- loading ------------------------------------------------------------------------------

STAFF = [
    # username, display name, role, scope kind, scope key
    ("committee_demo", "赵委员", "committee_member", "area", "YQ-001"),
    ("property_demo", "钱物业", "property_staff", "company", 0),
    ("street_demo", "孙街道", "street_officer", "street", "YQ-SL"),
    ("community_demo", "李社区", "community_officer", "community", "YQ-SL-01"),
    ("reviewer_demo", "周审核", "bureau_reviewer", None, None),
    ("approver_demo", "吴审批", "bureau_approver", None, None),
    ("admin_demo", "郑管理", "bureau_admin", None, None),
]


def _uscc(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91341302MA2N{n:04d}X"[:17]
    return body + uscc.calc_check_digit(body)


def _structure():
    """Streets, communities, property companies and areas (annex-1 fields), get-or-create."""

    communities = {}
    for code, name, comms in STREETS:
        street, _ = Street.objects.get_or_create(code=code, defaults={"name": name})
        for c_code, c_name in comms:
            communities[c_code], _ = Community.objects.get_or_create(
                code=c_code, defaults={"street": street, "name": c_name}
            )
    companies = []
    for n, (name, contact, phone) in enumerate(COMPANIES, start=1):
        company, _ = PropertyCompany.objects.get_or_create(
            uscc=_uscc(n), defaults={"name": name, "contact_name": contact, "contact_phone": phone}
        )
        companies.append(company)
    areas = []
    for spec in AREAS:
        area, _ = ManagementArea.objects.get_or_create(
            code=spec.code,
            defaults={
                "community": communities[spec.community],
                "name": f"{spec.name}物业管理区域",
                "estate_name": spec.name,
                "boundaries": spec.boundaries,
                "service_form": spec.service_form,
                "committee_status": spec.committee_status,
                "party_coverage": spec.party_coverage,
                "property_company": companies[spec.company] if spec.company is not None else None,
                "project_manager": spec.manager,
                "fee_collection_rate": Decimal(spec.fee_rate) if spec.fee_rate else None,
            },
        )
        areas.append((spec, area))
    return communities, companies, areas


def _committees(spec: DemoArea, area) -> None:

    if spec.committee_status not in (1, 2) or area.committees.exists():
        return
    kind = Committee.Kind.OWNERS if spec.committee_status == 1 else Committee.Kind.INTERIM
    committee = Committee.objects.create(
        area=area, kind=kind, term_start=date(2024, 3, 1), term_end=date(2029, 2, 28)
    )
    people = Person.objects.filter(ownerships__unit__area=area).distinct().order_by("pk")[:5]
    positions = ["chair", "vice_chair", "member", "member", "member"]
    for person, position in zip(people, positions, strict=False):
        CommitteeMember.objects.create(
            committee=committee, name=person.name, position=position, person=person
        )


def seed(*, out=print, progress=None) -> dict:
    """Load the demo district; safe to run again (nothing changes the second time)."""
    from django.db import transaction

    with transaction.atomic():
        communities, companies, areas = _structure()
    units = 0
    for index, (spec, area) in enumerate(areas, start=1):
        pinned = demo_owners() if index == 1 else None
        data = area_register_csv(spec, seed=index, pinned=pinned)
        # The owners are registered when the estate was completed, before their first
        # deposits (funds.demo: 30 days on): the import dates ownerships by its clock.
        with clock_at(at(spec.completed, 9)):
            report = register_import(
                area=area, data=data, filename=f"demo-{spec.code}.csv", actor=None
            )
        if not report.ok:  # the generator makes valid files; say so loudly if it ever does not
            raise RuntimeError(f"demo register for {spec.code} was refused: {report.errors[:3]}")
        units += area.units.count()
        with transaction.atomic():
            Building.objects.filter(area=area, completion_date__isnull=True).update(
                completion_date=spec.completed
            )
            _committees(spec, area)
        if progress:
            progress(index, len(areas))

    scopes = {
        "area": lambda key: next(a for s, a in areas if s.code == key),
        "company": lambda key: companies[key],
        "street": lambda key: Street.objects.get(code=key),
        "community": lambda key: communities[key],
    }
    for username, name, role, kind, key in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = staff_create(username=username, password=DEMO_PASSWORD, display_name=name)
        if role == "bureau_admin" and not user.is_staff:
            User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        role_grant(user=user, role=role, scope=scopes[kind](key) if kind else None)

    for owner in demo_owners()[:-1]:  # the last one binds at the first login
        person = Person.objects.get(phone=owner.phone, name=owner.name)
        if person.user_id is None:
            person.user = owner_user_ensure(phone=owner.phone, display_name=owner.name)
            person.save(update_fields=["user"])
        owner_roles_sync(person=person)

    funds_demo_seed(areas[0][1])
    # The signed notices in the order of the dates they carry (gongzhi.demo_history).
    signing_init()  # creates the deployment CA and signing key once; a no-op afterwards
    repairs_seed(area=areas[0][1])
    voting_demo_seed(
        area=areas[0][1], convener=User.objects.get(username="committee_demo"), clock=clock_at
    )
    accounts_seed(area=areas[0][1])
    published = _first_notice(areas[0][1])
    return {
        "areas": len(areas),
        "units": units,
        "published": published,
        "notices": Publication.objects.count(),
    }


def _first_notice(area) -> str:
    """Publish the first area's annex-1 register notice (once: an unchanged register
    is not re-published), so the public list and the verify page have something real."""

    try:
        return area_register_notice_issue(area=area, actor=None).serial
    except DomainError as exc:
        if exc.code != "unchanged":
            raise
        return current_area_register_notice(area).serial


def logins_table() -> str:
    """The logins ``make run`` prints last, at the public base URL the server answers on."""
    from django.conf import settings
    from django.urls import reverse

    code = "手机验证码（服务器窗口显示 gongzhi.sms 一行）"
    first = unbound_owner()
    rows = [
        ("业主 owner", OWNER_PHONES[0], code),
        ("业主 owner", OWNER_PHONES[1], code),
        ("业主 首次登录 first login", first.phone, f"{code}，再输入身份证号 {first.id_number}"),
    ]
    labels = {
        "committee_member": "业委会委员 committee",
        "property_staff": "物业人员 property staff",
        "street_officer": "街道 street officer",
        "community_officer": "社区 community officer",
        "bureau_reviewer": "住建局审核员 reviewer",
        "bureau_approver": "住建局审批人 approver (+TOTP)",
        "bureau_admin": "住建局管理员 admin (+TOTP)",
    }
    for username, _name, role, _kind, _key in STAFF:
        rows.append((labels[role], username, f"密码 {DEMO_PASSWORD}"))
    width = max(len(r[0]) for r in rows) + 2
    url = settings.GONGZHI_PUBLIC_BASE_URL + reverse("accounts:login")
    lines = [f"Demo logins / 演示账号 ({url}):"]
    lines += [f"  {role:<{width}} {login:<16} {how}" for role, login, how in rows]
    lines.append(
        "  审批人/管理员首次登录时扫码绑定动态口令 (TOTP). Approver/admin enrol TOTP at first login."
    )
    return "\n".join(lines)
