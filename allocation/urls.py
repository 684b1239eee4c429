from django.urls import include, path

from . import views

app_name = "allocation"

urlpatterns = [
    path("pools/", views.pool_list, name="pool"),
    path("distribute/", views.distribute, name="distribute"),
    path("requests/new/", views.claim_new, name="claim_new"),
    path("requests/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("protection/", views.protection, name="protection"),
    path("inbox/", views.inbox, name="inbox"),
    path("reports/new/<int:customer_pk>/", views.report_new, name="report_new"),
    path("reports/<int:pk>/verify/", views.report_verify_page, name="report_verify"),
    path("", include("allocation.urls_swaps")),
    path("", include("allocation.urls_handover")),
    path("", include("allocation.urls_notices")),
]
