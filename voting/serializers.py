"""Serializers of the voting API: assemblies, motions and the committee's drafts (voting/api.py).

Ballots, progress and results: ``voting.serializers_ballots``. They parse
requests and render; they decide nothing — what may be created or changed is
``voting.services``' decision. Areas are two-decimal strings, never floats.

Component names start with ``Voting``/``Assembly``/``Ballot`` so that they
cannot collide with other apps' serializers in the one OpenAPI schema.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from estates.models import ManagementArea
from voting import scoperule
from voting.models import (
    CIVIL_CODE_ITEMS,
    Assembly,
    AssemblyAttachment,
    Candidate,
    Motion,
    RollSnapshot,
    VotingRight,
)

AREA = {"max_digits": 14, "decimal_places": 2, "read_only": True}
KINDS = Motion._meta.get_field("kind").choices
# One enum component for the motion kind (AssemblyMotion); elsewhere the same values as text,
# so that the schema does not carry copies of it beside the register's committee kind.
KIND_HELP = "ordinary | special | election"


# --------------------------------------------------------------------------- shared parts


class VotingAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = ManagementArea
        fields = ["id", "code", "name"]
        read_only_fields = fields


class VotingTotalsSerializer(serializers.Serializer):
    heads = serializers.IntegerField(read_only=True)
    area = serializers.DecimalField(**AREA, help_text="m²，两位小数")


class VotingPublicationSerializer(serializers.Serializer):
    """A signed notice (publications): its serial and where anyone can check it."""

    serial = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    issued_at = serializers.DateTimeField(read_only=True)
    sha256 = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField(help_text="公示页面（含下载和验签）")

    def get_url(self, publication) -> str:
        return reverse("publications:detail", kwargs={"serial": publication.serial})


class VotingRollSerializer(serializers.ModelSerializer):
    """The roll frozen when voting opened (RULES.md §1)."""

    area = serializers.DecimalField(**AREA)

    class Meta:
        model = RollSnapshot
        fields = ["taken_at", "rights", "heads", "area", "units", "digest"]
        read_only_fields = fields


# --------------------------------------------------------------------------- assemblies


class AssemblyCandidateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Candidate
        fields = ["code", "position", "name", "statement"]
        read_only_fields = fields


class AssemblyMotionSerializer(serializers.ModelSerializer):
    """A motion with its Civil Code item, the kind that follows from it, basis and threshold."""

    item_text = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=KINDS, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    candidates = AssemblyCandidateSerializer(many=True, read_only=True)
    scope_buildings = serializers.ListField(child=serializers.CharField(), read_only=True)
    scope_unit_codes = serializers.ListField(child=serializers.CharField(), read_only=True)
    common_parts = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Motion
        fields = [
            "code",
            "position",
            "title",
            "description",
            "item",
            "item_text",
            "kind",
            "kind_label",
            "legal_basis",
            "threshold_text",
            "seats",
            "candidates",
            "scope_buildings",
            "scope_unit_codes",
            "common_parts",
        ]
        read_only_fields = fields

    def get_item_text(self, motion) -> str:
        return CIVIL_CODE_ITEMS[motion.item]


class AssemblyAttachmentSerializer(serializers.ModelSerializer):
    """Title, size and SHA-256 (printed on the notice); the files are not served by the API."""

    class Meta:
        model = AssemblyAttachment
        fields = ["title", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class AssemblyRightSerializer(serializers.ModelSerializer):
    """One of the caller's own rights on the frozen roll, and whether it has voted."""

    units = serializers.ListField(
        source="unit_codes", child=serializers.CharField(), read_only=True
    )
    area = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    voted = serializers.SerializerMethodField()

    class Meta:
        model = VotingRight
        fields = ["id", "units", "heads", "area", "voted"]
        read_only_fields = fields

    def get_voted(self, right) -> bool:
        return getattr(right, "ballot", None) is not None


