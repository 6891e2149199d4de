"""Serializers of the fund-ledger API (``funds.ledger.api``): read only.

Every amount is given twice: integer fen (``*_fen``, what a program adds up)
and a yuan string with two decimals (``*_yuan``, what a person reads), never
a float (DESIGN.md "Conventions"). The data are the selectors' dataclasses
and dicts (``funds.ledger.selectors``, ``funds.ledger.figures``), not model rows.
"""

from __future__ import annotations

from rest_framework import serializers

from core.fields import YuanField
from funds.ledger.models import CustodyRegime, Transaction


def fen(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(read_only=True, **kwargs)


# --------------------------------------------------------------------------- owners


class FundDepositSerializer(serializers.Serializer):
    """A unit's first deposit (Order 165 art. 7) and what was paid towards it."""

    first_fen = fen(help_text="首期应交存（分）：面积 × 每平方米造价 × 交存比例，四舍五入到分")
    first_yuan = YuanField(source="first_fen")
    paid_fen = fen(help_text="已交存（分），冲正的交存不计")
    paid_yuan = YuanField(source="paid_fen")
    outstanding_fen = fen(help_text="尚欠首期（分）")
    outstanding_yuan = YuanField(source="outstanding_fen")
    paid_in_full = serializers.BooleanField(read_only=True, help_text="首期是否已交足")


class FundMyUnitSerializer(serializers.Serializer):
    """One of the owner's current units with its sub-ledger balance."""

    id = serializers.IntegerField(source="unit.pk", read_only=True)
    code = serializers.CharField(source="unit.code", read_only=True)
    area = serializers.CharField(source="unit.area.code", read_only=True)
    area_name = serializers.CharField(source="unit.area.name", read_only=True)
    building = serializers.CharField(source="unit.building.name", read_only=True)
    floor_area = serializers.DecimalField(
        source="unit.floor_area", max_digits=12, decimal_places=2, read_only=True
    )
    balance_fen = fen(help_text="分户账余额（分）")
    balance_yuan = YuanField(source="balance_fen")
    deposit = FundDepositSerializer(
        read_only=True, allow_null=True, help_text="首期交存情况；区域尚未设置维修资金时为 null"
    )
    top_up = serializers.BooleanField(
        read_only=True,
        help_text="应续交：首期已交足，余额低于首期的 30%（《住宅专项维修资金管理办法》第十七条）",
    )


class FundLedgerLineSerializer(serializers.Serializer):
    """One entry of a sub-ledger with the balance after it (``funds.ledger.selectors.LedgerLine``)."""

    transaction_id = serializers.IntegerField(read_only=True, help_text="凭证号")
    value_date = serializers.DateField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    kind = serializers.ChoiceField(choices=Transaction.Kind.choices, read_only=True)
    kind_label = serializers.CharField(read_only=True)
    memo = serializers.CharField(read_only=True)
    amount_fen = fen(help_text="记入分户账的金额（分）：存入为正，支出为负")
    amount_yuan = YuanField(source="amount_fen")
    balance_fen = fen(help_text="本笔之后的余额（分）")
    balance_yuan = YuanField(source="balance_fen")
    reverses_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="冲正的凭证号（本笔为冲正时）"
    )


class FundStatementUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    area_code = serializers.CharField(read_only=True)


class FundStatementEntrySerializer(serializers.Serializer):
    transaction_id = serializers.IntegerField(read_only=True)
    value_date = serializers.DateField(read_only=True)
    kind = serializers.ChoiceField(choices=Transaction.Kind.choices, read_only=True)
    kind_label = serializers.CharField(read_only=True)
    memo = serializers.CharField(read_only=True)
    amount_fen = fen()
    amount_yuan = YuanField(source="amount_fen")
    balance_fen = fen()
    balance_yuan = YuanField(source="balance_fen")


class FundUseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    serial = serializers.CharField(read_only=True, help_text="公示编号；尚未公示时为空字符串")


class FundStatementUseSerializer(serializers.Serializer):
    """One use (settlement) of the year that charged the unit, with its share."""

    transaction_id = serializers.IntegerField(read_only=True)
    value_date = serializers.DateField(read_only=True)
    memo = serializers.CharField(read_only=True)
    reversal = serializers.BooleanField(read_only=True, help_text="是否为冲正")
    fund_use = FundUseRefSerializer(read_only=True, allow_null=True)
    total_fen = fen(help_text="本次分摊的总额（分）")
    total_yuan = YuanField(source="total_fen")
    units = serializers.IntegerField(read_only=True, help_text="分摊的户数")
    share_fen = fen(help_text="本户分摊（分）；冲正为负")
    share_yuan = YuanField(source="share_fen")


