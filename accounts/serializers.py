from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import ROLE_SCOPE_FIELD, Role, RoleAssignment, User


class ScopeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["area", "company", "street", "community"],
        help_text="area = 物业管理区域 (by code), company = 物业服务企业, street, community.",
    )
    id = serializers.IntegerField()
    code = serializers.CharField(allow_null=True, help_text="Register code; null for a company.")
    name = serializers.CharField()


class RoleAssignmentSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    scope = serializers.SerializerMethodField(
        help_text="Where the role applies; null for bureau roles (the whole district)."
    )

    class Meta:
        model = RoleAssignment
        fields = ["role", "role_label", "scope", "granted_at"]

    @extend_schema_field(ScopeSerializer(allow_null=True))
    def get_scope(self, assignment: RoleAssignment) -> dict | None:
        field = ROLE_SCOPE_FIELD[Role(assignment.role)]
        if field is None:
            return None
        scope = getattr(assignment, field)
        return {
            "type": field,
            "id": scope.pk,
            "code": getattr(scope, "code", None),
            "name": scope.name,
        }


class MeSerializer(serializers.ModelSerializer):
    phone_masked = serializers.CharField(
        source="masked_phone", read_only=True, help_text="Masked: 138****5678."
    )
    roles = RoleAssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "phone_masked", "roles"]
