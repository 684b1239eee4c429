from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from crm.admin import ReadOnlyAdmin

from .models import ClosedMonth, DismissalReview, LedgerEntry, PenaltyRule
from .rulebooks import readable_source


@admin.register(PenaltyRule)
class PenaltyRuleAdmin(SimpleHistoryAdmin):
    """The open catalogue (SPEC §7): the GM adds, edits and retires rules here.

    A rule is never deleted (entries point at it): it is retired by unticking "in use", which
    keeps its entries and history and takes it off the entry form. The code and whether it is a
    reward are fixed once saved; origin and effect belong to the system's own rules, so a rule
    added here is recorded by hand and has no effect on confirmation."""

    list_display = [
        "code",
        "rule_name",
        "default_amount",
        "amount_range",
        "clause",
        "falls_on",
        "origin",
        "is_active",
    ]
    list_filter = ["is_active", "is_reward", "origin", "falls_on"]
    search_fields = ["code", "name"]
    fields = [
        "code",
        "name",
        "description",
        "source",
        "is_reward",
        "default_amount",
        "min_amount",
        "max_amount",
        "falls_on",
        "origin",
        "effect",
        "is_active",
    ]

    @admin.display(description=_("rule"), ordering="name")
    def rule_name(self, obj):
        return obj.label

    @admin.display(description=_("Clause"), ordering="source")
    def clause(self, obj):
        """The rule books' reference as people read it (《客户资源管理制度》第4.2条①b)."""
        return readable_source(obj.source)

    @admin.display(description=_("Range (yuan)"))
    def amount_range(self, obj):
        return obj.range_text

    def get_fields(self, request, obj=None):
        if obj is None:  # origin and effect are not the adder's choice (see save_model)
            return [f for f in self.fields if f not in ("origin", "effect")]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["code", "is_reward", "origin", "effect"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.origin = PenaltyRule.Origin.MANUAL
            obj.effect = PenaltyRule.Effect.NONE
        super().save_model(request, obj, form, change)

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
