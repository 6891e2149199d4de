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

# The ledger half (funds.ledger.services), re-exported for the procedure until it imports it.
from funds.ledger.services import (
    DepositStatus,
    accounts_ensure,
    custody_transfer,
    deposit_demands,
    deposit_record,
    first_deposit_correct,
    first_deposit_of,
    first_deposits_demand,
    fund_profile_set,
    interest_post,
    interest_preview,
    notices_create,
    posting_notices_retry,
    posting_notices_send,
    statement_publish,
    today,
    transaction_post,
    transaction_reverse,
    units_to_top_up,
    units_unpaid,
)

# isort: split
# The use procedure (issue #7 item 5). application_vote registers the payment gate of
# normal applications ("no vote, no money") when imported.
from .application_close import application_publish, application_settle
from .application_review import (
    application_accept,
    application_approve,
    application_refuse,
    application_resubmit,
    application_review,
    application_works_done,
)
from .application_vote import application_vote_conclude, application_vote_create
from .applications import (
    application_attach,
    application_create,
    application_update,
    application_withdraw,
)
from .authority import (
    filing_order_correction,
    filing_receive,
    filing_reply,
    fund_use_countersign,
)
from .fund_use import fund_use_open
from .payments import (
    payment_cancel,
    payment_confirm,
    payment_file_export,
    payment_instruct,
    payment_source_register,
)
from .settlement import (
    apportionment_preview,
    fund_use_settle,
    refund_confirm,
    shortfall_collect,
)
from .settlement_limits import (
    retention_release,
    settlement_audit_report_add,
    settlement_excess_approve,
    supplementary_vote_create,
)
from .use_publication import fund_use_publish

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
    "application_accept",
    "application_approve",
    "application_attach",
    "application_create",
    "application_publish",
    "application_refuse",
    "application_resubmit",
    "application_review",
    "application_settle",
    "application_update",
    "application_vote_conclude",
    "application_vote_create",
    "application_withdraw",
    "application_works_done",
    "apportionment_preview",
    "fund_use_open",
    "fund_use_publish",
    "fund_use_settle",
    "payment_cancel",
    "payment_confirm",
    "payment_file_export",
    "payment_instruct",
    "payment_source_register",
    "filing_order_correction",
    "filing_receive",
    "filing_reply",
    "fund_use_countersign",
    "refund_confirm",
    "retention_release",
    "settlement_audit_report_add",
    "settlement_excess_approve",
    "shortfall_collect",
    "supplementary_vote_create",
]

# Annual statements and bank reconciliation (RULES.md §4 "Publication", Order 165 art. 30).
from funds.ledger.reconciliation.services import (  # noqa: E402
    BankFileError,
    bank_statement_check,
    bank_statement_import,
)

__all__ += [
    "BankFileError",
    "bank_statement_check",
    "bank_statement_import",
    "statement_publish",
]
