"""Apportionment of a cost (or of interest) in whole fen — a pure module, no Django.

Order 165 (《住宅专项维修资金管理办法》) arts. 20–21: the cost of maintaining
common parts is shared among the owners concerned in proportion to the area of
their exclusive parts (专有部分面积) within the 列支范围; the developer bears the
share of its unsold units. Order 165 does not say how to round. Our rounding
policy (RULES.md §4, "Apportionment"): each party gets
``floor(total × weight / total_weight)`` fen; the fen left over go one each to
the largest remainders, ties broken by key ascending; the shares always add up
to the total exactly.

The same rule allocates a period's interest by day-weighted balance (积数,
``funds.ledger.accrual``): the weights there are fen·days instead of m².

Everything is computed in exact integers. Decimal weights are scaled to
integers exactly (by their common power of ten), so a weight may carry any
number of decimal places and no float ever takes part: a float weight is
refused outright, because ``0.1`` is not one tenth and a fen computed from it
could differ from the one the owner re-computes by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal

__all__ = ["apportion", "shortfalls"]


def _check_fen(value: object, what: str) -> int:
    # bool is a subclass of int; True fen is a bug, not one fen.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be an int number of fen, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value}")
    return value


def _integer_weights(weights: Mapping[str, Decimal]) -> dict[str, int]:
    """The weights as integers in one common unit, exactly proportional to the inputs.

    A Decimal is ``n / d`` exactly with ``d`` dividing a power of ten
    (``as_integer_ratio`` is exact); multiplying every weight by the least
    common multiple of the denominators gives integers in the same ratios.
    """
    if not isinstance(weights, Mapping):
        raise ValueError(
            f"weights must be a mapping of key to weight, got {type(weights).__name__}"
        )
    numerators: dict[str, int] = {}
    denominators: dict[str, int] = {}
    for key, weight in weights.items():
        if type(key) is not str:
            # Ties are broken by key order (RULES §4): keys must compare as strings.
            raise ValueError(f"weight keys must be str, got {type(key).__name__}")
        if isinstance(weight, Decimal):
            if not weight.is_finite():
                raise ValueError(f"weight for {key!r} is not a finite number: {weight}")
            numerator, denominator = weight.as_integer_ratio()
            if denominator != 1:
                denominators[key] = denominator
        elif isinstance(weight, int) and not isinstance(weight, bool):
            numerator = int(weight)
        elif isinstance(weight, float):
            raise ValueError(f"weight for {key!r} is a float; use Decimal or int (never float)")
        else:
            raise ValueError(
                f"weight for {key!r} must be Decimal or int, got {type(weight).__name__}"
            )
        if numerator < 0:
            raise ValueError(f"weight for {key!r} must not be negative, got {weight}")
        numerators[key] = numerator
    if not denominators:
        # All whole numbers (积数, or areas like 96.00): already in one unit.
        return numerators
    scale = math.lcm(*denominators.values())
    return {
        key: numerator * (scale // denominators.get(key, 1))
        for key, numerator in numerators.items()
    }


def apportion(total_fen: int, weights: Mapping[str, Decimal]) -> dict[str, int]:
    """Split ``total_fen`` among the keys of ``weights`` in proportion to the weights.

    Order 165 arts. 20–21 (shared by area within the 列支范围) with our rounding
    policy, RULES.md §4: every key gets ``floor(total × w / W)`` fen (``W`` the sum
    of the weights); the ``total − Σ floors`` fen left over (fewer than the
    number of keys) go one each to the keys with the largest remainders, ties
    broken by key ascending in Python string order. The shares add up to
    ``total_fen`` exactly, and the result does not depend on the mapping's
    order (it is returned in that order, for the caller's convenience).

    A zero-weight key gets 0 and stays in the result (it can never win a
    left-over fen: its remainder is 0, and there are always more keys with a
    positive remainder than fen left over). ``total_fen == 0`` gives all zeros.

    Weights are ``Decimal`` (any number of places) or ``int``, computed exactly.
    Raises ``ValueError`` for a total that is not an int (a bool too) or is
    negative, a key that is not a str, a weight that is a float, bool, other
    non-Decimal/int, not finite or negative, and when all weights are zero or
    there are none — there is nothing to share by.
    """
    _check_fen(total_fen, "total_fen")
    scaled = _integer_weights(weights)
    whole = sum(scaled.values())
    if whole == 0:
        raise ValueError("cannot apportion: the weights are empty or all zero")

    keys = list(scaled)
    splits = [divmod(total_fen * weight, whole) for weight in scaled.values()]
    shares = {key: floor for key, (floor, _) in zip(keys, splits, strict=True)}
    left_over = total_fen - sum(shares.values())
    if left_over:
        # The left-over fen go to the largest remainders, equal remainders by key
        # ascending (RULES §4). Rather than sorting (remainder, key) pairs, find
        # the remainder of the last winner; everything above it wins, and the
        # seats left among those exactly at it go to the smallest keys.
        remainders = [remainder for _, remainder in splits]
        cutoff = sorted(remainders, reverse=True)[left_over - 1]
        at_cutoff: list[str] = []
        for key, remainder in zip(keys, remainders, strict=True):
            if remainder > cutoff:
                shares[key] += 1
                left_over -= 1
            elif remainder == cutoff:
                at_cutoff.append(key)
        at_cutoff.sort()
        for key in at_cutoff[:left_over]:
            shares[key] += 1
    return shares


def shortfalls(shares: Mapping[str, int], balances: Mapping[str, int]) -> dict[str, int]:
    """The fen each unit is missing to pay its share, for units whose balance cannot cover it.

    RULES.md §4 (Order 165 arts. 20–21): a unit whose sub-ledger balance is
    below its share is *reported* with the missing amount — the ledger is never
    driven negative; how the gap is met (the owner pays it, a top-up vote under
    art. 17) is decided elsewhere. Units that can pay are absent from the
    result; the result keeps the order of ``shares``.

    Every key of ``shares`` needs a balance (every unit has its sub-ledger,
    Order 165 art. 10): a missing one raises ``ValueError``, as do shares or
    balances that are not non-negative int fen.
    """
    missing: dict[str, int] = {}
    for key, share in shares.items():
        _check_fen(share, f"share of {key!r}")
        if key not in balances:
            raise ValueError(f"no balance for {key!r}")
        balance = _check_fen(balances[key], f"balance of {key!r}")
        if balance < share:
            missing[key] = share - balance
    return missing
