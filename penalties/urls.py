from django.urls import path

from .views import company, entries, ledger, months

app_name = "penalties"

urlpatterns = [
    path("", ledger.ledger_list, name="ledger"),
    path("decide/", ledger.to_decide, name="to_decide"),
    path("new/", entries.entry_new, name="new"),
    path("months/", months.month_list, name="months"),
    path("months/close/", months.month_close_view, name="month_close"),
    path("months/export/", months.month_export, name="month_export"),
    path("dashboard/", company.company_dashboard, name="company"),
    path("<int:pk>/", ledger.entry_detail, name="detail"),
    path("<int:pk>/confirm/", ledger.entry_confirm, name="confirm"),
    path("<int:pk>/waive/", ledger.entry_waive, name="waive"),
    path("<int:pk>/reverse/", ledger.entry_reverse, name="reverse"),
]
