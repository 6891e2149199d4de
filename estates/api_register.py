"""Register API (read): buildings and units for staff within scope; owners their own units.

Included by ``estates.api_urls`` under ``register/``. Staff need
``register.view`` somewhere (else 403) and the area in their scope (else 404:
an area's existence is itself scoped information). Owners' personal data is
always masked (``estates.browse.OwnerView``).
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics

from core.guards import HasAction

from . import browse
from .models import Building, ManagementArea, Unit
from .serializers_register import (
    BuildingSerializer,
    MyUnitSerializer,
    UnitDetailSerializer,
    UnitSerializer,
)

AREA_CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="物业管理区域编码"
)


class AreaScopedMixin:
    """The area named in the URL, if it is in the caller's ``register.view`` scope."""

    kwargs: dict

    def get_area(self) -> ManagementArea:
        if not hasattr(self, "_area"):
            self._area = browse.area_get(self.request.user, self.kwargs["code"])
        return self._area


@extend_schema_view(
    get=extend_schema(summary="物业管理区域的楼栋", tags=["register"], parameters=[AREA_CODE])
)
class AreaBuildingsView(AreaScopedMixin, generics.ListAPIView):
    serializer_class = BuildingSerializer
    permission_classes = [HasAction.for_action(browse.VIEW)]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Building]:
        if getattr(self, "swagger_fake_view", False):
            return Building.objects.none()
        return browse.buildings_with_counts(self.get_area())


class UnitFilter(django_filters.FilterSet):
    building = django_filters.CharFilter(field_name="building__name", label=_("楼栋名称（如 1栋）"))
    q = django_filters.CharFilter(method="search", label=_("房屋编码或现业主姓名"))

    class Meta:
        model = Unit
        fields = ["building", "q"]

    def search(self, queryset, name, value):
        return browse.search_units(queryset, value)


class UnitListMixin:
    """Owners are attached to the page of units only, after pagination."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        browse.unit_rows(page)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)


@extend_schema_view(
    get=extend_schema(
        summary="物业管理区域的房屋（含现业主，证件号和手机号已脱敏）",
        tags=["register"],
        parameters=[AREA_CODE],
    )
)
class AreaUnitsView(AreaScopedMixin, UnitListMixin, generics.ListAPIView):
    serializer_class = UnitSerializer
    permission_classes = [HasAction.for_action(browse.VIEW)]
    filterset_class = UnitFilter

    def get_queryset(self) -> QuerySet[Unit]:
        if getattr(self, "swagger_fake_view", False):
            return Unit.objects.none()
        area = self.get_area()
        return browse.with_ownerships(
            Unit.objects.filter(area=area).select_related("building").order_by("code")
        )


@extend_schema_view(
    get=extend_schema(summary="房屋详情（含现业主和产权变更记录，已脱敏）", tags=["register"])
)
class UnitDetailView(generics.RetrieveAPIView):
    serializer_class = UnitDetailSerializer
    permission_classes = [HasAction.for_action(browse.VIEW)]
    queryset = Unit.objects.none()  # for the schema; get_object scopes the real lookup

    def get_object(self) -> Unit:
        return browse.unit_row_get(self.request.user, self.kwargs["pk"]).unit


@extend_schema_view(
    get=extend_schema(summary="我的房屋（现有房屋及计入表决的面积依据）", tags=["register"])
)
class MyUnitsView(generics.ListAPIView):
    serializer_class = MyUnitSerializer
    permission_classes = [HasAction.for_action(browse.OWN)]
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Unit.objects.none()
        person = browse.person_of(self.request.user)
        return browse.my_units(person) if person is not None else []


urlpatterns = [
    path(
        "areas/<str:code>/buildings/",
        AreaBuildingsView.as_view(),
        name="register-area-buildings",
    ),
    path("areas/<str:code>/units/", AreaUnitsView.as_view(), name="register-area-units"),
    path("units/<int:pk>/", UnitDetailView.as_view(), name="register-unit"),
    path("my-units/", MyUnitsView.as_view(), name="register-my-units"),
]
