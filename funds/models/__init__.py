"""Models of the maintenance fund; one module per part, re-exported here."""

from .applications import (
    ApplicationApproval,
    ApplicationAttachment,
    ApplicationItem,
    FundApplication,
    RepairType,
)
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

__all__ = [
    "ApplicationApproval",
    "ApplicationAttachment",
    "ApplicationItem",
    "ContractorRefund",
    "FirstDepositDemand",
    "CostScopeModel",
    "FundApplication",
    "FundUse",
    "FundUseShare",
    "PaymentInstruction",
    "RepairType",
    "ShortfallCollection",
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