class FundUnitStatementSerializer(serializers.Serializer):
    """``funds.ledger.figures.unit_statement``: closing = opening + deposits + interest + returns
    − uses − refunds + adjustments."""

    unit = FundStatementUnitSerializer(read_only=True)
    area_name = serializers.CharField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True)
    opening_fen = fen(help_text="年初余额（分）")
    opening_yuan = YuanField(source="opening_fen")
    deposits_fen = fen(help_text="交存（分）")
    deposits_yuan = YuanField(source="deposits_fen")
    interest_fen = fen(help_text="利息（分）")
    interest_yuan = YuanField(source="interest_fen")
    returns_fen = fen(help_text="其他收益（分）")
    returns_yuan = YuanField(source="returns_fen")
    uses_fen = fen(help_text="维修使用分摊（分）")
    uses_yuan = YuanField(source="uses_fen")
    refunds_fen = fen(help_text="退还业主（分）")
    refunds_yuan = YuanField(source="refunds_fen")
    adjustments_fen = fen(help_text="调整（分，带符号）")
    adjustments_yuan = YuanField(source="adjustments_fen")
    closing_fen = fen(help_text="年末余额（分）")
    closing_yuan = YuanField(source="closing_fen")
    entries = FundStatementEntrySerializer(many=True, read_only=True)
    uses = FundStatementUseSerializer(many=True, read_only=True)


class StatementQuerySerializer(serializers.Serializer):
    """``?year=``: a year of the statement (default: the unit's latest year with an entry)."""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


# --------------------------------------------------------------------------- areas


class FundAreaRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class FundProfileSerializer(serializers.Serializer):
    """The area's fund settings (``FundProfile``)."""

    regime = serializers.ChoiceField(choices=CustodyRegime.choices, read_only=True)
    regime_label = serializers.CharField(source="get_regime_display", read_only=True)
    deposit_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, read_only=True, help_text="首期交存比例（5%–8%）"
    )
    cost_per_m2_fen = fen(help_text="建筑安装工程每平方米造价（分）")
    cost_per_m2_yuan = YuanField(source="cost_per_m2_fen")
    bank_name = serializers.CharField(read_only=True)
    account_no = serializers.CharField(read_only=True)


class FundTotalsSerializer(serializers.Serializer):
    """The area's general-ledger balances (``funds.ledger.selectors.AreaTotals``)."""

    bank_fen = fen(help_text="专户存款（现行管理方式，分）")
    bank_yuan = YuanField(source="bank_fen")
    other_bank_fen = fen(help_text="原管理方式专户存款（分）")
    other_bank_yuan = YuanField(source="other_bank_fen")
    area_fund_fen = fen(help_text="区域维修资金总账（分）")
    area_fund_yuan = YuanField(source="area_fund_fen")
    sub_ledgers_fen = fen(help_text="分户账合计（分），应等于总账（第十条）")
    sub_ledgers_yuan = YuanField(source="sub_ledgers_fen")
    works_fen = fen(help_text="待分摊维修支出（分）")
    works_yuan = YuanField(source="works_fen")
    payable_fen = fen(help_text="应付维修款（分）")
    payable_yuan = YuanField(source="payable_fen")
    developer_fen = fen(help_text="应收开发建设单位（分）")
    developer_yuan = YuanField(source="developer_fen")
    income_fen = fen(help_text="待分配收益（分）")
    income_yuan = YuanField(source="income_fen")


class FundBankCheckSerializer(serializers.Serializer):
    """The bank's own balance on ``day`` (the end of the latest imported statement) beside the
    ledger's balance of the bank account on that day."""

    statement_id = serializers.IntegerField(read_only=True)
    account_no = serializers.CharField(read_only=True)
    day = serializers.DateField(read_only=True)
    bank_fen = fen(help_text="银行对账单余额（分）")
    bank_yuan = YuanField(source="bank_fen")
    ledger_fen = fen(help_text="账面专户存款（分）")
    ledger_yuan = YuanField(source="ledger_fen")
    difference_fen = fen(help_text="差额 = 银行 − 账面（分）")
    difference_yuan = YuanField(source="difference_fen")


class AreaFundSerializer(serializers.Serializer):
    area = FundAreaRefSerializer(read_only=True)
    profile = FundProfileSerializer(read_only=True, allow_null=True, help_text="尚未设置时为 null")
    totals = FundTotalsSerializer(read_only=True, allow_null=True)
    balanced = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="分户账合计是否等于总账"
    )
    bank_statement = FundBankCheckSerializer(
        read_only=True,
        allow_null=True,
        help_text="最近导入的银行对账单截止日的余额核对；未导入对账单时为 null",
    )
    units = serializers.IntegerField(read_only=True, help_text="房屋数")
    unpaid = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="未交足首期的房屋数"
    )
    top_up = serializers.IntegerField(read_only=True, allow_null=True, help_text="应续交的房屋数")


class FundAreaUnitSerializer(serializers.Serializer):
    """One unit of an area: first deposit, paid, balance and flags (null: no deposit terms)."""

    unit_id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    floor_area = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    first_fen = fen(allow_null=True, help_text="首期应交存（分）")
    first_yuan = YuanField(source="first_fen")
    paid_fen = fen(help_text="已交存（分）")
    paid_yuan = YuanField(source="paid_fen")
    outstanding_fen = fen(allow_null=True, help_text="尚欠首期（分）")
    outstanding_yuan = YuanField(source="outstanding_fen")
    balance_fen = fen(help_text="分户账余额（分）")
    balance_yuan = YuanField(source="balance_fen")
    paid_in_full = serializers.BooleanField(read_only=True, allow_null=True)
    top_up = serializers.BooleanField(read_only=True, allow_null=True)


class AreaUnitQuerySerializer(serializers.Serializer):
    """Filters of the area's unit list; both given: units that match both."""

    unpaid = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true：只列未交足首期的房屋"
    )
    top_up = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true：只列应续交的房屋"
    )
