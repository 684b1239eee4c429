from django.urls import path

from . import (
    views,
    views_excel,
    views_exports,
    views_invalid,
    views_quality,
    views_records,
    views_worklist,
)

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="register"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/invalid/", views_invalid.declare_invalid, name="declare_invalid"),
    path("<int:pk>/valid/", views_invalid.restore_valid, name="restore_valid"),
    path("<int:pk>/contacts/new/", views.contact_form, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_form, name="contact_edit"),
    path("<int:pk>/followups/new/", views_records.followup_new, name="followup_new"),
    path(
        "<int:pk>/followups/<int:followup_pk>/amend/",
        views_records.followup_amend_view,
        name="followup_amend",
    ),
    path("<int:pk>/deals/new/", views_records.deal_new, name="deal_new"),
    path(
        "<int:pk>/deals/<int:deal_pk>/confirm/",
        views_records.deal_confirm_view,
        name="deal_confirm",
    ),
    path("<int:pk>/referrals/new/", views_records.referral_new, name="referral_new"),
    path(
        "<int:pk>/referrals/<int:referral_pk>/verify/",
        views_records.referral_verify_view,
        name="referral_verify",
    ),
    path("<int:pk>/timeline/", views_records.timeline_page, name="timeline"),
    path("inquiries/new/", views_records.inquiry_new, name="inquiry_new"),
    path("worklist/", views_worklist.worklist, name="worklist"),
    path("worklist/<int:pk>/", views_worklist.worklist_row, name="worklist_row"),
    path("reports/duplicates/", views_quality.duplicates_report, name="duplicates_report"),
    path(
        "reports/duplicates.xlsx",
        views_quality.duplicates_report_export,
        name="duplicates_report_export",
    ),
    path("export.xlsx", views_excel.export, name="export"),
    path("import/", views_excel.import_view, name="import"),
    path("import/<int:pk>/", views_excel.import_job, name="import_job"),
    path("import/<int:pk>/retry/", views_excel.import_job_retry_view, name="import_job_retry"),
    path("exports/", views_exports.export_log, name="export_log"),
    path("import/template.xlsx", views_excel.import_template, name="import_template"),
]
