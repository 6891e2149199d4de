"""Read-only admin: the revenue ledger is append-only and changes only through ``revenue.services``."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Allocation, QuarterNotice, RevenueEntry


@admin.register(RevenueEntry)
class RevenueEntryAdmin(ReadOnlyAdmin):
    list_display = ("pk", "area", "occurred_on", "direction", "category", "amount_fen", "reverses")
    list_filter = ("direction", "category")
    search_fields = ("area__code", "area__name", "counterparty")
    list_select_related = ("area",)
    date_hierarchy = "occurred_on"


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "area", "year", "quarter", "method", "net_fen", "supersedes")
    list_filter = ("method", "year")
    search_fields = ("area__code", "area__name")
    list_select_related = ("area",)


@admin.register(QuarterNotice)
class QuarterNoticeAdmin(ReadOnlyAdmin):
    list_display = ("publication", "area", "year", "quarter", "net_fen", "supersedes")
    list_filter = ("year",)
    search_fields = ("area__code", "area__name", "publication__serial")
    list_select_related = ("area", "publication")
