"""The settings the owners' limits are read with, and the ceiling's sentence (RULES.md §4).

The lowest layer of ``settlement_limits``: read by the application, the vote,
the money record (``fund_use.payable_limit``) and the supplementary votes, which
``settlement_limits`` itself builds on.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import yuan
from funds.models import FundUse
from funds.procedure import ceiling


def _setting(name: str, default: int, *, maximum: int | None = None) -> int:
    value = getattr(settings, name, default)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < 0
        or (maximum is not None and value > maximum)
    ):
        raise ImproperlyConfigured(f"{name} must be a whole number in range, not {value!r}.")
    return value


def tolerance_cap_pct() -> int:
    return _setting("GONGZHI_FUND_TOLERANCE_CAP_PCT", 10, maximum=100)


def audit_above_fen() -> int:
    return _setting("GONGZHI_FUND_AUDIT_ABOVE_FEN", 20_000_000)


def retention_pct() -> int:
    return _setting("GONGZHI_FUND_RETENTION_PCT", 5, maximum=100)


def clean_tolerance(value) -> int:
    """The owners' tolerance N: a whole number 0..the cap (RULES §4), else a 400."""
    cap = tolerance_cap_pct()
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= cap:
        message = _("超支比例须为 0 至 %(cap)d 之间的整数（%%）。") % {"cap": cap}
        raise DomainError("bad_tolerance", message, fields={"tolerance_pct": message})
    return value


def ceiling_of(fund_use: FundUse) -> int:
    """The owners' ceiling of a use: budget + floor(budget × N / 100)."""
    return ceiling.ceiling_fen(fund_use.budget_fen, fund_use.tolerance_pct)


def tolerance_text(budget_fen: int, tolerance_pct: int) -> str:
    """The sentence of the motion that states the tolerance (printed even when it is 0)."""
    if not tolerance_pct:
        return _(
            "批准金额即为上限：结算不得超过预算金额 %(budget)s 元；确需超支的，"
            "超出部分须经列支范围内业主补充表决同意。"
        ) % {"budget": yuan(budget_fen)}
    return _(
        "超支不超过 %(n)d%%：结算上限为 %(ceiling)s 元（预算 %(budget)s 元 + %(n)d%%，不足一分舍去）；"
        "超过上限的部分须经列支范围内业主补充表决同意。"
    ) % {
        "n": tolerance_pct,
        "budget": yuan(budget_fen),
        "ceiling": yuan(ceiling.ceiling_fen(budget_fen, tolerance_pct)),
    }
