"""Serializers of the emergency API (``emergency.api``): read only.

Money as integer fen plus a yuan string with two decimals, null where unknown
(``core.fields.YuanField``). Times are ISO 8601 with the
district's offset. The state shown is the state *now*: with the
auto-approve setting on, an application whose review is overdue reads as
approved before any service has recorded it (``EmergencyApplication.current_status``).
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import YuanField
from funds.models import FundUse

from . import deadlines
from .models import (
    EmergencyApplication,
    Evidence,
    EvidenceKind,
    Facility,
    RecoveryClaim,
    WhitelistItem,
)
from .models.applications import EXCLUSION_FIELDS
from .selectors import DEADLINE_LABELS, STATE_LABELS, deadline_rows

# Named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (docs/api.md).
DEADLINE_KINDS = [(kind, DEADLINE_LABELS[kind]) for kind in deadlines.KINDS]
DEADLINE_STATES = list(STATE_LABELS.items())
Status = EmergencyApplication.Status


# --------------------------------------------------------------------------- whitelist


class EmergencyWhitelistItemSerializer(serializers.ModelSerializer):
    facility_label = serializers.CharField(source="get_facility_display", read_only=True)
    evidence = serializers.ListField(
        child=serializers.ChoiceField(choices=EvidenceKind.choices),
        read_only=True,
        help_text="申请时必须提交的材料类别",
    )
    evidence_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    cap_yuan = YuanField(source="cap_fen")

    class Meta:
        model = WhitelistItem
        fields = [
            "position",
            "code",
            "name",
            "description",
            "facility",
            "facility_label",
            "evidence",
            "evidence_labels",
            "cap_fen",
            "cap_yuan",
            "review_days",
            "payment_days",
            "start_hours",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "facility": {"choices": Facility.choices},
            "cap_fen": {"help_text": "费用上限（分）；超过上限的改走一般使用程序"},
            "review_days": {"help_text": "住建局审核时限（工作日）"},
            "payment_days": {"help_text": "批准后下达划款指令的时限（工作日，申请预拨时）"},
            "start_hours": {"help_text": "批准后开工时限（小时）"},
        }


class EmergencyWhitelistSerializer(serializers.Serializer):
    """The version of the list in force, with every item."""

    number = serializers.IntegerField(read_only=True, help_text="版本号")
    published_at = serializers.DateTimeField(read_only=True)
    note = serializers.CharField(read_only=True, help_text="修订说明")
    items = EmergencyWhitelistItemSerializer(many=True, read_only=True)


# --------------------------------------------------------------------------- applications


class EmergencyItemRefSerializer(serializers.Serializer):
    """The whitelist item an application was filed under, in the version it was filed under."""

    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    facility = serializers.ChoiceField(choices=Facility.choices, read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    cap_fen = serializers.IntegerField(read_only=True)
    cap_yuan = YuanField(source="cap_fen")


class EmergencyDeadlineSerializer(serializers.Serializer):
    """One response time (``emergency.selectors.DeadlineRow``), its state read against now."""

    kind = serializers.ChoiceField(choices=DEADLINE_KINDS, read_only=True)
    label = serializers.CharField(read_only=True)
    due_at = serializers.DateTimeField(read_only=True)
    done_at = serializers.DateTimeField(read_only=True, allow_null=True)
    state = serializers.ChoiceField(choices=DEADLINE_STATES, read_only=True)
    state_label = serializers.CharField(read_only=True)
    overdue = serializers.SerializerMethodField(help_text="已过截止时间仍未完成")

    def get_overdue(self, row) -> bool:
        return row.state == deadlines.OVERDUE


class EmergencyApplicationListSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    street = serializers.CharField(source="area.community.street.code", read_only=True)
    item = EmergencyItemRefSerializer(read_only=True)
    status = serializers.SerializerMethodField(help_text="当前状态（按当前时间推算）")
    status_label = serializers.SerializerMethodField()
    deemed_approved = serializers.SerializerMethodField(help_text="审核逾期，视为批准")
    estimate_yuan = YuanField(source="estimate_fen")
    prepayment_yuan = YuanField(source="prepayment_fen")
    scope = serializers.CharField(source="scope_text", read_only=True)
    applicant = serializers.SerializerMethodField(help_text="申请人（姓名或用户名）")
    alerts = serializers.SerializerMethodField(
        help_text="即将到期、已逾期或逾期完成的时限（完整的时限见详情）"
    )

    class Meta:
        model = EmergencyApplication
        fields = [
            "id",
            "area",
            "area_name",
            "street",
            "item",
            "status",
            "status_label",
            "deemed_approved",
            "estimate_fen",
            "estimate_yuan",
            "prepayment_fen",
            "prepayment_yuan",
            "scope",
            "applicant",
            "applicant_role",
            "filed_at",
            "review_due_at",
            "alerts",
        ]
        read_only_fields = fields

    def _now(self):
        return self.context["now"]

    @extend_schema_field(serializers.ChoiceField(choices=Status.choices))
    def get_status(self, obj) -> str:
        return obj.current_status(self._now())

    def get_status_label(self, obj) -> str:
        return obj.current_status_label(self._now())

    def get_deemed_approved(self, obj) -> bool:
        return obj.deemed_approved or obj.deemed_approved_now(self._now())

    def get_applicant(self, obj) -> str:
        return str(obj.applicant)

    def _deadline_rows(self, obj):
        # Computed once per application and answer: alerts, deadlines and overdue share them.
        cache = self.context.setdefault("deadline_rows", {})
        if obj.pk not in cache:
            cache[obj.pk] = deadline_rows(obj, self._now())
        return cache[obj.pk]

    @extend_schema_field(EmergencyDeadlineSerializer(many=True))
    def get_alerts(self, obj):
        rows = [row for row in self._deadline_rows(obj) if row.alert]
        return EmergencyDeadlineSerializer(rows, many=True).data


class EmergencyEvidenceSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    url = serializers.SerializerMethodField(help_text="下载地址（需登录，同一范围）")

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "kind_label",
            "original_name",
            "size",
            "sha256",
            "uploaded_at",
            "url",
        ]
        read_only_fields = fields
        extra_kwargs = {"kind": {"choices": EvidenceKind.choices}}

    def get_url(self, obj) -> str:
        return reverse("emergency:evidence", args=[obj.application_id, obj.pk])


class EmergencyCommissionSerializer(serializers.Serializer):
    """代修 (Order 165 art. 24 para 2): the bureau commissioned the works itself."""

    contractor = serializers.CharField(read_only=True)
    estimate_fen = serializers.IntegerField(read_only=True)
    estimate_yuan = YuanField(source="estimate_fen")
    reason = serializers.CharField(read_only=True)
    commissioned_at = serializers.DateTimeField(read_only=True)


class EmergencyFundUseSerializer(serializers.ModelSerializer):
    """The money side of an approved application (``funds.FundUse``, opened at approval)."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    budget_yuan = YuanField(source="budget_fen")
    final_cost_yuan = YuanField(source="final_cost_fen")
    shortfall_yuan = YuanField(source="shortfall_fen")
    publication = serializers.CharField(
        source="publication.serial",
        default=None,
        read_only=True,
        allow_null=True,
        help_text="签章公示编号；尚未公示时为 null",
    )

    class Meta:
        model = FundUse
        fields = [
            "id",
            "status",
            "status_label",
            "budget_fen",
            "budget_yuan",
            "final_cost_fen",
            "final_cost_yuan",
            "over_budget_reason",
            "settled_on",
            "shortfall_fen",
            "shortfall_yuan",
            "publication",
        ]
        read_only_fields = fields


