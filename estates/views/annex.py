"""Annex 1 ledger download and the district dashboard (``oversee``; RULES.md §8).

Officers get their own street (or community); the bureau the district or a
street it chooses. A street outside the user's oversight is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.generic import TemplateView, View

from accounts.permissions import areas_for, streets_for
from core.guards import ActionRequiredMixin
from core.text import join_list

from .. import annex1, browse, selectors
from ..forms import Annex1Form
from ..models import Community, ManagementArea, Street

OVERSEE = browse.OVERSEE
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAR_WIDTH = 240  # px of the longest bar in the dashboard charts


def _district_wide(user) -> bool:
    """Whether the user oversees every street (the bureau)."""
    return (
        Street.objects.exists()
        and not Street.objects.exclude(pk__in=streets_for(user, OVERSEE).values("pk")).exists()
    )


def _scope(user, street_code: str) -> tuple[object, str]:
    """The areas to export and the label of the scope, for ``street_code`` or everything overseen."""
    areas = areas_for(user, OVERSEE)
    if street_code:
        street = streets_for(user, OVERSEE).filter(code=street_code).first()
        if street is None:
            raise Http404
        return areas.filter(community__street=street), street.name
    if _district_wide(user):
        return areas, settings.GONGZHI_DISTRICT_NAME
    # An officer without a whole street (a community officer): name what they oversee.
    streets = Street.objects.filter(pk__in=streets_for(user, OVERSEE).values("pk"))
    names = [street.name for street in streets]
    if not names:
        communities = Community.objects.filter(pk__in=areas.values("community_id")).select_related(
            "street"
        )
        names = [str(community) for community in communities]
    return areas, join_list(names)


class Annex1View(ActionRequiredMixin, TemplateView):
    action = OVERSEE
    template_name = "estates/annex1.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        district = _district_wide(user)
        form = Annex1Form(
            streets=streets_for(user, OVERSEE).order_by("code"),
            district_choice=(f"{settings.GONGZHI_DISTRICT_NAME}（全区）" if district else None),
        )
        areas, label = _scope(user, "")
        return super().get_context_data(
            form=form,
            area_count=areas.count(),
            scope_label=label,
            headings=annex1.HEADINGS,
            **kwargs,
        )


class Annex1DownloadView(ActionRequiredMixin, View):
    action = OVERSEE

    def get(self, request, *args, **kwargs):
        areas, label = _scope(request.user, request.GET.get("street", "").strip())
        now = timezone.now()
        content = annex1.annex1_workbook(
            annex1.ordered(ManagementArea.objects.filter(pk__in=areas.values("pk"))),
            scope_label=label,
            generated_at=now,
        )
        filename = f"附件1-住宅物业管理区域信息台账-{label}-{timezone.localdate(now):%Y%m%d}.xlsx"
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["Cache-Control"] = "no-store"
        return response


def _bars(labels_counts: list[tuple[str, int]]) -> list[dict]:
    """Bar geometry for the inline SVG charts (server-side, no script; DESIGN.md "Pages")."""
    top = max((count for _label, count in labels_counts), default=0)
    return [
        {
            "label": label,
            "count": count,
            "width": round(BAR_WIDTH * count / top) if top else 0,
            "y": index * 28,
            "text_y": index * 28 + 15,
        }
        for index, (label, count) in enumerate(labels_counts)
    ]


class DashboardView(ActionRequiredMixin, TemplateView):
    """Areas counted by service form and committee status, per street and in total."""

    action = OVERSEE
    template_name = "estates/dashboard.html"

    def get_context_data(self, **kwargs):
        data = browse.dashboard_counts(areas_for(self.request.user, OVERSEE))
        form_bars = _bars(
            [
                (f"{code} {label}", count)
                for (code, label), count in zip(data.forms, data.total.by_form, strict=True)
            ]
        )
        status_bars = _bars(
            [
                (f"{code} {label}", count)
                for (code, label), count in zip(data.statuses, data.total.by_status, strict=True)
            ]
        )
        return super().get_context_data(
            data=data,
            form_bars=form_bars,
            form_chart_height=len(form_bars) * 28,
            status_bars=status_bars,
            status_chart_height=len(status_bars) * 28,
            district_wide=_district_wide(self.request.user),
            **selectors.calendar_warning_context(self.request.user),
            flags=browse.dashboard_flags(areas_for(self.request.user, OVERSEE)),
            **kwargs,
        )
