"""Read-only admin: publications and their log are never edited or deleted here (RULES.md §7)."""

from django.contrib import admin

from .models import Publication, PublicationLogEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        # No "delete selected" either.
        return {}


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ("serial", "title", "kind", "area", "issued_at", "superseded_by")
    list_filter = ("kind",)
    search_fields = ("serial", "title", "area__name", "period")
    date_hierarchy = "issued_at"
    list_select_related = ("area", "superseded_by")


@admin.register(PublicationLogEntry)
class PublicationLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "serial", "kind", "area", "at", "hash")
    search_fields = ("serial", "title")
