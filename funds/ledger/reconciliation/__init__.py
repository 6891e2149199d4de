"""Bank reconciliation (RULES.md §4 "Publication"): the bank's statement files, their parsing, matching against the ledger, and the pages."""
