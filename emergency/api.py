"""Emergency repairs over the API, read only: the whitelist, applications, one application.

- The whitelist in force is the bureau's public rule (RULES.md §5): anyone
  may read it, logged in or not, as on the page ``/emergency/whitelist/``.
- Applications: the same reach as the pages (``emergency.selectors``) —
  those who may file for an area (``emergency.apply``: its committee, or the
  property company or street office where it has none) and those who oversee
  it (``oversee``: officers of its street or community, the bureau). Without
  any of the pages' actions: 403. An application outside the caller's reach
  is a 404, never a 403 (its existence is scoped information).

States and deadlines are read against the clock at the moment of the
request (DESIGN.md "Time"): nothing here depends on a reminder job having run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import django_filters
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from audit.models import AuditEvent

from . import selectors
from .models import Commission, EmergencyApplication
from .models.applications import DEEMED_ELIGIBLE, auto_approve_overdue
from .serializers import (
    EmergencyApplicationDetailSerializer,
    EmergencyApplicationListSerializer,
    EmergencyWhitelistSerializer,
)
from .services import current_version

TAGS = ["emergency"]
Status = EmergencyApplication.Status
# The actions that open the emergency pages (``emergency.views.applications.ANY``).
VISIBLE = (
    "emergency.apply",
    "oversee",
    "application.review",
    "application.approve",
    "emergency.commission",
)


class CanSeeApplications(BasePermission):
    message = _("您没有权限查看紧急维修申请。")

    def has_permission(self, request, view):
        return any(permissions.can(request.user, action) for action in VISIBLE)


# --------------------------------------------------------------------------- whitelist


class WhitelistView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="紧急维修事项清单（现行版本，公开，无需登录）",
        tags=TAGS,
        auth=[],
        responses={
            200: EmergencyWhitelistSerializer,
            404: OpenApiResponse(description="住建局尚未发布清单"),
        },
    )
    def get(self, request: Request) -> Response:
        version = current_version()
        if version is None:
            raise Http404
        return Response(EmergencyWhitelistSerializer(version).data)


# --------------------------------------------------------------------------- history

# What each recorded step of an application is called (the services' audit actions).
STEP_LABELS = {
    "emergency.file": _("提交申请"),
    "emergency.review_start": _("受理审核"),
    "emergency.checklist": _("填写核查清单（不得列支情形、保修期）"),
    "emergency.approve": _("批准"),
    "emergency.deemed_approve": _("审核逾期，视为批准"),
    "emergency.refuse": _("不予批准"),
    "emergency.prepaid": _("预拨资金到账"),
    "emergency.works_start": _("登记开工"),
    "emergency.works_done": _("登记完工"),
    "emergency.accept": _("验收"),
    "emergency.evidence_add": _("补充材料"),
    "emergency.commission": _("代修（住建局组织维修）"),
    "emergency.settle": _("结算分摊"),
    "emergency.publish": _("发布公示"),
}


@dataclass(frozen=True)
class Step:
    seq: int
    at: datetime
    action: str
    label: str
    from_status: str | None
    to_status: str | None
    actor: str | None


def application_history(application: EmergencyApplication) -> list[Step]:
    """The application's recorded steps in order, from the audit chain (every state change
    is an audit event written in the same transaction, STYLE.md §5)."""
    condition = Q(object_type=EmergencyApplication._meta.label_lower, object_id=str(application.pk))
    commission = getattr(application, "commission", None)
    if commission is not None:
        # 代修 is recorded on its own row (emergency.services.commission).
        condition |= Q(object_type=Commission._meta.label_lower, object_id=str(commission.pk))
    steps = []
    for event in AuditEvent.objects.filter(condition).select_related("actor").order_by("seq"):
        summary = event.summary if isinstance(event.summary, dict) else {}
        to_status = summary.get("to")
        if event.action == "emergency.file":
            to_status = Status.FILED
        steps.append(
            Step(
                seq=event.seq,
                at=event.at,
                action=event.action,
                label=str(STEP_LABELS.get(event.action, event.action)),
                from_status=summary.get("from"),
                to_status=to_status,
                actor=str(event.actor) if event.actor_id else None,
            )
        )
    return steps


# --------------------------------------------------------------------------- applications


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Status.choices, method="filter_status", label=_("状态（按当前时间推算）")
    )
    area = django_filters.CharFilter(field_name="area__code", label=_("区域编码"))
    street = django_filters.CharFilter(
        field_name="area__community__street__code", label=_("街道编码")
    )

    class Meta:
        model = EmergencyApplication
        fields = ["status", "area", "street"]

    def filter_status(self, queryset, name, value):
        if not auto_approve_overdue():
            return queryset.filter(status=value)
        # With the setting on, an undecided application whose review is overdue *is*
        # approved now (EmergencyApplication.current_status) — unless RULES.md §5 bars it
        # (inside warranty, unknown completion date, an exclusion ticked): filter on that state.
        overdue = (
            Q(status__in=EmergencyApplication.UNDECIDED, review_due_at__lte=timezone.now())
            & DEEMED_ELIGIBLE
        )
        if value == Status.APPROVED:
            return queryset.filter(Q(status=value) | overdue)
        return queryset.filter(status=value).exclude(overdue)


@extend_schema_view(
    list=extend_schema(
        summary="紧急维修申请（本人可见范围内），新的在前；时限按当前时间推算", tags=TAGS
    ),
    retrieve=extend_schema(
        summary="一项紧急维修申请：响应时限（到期、逾期）、材料、代修、资金和办理记录",
        tags=TAGS,
    ),
)
class ApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [CanSeeApplications]
    filterset_class = ApplicationFilter

    def get_queryset(self) -> QuerySet[EmergencyApplication]:
        if getattr(self, "swagger_fake_view", False):
            return EmergencyApplication.objects.none()
        queryset = selectors.visible_applications(self.request.user)
        if self.action == "retrieve":
            queryset = queryset.select_related(
                "fund_use__publication", "commission"
            ).prefetch_related("recovery_claims")
        return queryset.order_by("-filed_at", "-pk")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return EmergencyApplicationDetailSerializer
        return EmergencyApplicationListSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # One "now" per answer: every state and deadline in it is read at the same moment.
        self.now = timezone.now()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": getattr(self, "now", None)}

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        application = self.get_object()
        context = {**self.get_serializer_context(), "history": application_history(application)}
        return Response(EmergencyApplicationDetailSerializer(application, context=context).data)
