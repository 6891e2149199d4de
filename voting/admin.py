"""Read-only admin: assemblies, rolls and ballots change only through ``voting.services``.

Every transition is checked against the table, locked and audited there
(STYLE.md §5); a ballot and a frozen roll are final (RULES.md §1, §3). The
admin shows them to staff and never writes. Ballots are listed without their
voting right: who cast what is for ``ballot.trace`` (the bureau, audited).
"""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Assembly, Ballot, Motion, Objection, RollSnapshot, VotingRight


class MotionInline(admin.TabularInline):
    model = Motion
    fields = ("code", "title", "item", "kind", "seats")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Assembly)
class AssemblyAdmin(ReadOnlyAdmin):
    list_display = ("title", "area", "status", "opens_at", "closes_at", "ballots_cast")
    list_filter = ("status",)
    search_fields = ("title", "area__name", "area__code")
    list_select_related = ("area",)
    date_hierarchy = "opens_at"
    inlines = [MotionInline]


@admin.register(RollSnapshot)
class RollSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("assembly", "taken_at", "rights", "heads", "area", "digest")
    exclude = ("unit_areas",)
    list_select_related = ("assembly",)


@admin.register(VotingRight)
class VotingRightAdmin(ReadOnlyAdmin):
    list_display = ("assembly", "position", "area", "is_developer")
    list_select_related = ("assembly",)
    search_fields = ("assembly__title",)


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ("assembly", "seq", "tracker", "channel", "cast_at")
    list_filter = ("channel",)
    search_fields = ("tracker",)
    list_select_related = ("assembly",)
    exclude = ("right", "voter", "entered_by", "idempotency_key", "scan", "authorisation")


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("assembly", "filed_at", "answered_at")
    exclude = ("person", "filed_by")
    list_select_related = ("assembly",)
