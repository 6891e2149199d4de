"""The publication register and its hash-chained log (RULES.md §7).

Every public notice is a signed PDF with a serial (``YQ-2026-000123``), kept
for ever: a ``Publication`` row cannot be deleted, and the only change it
ever takes is being superseded once by a correction (``superseded_by``,
set by ``publications.services``). Beside it, ``PublicationLogEntry`` is an
append-only, hash-chained list of what was issued (published as
``/publications/log.json``), so anyone can check that nothing was removed or
rewritten after the fact.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImmutableError(Exception):
    """Raised on any attempt to delete a publication or rewrite a published fact."""


class Kind(models.TextChoices):
    # RULES.md §7 lists the notices; later apps publish through these kinds.
    ASSEMBLY_NOTICE = "assembly_notice", _("业主大会会议公告")
    VOTE_RESULT_PRELIMINARY = "vote_result_preliminary", _("表决结果公告（初步）")
    VOTE_RESULT_FINAL = "vote_result_final", _("表决结果公告")
    FUND_USE = "fund_use", _("维修资金使用公示")
    APPORTIONMENT = "apportionment", _("维修资金分摊公示")
    EMERGENCY_REPAIR = "emergency_repair", _("紧急维修公示")
    PUBLIC_REVENUE = "public_revenue", _("公共收益公示")
    ANNUAL_STATEMENT = "annual_statement", _("维修资金年度账目公示")
    AREA_REGISTER = "area_register", _("物业管理区域信息公示")
    OTHER = "other", _("其他公告")


def _publication_upload_to(instance: Publication, filename: str) -> str:
    return f"publications/{instance.issued_at:%Y}/{instance.serial}.pdf"


class PublicationQuerySet(models.QuerySet):
    def delete(self):
        raise ImmutableError("Publications are kept for ever; they cannot be deleted.")

    def update(self, **kwargs):
        # The one permitted change: a correction marks the old notice superseded
        # (RULES.md §7). Everything else that was published stays as published.
        if set(kwargs) != {"superseded_by"}:
            raise ImmutableError("A publication cannot be changed, only superseded.")
        return super().update(**kwargs)


class Publication(models.Model):
    serial = models.CharField(_("编号"), max_length=32, unique=True)
    kind = models.CharField(_("类别"), max_length=40, choices=Kind.choices, db_index=True)
    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publications",
        verbose_name=_("物业管理区域"),
    )
    period = models.CharField(_("期间"), max_length=50)
    title = models.CharField(_("标题"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    file = models.FileField(_("签章文件"), upload_to=_publication_upload_to, max_length=200)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"))
    pages = models.PositiveIntegerField(_("页数"))
    signer_fingerprint = models.CharField(_("签章证书指纹"), max_length=64)
    # SHA-256 of the data the notice was rendered from: lets a re-run see that
    # nothing changed since the current notice (publish_area_register).
    data_digest = models.CharField(_("数据摘要"), max_length=64, blank=True)
    superseded_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("被更正为"),
    )
    issued_at = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-serial"]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")

    def __str__(self) -> str:
        return f"{self.serial} {self.title}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("A publication cannot be changed, only superseded.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Publications are kept for ever; they cannot be deleted.")

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None

    def scope_object(self):
        # accounts.permissions resolves a publication to its area (None: district-wide).
        return self.area


class SerialCounter(models.Model):
    """The last serial number used per prefix and year.

    Issuing locks this row (``select_for_update``) and advances it with a
    compare-and-set, so two publishers never get the same number and the
    numbers have no gaps: a missing number would look like a deleted notice.
    """

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="serial_counter_prefix_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class LogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("The publication log is append-only.")

    def delete(self):
        raise ImmutableError("The publication log is append-only.")


class PublicationLogEntry(models.Model):
    """One issued publication in the public, hash-chained log (``publications.logchain``)."""

    seq = models.BigIntegerField(_("序号"), unique=True)
    publication = models.OneToOneField(
        Publication, on_delete=models.PROTECT, related_name="log_entry", verbose_name=_("公示")
    )
    at = models.DateTimeField(_("时间"))
    serial = models.CharField(_("编号"), max_length=32)
    kind = models.CharField(_("类别"), max_length=40)
    area = models.CharField(_("区域编码"), max_length=32, blank=True)
    period = models.CharField(_("期间"), max_length=50)
    title = models.CharField(_("标题"), max_length=200)
    sha256 = models.CharField(max_length=64)
    supersedes = models.CharField(_("更正的公示"), max_length=32, blank=True)
    prev = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = LogQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("公示日志")
        verbose_name_plural = _("公示日志")

    def __str__(self) -> str:
        return f"#{self.seq} {self.serial}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("The publication log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("The publication log is append-only.")

    def as_record(self) -> dict:
        """The entry as published in log.json and hashed by ``logchain``."""
        return {
            "seq": self.seq,
            # Microsecond ISO form in UTC: the same text on SQLite and PostgreSQL.
            "at": self.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "serial": self.serial,
            "kind": self.kind,
            "area": self.area,
            "period": self.period,
            "title": self.title,
            "sha256": self.sha256,
            "supersedes": self.supersedes,
            "prev": self.prev,
            "hash": self.hash,
        }


class PublicationLogHead(models.Model):
    """A single row with the newest log hash; appenders lock it so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"publication log head {self.last_hash[:12]}… ({self.count})"
