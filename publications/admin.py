"""Read-only admin: publications and their log are never edited or deleted here (RULES.md §7)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Publication, PublicationLogEntry


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
