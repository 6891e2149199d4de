"""Writes of the fund's ledger (STYLE.md §2): one keyword-only function per use case.

The public functions the use procedure calls (it imports nothing else of the ledger's
services):

- ``posting``: ``transaction_post`` and ``transaction_reverse`` — the one way money
  moves (the checks it runs are ``checks``; the notices ``notices``);
- ``accounts``: ``accounts_ensure`` (opening an area's accounts) and
  ``fund_profile_set`` (deposit terms, custody bank; Order 165 arts. 7, 10);
- ``custody``: ``custody_transfer`` and its check (art. 15);
- ``deposits``: first-deposit demands and recorded payments (arts. 7, 17);
- ``interest``: a period's interest allocated by 积数 (art. 26);
- ``notices``: the owners' notice of every posting (RULES.md §4);
- ``statements``: the published annual statement (art. 30).

Bank reconciliation is ``funds.ledger.reconciliation.services``.
"""

from .accounts import accounts_ensure, fund_profile_set
from .checks import today
from .custody import custody_transfer, custody_transfer_check
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
from .notices import notices_create, posting_notices_retry, posting_notices_send
from .posting import transaction_post, transaction_reverse
from .statements import statement_publish

__all__ = [
    "DepositStatus",
    "accounts_ensure",
    "custody_transfer",
    "custody_transfer_check",
    "deposit_demands",
    "deposit_record",
    "first_deposit_correct",
    "first_deposit_of",
    "first_deposits_demand",
    "fund_profile_set",
    "interest_post",
    "interest_preview",
    "notices_create",
    "posting_notices_retry",
    "posting_notices_send",
    "statement_publish",
    "today",
    "transaction_post",
    "transaction_reverse",
    "units_to_top_up",
    "units_unpaid",
]
