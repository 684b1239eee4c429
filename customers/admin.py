"""Admin views of the archive are for inspection: changes of holder go through the services,
so holder fields and ownership events are read-only here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from crm.admin import ReadOnlyAdmin

from .models import Contact, Customer, CustomerKey, OwnershipEvent


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
