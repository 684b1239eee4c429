"""Sales pages (SPEC §10). Each area keeps its own block; a block's views live in
`sales/views/<area>.py`."""

from django.urls import path

from .views import contracts as contract_views
from .views import credit as credit_views
from .views import opportunities as opportunity_views
from .views import receivables as receivable_views
from .views import reports as report_views
from .views import yearly as yearly_views

app_name = "sales"

urlpatterns = [
    # --- opportunities (销售机会) ---
    path("opportunities/", opportunity_views.opportunity_list, name="opportunity_list"),
    path(
        "opportunities/new/<int:customer_pk>/",
        opportunity_views.opportunity_new,
        name="opportunity_new",
    ),
    path(
        "opportunities/<int:pk>/", opportunity_views.opportunity_detail, name="opportunity_detail"
    ),
    path(
        "opportunities/<int:pk>/move/",
        opportunity_views.opportunity_move_view,
        name="opportunity_move",
    ),
    path(
        "opportunities/<int:pk>/actions/new/",
        opportunity_views.opportunity_action_new,
        name="opportunity_action_new",
    ),
    # --- contracts, attachments, amendments, collections, returns ---
    path("contracts/", contract_views.contract_list, name="contract_list"),
    path("contracts/new/<int:customer_pk>/", contract_views.contract_new, name="contract_new"),
    path("contracts/<int:pk>/", contract_views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", contract_views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/sign/", contract_views.contract_sign_view, name="contract_sign"),
    path("contracts/<int:pk>/amend/", contract_views.contract_amend, name="contract_amend"),
    path(
        "contracts/<int:pk>/attachments/",
        contract_views.contract_attachment_upload,
        name="contract_attachment_upload",
    ),
    path(
        "contracts/<int:pk>/attachments/<int:attachment_pk>/",
        contract_views.contract_attachment,
        name="contract_attachment",
    ),
    path("instalments/<int:pk>/collect/", contract_views.collection_new, name="collection_new"),
    path(
        "collections/<int:pk>/reverse/",
        contract_views.collection_reverse_view,
        name="collection_reverse",
    ),
    path("returns/new/<int:customer_pk>/", contract_views.return_new, name="return_new"),
    # --- receivables, ageing, reminder letters (应收账款, 电子催款单) ---
    path("receivables/", receivable_views.receivables_view, name="receivables"),
    path("receivables/export/", receivable_views.receivables_export, name="receivables_export"),
    path(
        "receivables/letter/<int:customer_pk>/",
        receivable_views.reminder_letter,
        name="reminder_letter",
    ),
    # --- dormant customers, cross-sales, credit transfers ---
    path("dormant/", credit_views.dormant_list, name="dormant_list"),
    path("dormant/mark/<int:pk>/", credit_views.dormant_mark_view, name="dormant_mark"),
    path("dormant/<int:pk>/clear/", credit_views.dormant_clear_view, name="dormant_clear"),
    path("cross-sales/", credit_views.cross_sale_list, name="cross_sale_list"),
    path("cross-sales/new/<int:pk>/", credit_views.cross_sale_new, name="cross_sale_new"),
    path("cross-sales/<int:pk>/", credit_views.cross_sale_detail, name="cross_sale_detail"),
    path("credit-transfers/", credit_views.credit_transfer_list, name="credit_transfer_list"),
    path(
        "credit-transfers/new/<str:kind>/<int:pk>/",
        credit_views.credit_transfer_new,
        name="credit_transfer_new",
    ),
    path(
        "credit-transfers/<int:pk>/",
        credit_views.credit_transfer_detail,
        name="credit_transfer_detail",
    ),
    # --- reports: funnel, by month, ranking, yearly table ---
    path("reports/funnel/", report_views.funnel_view, name="funnel"),
    path("reports/funnel/export/", report_views.funnel_export, name="funnel_export"),
    path("reports/by-month/", report_views.sales_by_month_view, name="sales_by_month"),
    path(
        "reports/by-month/export/", report_views.sales_by_month_export, name="sales_by_month_export"
    ),
    path("reports/ranking/", report_views.ranking_view, name="ranking"),
    path("reports/ranking/export/", report_views.ranking_export, name="ranking_export"),
    path("customers/<int:pk>/yearly/", yearly_views.customer_yearly, name="customer_yearly"),
    path(
        "customers/<int:pk>/yearly/export/",
        yearly_views.customer_yearly_export,
        name="customer_yearly_export",
    ),
]
