"""An area's public-revenue ledger over the API, read only (``revenue.view``).

Owners of the area may read it as well as staff (SPC interpretation art. 13).
An area outside the caller's scope is a 404, as in estates/api.py.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics

from accounts import permissions
from core.guards import HasAction

from .actions import VIEW
from .models import Category, Direction, RevenueEntry
from .serializers import RevenueEntrySerializer


class CanViewRevenue(HasAction):
    # Named here rather than with HasAction.for_action so that importing this
    # module never depends on the order in which actions are registered.
    action = VIEW


class EntryFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="occurred_on__year", label=_("年度"))
    quarter = django_filters.TypedChoiceFilter(
        choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4")],
        coerce=int,
        method="filter_quarter",
        label=_("季度（1–4）"),
    )
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label=_("收支"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("类别"))

    class Meta:
        model = RevenueEntry
        fields = ["year", "quarter", "direction", "category"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_quarter(self, queryset, name, value):
        first = 3 * value - 2
        return queryset.filter(occurred_on__month__in=[first, first + 1, first + 2])


@extend_schema(
    summary="公共收益收支明细（本人范围内的物业管理区域）",
    tags=["revenue"],
    parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="区域编码")],
)
class AreaEntryList(generics.ListAPIView):
    serializer_class = RevenueEntrySerializer
    permission_classes = [CanViewRevenue]
    filterset_class = EntryFilter

    def get_queryset(self) -> QuerySet[RevenueEntry]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request user
            return RevenueEntry.objects.none()
        area = (
            permissions.areas_for(self.request.user, VIEW).filter(code=self.kwargs["code"]).first()
        )
        if area is None:
            raise Http404
        return (
            RevenueEntry.objects.filter(area=area)
            .annotate(reversed=Exists(RevenueEntry.objects.filter(reverses=OuterRef("pk"))))
            .order_by("occurred_on", "pk")
        )
