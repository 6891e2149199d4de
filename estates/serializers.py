from __future__ import annotations

from rest_framework import serializers

from .models import Community, ManagementArea, PropertyCompany, Street


class StreetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Street
        fields = ["id", "code", "name"]


class CommunityRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "code", "name"]


class CompanyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = PropertyCompany
        fields = ["id", "name", "uscc"]


class ManagementAreaSerializer(serializers.ModelSerializer):
    """One row of the register (programme annex 1, RULES.md §8)."""

    street = StreetSerializer(source="community.street", read_only=True)
    community = CommunityRefSerializer(read_only=True)
    property_company = CompanyRefSerializer(read_only=True, allow_null=True)
    service_form_label = serializers.CharField(source="get_service_form_display", read_only=True)
    committee_status_label = serializers.CharField(
        source="get_committee_status_display", read_only=True
    )
    party_coverage_label = serializers.CharField(
        source="get_party_coverage_display", read_only=True
    )

    class Meta:
        model = ManagementArea
        fields = [
            "id",
            "code",
            "name",
            "estate_name",
            "street",
            "community",
            "boundaries",
            "service_form",
            "service_form_label",
            "committee_status",
            "committee_status_label",
            "party_coverage",
            "party_coverage_label",
            "property_company",
            "project_manager",
            "fee_collection_rate",
        ]
        read_only_fields = fields
