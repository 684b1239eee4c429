"""Django admin for the organisation: departments, staff, accounts, calendar overrides.

Saves go through the services so paths, groups and department permissions stay in step.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, Staff, User, WorkdayOverride
from .services import (
    department_manager_error,
    department_parent_error,
    department_save,
    staff_sync_access,
)

admin.site.site_header = _("Customer resource CRM")
admin.site.site_title = _("Customer resource CRM")
admin.site.index_title = _("Administration")


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "parent", "manager", "region"]

    def clean_manager(self):
        manager = self.cleaned_data.get("manager")
        error = department_manager_error(manager)
        if error:
            raise forms.ValidationError(error)
        return manager

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        error = department_parent_error(self.instance, parent)
        if error:
            raise forms.ValidationError(error)
        return parent


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    form = DepartmentForm
    list_display = ["indented_name", "parent", "manager", "region"]
    list_select_related = ["parent", "manager"]
    search_fields = ["name", "region"]
    autocomplete_fields = ["manager"]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        return "— " * obj.depth + obj.name

    def save_model(self, request, obj, form, change):
        department_save(department=obj)


class StaffInline(admin.StackedInline):
    model = Staff
    can_delete = False
    fk_name = "user"
    filter_horizontal = ["assigned_departments"]
    extra = 1
    max_num = 1


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    inlines = [StaffInline]
    list_display = ["username", "display_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "staff__role", "staff__department"]
    search_fields = ["username", "first_name", "last_name", "email"]

    @admin.display(description=_("name"))
    def display_name(self, obj):
        return obj.get_full_name()

    def get_readonly_fields(self, request, obj=None):
        # Groups and admin access are derived from the role (staff_sync_access); only a
        # superuser may hand out superuser status or individual permissions, so a general
        # manager keeping accounts cannot raise their own rights.
        derived = ["groups", "is_staff"]
        if not request.user.is_superuser:
            derived += ["is_superuser", "user_permissions"]
        return derived

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        staff_sync_access(user=form.instance, now=timezone.now())


@admin.register(Staff)
class StaffAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "department", "hire_date", "status", "status_effective_at"]
    list_filter = ["role", "status", "department"]
    list_select_related = ["user", "department"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["assigned_departments"]
    date_hierarchy = "hire_date"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        staff_sync_access(user=form.instance.user, now=timezone.now())


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(SimpleHistoryAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["note"]
