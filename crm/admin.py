"""Django admin for the organisation: departments, staff, accounts, calendar overrides.

Saves go through the services so paths, groups and department permissions stay in step.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .fields import BoundedDatesAdminMixin
from .models import Department, Staff, User, WorkdayOverride
from .rights import may_change_account, may_set_password_of
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
        fields = ["name", "kind", "parent", "manager", "region"]

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
    list_display = ["indented_name", "kind", "parent", "manager", "region"]
    list_select_related = ["parent", "manager"]
    search_fields = ["name", "region"]
    autocomplete_fields = ["manager"]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        return "— " * obj.depth + obj.name

    def save_model(self, request, obj, form, change):
        department_save(department=obj)


class RevertNeedsChangeMixin:
    """django-simple-history's "history" form saves a POST from anyone who may merely *view*
    the object (the Revert button is only hidden): a revert is a change, so it needs the change
    permission — otherwise the GM could rename or switch off the superuser through it."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin:
    """Rows written by the services (pages, engines), never here: no add, no change, and no
    delete unless the admin class sets `deletable = True` (then Django's own permission check
    decides). Every app's admin uses this one mixin."""

    deletable = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)


class StaffInline(BoundedDatesAdminMixin, admin.StackedInline):
    model = Staff
    can_delete = False
    fk_name = "user"
    filter_horizontal = ["assigned_departments"]
    extra = 1
    max_num = 1

    def has_change_permission(self, request, obj=None):
        # `obj` is the account the profile belongs to.
        if obj is not None and not may_change_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)


@admin.register(User)
class UserAdmin(RevertNeedsChangeMixin, SimpleHistoryAdmin, BaseUserAdmin):
    inlines = [StaffInline]
    list_display = ["username", "display_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "staff__role", "staff__department"]
    search_fields = ["username", "first_name", "last_name", "email"]

    @admin.display(description=_("name"))
    def display_name(self, obj):
        return obj.get_full_name()

    # Defect 2 of issue 12: the GM could set the superuser's (or anyone's) password here and
    # log in as them. Only a superuser changes a superuser's account; only a superuser sets
    # somebody else's password, the person then chooses their own at the next log-in
    # (crm.accounts), and every password set is recorded without its hash.
    def has_change_permission(self, request, obj=None):
        if obj is not None and not may_change_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not may_change_account(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or may_set_password_of(request.user, obj):
            return fieldsets
        # The password widget links to the reset form this person is not offered.
        return [
            (name, {**opts, "fields": tuple(f for f in opts["fields"] if f != "password")})
            for name, opts in fieldsets
        ]

    def user_change_password(self, request, id, form_url=""):
        target = self.get_object(request, unquote(id))
        if target is not None and not may_set_password_of(request.user, target):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

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
class StaffAdmin(RevertNeedsChangeMixin, BoundedDatesAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "user",
        "role",
        "position",
        "department",
        "hire_date",
        "status",
        "status_effective_at",
    ]
    list_filter = ["role", "position", "status", "department"]
    list_select_related = ["user", "department"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["assigned_departments"]
    date_hierarchy = "hire_date"

    def has_change_permission(self, request, obj=None):
        if obj is not None and not may_change_account(request.user, obj.user):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # A new profile for a superuser's account (a role for them) is a change of that account.
        if not may_change_account(request.user, obj.user):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        staff_sync_access(user=form.instance.user, now=timezone.now())


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(BoundedDatesAdminMixin, SimpleHistoryAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["note"]


# 系统管理 → 工作消息 (SPEC §9): the channel configuration and preferences (crm/channels).
from .channels import admin as _channels_admin  # noqa: E402, F401
