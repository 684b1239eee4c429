"""Customer-service pages (SPEC §11). Each area keeps its own block; a block's views live in
`service/views/<area>.py`."""

from django.urls import path

from .views import competitors as competitor_views
from .views import complaints as complaint_views
from .views import revisits as revisit_views
from .views import surveys as survey_views
from .views import yearly

app_name = "service"

urlpatterns = [
    # --- complaints (投诉) ---
    path("complaints/", complaint_views.complaint_list_view, name="complaint_list"),
    path("complaints/new/", complaint_views.complaint_new, name="complaint_new"),
    path(
        "complaints/analysis/",
        complaint_views.complaint_analysis_view,
        name="complaint_analysis",
    ),
    path(
        "complaints/analysis/export/",
        complaint_views.complaint_analysis_export,
        name="complaint_analysis_export",
    ),
    path("complaints/<int:pk>/", complaint_views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/step/", complaint_views.complaint_step, name="complaint_step"),
    path("complaints/<int:pk>/verify/", complaint_views.complaint_verify, name="complaint_verify"),
    # --- yearly evaluation (年度评价) ---
    path("yearly/", yearly.yearly_list, name="yearly_list"),
    path("yearly/overdue/", yearly.yearly_overdue, name="yearly_overdue"),
    path(
        "yearly/customer/<int:customer_pk>/<int:year>/",
        yearly.yearly_evaluate,
        name="yearly_evaluate",
    ),
    path("yearly/<int:pk>/", yearly.yearly_detail, name="yearly_detail"),
    path("yearly/<int:pk>/manager/", yearly.yearly_manager, name="yearly_manager"),
    path("yearly/<int:pk>/director/", yearly.yearly_director, name="yearly_director"),
    # --- satisfaction surveys (满意度调查) ---
    path("surveys/", survey_views.survey_list, name="survey_list"),
    path("surveys/new/", survey_views.survey_new, name="survey_new"),
    path("surveys/indicators/", survey_views.survey_indicators, name="survey_indicators"),
    path(
        "surveys/indicators/export/",
        survey_views.survey_indicators_export,
        name="survey_indicators_export",
    ),
    path("surveys/<int:pk>/", survey_views.survey_detail, name="survey_detail"),
    path(
        "surveys/<int:pk>/campaigns/new/",
        survey_views.survey_campaign_new,
        name="survey_campaign_new",
    ),
    path("surveys/campaigns/<int:pk>/", survey_views.survey_campaign, name="survey_campaign"),
    path("surveys/targets/<int:pk>/answer/", survey_views.survey_answer, name="survey_answer"),
    path("surveys/answers/<int:pk>/pass/", survey_views.survey_pass, name="survey_pass"),
    # --- revisit plans and customer care (回访计划, 客户关怀) ---
    path("revisits/", revisit_views.revisit_list, name="revisit_list"),
    path("revisits/<int:pk>/", revisit_views.revisit_do, name="revisit_do"),
    path("revisits/customer/<int:customer_pk>/new/", revisit_views.revisit_new, name="revisit_new"),
    path(
        "revisits/customer/<int:customer_pk>/stage/",
        revisit_views.stage_new,
        name="revisit_stage_new",
    ),
    path(
        "revisits/customer/<int:customer_pk>/unreachable/",
        revisit_views.first_inquiry_unreachable_view,
        name="revisit_unreachable",
    ),
    # --- competitors (竞争对手) ---
    path("competitors/", competitor_views.competitor_list, name="competitor_list"),
    path("competitors/new/", competitor_views.competitor_new, name="competitor_new"),
    path("competitors/compare/", competitor_views.competitor_compare, name="competitor_compare"),
    path("competitors/<int:pk>/", competitor_views.competitor_detail, name="competitor_detail"),
    path("competitors/<int:pk>/edit/", competitor_views.competitor_edit, name="competitor_edit"),
    path(
        "competitors/link/<int:customer_pk>/",
        competitor_views.competitor_link_add,
        name="competitor_link_add",
    ),
    path(
        "competitors/links/<int:pk>/remove/",
        competitor_views.competitor_link_remove,
        name="competitor_link_remove",
    ),
]
