"""Writes of the fund (STYLE.md §2): one keyword-only function per use case.

- ``ledger``: posting and reversing transactions, opening accounts, the
  fund profile and the custody transfer (Order 165 arts. 10, 15);
- ``deposits``: first-deposit demands and recorded payments (arts. 7, 17);
- ``interest``: a period's interest allocated by 积数 (art. 26);
- ``notices``: the owners' notice of every posting (RULES.md §4);
- ``applications``, ``application_vote``, ``application_review``,
  ``application_close``: the use procedure of a normal application
  (arts. 22–25: proposal, vote, review, approval, works, acceptance,
  settlement, publication);
- ``fund_use``, ``payments``, ``settlement``, ``use_publication``: the money
  side shared with emergency repairs (instruction, bank confirmation,
  settlement and apportionment, publication);
- ``settlement_limits``: no money past what the owners decided (RULES.md §4
  "use", §5): the ceiling, supplementary owners' votes, 审价, 质保金, and an
  emergency's excess approvals.
- ``reservations``: the units and areas a use is shared over (frozen at
  approval), reservations (冻结) at each instruction and shortfall demands
  (分摊补缴), RULES.md §4.
- ``authority``: who approves and instructs in each custody regime (Order 165
  arts. 22–23), two approvers on the cumulative amount, the filing (备案);
  ``custody``: when a custody transfer (art. 15) may happen.
"""

from .deposits import (
    DepositStatus,
    deposit_demands,
    deposit_record,
    first_deposit_correct,
    first_deposit_of,
    first_deposits_demand,
    units_to_top_up,
    units_unpaid,
)
from .interest import interest_post, interest_preview
from .ledger import (
    accounts_ensure,
    custody_transfer,
    fund_profile_set,
    today,
    transaction_post,
    transaction_reverse,
)
from .notices import notices_create, posting_notices_retry, posting_notices_send

__all__ = [
    "DepositStatus",
    "deposit_demands",
    "first_deposit_correct",
    "first_deposit_of",
    "first_deposits_demand",
    "deposit_record",
    "units_to_top_up",
    "units_unpaid",
    "accounts_ensure",
    "custody_transfer",
    "fund_profile_set",
    "interest_post",
    "interest_preview",
    "notices_create",
    "posting_notices_retry",
    "posting_notices_send",
    "today",
    "transaction_post",
    "transaction_reverse",
]

# Annual statements and bank reconciliation (RULES.md §4 "Publication", Order 165 art. 30).
from .reconciliation import BankFileError, bank_statement_check, bank_statement_import  # noqa: E402
from .statements import statement_publish  # noqa: E402

__all__ += [
    "BankFileError",
    "bank_statement_check",
    "bank_statement_import",
    "statement_publish",
]
