"""The audit chain over the API: bureau roles only (action ``audit.view``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from core.guards import HasAction

from .filters import AuditEventFilter
from .selectors import audit_events
from .serializers import AuditEventSerializer


@extend_schema_view(
    list=extend_schema(summary="审计事件列表（新的在前）", tags=["audit"]),
    retrieve=extend_schema(summary="按序号查看一条审计事件", tags=["audit"]),
)
class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AuditEventSerializer
    permission_classes = [HasAction.for_action("audit.view")]
    filterset_class = AuditEventFilter
    lookup_field = "seq"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return audit_events()
