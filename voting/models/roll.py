"""The roll of an assembly frozen when voting opened: its rights and their holders (RULES.md §1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import join_list
from voting import counting

from .assembly import Assembly
from .final import FinalModel

# --------------------------------------------------------------------------- the frozen roll


class RollSnapshot(FinalModel):
    """The roll of an assembly as it stood when voting opened (RULES.md §1).

    Totals and digest are those of ``estates.roll.Roll`` for the assembly's
    scope at that moment; the rights are the ``VotingRight`` rows. Later
    register edits (sales, corrected areas) never reach it.
    """

    assembly = models.OneToOneField(Assembly, on_delete=models.PROTECT, related_name="snapshot")
    taken_at = models.DateTimeField(_("冻结时间"))
    rights = models.PositiveIntegerField(_("表决权数"))
    heads = models.PositiveIntegerField(_("人数"))
    area = models.DecimalField(_("专有部分面积"), max_digits=14, decimal_places=2)
    units = models.PositiveIntegerField(_("房屋数"))
    digest = models.CharField(_("名册摘要（SHA-256）"), max_length=64)
    scope = models.JSONField(_("表决范围"))
    # Per unit: [code, basis, area] — which area each unit counted with (SPC art. 8).
    unit_areas = models.JSONField(_("房屋面积依据"))

    class Meta:
        verbose_name = _("表决名册")
        verbose_name_plural = _("表决名册")

    def __str__(self) -> str:
        return f"{self.assembly} · {self.rights}"

    def totals(self) -> counting.Totals:
        return counting.Totals.of(heads=self.heads, area=self.area)

    def scope_object(self):
        return self.assembly.area


class VotingRight(FinalModel):
    """One voting right of a frozen roll: one head, the summed area of its units.

    ``holders`` are the register persons who owned its units when the roll was
    frozen: they, and nobody else, may cast its ballot online, whatever the
    register says later (a sale after opening does not move the vote). The
    developer's right has no holders: it votes on paper or by proxy through
    its representative (RULES.md §3).
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="rights")
    position = models.PositiveIntegerField(_("序号"))
    key = models.CharField(_("表决权标识"), max_length=64)
    heads = models.PositiveSmallIntegerField(_("人数"), default=1)
    area = models.DecimalField(_("面积"), max_digits=12, decimal_places=2)
    unit_codes = models.JSONField(_("房屋"))
    is_developer = models.BooleanField(_("开发建设单位"), default=False)
    holders = models.ManyToManyField(
        "estates.Person", through="VotingRightHolder", related_name="voting_rights"
    )

    class Meta:
        ordering = ["assembly", "position"]
        verbose_name = _("表决权")
        verbose_name_plural = _("表决权")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "key"], name="voting_right_key_unique"),
            models.UniqueConstraint(
                fields=["assembly", "position"], name="voting_right_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return join_list(self.unit_codes)

    @property
    def label(self) -> str:
        codes = list(self.unit_codes)
        text = join_list(codes[:3])
        return text + (f" 等{len(codes)}套" if len(codes) > 3 else "")

    def scope_object(self):
        return self.assembly.area


class VotingRightHolder(FinalModel):
    right = models.ForeignKey(VotingRight, on_delete=models.PROTECT, related_name="holder_rows")
    person = models.ForeignKey("estates.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("表决权人")
        verbose_name_plural = _("表决权人")
        constraints = [
            models.UniqueConstraint(fields=["right", "person"], name="voting_right_holder_unique")
        ]

    def __str__(self) -> str:
        return f"{self.right} · {self.person}"
