"""Money reserved, not fronted: the frozen basis, reservations (冻结) and shortfall demands.

RULES.md §4 ("use", "Apportionment"; Order 165 arts. 20–23) and §5 (art. 24).
The records and why a reservation is a record beside the ledger, not a
posting, are in ``funds.procedure.models.reservations``. Here:

- ``basis_freeze``: at approval, the units and areas a use is shared over —
  the roll frozen when the owners' vote opened, or for an emergency the
  register at approval. ``basis_discrepancies`` shows the reviewer what the
  register changed since (units added, removed, re-measured): shown, never
  charged — a unit not on the roll is never charged without a new decision.
- ``shortfall_demands_create``: at approval, each unit's estimated share of
  the budget (over the basis) beyond what its sub-ledger can bear (its
  balance less what other uses hold reserved) is demanded from its owner
  (分摊补缴), with a deadline (``GONGZHI_SHORTFALL_DUE_DAYS``, default 30 days).
- ``reservation_cover``: at each payment instruction, each unit's share of the
  cumulative amount instructed is reserved on its sub-ledger; an instruction
  that some unit's free balance plus its collected shortfall cannot cover is
  refused — the pooled account never fronts one owner's share with other
  owners' money. The sub-ledgers are locked in primary-key order first, so two
  uses over the same building cannot reserve the same balance.
- ``shortfall_demand_pay``: a paid shortfall is posted as a deposit into the
  sub-ledger and reserved for the use; ``shortfall_advance`` (emergency uses
  only) does the same with money from the account the bureau named for
  advances, and is refused when none is named; ``shortfall_demands_report``
  reports unpaid shortfalls past their deadline to the convener and the street
  as that owner's debt.
"""

from funds.procedure.services.reservations.basis import (
    BasisUnit,
    Discrepancy,
    application_discrepancies,
    basis_discrepancies,
    basis_freeze,
    basis_units,
    roll_units,
)
from funds.procedure.services.reservations.cover import (
    basis_of,
    basis_shares,
    free_balances,
    fund_use_discrepancies,
    reservation_cover,
    reservations_release,
    reserved_for,
    sub_ledgers_of,
)
from funds.procedure.services.reservations.demands import (
    advance_account_name,
    shortfall_advance,
    shortfall_demand_pay,
    shortfall_demands_create,
    shortfall_demands_settle,
    shortfall_due_days,
)
from funds.procedure.services.reservations.reports import shortfall_demands_report

__all__ = [
    "BasisUnit",
    "Discrepancy",
    "advance_account_name",
    "application_discrepancies",
    "basis_discrepancies",
    "basis_freeze",
    "basis_of",
    "basis_shares",
    "basis_units",
    "free_balances",
    "fund_use_discrepancies",
    "reservation_cover",
    "reservations_release",
    "reserved_for",
    "roll_units",
    "shortfall_advance",
    "shortfall_demand_pay",
    "shortfall_demands_create",
    "shortfall_demands_report",
    "shortfall_demands_settle",
    "shortfall_due_days",
    "sub_ledgers_of",
]
