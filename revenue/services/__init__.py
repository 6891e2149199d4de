"""Writes of the public-revenue ledger (RULES.md §6): one function per use case.

Every service is keyword-only, checks the actor's permission, validates,
locks, writes and records an audit event in one transaction, and returns
what it stored. A refusal is a ``DomainError`` and changes nothing.
"""

from .allocations import revenue_allocation_record
from .entries import revenue_entry_record, revenue_entry_reverse
from .notices import revenue_quarter_publish

__all__ = [
    "revenue_allocation_record",
    "revenue_entry_record",
    "revenue_entry_reverse",
    "revenue_quarter_publish",
]
