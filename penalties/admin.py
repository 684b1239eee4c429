from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ClosedMonth, DismissalReview, LedgerEntry, PenaltyRule


@admin.register(PenaltyRule)
class PenaltyRuleAdmin(SimpleHistoryAdmin):
    """The catalogue is admin-editable (amounts, ranges, names); codes are fixed."""

    list_display = [
        "code",
        "label",
        "default_amount",
        "min_amount",
        "max_amount",
        "falls_on",
        "origin",
        "is_active",
    ]
    list_filter = ["origin", "is_reward", "is_active"]
    readonly_fields = ["code", "origin", "effect"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin:
    """Written by the services (pages), never here: no add, change or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """The ledger, read-only."""

    list_display = ["pk", "person", "rule", "amount", "points", "month", "status"]
    list_filter = ["status", "rule", "month"]
    search_fields = ["person__username", "reason"]
    raw_id_fields = ["person", "customer", "followup", "deal", "handover", "reversal_of"]


@admin.register(ClosedMonth)
class ClosedMonthAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["month", "closed_at", "closed_by"]


@admin.register(DismissalReview)
class DismissalReviewAdmin(admin.ModelAdmin):
    list_display = ["person", "opened_at", "customers_reclaimed"]
    readonly_fields = ["person", "entry", "opened_at", "customers_reclaimed"]
