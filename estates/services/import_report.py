"""The report of a register import: what it did, or why it did nothing.

``estates.services.importing`` fills it in; the import job
(``estates.jobs``) stores it masked and the pages and the command print it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from core.text import join_list


@dataclass
class ImportCounts:
    rows: int = 0
    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    sales: int = 0
    not_in_file: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.units_created
            or self.units_updated
            or self.persons_created
            or self.persons_updated
            or self.sales
        )


@dataclass
class ImportReport:
    """What an import did, or why it did nothing. Never holds an ID number or phone."""

    ok: bool
    dry_run: bool
    filename: str
    file_sha256: str
    errors: list[tuple[int, str]] = field(default_factory=list)
    counts: ImportCounts = field(default_factory=ImportCounts)
    not_in_file_codes: list[str] = field(default_factory=list)

    @property
    def error_lines(self) -> list[int]:
        return sorted({line for line, _reason in self.errors})

    def as_text(self, *, max_codes: int = 20) -> str:
        if not self.ok:
            lines = [
                _("文件有 %(n)d 处错误，未写入任何数据：") % {"n": len(self.errors)},
                *(
                    _("第 %(line)d 行：%(reason)s") % {"line": line, "reason": reason}
                    for line, reason in self.errors
                ),
            ]
            return "\n".join(lines)
        c = self.counts
        head = _("预检通过（未写入）") if self.dry_run else _("导入完成")
        lines = [
            f"{head}：{self.filename}（SHA-256 {self.file_sha256}）",
            _("数据行 %(n)d 行") % {"n": c.rows},
            _("房屋：新增 %(created)d 套，更新 %(updated)d 套，未变 %(unchanged)d 套")
            % {
                "created": c.units_created,
                "updated": c.units_updated,
                "unchanged": c.units_unchanged,
            },
            _("业主：新增 %(created)d 人，更新手机号 %(updated)d 人")
            % {"created": c.persons_created, "updated": c.persons_updated},
            _("产权变更（过户）：%(n)d 套") % {"n": c.sales},
            _("已登记但文件中没有的房屋：%(n)d 套（未删除）") % {"n": c.not_in_file},
        ]
        if self.not_in_file_codes:
            shown = join_list(self.not_in_file_codes[:max_codes])
            more = len(self.not_in_file_codes) - max_codes
            if more > 0:
                shown += _(" 等，另有 %(n)d 套") % {"n": more}
            lines.append("  " + shown)
        return "\n".join(lines)

    def summary(self) -> dict:
        """The audit summary: counts and the file's digest, no personal data."""
        return {
            "filename": self.filename[:200],
            "file_sha256": self.file_sha256,
            **asdict(self.counts),
        }
