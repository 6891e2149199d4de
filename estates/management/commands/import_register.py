"""Import a unit register file into one management area, all or nothing (STYLE.md §12)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from core.errors import DomainError
from estates.models import Community, ManagementArea
from estates.services.importing import management_area_create, register_import


class _Bar:
    """tqdm on the terminal's stderr, opened at the first progress call (when the total is known)."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = tqdm(
                total=total,
                unit="行",
                desc="导入",
                file=sys.stderr,
                disable=not sys.stderr.isatty(),
            )
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Command(BaseCommand):
    help = (
        "Import a register file (CSV in UTF-8/GB18030, or XLSX; the columns of "
        "shared/samples/register-sample.csv) into the management area --area. All or "
        "nothing: if any row is bad, nothing is written and every bad row is listed with "
        "its line number (exit status 1). Importing the same file again changes nothing. "
        "With --area-name (and --community) a missing area is created first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the register file (.csv or .xlsx)")
        parser.add_argument("--area", required=True, help="management area code")
        parser.add_argument(
            "--area-name", default="", help="create the area with this name if it does not exist"
        )
        parser.add_argument(
            "--community", default="", help="community code of a new area (with --area-name)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count only; write nothing"
        )

    def handle(
        self, *args, file: str, area: str, area_name: str, community: str, dry_run: bool, **options
    ):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        data = path.read_bytes()
        area_name = area_name.strip()

        existing = ManagementArea.objects.filter(code=area).first()
        parent = None
        if existing is None:
            if not area_name:
                raise CommandError(
                    f"物业管理区域 {area} 不存在。如需新建，请同时给出 --area-name 和 --community。"
                )
            if not community:
                raise CommandError("新建物业管理区域需要 --community 指定所属社区编码。")
            parent = Community.objects.filter(code=community).first()
            if parent is None:
                raise CommandError(f"社区 {community} 不存在。")
        elif area_name and area_name != existing.name:
            raise CommandError(
                f"物业管理区域 {area} 已存在，名称为“{existing.name}”，与 --area-name 不一致。"
            )

        bar = _Bar()
        try:
            with transaction.atomic():
                target = existing or management_area_create(
                    community=parent, code=area, name=area_name, actor=None
                )
                report = register_import(
                    area=target,
                    data=data,
                    filename=path.name,
                    actor=None,
                    dry_run=dry_run,
                    progress=bar,
                )
                # All or nothing includes the new area: a refused file (or a dry
                # run) leaves no empty area behind.
                if not report.ok or dry_run:
                    transaction.set_rollback(True)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        finally:
            bar.close()

        if not report.ok:
            raise CommandError(report.as_text())
        if existing is None and not dry_run:
            self.stdout.write(f"已新建物业管理区域 {target.code}（{target.name}）")
        self.stdout.write(report.as_text())
