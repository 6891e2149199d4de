"""``manage.py emergency_whitelist [--json] [--number N]``: print the whitelist.

The current version by default (RULES.md §5). ``--json`` prints it as stable
JSON — keys sorted, items in list order, two-space indent, UTF-8 — so two runs
over the same version print the same bytes and a diff shows what a new
version changed. Exits 1 when there is no such version.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.money import yuan
from emergency.models import EvidenceKind, Facility, WhitelistVersion


def version_document(version: WhitelistVersion) -> dict:
    return {
        "version": version.number,
        "published_at": timezone.localtime(version.published_at).isoformat(timespec="seconds"),
        "note": version.note,
        "items": [item.as_dict() for item in version.items.order_by("position")],
    }


class Command(BaseCommand):
    help = "Print the emergency-repair whitelist (the current version, or --number N)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="stable JSON instead of text"
        )
        parser.add_argument("--number", type=int, dest="number", help="a published version number")

    def handle(self, *args, as_json: bool = False, number: int | None = None, **options):
        versions = WhitelistVersion.objects.order_by("-number")
        version = versions.filter(number=number).first() if number else versions.first()
        if version is None:
            raise CommandError("no such whitelist version" if number else "no whitelist published")
        document = version_document(version)
        if as_json:
            self.stdout.write(_dumps(document))
            return
        self.stdout.write(
            f"紧急维修事项清单 第{document['version']}版（{document['published_at']}）"
            f"{'：' + document['note'] if document['note'] else ''}"
        )
        for item in document["items"]:
            evidence = "、".join(str(EvidenceKind(k).label) for k in item["evidence"])
            self.stdout.write(
                f"{item['code']}  {item['name']}  [{Facility(item['facility']).label}]  "
                f"上限 {yuan(item['cap_fen'])} 元  审核 {item['review_days']} 个工作日  "
                f"拨付 {item['payment_days']} 个工作日  开工 {item['start_hours']} 小时  "
                f"材料：{evidence}"
            )


def _dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2)
