"""Models of the maintenance fund (the app's models module): the ledger half
(``funds.ledger.models``, ``funds.ledger.reconciliation.models``) and the use-procedure
half (``funds.procedure.models``), re-exported here for Django and for the apps above
funds. Code inside ``funds.ledger`` imports ``funds.ledger.models`` directly, never this
aggregator (the ledger never imports the procedure)."""

from funds.ledger.models import (
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
from funds.ledger.reconciliation.models import BankStatement, BankStatementLine
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
from funds.procedure.models.reservations import (
    AdvanceAccount,
    ApportionmentBasis,
    Reservation,
    ShortfallDemand,
    ShortfallReport,
)
from funds.procedure.models.scope import CostScopeModel
from funds.procedure.models.settlement_limits import (
    SettlementAuditReport,
    SettlementExcessApproval,
    SupplementaryVote,
)

__all__ = [
    "Account",
    "AdvanceAccount",
    "AnnualStatement",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "ApplicationApproval",
    "ApplicationAttachment",
    "ApplicationItem",
    "ApportionmentBasis",
    "BankStatement",
    "BankStatementLine",
    "ContractorRefund",
    "CostScopeModel",
    "CustodyRegime",
    "Entry",
    "FirstDepositDemand",
    "FundApplication",
    "FundProfile",
    "FundUse",
    "FundUseCountersign",
    "FundUseShare",
    "InterestPosting",
    "LedgerError",
    "PaymentInstruction",
    "PostingNotice",
    "RepairType",
    "Reservation",
    "SettlementAuditReport",
    "SettlementExcessApproval",
    "ShortfallCollection",
    "ShortfallDemand",
    "ShortfallReport",
    "SupplementaryVote",
    "Transaction",
    "UseFiling",
]
