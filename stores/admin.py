from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DesignerLevel


@admin.register(DesignerLevel)
class DesignerLevelAdmin(SimpleHistoryAdmin):
    """设计师职级: the GM keeps the levels (004 五.5); levels in use are never deleted."""

    list_display = ["name", "rank", "is_senior", "charges_design_fee"]
    ordering = ["-rank"]

    def has_delete_permission(self, request, obj=None):
        return False
