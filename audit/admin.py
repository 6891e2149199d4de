"""Admin: the audit chain can be read here but never written (it is append-only)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .models import AuditEvent, AuditHead


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor_label", "action", "object_type", "object_id", "short_hash"]
    list_display_links = ["seq"]
    search_fields = ["=action", "=object_type", "=object_id", "actor_label"]
    date_hierarchy = "at"
    ordering = ["-seq"]
    show_full_result_count = False  # a COUNT(*) over millions of rows on every page

    @admin.display(description=_("哈希"))
    def short_hash(self, obj: AuditEvent) -> str:
        return obj.hash[:12] + "…"


@admin.register(AuditHead)
class AuditHeadAdmin(ReadOnlyAdmin):
    list_display = ["id", "count", "last_hash"]
