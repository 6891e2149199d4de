"""Shares and lines as people read them: "⅔" for the line, "66.67%" for a share that reaches it.

Pure: standard library and ``voting.counting`` only, so it is tested on its own.

A line of RULES.md §2 is a fraction: two thirds (quorum, "以上"), more than
half (ordinary approval, "过半数", strict), three quarters (special approval,
"以上"). It is shown as the fraction itself ("⅔", "½", "¾"), never as a
rounded percentage: 2/3 is not 66.66% nor 66.67%.

A share is shown in hundredths of a percent, rounded **down** — a share short
of a line never looks as if it reached it. But rounding down alone would show
exactly two thirds as "66.66%", below the line it has reached. So a share
that reaches its line is shown at least at the smallest two-decimal
percentage that lies on the reached side of the line (⅔ → 66.67%, more than
½ → 50.01%, ¾ → 75.00%). Whether a share reaches a line is never decided
here: callers pass ``met`` from the exact integer test (``voting.counting``),
and this module only draws what that test said.
"""

from __future__ import annotations

from dataclasses import dataclass

from voting import counting

SCALE = 10000  # basis points: hundredths of a percent


@dataclass(frozen=True)
class Line:
    """A line of RULES.md §2: ``num/den`` of the whole; ``strict`` for "more than"."""

    num: int
    den: int
    strict: bool = False

    @property
    def symbol(self) -> str:
        return SYMBOLS.get((self.num, self.den), f"{self.num}/{self.den}")

    def min_bps(self) -> int:
        """The smallest basis-point figure on the reached side of the line."""
        if self.strict:
            return self.num * SCALE // self.den + 1
        return -(-self.num * SCALE // self.den)  # ceiling


SYMBOLS = {(2, 3): "⅔", (1, 2): "½", (3, 4): "¾", (1, 3): "⅓", (1, 4): "¼"}

TWO_THIRDS = Line(2, 3)  # quorum: Civil Code art. 278 para 2, "以上" includes the number
MORE_THAN_HALF = Line(1, 2, strict=True)  # ordinary approval: "过半数"
THREE_QUARTERS = Line(3, 4)  # special approval (items 6–8)


def share_bps(value: int, total: int, *, line: Line | None = None, met: bool = False) -> int:
    """``value / total`` in basis points, rounded down; lifted to the line's least figure when
    ``met`` (the caller's exact test) says the share reaches ``line``. 0 for an empty whole."""
    for name, number in (("value", value), ("total", total)):
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise ValueError(f"{name} must be an int ≥ 0, got {number!r}")
    if total == 0:
        return 0
    bps = value * SCALE // total
    if line is not None and met:
        bps = max(bps, min(line.min_bps(), SCALE))
    return bps


def bps_text(bps: int) -> str:
    """Basis points → "66.67%"; no float on the way."""
    return f"{bps // 100}.{bps % 100:02d}%"


def share_text(value: int, total: int, *, line: Line | None = None, met: bool = False) -> str:
    """The share as shown ("—" for an empty whole)."""
    if total == 0:
        return "—"
    return bps_text(share_bps(value, total, line=line, met=met))


# --------------------------------------------------------------------------- result notices


def _least_share(part: int, whole: int, line: Line | None = None, least: int = 0) -> str:
    # ``least`` is the smallest number the exact test of voting.counting accepts for the
    # line (its thresholds): a share at or above it has reached the line.
    met = line is not None and whole > 0 and part >= least
    return share_text(part, whole, line=line, met=met)


def participation_shares(count: dict) -> dict:
    """Participation of a counted motion (``counting.count_motion``) against ⅔ of the roll."""
    quorum = count["thresholds"]["quorum"]
    cents = counting.area_to_cents
    return {
        "heads": _least_share(
            count["participating"]["heads"],
            count["total"]["heads"],
            TWO_THIRDS,
            max(1, quorum["heads"]),
        ),
        "area": _least_share(
            cents(count["participating"]["area"]),
            cents(count["total"]["area"]),
            TWO_THIRDS,
            cents(quorum["area"]),
        ),
    }


def choice_shares(count: dict, choice: str) -> dict:
    """A choice's share of those taking part; "approve" against the motion's approval line."""
    cents = counting.area_to_cents
    heads, area = count[choice]["heads"], cents(count[choice]["area"])
    p_heads, p_area = count["participating"]["heads"], cents(count["participating"]["area"])
    if choice != counting.APPROVE or count["kind"] == counting.ELECTION:
        return {
            "share_heads": _least_share(heads, p_heads),
            "share_area": _least_share(area, p_area),
        }
    line = THREE_QUARTERS if count["kind"] == counting.SPECIAL else MORE_THAN_HALF
    least = count["thresholds"]["approval"]
    return {
        "share_heads": _least_share(heads, p_heads, line, least["heads"]),
        "share_area": _least_share(area, p_area, line, cents(least["area"])),
    }
