"""Admin: the audit chain can be read here but never written (it is append-only)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, AuditHead


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete for anyone, superusers included: the chain's
    rows are written only by ``audit.services.audit_record``."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


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
