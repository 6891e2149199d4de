"""The register over the API, always within the caller's scope (``register.view``).

An area outside the caller's scope is a 404, not a 403: its existence is
itself scoped information.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from accounts.permissions import areas_for, streets_for
from core.guards import HasAction

from .models import ManagementArea, Street
from .serializers import ManagementAreaSerializer, StreetSerializer

VIEW = "register.view"


class ManagementAreaFilter(django_filters.FilterSet):
    street = django_filters.CharFilter(field_name="community__street__code", label=_("街道编码"))
    community = django_filters.CharFilter(field_name="community__code", label=_("社区编码"))
    committee_status = django_filters.TypedChoiceFilter(
        choices=ManagementArea.CommitteeStatus.choices, coerce=int, label=_("业委会组建情况")
    )

    class Meta:
        model = ManagementArea
        fields = ["street", "community", "committee_status"]


@extend_schema_view(
    list=extend_schema(summary="物业管理区域台账（本人范围内）", tags=["estates"]),
    retrieve=extend_schema(summary="按区域编码查看物业管理区域", tags=["estates"]),
)
class ManagementAreaViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ManagementAreaSerializer
    permission_classes = [HasAction.for_action(VIEW)]
    filterset_class = ManagementAreaFilter
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self) -> QuerySet[ManagementArea]:
        return (
            areas_for(self.request.user, VIEW)
            .select_related("community__street", "property_company")
            .order_by("code")
        )


class CanViewStreets(HasAction.for_action(VIEW)):
    """The street list is already cut to the caller's scope (it includes the street
    an area's committee sits in, which ``can`` on the street itself would refuse)."""

    def has_object_permission(self, request, view, obj):
        return self.has_permission(request, view)


@extend_schema_view(
    list=extend_schema(summary="街道（本人范围内）", tags=["estates"]),
    retrieve=extend_schema(summary="按编码查看街道", tags=["estates"]),
)
class StreetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StreetSerializer
    permission_classes = [CanViewStreets]
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self) -> QuerySet[Street]:
        user = self.request.user
        # The streets a user oversees, and the streets their areas lie in.
        return (
            Street.objects.filter(
                Q(pk__in=streets_for(user, VIEW).values("pk"))
                | Q(communities__areas__in=areas_for(user, VIEW).values("pk"))
            )
            .distinct()
            .order_by("code")
        )
