"""The assembly, its attachments, motions and candidates; objections to its result and
the sent-markers of its text messages (RULES.md §1–3)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import join_list
from core.uploads import UploadModel, validate_upload
from voting import boardformat, counting, scoperule

from .law import CIVIL_CODE_ITEMS, ELECTION_ITEMS, SPECIAL_ITEMS, legal_basis, threshold_text

GENESIS = boardformat.GENESIS


def attachment_path(instance: AssemblyAttachment, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"voting/{instance.assembly_id}/attachments/{instance.sha256[:16]}.{extension}"


# --------------------------------------------------------------------------- assembly


class Assembly(models.Model):
    """业主大会会议: one vote of the owners of an area, or of a 列支范围 within it.

    The stored ``status`` moves only through services (``TRANSITIONS``). Where
    a moment decides the state, ``current_status`` derives it from the clock
    on top of the stored one (RULES.md §3: "Status is derived from the clock,
    not from a job"): a noticed assembly is open from ``opens_at``, an open
    one closed from ``closes_at``, whether or not any job has run.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        NOTICED = "noticed", _("已公告")
        OPEN = "open", _("表决中")
        CLOSED = "closed", _("表决已截止")
        PRELIMINARY = "preliminary", _("结果已公告（异议期）")
        FINAL = "final", _("结果已确定")
        CANCELLED = "cancelled", _("已取消")

    # The only moves a service may make (STYLE.md §5). Cancelling is possible
    # only before voting opens; afterwards a vote runs its course.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.NOTICED, Status.CANCELLED}),
        Status.NOTICED: frozenset({Status.OPEN, Status.CANCELLED}),
        Status.OPEN: frozenset({Status.CLOSED}),
        Status.CLOSED: frozenset({Status.PRELIMINARY}),
        Status.PRELIMINARY: frozenset({Status.FINAL}),
        Status.FINAL: frozenset(),
        Status.CANCELLED: frozenset(),
    }

    area = models.ForeignKey(
        "estates.ManagementArea",
        on_delete=models.PROTECT,
        related_name="assemblies",
        verbose_name=_("物业管理区域"),
    )
    title = models.CharField(_("会议名称"), max_length=150)
    convener = models.CharField(_("召集人"), max_length=100)
    # The 表决范围 (RULES.md §1): both lists empty = the whole area; otherwise
    # the units of these buildings plus these unit codes (a 列支范围).
    scope_buildings = models.JSONField(_("表决范围：楼栋"), default=list, blank=True)
    scope_unit_codes = models.JSONField(_("表决范围：房屋"), default=list, blank=True)
    rules_text = models.TextField(_("表决规则"), blank=True)
    opens_at = models.DateTimeField(_("表决开始时间"))
    closes_at = models.DateTimeField(_("表决截止时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    notice_published_at = models.DateTimeField(_("公告发布时间"), null=True, blank=True)
    notice_publication = models.ForeignKey(
        "publications.Publication",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("会议公告"),
    )
    opened_at = models.DateTimeField(_("名册冻结时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True)

    # The ballot chain, advanced under this row's lock by every cast (seq = n + 1).
    ballots_cast = models.PositiveIntegerField(_("已投票数"), default=0)
    chain_head = models.CharField(_("票链末端哈希"), max_length=64, default=GENESIS)

    closed_at = models.DateTimeField(_("计票时间"), null=True, blank=True)
    result = models.JSONField(_("计票结果"), null=True, blank=True)
    preliminary_publication = models.ForeignKey(
        "publications.Publication",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("初步结果公告"),
    )
    objection_deadline = models.DateTimeField(_("异议截止时间"), null=True, blank=True)
    final_publication = models.ForeignKey(
        "publications.Publication",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最终结果公告"),
    )
    finalised_at = models.DateTimeField(_("结果确定时间"), null=True, blank=True)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("业主大会会议")
        verbose_name_plural = _("业主大会会议")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="assembly_closes_after_opens"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def current_status(self, now: datetime | None = None) -> str:
        """The status at ``now``: the stored one, moved on by the clock (class docstring)."""
        now = now or timezone.now()
        status = self.status
        if status == self.Status.NOTICED and now >= self.opens_at:
            status = self.Status.OPEN
        if status == self.Status.OPEN and now >= self.closes_at:
            status = self.Status.CLOSED
        return status

    def current_status_label(self, now: datetime | None = None) -> str:
        return str(self.Status(self.current_status(now)).label)

    @property
    def whole_area(self) -> bool:
        return not self.scope_buildings and not self.scope_unit_codes

    def scope_text(self) -> str:
        if self.whole_area:
            return str(_("全体业主（整个物业管理区域）"))
        parts = [*self.scope_buildings, *self.scope_unit_codes]
        return str(_("列支范围：%(parts)s")) % {"parts": join_list(parts)}

    def scope_object(self):
        return self.area


class AssemblyAttachment(UploadModel):
    """A document owners read before voting (budget, plan, candidate statements)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="attachments")
    title = models.CharField(_("名称"), max_length=200)
    file = models.FileField(
        _("文件"), upload_to=attachment_path, max_length=200, validators=[validate_upload]
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["assembly", "pk"]
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")

    def __str__(self) -> str:
        return self.title

    def scope_object(self):
        return self.assembly.area


# --------------------------------------------------------------------------- motions


class Motion(models.Model):
    """One question put to the owners. Its ``kind`` follows from ``item`` (``kind_for_item``).

    ``code`` ("m1", "m2" …) is the motion's id on the public board. ``fund``
    is the link point reserved for the maintenance-fund issue (budget,
    列支范围 and each owner's estimated share shown on the ballot, RULES.md §4);
    nothing in voting reads it, and nothing may count with it.
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="motions")
    position = models.PositiveSmallIntegerField(_("序号"))
    code = models.CharField(_("议题编号"), max_length=8)
    title = models.CharField(_("议题"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    item = models.PositiveSmallIntegerField(
        _("《民法典》第二百七十八条事项"), choices=list(CIVIL_CODE_ITEMS.items())
    )
    kind = models.CharField(
        _("类型"),
        max_length=10,
        choices=[
            (counting.ORDINARY, _("一般事项（双过半）")),
            (counting.SPECIAL, _("特别事项（双四分之三）")),
            (counting.ELECTION, _("选举")),
        ],
    )
    seats = models.PositiveSmallIntegerField(_("应选名额"), null=True, blank=True)
    fund = models.JSONField(_("维修资金使用信息"), null=True, blank=True)
    # RULES.md §1 "Scope" (voting.scoperule): for items 5–6 the motion's 列支范围
    # (both lists empty = the whole area), for items 7–8 the buildings and unit
    # stairs (given as their unit codes) whose common parts it concerns, plus
    # any area-wide common parts; items 1–4 and 9 carry none of them.
    scope_buildings = models.JSONField(_("列支范围或涉及楼栋"), default=list, blank=True)
    scope_unit_codes = models.JSONField(_("列支范围或涉及单元的房屋"), default=list, blank=True)
    common_parts = models.JSONField(_("涉及的全区域共有部分"), default=list, blank=True)

    class Meta:
        ordering = ["assembly", "position"]
        verbose_name = _("表决议题")
        verbose_name_plural = _("表决议题")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "position"], name="motion_position_unique"),
            models.UniqueConstraint(fields=["assembly", "code"], name="motion_code_unique"),
            # The database agrees with kind_for_item: a hand-typed kind cannot slip in.
            models.CheckConstraint(
                condition=(
                    Q(item__in=sorted(SPECIAL_ITEMS), kind=counting.SPECIAL)
                    | Q(item__in=sorted(ELECTION_ITEMS), kind=counting.ELECTION)
                    | (Q(item__in=[1, 2, 4, 5, 9]) & Q(kind=counting.ORDINARY))
                ),
                name="motion_kind_follows_item",
            ),
            models.CheckConstraint(
                condition=(Q(kind=counting.ELECTION, seats__gte=1))
                | (~Q(kind=counting.ELECTION) & Q(seats__isnull=True)),
                name="motion_seats_only_for_elections",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_election(self) -> bool:
        return self.kind == counting.ELECTION

    @property
    def legal_basis(self) -> str:
        return legal_basis(self.item)

    @property
    def threshold_text(self) -> str:
        return threshold_text(self.kind)

    def scope_text(self) -> str:
        """The 列支范围 (items 5–6) or the parts concerned (items 7–8), as printed; else ""."""
        parts = [*self.scope_buildings, *self.scope_unit_codes]
        if self.item in scoperule.FUND_ITEMS:
            if not parts:
                return str(_("列支范围：全体业主（整个物业管理区域）"))
            return str(_("列支范围：%(parts)s")) % {"parts": join_list(parts)}
        if self.item in scoperule.WORKS_ITEMS:
            parts += [scoperule.AREA_WIDE_PARTS.get(key, key) for key in self.common_parts]
            if not parts:
                return str(_("涉及部位：整个物业管理区域"))
            return str(_("涉及部位：%(parts)s")) % {"parts": join_list(parts)}
        return ""

    def options(self) -> list[str]:
        """The board's options: candidate codes for an election, else the three answers."""
        if self.is_election:
            return [candidate.code for candidate in self.candidates.all()]
        return [counting.APPROVE, counting.REJECT, counting.ABSTAIN]


class Candidate(models.Model):
    """A candidate of an election motion; ``code`` ("c1" …) is their id on the board."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="candidates")
    position = models.PositiveSmallIntegerField(_("序号"))
    code = models.CharField(_("编号"), max_length=8)
    name = models.CharField(_("姓名"), max_length=100)
    statement = models.TextField(_("简介"), blank=True)

    class Meta:
        ordering = ["motion", "position"]
        verbose_name = _("候选人")
        verbose_name_plural = _("候选人")
        constraints = [
            models.UniqueConstraint(fields=["motion", "code"], name="candidate_code_unique"),
            models.UniqueConstraint(
                fields=["motion", "position"], name="candidate_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------- after the count


class Objection(models.Model):
    """An owner's objection to the preliminary result, and the committee's answer (RULES.md §3)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="objections")
    motion = models.ForeignKey(
        Motion, on_delete=models.PROTECT, null=True, blank=True, related_name="objections"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey("estates.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("异议内容"))
    filed_at = models.DateTimeField(_("提出时间"))
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        ordering = ["assembly", "filed_at", "pk"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")

    def __str__(self) -> str:
        return f"{self.assembly} · {self.filed_at:%Y-%m-%d}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def scope_object(self):
        return self.assembly.area


class NotificationSent(models.Model):
    """A sent-marker: notice ``kind`` of ``assembly`` went to ``person`` (voting.tasks).

    Claimed before sending, so a task that runs twice sends nothing twice.
    """

    class Kind(models.TextChoices):
        NOTICE = "notice", _("会议公告")
        OPEN = "open", _("表决开始")
        CLOSING = "closing", _("截止前提醒")
        RESULT = "result", _("结果公告")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    person = models.ForeignKey("estates.Person", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("通知记录")
        verbose_name_plural = _("通知记录")
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "kind", "person"], name="notification_sent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assembly_id} {self.kind} {self.person_id}"
