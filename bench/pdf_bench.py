"""Benchmark: a 2,000-row apportionment table published as a signed PDF/A (target < 15 s).

Builds an apportionment-style notice (2,000 units: house number, masked owner,
area, share computed with ``funds.apportion``, balances before and after) and
publishes it through the real pipeline, ``publications.services.publication_issue``
(serial under lock, Django template → WeasyPrint PDF/A-3b with Noto CJK,
pyHanko certification signature with the seal, register, log, audit). Prints
one JSON line:

    {"benchmark": "pdf_2000_rows", "seconds": …, "pages": …, "rows": 2000,
     "target_seconds": 15, "within_target": true,
     "baseline": {"name": "render_only", "seconds": …, "layout": "grid"}, "ratio": …}

The baseline renders the same table to PDF/A without serial, signature or
register, in the same run, so the ratio says what publishing adds beyond
typesetting. Its "layout" says how the table was set: "grid" (one line of
monospace text per row, see publications/rendering.py) or "table" (one box
per cell, ~4× slower: the grid was refused or came out off its columns). Keys are generated and fonts loaded before timing (a worker
process keeps both), in a temporary signing directory and media root.

Database: a temporary SQLite file (migrated here), or DATABASE_URL if set.

    .venv/bin/python bench/pdf_bench.py [--rows N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"


def setup(directory: Path) -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{directory}/bench.sqlite3")
    os.environ["GONGZHI_SIGNING_DIR"] = str(directory / "signing")
    os.environ["MEDIA_ROOT"] = str(directory / "media")
    import logging

    import django

    django.setup()
    # Progress lines from WeasyPrint would drown the one JSON line.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from publications import signing

    signing.signing_init()


def fen(value: int) -> str:
    return f"{value // 100:,}.{value % 100:02d}"


def apportionment_context(rows: int, seed: int = 20260101) -> dict:
    from funds.apportion import apportion

    rng = random.Random(seed)
    units = []
    for i in range(rows):
        building, rest = divmod(i, 200)
        stair, rest = divmod(rest, 100)
        floor, room = divmod(rest, 4)
        code = f"{building + 1}-{stair + 1}-{floor + 1:02d}{room + 1:02d}"
        area = Decimal(rng.randrange(6000, 16000)) / 100
        units.append((code, area, rng.randrange(300_000, 2_000_000)))
    cost = 123_456_789  # fen
    shares = apportion(cost, {code: area for code, area, _ in units})
    body = []
    for n, (code, area, balance) in enumerate(units, start=1):
        owner = rng.choice(SURNAMES) + "*" * rng.choice((1, 2))
        share = shares[code]
        body.append(
            [str(n), code, owner, f"{area:.2f}", fen(share), fen(balance), fen(balance - share)]
        )
    total_area = sum(area for _, area, _ in units)
    from publications.rendering import table_context

    return table_context(
        intro=[
            "经业主大会表决通过并经区住房和城乡建设局审核，本项维修工程费用按专有部分面积分摊如下（《住宅专项维修资金管理办法》第二十条、第二十一条）。"
        ],
        columns=[
            {"label": "序号", "align": "center", "width": "8%"},
            {"label": "房屋编号", "align": "", "width": "14%"},
            {"label": "业主", "align": "", "width": "10%"},
            {"label": "面积（㎡）", "align": "num", "width": "12%"},
            {"label": "分摊金额（元）", "align": "num", "width": "18%"},
            {"label": "分摊前余额（元）", "align": "num", "width": "19%"},
            {"label": "分摊后余额（元）", "align": "num", "width": "19%"},
        ],
        rows=body,
        totals=["", "合计", "", f"{total_area:.2f}", fen(cost), "", ""],
        notes=["分摊金额按面积比例取整到分，余下的分按余数从大到小逐户补足，合计与工程费用一致。"],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="gongzhi-pdf-bench-") as tmp:
        directory = Path(tmp)
        setup(directory)
        from django.utils import translation

        from estates.models import Community, ManagementArea, Street
        from publications.models import Kind
        from publications.rendering import render_pdf
        from publications.services import publication_issue, verify_url

        street = Street.objects.create(code="BENCH", name="基准街道")
        community = Community.objects.create(street=street, code="BENCH1", name="基准社区")
        area = ManagementArea.objects.create(community=community, code="bench", name="基准小区")
        context = apportionment_context(args.rows)

        def publish(ctx: dict, title: str):
            return publication_issue(
                kind=Kind.APPORTIONMENT,
                area=area,
                period="2026",
                template="publications/pdf/table.html",
                context=ctx,
                actor=None,
                title=title,
            )

        # Warm-up (not timed): loads the key, the seal font and WeasyPrint's fonts.
        publish({**context, "rows": context["rows"][:1]}, "预热")

        started, cpu = time.perf_counter(), time.process_time()
        with translation.override("zh-hans"):
            baseline_pdf = render_pdf(
                template="publications/pdf/table.html",
                context={
                    **context,
                    "pub": {
                        "serial": "YQ-2026-000000",
                        "title": "维修资金分摊公示",
                        "header": "基准",
                        "verify_url": verify_url("YQ-2026-000000"),
                        "qr": "",
                    },
                },
            )
        baseline = time.perf_counter() - started
        baseline_cpu = time.process_time() - cpu

        started, cpu = time.perf_counter(), time.process_time()
        publication = publish(context, "维修资金分摊公示（基准测试）")
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu

    print(
        json.dumps(
            {
                "benchmark": f"pdf_{args.rows}_rows",
                "seconds": round(seconds, 3),
                "cpu_seconds": round(cpu_seconds, 3),
                "pages": publication.pages,
                "rows": args.rows,
                "bytes": publication.size,
                "target_seconds": 15,
                "within_target": seconds < 15,
                "baseline": {
                    "name": "render_only",
                    "seconds": round(baseline, 3),
                    "cpu_seconds": round(baseline_cpu, 3),
                    "pages": baseline_pdf.pages,
                    "layout": "grid" if baseline_pdf.grid else "table",
                },
                "ratio": round(seconds / baseline, 2),
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
