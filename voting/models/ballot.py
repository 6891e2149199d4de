"""A cast ballot, final once stored (RULES.md §3), and where its scans are kept."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from voting import counting

from .assembly import Assembly
from .final import FinalModel
from .roll import VotingRight


def scan_path(instance: Ballot, filename: str) -> str:
    # A random name, never the tracker (which is public on the board) nor the unit or
    # owner: a scan shows who signed, so its path must not lead from a tracker to it.
    extension = filename.rsplit(".", 1)[-1].lower()
    folder = "paper" if instance.channel == Ballot.Channel.PAPER else "proxy"
    return f"voting/{instance.assembly_id}/{folder}/{secrets.token_hex(16)}.{extension}"


def authorisation_path(instance: Ballot, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"voting/{instance.assembly_id}/proxy/{secrets.token_hex(16)}.{extension}"


# --------------------------------------------------------------------------- ballots


class Ballot(FinalModel):
    """A cast ballot: final once stored (no revote, RULES.md §3).

    One per voting right — the ``(assembly, right)`` constraint holds even if
    two requests slip past the service's check at the same moment. ``seq``,
    ``prev`` and ``hash`` place it in the assembly's hash chain; they are
    assigned under the assembly row's lock, so the chain has no gaps
    (``voting.services.ballots``). The ``tracker`` is random
    (``secrets.token_hex``), not derived from anything about the voter.
    """

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上投票")
        PAPER = "paper", _("纸质表决票")
        PROXY = "proxy", _("委托投票")

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="ballots")
    right = models.ForeignKey(VotingRight, on_delete=models.PROTECT, related_name="ballots")
    seq = models.PositiveIntegerField(_("序号"))
    tracker = models.CharField(_("查验码"), max_length=32)
    heads = models.PositiveSmallIntegerField(_("人数"))
    area = models.DecimalField(_("面积"), max_digits=12, decimal_places=2)
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices)
    choices = models.JSONField(_("表决意见"))
    prev = models.CharField(max_length=64)
    hash = models.CharField(_("选票哈希"), max_length=64)
    cast_at = models.DateTimeField(_("投票时间"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提交人"),
    )
    voter = models.ForeignKey(
        "estates.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("投票业主"),
    )
    proxy_name = models.CharField(_("受托人"), max_length=100, blank=True)
    scan = models.FileField(_("表决票扫描件"), upload_to=scan_path, max_length=200, blank=True)
    authorisation = models.FileField(
        _("授权委托书"), upload_to=authorisation_path, max_length=200, blank=True
    )
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["assembly", "seq"]
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "right"], name="ballot_one_per_right"),
            models.UniqueConstraint(fields=["assembly", "seq"], name="ballot_seq_unique"),
            models.UniqueConstraint(fields=["assembly", "tracker"], name="ballot_tracker_unique"),
            models.UniqueConstraint(
                fields=["assembly", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="ballot_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=~Q(channel="paper") | ~Q(scan=""), name="ballot_paper_has_scan"
            ),
            models.CheckConstraint(
                condition=~Q(channel="proxy") | (~Q(authorisation="") & ~Q(proxy_name="")),
                name="ballot_proxy_has_authorisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assembly_id}#{self.seq}"

    def board_entry(self) -> dict:
        """The ballot as the public board shows it, with its chain fields (DESIGN.md)."""
        return {
            "seq": self.seq,
            "tracker": self.tracker,
            "heads": self.heads,
            "area": counting.cents_to_area(counting.area_to_cents(self.area)),
            "channel": self.channel,
            "choices": self.choices,
            "prev": self.prev,
            "hash": self.hash,
        }

    def scope_object(self):
        return self.assembly.area
