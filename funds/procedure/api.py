"""The use procedure over the API (read side): applications, one application, my shares.

Who sees what is ``funds.procedure.selectors.applications.applications_for`` (the
pages' rule): the bureau all, area staff and officers their areas, the
applicant their own, owners the applications put to the vote whose 列支范围
holds one of their units. Anything else is a 404 (its existence is scoped
information, as in estates/api.py).
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from funds.ledger.selectors import owner_units
from funds.models import FundApplication
from funds.procedure.selectors import applications as reads
from funds.procedure.selectors import owner_shares
from funds.procedure.serializers import (
    ApplicationDetailSerializer,
    ApplicationListSerializer,
    ShareSerializer,
)

TAGS = ["funds"]


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FundApplication.Status.choices, label=_("状态"))
    area = django_filters.CharFilter(field_name="area__code", label=_("区域编码"))

    class Meta:
        model = FundApplication
        fields = ["status", "area"]


@extend_schema_view(
    list=extend_schema(summary="维修资金使用申请（本人可见范围内）", tags=TAGS),
    retrieve=extend_schema(summary="一项维修资金使用申请", tags=TAGS),
)
class ApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = ApplicationFilter

    def get_queryset(self) -> QuerySet[FundApplication]:
        return reads.applications_for(self.request.user).prefetch_related("items")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ApplicationDetailSerializer
        return ApplicationListSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "retrieve" and "pk" in self.kwargs:
            application = self.get_object()
            codes = {
                u.code for u in owner_units(self.request.user) if u.area_id == application.area_id
            }
            context["my_estimate"] = reads.estimated_shares(application, codes) if codes else None
        return context


class MySharesView(APIView):
    """The caller's units' shares: estimates while an application is voted and reviewed,
    the settled share (and any shortfall still owed) afterwards (RULES.md §4)."""

    @extend_schema(
        summary="我的维修分摊（预计与结算）", tags=TAGS, responses=ShareSerializer(many=True)
    )
    def get(self, request):
        lines = owner_shares.shares_of_user(request.user)
        return Response(ShareSerializer(lines, many=True).data)
