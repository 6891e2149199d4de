"""Models of the fund's ledger (app ``funds``): accounts and postings, first-deposit
demands, owners' posting notices, published annual statements. The bank statements are
``funds.ledger.reconciliation.models``."""

from .accounts import (
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
from .deposits import FirstDepositDemand
from .notices import PostingNotice
from .statements import AnnualStatement

__all__ = [
    "Account",
    "AnnualStatement",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "CustodyRegime",
    "Entry",
    "FirstDepositDemand",
    "FundProfile",
    "InterestPosting",
    "LedgerError",
    "PostingNotice",
    "Transaction",
]
