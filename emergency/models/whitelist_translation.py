"""Translations of the whitelist's bureau-written text (item name and applicable cases).

Why a table beside the versions rather than a new version: the whitelist's
versions are append-only legal records in Chinese; a translation is a reading
aid, not a rule, so changing it must not publish a version. A translation is
keyed by the item's ``code`` and language and follows the item across versions
— but only while the Chinese it was made from (``source_name`` and
``source_description``) is still the item's text. After the bureau rewords an
item, the page shows the Chinese (marked ``lang="zh-Hans"``) until the
translation is brought up to date, never a translation of older wording.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WhitelistItemTranslation(models.Model):
    code = models.CharField(_("编号"), max_length=16)
    language = models.CharField(_("语言"), max_length=10)
    name = models.CharField(_("事项名称（译文）"), max_length=100)
    description = models.TextField(_("适用情形（译文）"), blank=True)
    source_name = models.CharField(_("译自的事项名称"), max_length=100)
    source_description = models.TextField(_("译自的适用情形"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更新人"),
    )

    class Meta:
        ordering = ["code", "language"]
        verbose_name = _("紧急维修事项译文")
        verbose_name_plural = _("紧急维修事项译文")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "language"], name="whitelist_translation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} [{self.language}] {self.name}"

    def scope_object(self):
        # District-wide, like the whitelist itself: only bureau roles reach it.
        return None

    def fits(self, item) -> bool:
        """Whether this translation was made from ``item``'s current Chinese text."""
        return (
            self.code == item.code
            and self.source_name == item.name
            and self.source_description == item.description
        )
