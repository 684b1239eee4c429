"""The customer-service catalogues the GM keeps in the admin (each area adds its own)."""

from django.contrib import admin

from .models import ComplaintCategory


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(admin.ModelAdmin):
    """投诉分类: add, rename, reorder, retire (a retired category keeps its complaints)."""

    list_display = ("name", "position", "is_active")
    list_editable = ("position", "is_active")
    ordering = ("position", "pk")

    def has_delete_permission(self, request, obj=None):
        return False
