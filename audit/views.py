"""The bureau's audit pages: the event list with filters, and one event in full."""

from __future__ import annotations

import json

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from core.guards import ActionRequiredMixin

from .chain import GENESIS, event_hash
from .filters import AuditEventFilter
from .labels import SUMMARY_FIELDS_SHOWN, action_label, object_label, summary_items
from .models import AuditEvent
from .selectors import audit_events
from .services import event_fields


def _summary_json(summary) -> str:
    return json.dumps(summary, ensure_ascii=False, sort_keys=True, indent=2) if summary else ""


class EventListView(ActionRequiredMixin, ListView):
    action = "audit.view"
    template_name = "audit/event_list.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = AuditEventFilter(self.request.GET or None, queryset=audit_events())
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Words for the codes (audit.labels); the full summary stays one toggle away.
        for event in context["events"]:
            event.action_text = action_label(event.action)
            event.object_text = object_label(event.object_type)
            event.summary_shown = summary_items(event.summary, SUMMARY_FIELDS_SHOWN)
            event.summary_more = max(len(event.summary or {}) - SUMMARY_FIELDS_SHOWN, 0)
            event.summary_json = _summary_json(event.summary)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filter=self.filterset, query=query.urlencode())
        return context


class EventDetailView(ActionRequiredMixin, DetailView):
    action = "audit.view"
    template_name = "audit/event_detail.html"
    context_object_name = "event"

    def get_object(self, queryset=None):
        return get_object_or_404(AuditEvent.objects.select_related("actor"), seq=self.kwargs["seq"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        previous = (
            AuditEvent.objects.filter(seq=event.seq - 1).values_list("hash", flat=True).first()
        )
        # This event alone: does its stored hash match its fields, and does it
        # link to the event before it? (The whole chain: manage.py audit_verify.)
        context.update(
            hash_ok=event_hash(event_fields(event)) == event.hash,
            link_ok=(event.prev == previous) if event.seq > 1 else event.prev == GENESIS,
            summary_json=_summary_json(event.summary),
            action_text=action_label(event.action),
            object_text=object_label(event.object_type),
            summary_rows=summary_items(event.summary),
            has_next=AuditEvent.objects.filter(seq=event.seq + 1).exists(),
        )
        return context
