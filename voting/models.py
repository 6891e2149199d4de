"""Owners' assemblies, their motions, the frozen roll and the ballots (RULES.md §1–3).

Every write goes through ``voting.services``; this module holds the data, the
transition table and the legal texts each motion shows. What is final stays
final in the database as well as in the services: a cast ballot and a roll
snapshot refuse ``save`` on an existing row and ``delete``, and their
querysets refuse bulk ``update``/``delete``.

Ballot secrecy (RULES.md §3): a ballot row carries its voting right (the
bureau traces disputes through it, ``ballot.trace``) but nothing of it that is
published says who cast it: the public board shows seq, tracker, weight,
channel and choices only (``voting.board``).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.kept import KeptError, KeptModel, KeptQuerySet
from core.uploads import UploadModel, validate_upload
from voting import boardformat, counting, scoperule

GENESIS = boardformat.GENESIS

# --------------------------------------------------------------------------- law texts

# Civil Code art. 278 para 1: the matters owners decide jointly (RULES.md §2).
CIVIL_CODE_ITEMS: dict[int, str] = {
    1: "制定和修改业主大会议事规则",
    2: "制定和修改管理规约",
    3: "选举业主委员会或者更换业主委员会成员",
    4: "选聘和解聘物业服务企业或者其他管理人",
    5: "使用建筑物及其附属设施的维修资金",
    6: "筹集建筑物及其附属设施的维修资金",
    7: "改建、重建建筑物及其附属设施",
    8: "改变共有部分的用途或者利用共有部分从事经营活动",
    9: "有关共有和共同管理权利的其他重大事项",
}
_ITEM_NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九"}
SPECIAL_ITEMS = frozenset({6, 7, 8})
ELECTION_ITEMS = frozenset({3})

QUORUM_TEXT = (
    "应当由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主参与表决"
    "（《民法典》第二百七十八条第二款）"
)
ORDINARY_TEXT = (
    "经参与表决专有部分面积过半数的业主且参与表决人数过半数的业主同意"
    "（《民法典》第二百七十八条第二款）"
)
SPECIAL_TEXT = (
    "经参与表决专有部分面积四分之三以上的业主且参与表决人数四分之三以上的业主同意"
    "（《民法典》第二百七十八条第二款）"
)
ELECTION_TEXT = (
    "每名候选人须经参与表决专有部分面积过半数的业主且参与表决人数过半数的业主同意；"
    "应选名额按同意人数、再按同意面积依次确定，末位同票的如实公布、不自行决定"
    "（《民法典》第二百七十八条第二款）"
)


def kind_for_item(item: int) -> str:
    """The kind of a motion follows from the art. 278 item it decides (never typed by hand).

    Items 6–8 need three quarters (special); item 3 is an election; items
    1–2, 4–5 and 9 need more than half (ordinary). Fund *use* (item 5) is
    ordinary, raising the fund (item 6) special (RULES.md §2).
    """
    if item not in CIVIL_CODE_ITEMS:
        raise ValueError(f"art. 278 has items 1–9, not {item!r}")
    if item in SPECIAL_ITEMS:
        return counting.SPECIAL
    if item in ELECTION_ITEMS:
        return counting.ELECTION
    return counting.ORDINARY


def legal_basis(item: int) -> str:
    return f"《民法典》第二百七十八条第一款第（{_ITEM_NUMERALS[item]}）项：{CIVIL_CODE_ITEMS[item]}"


def item_name(item: int) -> str:
    """第（一）项“制定和修改业主大会议事规则” — how a message names an art. 278 item."""
    return f"第（{_ITEM_NUMERALS[item]}）项“{CIVIL_CODE_ITEMS[item]}”"


def threshold_text(kind: str) -> str:
    approval = {
        counting.SPECIAL: SPECIAL_TEXT,
        counting.ELECTION: ELECTION_TEXT,
        counting.ORDINARY: ORDINARY_TEXT,
    }[kind]
    return f"参与：{QUORUM_TEXT}；通过：{approval}。"


CHOICE_LABELS = {
    counting.APPROVE: _("同意"),
    counting.REJECT: _("反对"),
    counting.ABSTAIN: _("弃权"),
    counting.INVALID: _("无效"),
}
OUTCOME_LABELS = {
    counting.APPROVED: _("通过"),
    counting.REJECTED: _("未通过"),
    counting.NO_QUORUM: _("参与表决未达法定比例（不成立）"),
    counting.ELECTED: _("选举有效"),
}


def _attachment_path(instance: AssemblyAttachment, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"voting/{instance.assembly_id}/attachments/{instance.sha256[:16]}.{extension}"


def _scan_path(instance: Ballot, filename: str) -> str:
    # A random name, never the tracker (which is public on the board) nor the unit or
    # owner: a scan shows who signed, so its path must not lead from a tracker to it.
    extension = filename.rsplit(".", 1)[-1].lower()
    folder = "paper" if instance.channel == Ballot.Channel.PAPER else "proxy"
    return f"voting/{instance.assembly_id}/{folder}/{secrets.token_hex(16)}.{extension}"


def _authorisation_path(instance: Ballot, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"voting/{instance.assembly_id}/proxy/{secrets.token_hex(16)}.{extension}"


class FinalError(KeptError):
    """Raised on any attempt to change or remove a cast ballot or a frozen roll."""


FinalQuerySet = KeptQuerySet


class FinalModel(KeptModel):
    """Insert once, then never change or delete (RULES.md §1, §3)."""

    kept_error = FinalError

    class Meta:
        abstract = True


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
        return str(_("列支范围：%(parts)s")) % {"parts": "、".join(parts)}

    def scope_object(self):
        return self.area


class AssemblyAttachment(UploadModel):
    """A document owners read before voting (budget, plan, candidate statements)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="attachments")
    title = models.CharField(_("名称"), max_length=200)
    file = models.FileField(
        _("文件"), upload_to=_attachment_path, max_length=200, validators=[validate_upload]
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
            return str(_("列支范围：%(parts)s")) % {"parts": "、".join(parts)}
        if self.item in scoperule.WORKS_ITEMS:
            parts += [scoperule.AREA_WIDE_PARTS.get(key, key) for key in self.common_parts]
            if not parts:
                return str(_("涉及部位：整个物业管理区域"))
            return str(_("涉及部位：%(parts)s")) % {"parts": "、".join(parts)}
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
        return "、".join(self.unit_codes)

    @property
    def label(self) -> str:
        codes = list(self.unit_codes)
        text = "、".join(codes[:3])
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
    scan = models.FileField(_("表决票扫描件"), upload_to=_scan_path, max_length=200, blank=True)
    authorisation = models.FileField(
        _("授权委托书"), upload_to=_authorisation_path, max_length=200, blank=True
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
