"""Models of the maintenance fund; one module per part, re-exported here."""

from funds.procedure.models.applications import (
    ApplicationApproval,
    ApplicationAttachment,
    ApplicationItem,
    FundApplication,
    RepairType,
)
from funds.procedure.models.approval import FundUseCountersign, UseFiling
from funds.procedure.models.fund_use import (
    ContractorRefund,
    FundUse,
    FundUseShare,
    PaymentInstruction,
    ShortfallCollection,
)
from funds.procedure.models.scope import CostScopeModel
from funds.procedure.models.settlement_limits import (
    SettlementAuditReport,
    SettlementExcessApproval,
    SupplementaryVote,
)

from .deposits import FirstDepositDemand
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
# Frozen apportionment basis, reservations (冻结) and shortfall demands (分摊补缴), RULES.md §4.
from funds.procedure.models.reservations import (  # noqa: E402
    AdvanceAccount,
    ApportionmentBasis,
    Reservation,
    ShortfallDemand,
    ShortfallReport,
)

from .reconciliation import *  # noqa: E402, F403

__all__ += [
    "AdvanceAccount",
    "ApportionmentBasis",
    "Reservation",
    "ShortfallDemand",
    "ShortfallReport",
]
