"""The audit event filters, shared by the bureau page and the API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


def _local_midnight(day: date) -> datetime:
    # Dates the bureau types are Beijing-time dates (settings.TIME_ZONE =
    # Asia/Shanghai); events are stored in UTC.
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(
        label=_("操作"),
        lookup_expr="startswith",
        help_text=_("操作代码或其开头，如 ballot. 或 ballot.cast"),
    )
    object_type = django_filters.CharFilter(
        label=_("对象类型"), help_text=_("如 voting.ballot，精确匹配")
    )
    object_id = django_filters.CharFilter(label=_("对象编号"), help_text=_("精确匹配"))
    actor = django_filters.CharFilter(
        label=_("操作人"),
        method="filter_actor",
        help_text=_("用户名（精确）或姓名（包含）"),
    )
    date_from = django_filters.DateFilter(
        label=_("起始日期"), method="filter_date_from", help_text=_("北京时间，含当日")
    )
    date_to = django_filters.DateFilter(
        label=_("截止日期"), method="filter_date_to", help_text=_("北京时间，含当日")
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "object_type", "object_id", "actor", "date_from", "date_to"]

    def filter_actor(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        # actor_label is the name as recorded, so an event still matches after
        # the user is renamed; username reaches staff by their login.
        return queryset.filter(
            Q(actor__username=value)
            | Q(actor__display_name__icontains=value)
            | Q(actor_label__icontains=value)
        )

    def filter_date_from(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(at__gte=_local_midnight(value))

    def filter_date_to(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(at__lt=_local_midnight(value + timedelta(days=1)))
