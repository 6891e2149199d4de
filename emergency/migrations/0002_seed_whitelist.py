"""The first whitelist: the defaults of RULES.md §5, published as version 1.

Caps are our defaults, chosen for a district of mostly 6- to 18-storey
estates and meant to be edited by the bureau (each edit is a new version):
enough for the emergency repair itself, not for a renewal, which goes
through the owners' vote (RULES.md §4). Response times are the RULES.md
defaults: review 2 working days, payment 2 working days, works start 24 h.
"""

from django.db import migrations
from django.utils import timezone

PHOTO, BUDGET = "photo", "budget"
ITEMS = [
    # code, name, facility, description, evidence, cap in yuan
    (
        "E01",
        "电梯停运或存在安全隐患",
        "elevator",
        "电梯因故障停运、困人，或经特种设备检验机构、电梯维保单位认定存在安全隐患需立即维修的。",
        [PHOTO, BUDGET, "elevator_report"],
        150_000,
    ),
    (
        "E02",
        "屋面、外墙渗漏进户",
        "waterproofing",
        "屋面或外墙防水失效，雨水渗漏进入住户室内的。",
        [PHOTO, BUDGET],
        50_000,
    ),
    (
        "E03",
        "外墙饰面有脱落危险",
        "facade",
        "外墙抹灰层、饰面砖空鼓、开裂，有坠落伤人危险的。",
        [PHOTO, BUDGET],
        100_000,
    ),
    (
        "E04",
        "消防设施失效",
        "fire",
        "消火栓无水（干栓），火灾自动报警系统、消防水泵等消防设施失效的。",
        [PHOTO, BUDGET, "fire_report"],
        100_000,
    ),
    (
        "E05",
        "供排水管道爆裂、堵塞",
        "water_drainage",
        "共用供水管道爆裂，排水、排污管道堵塞或污水外溢的。",
        [PHOTO, BUDGET],
        30_000,
    ),
    (
        "E06",
        "窨井盖缺失、破损、沉陷",
        "manhole",
        "小区内道路、绿地上的窨井盖缺失、破损或沉陷，危及行人、车辆安全的。",
        [PHOTO, BUDGET],
        10_000,
    ),
    (
        "E07",
        "地下车库渗漏、倒灌",
        "garage",
        "地下车库顶板、侧墙渗漏，或雨水、污水倒灌的。",
        [PHOTO, BUDGET],
        80_000,
    ),
    (
        "E08",
        "玻璃幕墙有坠落危险",
        "curtain_wall",
        "玻璃幕墙玻璃破裂、松动或连接件失效，有坠落危险的。",
        [PHOTO, BUDGET],
        150_000,
    ),
    (
        "E09",
        "二次供水设施故障",
        "secondary_water",
        "二次供水加压水泵、控制柜等设施故障，住户停水或水压不足的。",
        [PHOTO, BUDGET],
        50_000,
    ),
]


def seed(apps, schema_editor):
    Version = apps.get_model("emergency", "WhitelistVersion")
    Item = apps.get_model("emergency", "WhitelistItem")
    if Version.objects.exists():
        return
    version = Version.objects.create(
        number=1,
        published_at=timezone.now(),
        actor=None,
        note="默认清单（RULES.md §5），费用上限为平台默认值，住建局可修订。",
    )
    for position, (code, name, facility, description, evidence, cap_yuan) in enumerate(
        ITEMS, start=1
    ):
        Item.objects.create(
            version=version,
            position=position,
            code=code,
            name=name,
            facility=facility,
            description=description,
            evidence=evidence,
            cap_fen=cap_yuan * 100,
            review_days=2,
            payment_days=2,
            start_hours=24,
        )


class Migration(migrations.Migration):
    dependencies = [("emergency", "0001_initial")]

    # Reversing leaves the rows: published versions are never deleted.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
