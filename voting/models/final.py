"""Rows that are inserted once and never changed: a cast ballot, a frozen roll (RULES.md §1, §3)."""

from __future__ import annotations

from core.kept import KeptError, KeptModel, KeptQuerySet


class FinalError(KeptError):
    """Raised on any attempt to change or remove a cast ballot or a frozen roll."""


FinalQuerySet = KeptQuerySet


class FinalModel(KeptModel):
    """Insert once, then never change or delete (RULES.md §1, §3)."""

    kept_error = FinalError

    class Meta:
        abstract = True
