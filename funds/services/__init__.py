"""Writes of the fund (STYLE.md §2): one keyword-only function per use case.

- ``ledger``: posting and reversing transactions, opening accounts, the
  fund profile and the custody transfer (Order 165 arts. 10, 15);
- ``deposits``: first-deposit demands and recorded payments (arts. 7, 17);
- ``interest``: a period's interest allocated by 积数 (art. 26);
- ``notices``: the owners' notice of every posting (RULES.md §4);
"""

from .deposits import (
    DepositStatus,
    deposit_demands,
    deposit_record,
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