class StatusMixin(serializers.Serializer):
    """The status derived from the clock at the request's moment (``Assembly.current_status``)."""

    status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=Assembly.Status.choices))
    def get_status(self, assembly) -> str:
        return assembly.current_status(self.context.get("now"))

    def get_status_label(self, assembly) -> str:
        return assembly.current_status_label(self.context.get("now"))


class AssemblyListSerializer(StatusMixin, serializers.ModelSerializer):
    area = VotingAreaSerializer(read_only=True)
    scope = serializers.CharField(source="scope_text", read_only=True)

    class Meta:
        model = Assembly
        fields = [
            "id",
            "title",
            "convener",
            "area",
            "status",
            "status_label",
            "scope",
            "opens_at",
            "closes_at",
        ]
        read_only_fields = fields


class AssemblyScopeSerializer(serializers.Serializer):
    whole_area = serializers.BooleanField(read_only=True)
    buildings = serializers.ListField(
        source="scope_buildings", child=serializers.CharField(), read_only=True
    )
    unit_codes = serializers.ListField(
        source="scope_unit_codes", child=serializers.CharField(), read_only=True
    )
    text = serializers.CharField(source="scope_text", read_only=True)


class AssemblyDetailSerializer(AssemblyListSerializer):
    """Everything an owner reads before voting. ``roll`` and ``my_rights`` are set by the view."""

    scope = AssemblyScopeSerializer(source="*", read_only=True)
    notice = VotingPublicationSerializer(
        source="notice_publication", read_only=True, allow_null=True
    )
    preliminary = VotingPublicationSerializer(
        source="preliminary_publication", read_only=True, allow_null=True
    )
    final = VotingPublicationSerializer(source="final_publication", read_only=True, allow_null=True)
    roll = VotingRollSerializer(read_only=True, allow_null=True, help_text="表决开始前为 null")
    motions = AssemblyMotionSerializer(many=True, read_only=True)
    attachments = AssemblyAttachmentSerializer(many=True, read_only=True)
    my_rights = AssemblyRightSerializer(
        many=True, read_only=True, help_text="本人在冻结名册中的表决权（不在名册上则为空）"
    )

    class Meta(AssemblyListSerializer.Meta):
        fields = [
            *AssemblyListSerializer.Meta.fields,
            "rules_text",
            "created_at",
            "notice_published_at",
            "notice",
            "opened_at",
            "roll",
            "closed_at",
            "preliminary",
            "objection_deadline",
            "final",
            "finalised_at",
            "cancelled_at",
            "cancel_reason",
            "motions",
            "attachments",
            "my_rights",
        ]
        read_only_fields = fields


# --------------------------------------------------------------------------- committee writes


class AssemblyCreateSerializer(serializers.Serializer):
    area = serializers.CharField(max_length=50, help_text="物业管理区域编码")
    title = serializers.CharField(max_length=150)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    rules_text = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    convener = serializers.CharField(required=False, allow_blank=True, max_length=100)
    scope_buildings = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=500
    )
    scope_unit_codes = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=5000
    )


class CandidateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    statement = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class MotionCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    item = serializers.IntegerField(
        help_text="《民法典》第二百七十八条第一款事项（1–9）；类型由此确定"
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    seats = serializers.IntegerField(required=False, allow_null=True, help_text="仅选举（第三项）")
    candidates = CandidateInputSerializer(many=True, required=False, help_text="仅选举（第三项）")
    scope_buildings = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        max_length=500,
        help_text="第五、六项：列支范围的楼栋（须与会议表决范围相同；都不填为全体业主）；"
        "第七、八项：涉及部位所在的楼栋",
    )
    scope_unit_codes = serializers.ListField(
        child=serializers.CharField(max_length=120),
        required=False,
        max_length=5000,
        help_text="列支范围或涉及部位的单元，逐户列出房屋编码（须为整个单元）",
    )
    common_parts = serializers.ListField(
        child=serializers.ChoiceField(choices=list(scoperule.AREA_WIDE_PARTS.items())),
        required=False,
        max_length=10,
        help_text="第七、八项涉及的全区域共有部分（须全体业主表决）",
    )
