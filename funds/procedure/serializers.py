"""Serializers of the use-procedure API (``funds.procedure.api``). Money in fen and in yuan."""

from __future__ import annotations

from rest_framework import serializers

from core.fields import YuanField
from funds.models import ApplicationItem, FundApplication, FundUse


class ItemSerializer(serializers.ModelSerializer):
    amount_yuan = YuanField(source="amount_fen")

    class Meta:
        model = ApplicationItem
        fields = ["position", "name", "spec", "amount_fen", "amount_yuan"]


class FundUseSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    budget_yuan = YuanField(source="budget_fen")
    final_cost_yuan = YuanField(source="final_cost_fen")
    publication = serializers.CharField(
        source="publication.serial", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = FundUse
        fields = [
            "id",
            "source",
            "status",
            "status_label",
            "budget_fen",
            "budget_yuan",
            "final_cost_fen",
            "final_cost_yuan",
            "over_budget_reason",
            "settled_on",
            "shortfall_fen",
            "tolerance_pct",
            "retention_fen",
            "warranty_ends_on",
            "retention_released_at",
            "publication",
        ]


class ApplicationListSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    status_label = serializers.CharField(source="status_shown", read_only=True)
    budget_yuan = YuanField(source="budget_fen")
    scope = serializers.CharField(source="scope_text", read_only=True)

    class Meta:
        model = FundApplication
        fields = [
            "id",
            "area",
            "area_name",
            "title",
            "repair_type",
            "status",
            "status_label",
            "budget_fen",
            "budget_yuan",
            "scope_buildings",
            "scope_unit_codes",
            "scope",
            "created_at",
        ]


class ApplicationDetailSerializer(ApplicationListSerializer):
    items = ItemSerializer(many=True, read_only=True)
    repair_type_label = serializers.CharField(source="get_repair_type_display", read_only=True)
    assembly = serializers.IntegerField(source="assembly_id", read_only=True, allow_null=True)
    motion = serializers.CharField(source="motion.code", default=None, read_only=True)
    exclusions = serializers.SerializerMethodField()
    fund_use = FundUseSerializer(read_only=True, allow_null=True)
    my_estimate_fen = serializers.SerializerMethodField()

    class Meta(ApplicationListSerializer.Meta):
        fields = [
            *ApplicationListSerializer.Meta.fields,
            "description",
            "repair_type_label",
            "contractor",
            "tolerance_pct",
            "items",
            "assembly",
            "motion",
            "submitted_at",
            "reviewed_at",
            "exclusions",
            "materials_complete",
            "in_warranty",
            "warranty",
            "warranty_note",
            "required_approvals",
            "approved_at",
            "refusal_reason",
            "works_done_on",
            "accepted_on",
            "fund_use",
            "my_estimate_fen",
        ]

    def get_exclusions(self, obj) -> list[str]:
        return obj.exclusions_ticked()

    def get_my_estimate_fen(self, obj) -> int | None:
        """The caller's own units' estimated share of the budget (None: no unit in scope)."""
        estimate = self.context.get("my_estimate")
        return None if estimate is None else sum(estimate.values())


class ShareSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application.pk", default=None)
    fund_use = serializers.IntegerField(source="fund_use.pk", default=None)
    title = serializers.CharField()
    status_label = serializers.CharField()
    unit_codes = serializers.ListField(child=serializers.CharField())
    estimated_fen = serializers.IntegerField(allow_null=True)
    share_fen = serializers.IntegerField(allow_null=True)
    charged_fen = serializers.IntegerField(allow_null=True)
    outstanding_fen = serializers.IntegerField(allow_null=True)
    amount_yuan = serializers.CharField()
