from django.urls import path

from .views import archive, credit, excel, exports, invalid, quality, records, worklist

app_name = "customers"

urlpatterns = [
    path("", archive.customer_list, name="list"),
    path("new/", archive.customer_create, name="register"),
    path("<int:pk>/", archive.customer_detail, name="detail"),
    path("<int:pk>/edit/", archive.customer_edit, name="edit"),
    path("<int:pk>/invalid/", invalid.declare_invalid, name="declare_invalid"),
    path("<int:pk>/valid/", invalid.restore_valid, name="restore_valid"),
    path("<int:pk>/contacts/new/", archive.contact_form, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/", archive.contact_form, name="contact_edit"),
    path("<int:pk>/followups/new/", records.followup_new, name="followup_new"),
    path(
        "<int:pk>/followups/<int:followup_pk>/amend/",
        records.followup_amend_view,
        name="followup_amend",
    ),
    path("<int:pk>/deals/new/", records.deal_new, name="deal_new"),
    path(
        "<int:pk>/deals/<int:deal_pk>/confirm/",
        records.deal_confirm_view,
        name="deal_confirm",
    ),
    path("<int:pk>/referrals/new/", records.referral_new, name="referral_new"),
    path(
        "<int:pk>/referrals/<int:referral_pk>/verify/",
        records.referral_verify_view,
        name="referral_verify",
    ),
    path("<int:pk>/timeline/", records.timeline_page, name="timeline"),
    path("<int:pk>/credit/", credit.credit_evaluate_view, name="credit_evaluate"),
    path("<int:pk>/photos/<int:photo_pk>/", records.visit_photo, name="visit_photo"),
    path("inquiries/new/", records.inquiry_new, name="inquiry_new"),
    path("worklist/", worklist.worklist, name="worklist"),
    path("worklist/<int:pk>/", worklist.worklist_row, name="worklist_row"),
    path("reports/duplicates/", quality.duplicates_report, name="duplicates_report"),
    path(
        "reports/duplicates.xlsx",
        quality.duplicates_report_export,
        name="duplicates_report_export",
    ),
    path("export.xlsx", excel.export, name="export"),
    path("import/", excel.import_view, name="import"),
    path("import/<int:pk>/", excel.import_job, name="import_job"),
    path("import/<int:pk>/retry/", excel.import_job_retry_view, name="import_job_retry"),
    path("exports/", exports.export_log, name="export_log"),
    path("import/template.xlsx", excel.import_template, name="import_template"),
]
