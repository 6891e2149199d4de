"""Models of the maintenance fund (the app's models module): the ledger half
(``funds.ledger.models``, ``funds.ledger.reconciliation.models``) and the use-procedure
half, re-exported here. Code inside ``funds.ledger`` imports ``funds.ledger.models``
directly, never this aggregator."""

from .applications import (
    ApplicationApproval,
    ApplicationAttachment,
    ApplicationItem,
    FundApplication,
    RepairType,
)
from .approval import FundUseCountersign, UseFiling
from .fund_use import (
    ContractorRefund,
    FundUse,
    FundUseShare,
    PaymentInstruction,
    ShortfallCollection,
)
from .scope import CostScopeModel
from .settlement_limits import SettlementAuditReport, SettlementExcessApproval, SupplementaryVote

__all__ = [
    "ApplicationApproval",
    "ApplicationAttachment",
    "ApplicationItem",
    "ContractorRefund",
    "FirstDepositDemand",
    "CostScopeModel",
    "FundApplication",
    "FundUse",
    "FundUseCountersign",
    "FundUseShare",
    "PaymentInstruction",
    "RepairType",
    "SettlementAuditReport",
    "SettlementExcessApproval",
    "ShortfallCollection",
    "SupplementaryVote",
    "UseFiling",
    "Account",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "CustodyRegime",
    "Entry",
    "FundProfile",
    "InterestPosting",
    "LedgerError",
    "PostingNotice",
    "Transaction",
]

# The ledger half (RULES.md §4): accounts, postings, deposits, notices, annual statements,
# bank reconciliation (Order 165 art. 30).
from funds.ledger.models import (  # noqa: E402
    Account,
    AnnualStatement,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    CustodyRegime,
    Entry,
    FirstDepositDemand,
    FundProfile,
    InterestPosting,
    LedgerError,
    PostingNotice,
    Transaction,
)
from funds.ledger.reconciliation.models import BankStatement, BankStatementLine  # noqa: E402

# Frozen apportionment basis, reservations (冻结) and shortfall demands (分摊补缴), RULES.md §4.
from .reservations import (  # noqa: E402
    AdvanceAccount,
    ApportionmentBasis,
    Reservation,
    ShortfallDemand,
    ShortfallReport,
)

__all__ += [
    "AdvanceAccount",
    "ApportionmentBasis",
    "Reservation",
    "ShortfallDemand",
    "ShortfallReport",
    "AnnualStatement",
    "BankStatement",
    "BankStatementLine",
]