class EmergencyHistorySerializer(serializers.Serializer):
    """One recorded step of the application, from the audit chain."""

    seq = serializers.IntegerField(read_only=True, help_text="审计链序号")
    at = serializers.DateTimeField(read_only=True)
    action = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    from_status = serializers.ChoiceField(choices=Status.choices, read_only=True, allow_null=True)
    to_status = serializers.ChoiceField(choices=Status.choices, read_only=True, allow_null=True)
    actor = serializers.CharField(
        read_only=True, allow_null=True, help_text="操作人；系统按时限自动处理的为 null"
    )


class EmergencyWarrantySerializer(serializers.Serializer):
    building = serializers.CharField()
    status = serializers.CharField(help_text="in 保修期内 / out 已过 / unknown 竣工日期未知 / none")
    completed_on = serializers.DateField(allow_null=True, help_text="竣工验收日期；未知为 null")
    ends_on = serializers.DateField(allow_null=True, help_text="保修期最后一日")


class EmergencyRecoveryClaimSerializer(serializers.ModelSerializer):
    against_label = serializers.CharField(source="get_against_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = RecoveryClaim
        fields = [
            "id",
            "against",
            "against_label",
            "party_name",
            "amount_fen",
            "status",
            "status_label",
            "note",
            "recorded_at",
            "claimed_at",
            "claim_note",
            "recovered_fen",
            "resolved_at",
            "resolution_note",
        ]
        read_only_fields = fields


class EmergencyApplicationDetailSerializer(EmergencyApplicationListSerializer):
    scope_buildings = serializers.ListField(child=serializers.CharField(), read_only=True)
    scope_unit_codes = serializers.ListField(child=serializers.CharField(), read_only=True)
    deadlines = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField(help_text="是否有时限已逾期")
    evidence = EmergencyEvidenceSerializer(many=True, read_only=True)
    commission = serializers.SerializerMethodField()
    fund_use = EmergencyFundUseSerializer(read_only=True, allow_null=True)
    final_cost_fen = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="结算金额（分）；结算前为 null"
    )
    final_cost_yuan = YuanField(source="final_cost_fen")
    history = serializers.SerializerMethodField(help_text="状态变化和办理记录，旧的在前")
    warranty = serializers.SerializerMethodField(help_text="列支范围内各楼栋的保修期核查")
    warranty_status_label = serializers.CharField(
        source="get_warranty_status_display", read_only=True
    )
    exclusions = serializers.SerializerMethodField(help_text="审核人勾选的不得列支情形")
    deemed_bar = serializers.SerializerMethodField(
        help_text="审核逾期而不适用“视为批准”的原因；无则为 null"
    )
    recovery_claims = EmergencyRecoveryClaimSerializer(many=True, read_only=True)

    class Meta(EmergencyApplicationListSerializer.Meta):
        fields = [
            *EmergencyApplicationListSerializer.Meta.fields,
            "description",
            "scope_buildings",
            "scope_unit_codes",
            "review_started_at",
            "review_note",
            "approved_at",
            "approval_note",
            "refused_at",
            "refusal_reason",
            "payment_due_at",
            "bank_due_at",
            "works_start_due_at",
            "works_started_at",
            "works_done_at",
            "accepted_at",
            "acceptance_note",
            "paid_at",
            "settled_at",
            "published_at",
            "posted_until",
            "final_cost_fen",
            "final_cost_yuan",
            "deadlines",
            "overdue",
            "evidence",
            "commission",
            "fund_use",
            "history",
            "repair_type",
            "warranty_status",
            "warranty_status_label",
            "warranty",
            "exclusions",
            "exclusion_note",
            "warranty_note",
            "checked_at",
            "deemed_bar",
            "recovery_claims",
        ]
        read_only_fields = fields

    @extend_schema_field(EmergencyWarrantySerializer(many=True))
    def get_warranty(self, obj):
        rows = [
            {"building": b, "status": v[0], "completed_on": v[1], "ends_on": v[2]}
            for b, v in sorted((obj.warranty or {}).items())
        ]
        return EmergencyWarrantySerializer(rows, many=True).data

    def get_exclusions(self, obj) -> list[str]:
        return [name for name in EXCLUSION_FIELDS if getattr(obj, name)]

    def get_deemed_bar(self, obj) -> str | None:
        return obj.deemed_barred_now(self._now())

    @extend_schema_field(EmergencyDeadlineSerializer(many=True))
    def get_deadlines(self, obj):
        return EmergencyDeadlineSerializer(self._deadline_rows(obj), many=True).data

    def get_overdue(self, obj) -> bool:
        return any(row.state == deadlines.OVERDUE for row in self._deadline_rows(obj))

    @extend_schema_field(EmergencyCommissionSerializer(allow_null=True))
    def get_commission(self, obj):
        commission = getattr(obj, "commission", None)
        return None if commission is None else EmergencyCommissionSerializer(commission).data

    @extend_schema_field(EmergencyHistorySerializer(many=True))
    def get_history(self, obj):
        return EmergencyHistorySerializer(self.context.get("history", []), many=True).data
