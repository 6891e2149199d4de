"""Admin: the fund ledger can be read here but never written.

Ledger rows are written only by ``funds.ledger.services`` (balanced, audited, with
the owners' notices); an admin form would bypass all three. The fund
profile is changed through ``fund_profile_set`` / ``custody_transfer`` for
the same reason (both audited), so it is read-only here too.
"""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import (
    Account,
    AnnualStatement,
    BankStatement,
    Entry,
    FundApplication,
    FundProfile,
    FundUse,
    FundUseCountersign,
    InterestPosting,
    PaymentInstruction,
    PostingNotice,
    Transaction,
    UseFiling,
)


@admin.register(FundProfile)
class FundProfileAdmin(ReadOnlyAdmin):
    list_display = ["area", "regime", "deposit_rate", "cost_per_m2_fen", "bank_name", "account_no"]
    list_select_related = ["area"]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["pk", "area", "kind", "regime", "unit"]
    list_filter = ["kind"]
    list_select_related = ["area", "unit"]
    search_fields = ["=area__code", "=unit__code"]
    show_full_result_count = False


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ["account", "amount_fen"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account__unit")


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "area", "kind", "value_date", "memo", "created_at", "reverses"]
    list_filter = ["kind"]
    list_select_related = ["area"]
    search_fields = ["=key", "=area__code"]
    date_hierarchy = "created_at"
    inlines = [EntryInline]
    show_full_result_count = False


@admin.register(InterestPosting)
class InterestPostingAdmin(ReadOnlyAdmin):
    list_display = ["area", "start", "end", "interest_fen", "ledgers", "transaction"]
    list_select_related = ["area"]


@admin.register(PostingNotice)
class PostingNoticeAdmin(ReadOnlyAdmin):
    list_display = ["pk", "transaction", "unit", "amount_fen", "sms_status", "sms_at"]
    list_filter = ["sms_status"]
    raw_id_fields = ["transaction", "unit", "person"]
    show_full_result_count = False


# The use procedure and reconciliation: state changes only through their services
# (transition table, audit, ledger postings), so the admin only reads them.
@admin.register(FundApplication)
class FundApplicationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "area", "title", "status", "budget_fen"]
    list_filter = ["status"]
    list_select_related = ["area"]


@admin.register(FundUse)
class FundUseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "area", "source", "status"]
    list_filter = ["status", "source"]
    list_select_related = ["area"]


@admin.register(PaymentInstruction)
class PaymentInstructionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "key", "amount_fen", "status"]
    list_filter = ["status"]


@admin.register(FundUseCountersign)
class FundUseCountersignAdmin(ReadOnlyAdmin):
    list_display = ["pk", "fund_use", "approver", "signed_at"]


@admin.register(UseFiling)
class UseFilingAdmin(ReadOnlyAdmin):
    list_display = ["pk", "application", "status", "filed_at"]
    list_filter = ["status"]


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyAdmin):
    list_display = ["pk", "area", "sha256"]
    list_select_related = ["area"]


@admin.register(AnnualStatement)
class AnnualStatementAdmin(ReadOnlyAdmin):
    list_display = ["pk", "area", "year"]
    list_select_related = ["area"]
