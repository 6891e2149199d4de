"""Rows kept for good once stored: inserted once, never changed or removed.

Ballots and frozen rolls (RULES.md §1, §3), ledger rows (§4), public-revenue
entries (§6), published whitelist versions (§5) and the bureau's holiday
calendar notices (§2 "Periods") use these bases. Each app names its own error
(a subclass of ``KeptError``) through ``kept_error``.
"""

from __future__ import annotations

from django.db import models


class KeptError(Exception):
    """Raised on any attempt to change or remove a row that is kept for good."""


class KeptQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise self.model.kept_error(
            f"{self.model._meta.verbose_name_plural} are kept for good: they cannot be changed."
        )

    def delete(self):
        raise self.model.kept_error(
            f"{self.model._meta.verbose_name_plural} are kept for good: they cannot be deleted."
        )


class KeptModel(models.Model):
    """Insert once, then never change or delete."""

    kept_error: type[KeptError] = KeptError
    objects = KeptQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise self.kept_error(f"A {self._meta.verbose_name} cannot be changed once stored.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.kept_error(f"A {self._meta.verbose_name} cannot be deleted.")
