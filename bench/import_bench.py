"""Benchmark: import a 20,000-unit register file (issue 4: "20,000-unit import completes").

Generates a synthetic register (valid resident ID numbers with their GB 11643
check digit, co-owned units, buyers of several units, developer-held and
undelivered units, all three area bases), imports it into a fresh management
area through ``estates.services.importing.register_import``, and prints one
JSON line:

    {"benchmark": "import_20000", "seconds": …, "units": 20000,
     "baseline": {"name": "bulk_create_units_only", "seconds": …}, "ratio": …}

The baseline is a bare ``Unit.objects.bulk_create`` of the same unit rows into
another fresh area, measured in the same run on the same database, so the
ratio says what the import costs beyond writing the units at all (parsing,
checks, HMAC and encryption of ID numbers, persons, ownerships, audit).

Database: a temporary SQLite file (migrated here), or the one in
DATABASE_URL if set. ``--quick`` uses 2,000 units (for CI).

    .venv/bin/python bench/import_bench.py [--quick] [--units N]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建红文斌宁飞浩凯俊帆宇龙子涵怡欣博晨悦轩雪梅琳健波亮"


def ric(n: int) -> str:
    """The n-th synthetic 埇桥区 (341302) resident ID number, with its check digit."""
    from stdnum.cn import ric as stdnum_ric

    birth = date(1950, 1, 1) + timedelta(days=n // 900)
    body = f"341302{birth:%Y%m%d}{n % 900 + 100:03d}"
    # stdnum's calc_check_digit takes all 18 characters and ignores the last one.
    return body + stdnum_ric.calc_check_digit(body + "0")


def make_register(units: int, seed: int = 20240501) -> bytes:
    """A register CSV of ``units`` units in buildings of 2 stairs × 25 floors × 4 rooms."""
    rng = random.Random(seed)
    header = [
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
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    next_person = 0
    owner_sets: list[list[tuple[str, str, str]]] = []

    def person() -> tuple[str, str, str]:
        nonlocal next_person
        next_person += 1
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        return name, ric(next_person), f"13{next_person:09d}"

    for index in range(units):
        building, rest = divmod(index, 200)
        stair, rest = divmod(rest, 100)
        floor, room = divmod(rest, 4)
        surveyed = Decimal(rng.randrange(6000, 15000)) / 100
        registered = surveyed - Decimal("0.37")
        contract = surveyed - Decimal("1.10")
        basis = rng.random()
        areas = (
            (registered, surveyed, "")
            if basis < 0.7
            else ("", surveyed, contract)
            if basis < 0.95
            else ("", "", contract)
        )
        draw = rng.random()
        developer_held = draw < 0.02
        delivered = not (0.02 <= draw < 0.03)
        if developer_held:
            owners: list[tuple[str, str, str]] = []
        elif owner_sets and rng.random() < 0.05:
            owners = rng.choice(owner_sets)  # a buyer of several units
        else:
            owners = [person() for _ in range(2 if rng.random() < 0.2 else 1)]
            owner_sets.append(owners)
        writer.writerow(
            [
                f"{building + 1}栋",
                f"{stair + 1}单元",
                f"{floor + 1}{room + 1:02d}",
                "非住宅" if floor == 0 and room == 0 else "住宅",
                *(str(value) for value in areas),
                "是" if delivered else "否",
                "是" if developer_held else "否",
                ";".join(owner[0] for owner in owners),
                ";".join(owner[1] for owner in owners),
                ";".join(owner[2] for owner in owners),
            ]
        )
    return out.getvalue().encode("utf-8")


def setup_django() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    if not os.environ.get("DATABASE_URL"):
        # A fresh database every run: the import starts from an empty register.
        directory = tempfile.mkdtemp(prefix="gongzhi-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def fresh_area(label: str):
    from estates.models import Community, ManagementArea, Street

    suffix = f"{label}-{time.time_ns()}"
    street, _ = Street.objects.get_or_create(code="BENCH", defaults={"name": "基准测试街道"})
    community, _ = Community.objects.get_or_create(
        code="BENCH", defaults={"street": street, "name": "基准测试社区"}
    )
    return ManagementArea.objects.create(
        community=community, code=suffix[:32], name=f"基准测试 {suffix}"
    )


def baseline_units(area, data: bytes) -> list:
    """The same Unit rows the import writes, built outside the timed section."""
    from estates import roll
    from estates.models import Building, Unit
    from estates.register_csv import parse_csv

    parsed = parse_csv(data)
    assert not parsed.errors, parsed.errors[:5]
    buildings = {
        name: Building.objects.create(area=area, name=name)
        for name in sorted({row.building for row in parsed.rows})
    }
    units = []
    for row in parsed.rows:
        basis, floor_area = roll.area_basis(row.to_unit(lambda number: "x"))
        units.append(
            Unit(
                area=area,
                building=buildings[row.building],
                code=row.code,
                stair=row.stair,
                floor=int(row.room[:-2]) if row.room.isdigit() and len(row.room) >= 3 else None,
                number=row.room,
                use=row.use,
                registered_area=row.registered_area,
                surveyed_area=row.surveyed_area,
                contract_area=row.contract_area,
                area_basis=basis,
                floor_area=floor_area,
                delivered=row.delivered,
                developer_held=row.developer_held,
            )
        )
    return units


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 units instead of 20,000")
    parser.add_argument("--units", type=int, default=None, help="number of units")
    args = parser.parse_args(argv)
    count = args.units or (2000 if args.quick else 20000)

    setup_django()
    from django.db import transaction

    from estates.models import Unit
    from estates.services.importing import register_import

    data = make_register(count)

    area = fresh_area("import")
    started = time.perf_counter()
    report = register_import(area=area, data=data, filename="bench.csv", actor=None)
    seconds = time.perf_counter() - started
    if not report.ok:
        print(report.as_text(), file=sys.stderr)
        return 1
    assert report.counts.units_created == count, report.counts

    base_area = fresh_area("baseline")
    units = baseline_units(base_area, data)
    started = time.perf_counter()
    with transaction.atomic():
        Unit.objects.bulk_create(units, batch_size=1000)
    baseline = time.perf_counter() - started

    print(
        json.dumps(
            {
                "benchmark": f"import_{count}",
                "seconds": round(seconds, 3),
                "units": count,
                "persons": report.counts.persons_created,
                "baseline": {"name": "bulk_create_units_only", "seconds": round(baseline, 3)},
                "ratio": round(seconds / baseline, 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
