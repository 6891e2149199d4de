"""Serializers of the register API (buildings, units, owners' own units).

Owners are serialized only from ``estates.browse.OwnerView``: the ID number
masked from its stored prefix and last four characters (never decrypted), the
phone masked (DESIGN.md "Personal data").
"""

from __future__ import annotations

from rest_framework import serializers

from .models import Building, Committee, CommitteeMember, ManagementArea, Unit


class OwnerSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    masked_id = serializers.CharField(read_only=True, help_text="身份证号（仅前四位和后四位）")
    masked_phone = serializers.CharField(read_only=True, help_text="手机号（仅前三位和后四位）")
    since = serializers.DateField(read_only=True)
    until = serializers.DateField(read_only=True, allow_null=True)


class BuildingSerializer(serializers.ModelSerializer):
    unit_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Building
        fields = ["id", "name", "completion_date", "unit_count"]
        read_only_fields = fields


class AreaRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ManagementArea
        fields = ["code", "name", "estate_name"]
        read_only_fields = fields


class UnitSerializer(serializers.ModelSerializer):
    """A unit with its three areas, the basis used (SPC art. 8) and its current owners."""

    building = serializers.CharField(source="building.name", read_only=True)
    use = serializers.ChoiceField(choices=Unit.Use.choices, read_only=True)
    area_basis = serializers.ChoiceField(choices=Unit.Basis.choices, read_only=True)
    area_basis_label = serializers.CharField(source="get_area_basis_display", read_only=True)
    owners = OwnerSerializer(source="current_owners", many=True, read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "building",
            "stair",
            "floor",
            "number",
            "use",
            "registered_area",
            "surveyed_area",
            "contract_area",
            "area_basis",
            "area_basis_label",
            "floor_area",
            "delivered",
            "developer_held",
            "owners",
        ]
        read_only_fields = fields


class UnitDetailSerializer(UnitSerializer):
    area = AreaRefSerializer(read_only=True)
    history = OwnerSerializer(source="past_owners", many=True, read_only=True)

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "area", "history"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    position_label = serializers.CharField(source="get_position_display", read_only=True)

    class Meta:
        model = CommitteeMember
        fields = ["name", "position", "position_label"]
        read_only_fields = fields


class CommitteeSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = Committee
        fields = ["kind", "kind_label", "term_start", "term_end", "members"]
        read_only_fields = fields


class MyAreaSerializer(serializers.ModelSerializer):
    street = serializers.CharField(source="community.street.name", read_only=True)
    community = serializers.CharField(source="community.name", read_only=True)
    property_company = serializers.CharField(
        source="property_company.name", read_only=True, allow_null=True, default=None
    )
    committee_status_label = serializers.CharField(
        source="get_committee_status_display", read_only=True
    )

    class Meta:
        model = ManagementArea
        fields = [
            "code",
            "name",
            "estate_name",
            "street",
            "community",
            "property_company",
            "committee_status",
            "committee_status_label",
        ]
        read_only_fields = fields


class MyUnitSerializer(serializers.Serializer):
    """One of the owner's current units (``estates.browse.MyUnit``)."""

    id = serializers.IntegerField(source="unit.pk", read_only=True)
    code = serializers.CharField(source="unit.code", read_only=True)
    use = serializers.ChoiceField(source="unit.use", choices=Unit.Use.choices, read_only=True)
    floor_area = serializers.DecimalField(
        source="unit.floor_area", max_digits=12, decimal_places=2, read_only=True
    )
    area_basis = serializers.ChoiceField(
        source="unit.area_basis", choices=Unit.Basis.choices, read_only=True
    )
    area_basis_label = serializers.CharField(source="unit.get_area_basis_display", read_only=True)
    basis_text = serializers.CharField(read_only=True, help_text="如：按不动产登记面积 89.50 m²")
    since = serializers.DateField(read_only=True)
    co_owners = serializers.ListField(child=serializers.CharField(), read_only=True)
    area = MyAreaSerializer(source="unit.area", read_only=True)
    committee = CommitteeSerializer(read_only=True, allow_null=True)
