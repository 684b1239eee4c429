"""Admin: the reclaim policies are edited here (SPEC §6: every number admin-editable); runs,
notices and batches are shown for inspection."""

from django.contrib import admin

from crm.admin import ReadOnlyAdmin

from .models import DistributionBatch, JobRun, PublicNotice, ReclaimPolicy


@admin.register(ReclaimPolicy)
class ReclaimPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "is_active",
        "window_value",
        "window_unit",
        "acquisition_kinds",
        "target_pool",
        "schedule",
        "run_time",
        "warn_days",
        "notice_working_days",
    ]
    list_editable = ["is_active", "window_value", "window_unit", "warn_days", "notice_working_days"]

    def has_add_permission(self, request):
        return False  # the four rules of SPEC §6 exist; their numbers change, not their set

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["policy", "period", "started_at", "finished_at", "moved"]
    list_filter = ["policy"]
    date_hierarchy = "period"
    deletable = True


@admin.register(PublicNotice)
class PublicNoticeAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["customer", "previous_holder", "policy", "reclaimed_at", "ends_at", "decision"]
    list_filter = ["policy", "decision"]
    list_select_related = ["customer", "previous_holder"]
    show_full_result_count = False
    deletable = True


@admin.register(DistributionBatch)
class DistributionBatchAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["__str__", "source", "department", "approver", "created_at"]
    list_select_related = ["department", "approver"]
    deletable = True
