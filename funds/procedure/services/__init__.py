"""Writes of the fund-use procedure (STYLE.md §2): one keyword-only function per use case.

- ``applications``, ``application_vote``, ``application_review``,
  ``application_close``: the use procedure of a normal application
  (Order 165 arts. 22–25: proposal, vote, review, approval, works, acceptance,
  settlement, publication);
- ``fund_use``, ``payments``, ``settlement``, ``use_publication``: the money
  side shared with emergency repairs (instruction, bank confirmation,
  settlement and apportionment, publication);
- ``settlement_limits``: no money past what the owners decided (RULES.md §4
  "use", §5): the ceiling, supplementary owners' votes, 审价, 质保金, and an
  emergency's excess approvals;
- ``reservations``: the units and areas a use is shared over (frozen at
  approval), reservations (冻结) at each instruction and shortfall demands
  (分摊补缴), RULES.md §4;
- ``authority``: who approves and instructs in each custody regime (Order 165
  arts. 22–23), two approvers on the cumulative amount, the filing (备案);
- ``scope``, ``steps``: what they share (the 列支范围; an audited transition,
  an amount in fen, dates).

The procedure reaches the ledger only through ``funds.ledger.services`` (its public
functions); the ledger never imports the procedure.
"""

# The use procedure (issue #7 item 5). application_vote registers the payment gate of
# normal applications ("no vote, no money") when imported.
from funds.procedure.services.application_close import application_publish, application_settle
from funds.procedure.services.application_review import (
    application_accept,
    application_approve,
    application_refuse,
    application_resubmit,
    application_review,
    application_works_done,
)
from funds.procedure.services.application_vote import (
    application_vote_check,
    application_vote_conclude,
    application_vote_create,
)
from funds.procedure.services.applications import (
    application_attach,
    application_create,
    application_update,
    application_withdraw,
)
from funds.procedure.services.apportionment import apportionment_preview
from funds.procedure.services.authority import (
    filing_order_correction,
    filing_receive,
    filing_reply,
    fund_use_countersign,
)
from funds.procedure.services.fund_use import fund_use_open
from funds.procedure.services.payment_file import payment_file_export
from funds.procedure.services.payments import (
    payment_cancel,
    payment_confirm,
    payment_instruct,
    payment_source_register,
)
from funds.procedure.services.settlement import (
    fund_use_settle,
    refund_confirm,
    shortfall_collect,
)
from funds.procedure.services.settlement_limits import (
    retention_release,
    settlement_audit_report_add,
    settlement_excess_approve,
)
from funds.procedure.services.supplementary_votes import supplementary_vote_create
from funds.procedure.services.use_publication import fund_use_publish

__all__ = [
    "application_accept",
    "application_publish",
    "application_settle",
    "application_vote_conclude",
    "application_vote_check",
    "application_vote_create",
    "application_approve",
    "application_attach",
    "application_create",
    "application_refuse",
    "application_resubmit",
    "application_review",
    "application_update",
    "application_withdraw",
    "application_works_done",
    "apportionment_preview",
    "filing_order_correction",
    "filing_receive",
    "filing_reply",
    "fund_use_countersign",
    "fund_use_open",
    "fund_use_publish",
    "fund_use_settle",
    "payment_cancel",
    "payment_confirm",
    "payment_file_export",
    "payment_instruct",
    "payment_source_register",
    "refund_confirm",
    "retention_release",
    "settlement_audit_report_add",
    "settlement_excess_approve",
    "shortfall_collect",
    "supplementary_vote_create",
]
