"""Admin views of the archive are for inspection: changes of holder go through the services,
so holder fields and ownership events are read-only here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from crm.admin import ReadOnlyAdmin

from .models import (
    Contact,
    CreditEvaluation,
    CreditGradeRule,
    CreditWeight,
    Customer,
    CustomerKey,
    OwnershipEvent,
)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    can_delete = False
    readonly_fields = ["name", "gender", "phone", "mobile", "title"]
    fields = readonly_fields


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["id", "name", "holder", "pool", "department", "intent_grade", "holder_since"]
    list_filter = ["pool", "intent_grade", "customer_class", "source", "department"]
    list_select_related = ["holder", "department"]
    search_fields = ["name", "tax_id", "phone"]
    show_full_result_count = False  # no COUNT(*) over a million rows
    readonly_fields = [
        "credit_rating",  # only a credit evaluation sets it (SPEC §11)
        "holder",
        "pool",
        "department",
        "holder_since",
        "acquired_via",
        "registered_by",
        "registered_at",
        "last_followup_at",
        "last_deal_at",
        "first_deal_at",
        "is_incomplete",
        "completion_due",
    ]
    inlines = [ContactInline]

    def has_add_permission(self, request):
        return False  # registration goes through customer_register (keys, event)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OwnershipEvent)
class OwnershipEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["at", "customer", "kind", "from_holder", "to_holder", "to_pool", "actor"]
    list_filter = ["kind", "to_pool"]
    list_select_related = ["customer", "from_holder", "to_holder", "actor"]
    show_full_result_count = False


@admin.register(CustomerKey)
class CustomerKeyAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["kind", "value", "customer"]
    search_fields = ["value"]
    list_select_related = ["customer"]
    show_full_result_count = False
    deletable = True


@admin.register(CreditWeight)
class CreditWeightAdmin(admin.ModelAdmin):
    """The weight of each 5C factor (admin-editable, SPEC §11); new evaluations read it, past
    ones keep the weights they used."""

    list_display = ["factor", "weight"]
    list_editable = ["weight"]
    ordering = ["id"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CreditGradeRule)
class CreditGradeRuleAdmin(admin.ModelAdmin):
    """Per grade: the lowest weighted score and the settlement methods it allows on contracts."""

    list_display = ["grade", "min_score", "allows_cash", "allows_rolling", "allows_goods_first"]
    list_editable = ["min_score", "allows_cash", "allows_rolling", "allows_goods_first"]
    ordering = ["grade"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CreditEvaluation)
class CreditEvaluationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["evaluated_at", "customer", "grade", "score", "evaluator"]
    list_filter = ["grade"]
    list_select_related = ["customer", "evaluator"]
    show_full_result_count = False
