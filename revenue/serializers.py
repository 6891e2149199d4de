from __future__ import annotations

from rest_framework import serializers

from core import money

from .models import RevenueEntry


class RevenueEntrySerializer(serializers.ModelSerializer):
    """One entry of an area's public-revenue ledger; money in fen and as yuan text."""

    direction_label = serializers.CharField(source="get_direction_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    signed_fen = serializers.IntegerField(
        read_only=True, help_text="计入合计的金额（分）：冲正记录为负数"
    )
    amount_yuan = serializers.SerializerMethodField(help_text="金额（元，两位小数）")
    reversed = serializers.BooleanField(read_only=True, help_text="是否已被冲正")
    has_voucher = serializers.SerializerMethodField()

    class Meta:
        model = RevenueEntry
        fields = [
            "id",
            "occurred_on",
            "direction",
            "direction_label",
            "category",
            "category_label",
            "amount_fen",
            "signed_fen",
            "amount_yuan",
            "counterparty",
            "memo",
            "reverses",
            "reason",
            "reversed",
            "has_voucher",
            "voucher_sha256",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_amount_yuan(self, entry: RevenueEntry) -> str:
        return money.yuan_plain(entry.amount_fen)

    def get_has_voucher(self, entry: RevenueEntry) -> bool:
        return bool(entry.voucher)
