"""How far a settlement may go: the owners' ceiling and the retention — a pure module, no Django.

RULES.md §4 "use" (Order 165 arts. 22–23: the owners decide the use and its
cost; Civil Code art. 278 item 5): **the approved budget is a ceiling**. A
motion may state an owners' tolerance "超支不超过 N %" (N an integer from 0 to a
capped setting, default 0); then

    ceiling = budget + floor(budget × N / 100)          (integer fen)

Above the ceiling only a supplementary owners' vote on the excess, in the same
列支范围, lets the settlement go further, by at most the excess it approved:

    limit = ceiling + Σ approved supplementary excesses

A settlement strictly above a threshold needs an audited final account (审价);
a retention (质保金) of floor(final cost × R / 100) fen is held until the
warranty of the works ends (our policy, settings; 《建设工程质量管理条例》
art. 40 fixes the warranty, the retention secures it).

Emergency repairs (RULES §5, Order 165 art. 24) have no tolerance: their base
is the whitelist item's cap, and only a supplementary owners' vote opens the
way above it (the fallback to the normal procedure).
"""

from __future__ import annotations


def _whole(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a whole number ≥ 0, not {value!r}")
    return value


def ceiling_fen(budget_fen: int, tolerance_pct: int) -> int:
    """budget + floor(budget × N / 100): 100,000.01 元 at 3 % → 103,000.01 元 (3,000.0003 floored)."""
    budget = _whole(budget_fen, "budget_fen")
    return budget + budget * _whole(tolerance_pct, "tolerance_pct") // 100


def settlement_limit_fen(base_fen: int, approved_excesses: list[int] | tuple[int, ...]) -> int:
    """The most a settlement may reach: its base (ceiling or cap) plus the approved excesses."""
    return _whole(base_fen, "base_fen") + sum(_whole(x, "excess") for x in approved_excesses)


def retention_fen(final_cost_fen: int, retention_pct: int) -> int:
    """floor(final cost × R / 100): the 质保金 held back from the contractor."""
    pct = _whole(retention_pct, "retention_pct")
    if pct > 100:
        raise ValueError("retention_pct must not exceed 100")
    return _whole(final_cost_fen, "final_cost_fen") * pct // 100


def needs_audit(final_cost_fen: int, threshold_fen: int) -> bool:
    """Strictly above the threshold ("超过"): at the threshold no 审价 report is required."""
    return _whole(final_cost_fen, "final_cost_fen") > _whole(threshold_fen, "threshold_fen")
