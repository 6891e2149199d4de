"""Admin: emergency records can be read here, never written.

Every change goes through ``emergency.services`` (permission, state table,
audit event in one transaction); an admin form would bypass all three.
"""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import (
    Commission,
    DeadlineNotice,
    EmergencyApplication,
    Evidence,
    Problem,
    RecoveryClaim,
    ResponsePlan,
    WhitelistItem,
    WhitelistItemTranslation,
    WhitelistVersion,
)


@admin.register(WhitelistVersion)
class WhitelistVersionAdmin(ReadOnlyAdmin):
    list_display = ["number", "published_at", "actor", "note"]


@admin.register(WhitelistItem)
class WhitelistItemAdmin(ReadOnlyAdmin):
    list_display = ["version", "position", "code", "name", "facility", "cap_fen"]
    list_filter = ["version"]


@admin.register(WhitelistItemTranslation)
class WhitelistItemTranslationAdmin(ReadOnlyAdmin):
    # Edited on the whitelist page (emergency:whitelist_item_english), audited there.
    list_display = ["code", "language", "name", "updated_at", "updated_by"]


@admin.register(EmergencyApplication)
class EmergencyApplicationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "area", "item", "status", "estimate_fen", "filed_at", "review_due_at"]
    list_filter = ["status"]
    search_fields = ["=pk", "area__code", "area__name"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["application", "kind", "original_name", "size", "uploaded_at"]
    # The upload fields come from an abstract base, which Django would list first.
    fields = [
        "application", "kind", "file", "original_name", "size", "sha256",
        "uploaded_by", "uploaded_at",
    ]  # fmt: skip


@admin.register(Commission)
class CommissionAdmin(ReadOnlyAdmin):
    list_display = ["application", "contractor", "estimate_fen", "commissioned_at"]


@admin.register(RecoveryClaim)
class RecoveryClaimAdmin(ReadOnlyAdmin):
    list_display = ["application", "against", "party_name", "amount_fen", "status", "recorded_at"]
    list_filter = ["status", "against"]


@admin.register(DeadlineNotice)
class DeadlineNoticeAdmin(ReadOnlyAdmin):
    list_display = ["application", "deadline", "stage", "recipient", "by_sms", "sent_at"]


@admin.register(ResponsePlan)
class ResponsePlanAdmin(ReadOnlyAdmin):
    list_display = ["area", "updated_at", "updated_by"]


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ["project_name", "community", "category", "deadline", "closed"]
    list_filter = ["closed"]
