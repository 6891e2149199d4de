"""Models of the maintenance fund; one module per part, re-exported here."""

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
