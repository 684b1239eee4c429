from django.contrib import admin

from .models import StageProbability


@admin.register(StageProbability)
class StageProbabilityAdmin(admin.ModelAdmin):
    """The probability of each stage (admin-editable, SPEC §10); the funnel's weighted amount."""

    list_display = ["stage", "probability"]
    list_editable = ["probability"]
    ordering = ["id"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
