"""The days of a State Council holiday notice, typed one run per line. Pure: no Django import.

The bureau copies each year's notice (国务院办公厅关于某年部分节假日安排的通知)
as lines like::

    2027-01-01 至 2027-01-03 放假 元旦
    2027-02-05 至 2027-02-13 放假 春节
    2027-02-14 上班 春节

A line is a date or a range (``至``, ``~`` or ``-`` between two dates, both
included), then ``放假`` (rest) or ``上班`` (a swapped working day), then the
holiday's name. ``#`` starts a comment; blank lines are skipped. Every error
names its line, and nothing is accepted while one remains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

REST, WORK = "rest", "work"
KINDS = {"放假": REST, "休息": REST, "上班": WORK, "调休上班": WORK}

_DATE = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_LINE = re.compile(
    rf"^{_DATE}(?:\s*(?:至|~|—|到)\s*{_DATE})?\s+(调休上班|放假|休息|上班)\s+(\S.{{0,39}})$"
)
# A run of days longer than any holiday the State Council has given (National Day: 8 days).
LONGEST_RUN = 15


@dataclass(frozen=True)
class NoticeDay:
    day: date
    kind: str
    name: str


class NoticeTextError(ValueError):
    """The text has errors: ``errors`` lists them, one message per line at fault."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _date(year: str, month: str, day: str) -> date:
    return date(int(year), int(month), int(day))


def parse(text: str, year: int) -> list[NoticeDay]:
    """The notice's days for ``year``, sorted; ``NoticeTextError`` naming every bad line."""
    errors: list[str] = []
    days: dict[date, NoticeDay] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            errors.append(
                f"第{number}行看不懂：应为“2027-02-05 至 2027-02-13 放假 春节”或“2027-02-14 上班 春节”。"
            )
            continue
        try:
            first = _date(*match.group(1, 2, 3))
            last = _date(*match.group(4, 5, 6)) if match.group(4) else first
        except ValueError:
            errors.append(f"第{number}行的日期不存在。")
            continue
        if last < first:
            errors.append(f"第{number}行的结束日期早于开始日期。")
            continue
        if (last - first).days + 1 > LONGEST_RUN:
            errors.append(f"第{number}行连续超过{LONGEST_RUN}天，请核对。")
            continue
        if first.year != year or last.year != year:
            errors.append(f"第{number}行的日期不在{year}年。")
            continue
        kind, name = KINDS[match.group(7)], match.group(8).strip()
        day = first
        while day <= last:
            if kind == WORK and day.weekday() < 5:
                errors.append(
                    f"第{number}行：{day.isoformat()}本来就是工作日，只有周六、周日可以调休上班。"
                )
            elif day in days:
                errors.append(f"第{number}行：{day.isoformat()}重复出现。")
            else:
                days[day] = NoticeDay(day, kind, name)
            day += timedelta(days=1)
    if not errors and not days:
        errors.append("没有录入任何日期。")
    if errors:
        raise NoticeTextError(errors)
    return [days[day] for day in sorted(days)]


def as_text(days: list[NoticeDay]) -> str:
    """The inverse of ``parse``: runs of consecutive days of one kind and name on one line."""
    lines: list[str] = []
    run: list[NoticeDay] = []

    def flush() -> None:
        if not run:
            return
        word = "放假" if run[0].kind == REST else "上班"
        span = run[0].day.isoformat()
        if len(run) > 1:
            span += f" 至 {run[-1].day.isoformat()}"
        lines.append(f"{span} {word} {run[0].name}")
        run.clear()

    for item in sorted(days, key=lambda d: d.day):
        if run and not (
            item.kind == run[-1].kind
            and item.name == run[-1].name
            and item.day == run[-1].day + timedelta(days=1)
        ):
            flush()
        run.append(item)
    flush()
    return "\n".join(lines)
