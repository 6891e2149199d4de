"""The bureau's audit pages: the event list with filters, and one event in full."""

from __future__ import annotations

import json

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from core.guards import ActionRequiredMixin

from .chain import GENESIS, event_hash
from .filters import AuditEventFilter
from .models import AuditEvent
from .selectors import audit_events
from .services import event_fields

SUMMARY_PREVIEW = 80


def _summary_text(summary) -> str:
    return json.dumps(summary, ensure_ascii=False, sort_keys=True) if summary else ""


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
        for event in context["events"]:
            text = _summary_text(event.summary)
            event.summary_preview = (
                text if len(text) <= SUMMARY_PREVIEW else text[:SUMMARY_PREVIEW] + "…"
            )
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
            summary_json=json.dumps(event.summary, ensure_ascii=False, sort_keys=True, indent=2),
            has_next=AuditEvent.objects.filter(seq=event.seq + 1).exists(),
        )
        return context
