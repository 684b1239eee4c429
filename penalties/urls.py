from django.urls import path

from . import views

app_name = "penalties"

urlpatterns = [
    path("", views.ledger_list, name="ledger"),
    path("decide/", views.to_decide, name="to_decide"),
    path("new/", views.entry_new, name="new"),
    path("months/", views.month_list, name="months"),
    path("months/close/", views.month_close_view, name="month_close"),
    path("months/export/", views.month_export, name="month_export"),
    path("dashboard/", views.company_dashboard, name="company"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("<int:pk>/confirm/", views.entry_confirm, name="confirm"),
    path("<int:pk>/waive/", views.entry_waive, name="waive"),
    path("<int:pk>/reverse/", views.entry_reverse, name="reverse"),
]
