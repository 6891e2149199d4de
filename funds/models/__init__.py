"""Models of the maintenance fund; one module per part, re-exported here."""

from .applications import (
    ApplicationApproval,
    ApplicationAttachment,
    ApplicationItem,
    FundApplication,
    RepairType,
)
from .approval import FundUseCountersign, UseFiling
from .deposits import FirstDepositDemand
from .fund_use import (
    ContractorRefund,
    FundUse,
    FundUseShare,
    PaymentInstruction,
    ShortfallCollection,
)
from .ledger import (
    Account,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    CustodyRegime,
    Entry,
    FundProfile,
    InterestPosting,
    LedgerError,
    Transaction,
)
from .notices import PostingNotice
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

# Bank reconciliation and annual statements (RULES.md §4 "Publication", Order 165 art. 30).
from .reconciliation import *  # noqa: E402, F403

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
]
