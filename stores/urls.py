"""Store pages (SPEC §12). Each area keeps its own block; a block's views live in
`stores/views/<area>.py`."""

from django.urls import path

from .views import dispatch as dispatch_views
from .views import home
from .views import people as people_views
from .views import review as review_views
from .views import visitors as visitor_views

app_name = "stores"

urlpatterns = [
    path("", home.store_home, name="home"),
    # --- people: designers, levels, attendance, outings (设计师, 考勤, 外出登记) ---
    path("people/designers/", people_views.designer_list, name="designer_list"),
    path("people/designers/<int:pk>/", people_views.designer_detail, name="designer_detail"),
    path("people/designers/<int:pk>/edit/", people_views.designer_edit, name="designer_edit"),
    path("people/attendance/", people_views.attendance, name="attendance"),
    path("people/outings/", people_views.outing_list, name="outing_list"),
    path("people/outings/<int:pk>/back/", people_views.outing_back, name="outing_back"),
    path("people/months/", people_views.designer_months, name="designer_months"),
    # --- visitor register, pre-registrations, 对单, figures (日来店顾客登记表) ---
    path("visitors/", visitor_views.visit_list, name="visit_list"),
    path("visitors/new/", visitor_views.visit_new, name="visit_new"),
    path("visitors/checks/", visitor_views.visit_checks, name="visit_checks"),
    path("visitors/<int:pk>/check/", visitor_views.visit_check, name="visit_check"),
    path("visitors/preregistrations/", visitor_views.prereg_list, name="prereg_list"),
    path("visitors/preregistrations/new/", visitor_views.prereg_new, name="prereg_new"),
    path("visitors/reconcile/", visitor_views.reconcile, name="reconcile"),
    path("visitors/figures/", visitor_views.figures, name="figures"),
    # --- dispatch (派单) ---
    path("dispatch/", dispatch_views.dispatch_list, name="dispatch_list"),
    path("dispatch/new/", dispatch_views.dispatch_new, name="dispatch_new"),
    path("dispatch/<int:pk>/", dispatch_views.dispatch_detail, name="dispatch_detail"),
    path(
        "dispatch/<int:pk>/confirm/", dispatch_views.dispatch_confirm_view, name="dispatch_confirm"
    ),
    path("dispatch/<int:pk>/reject/", dispatch_views.dispatch_reject_view, name="dispatch_reject"),
    path(
        "dispatch/<int:pk>/countersign/",
        dispatch_views.dispatch_countersign_view,
        name="dispatch_countersign",
    ),
    path("dispatch/<int:pk>/refuse/", dispatch_views.dispatch_refuse_view, name="dispatch_refuse"),
    path(
        "dispatch/<int:pk>/progress/",
        dispatch_views.dispatch_progress_view,
        name="dispatch_progress",
    ),
    path("dispatch/manager-away/", dispatch_views.manager_away, name="manager_away"),
    # --- monthly review (客户经理月度考核) ---
    path("reviews/", review_views.review_list, name="review_list"),
    path("reviews/export/", review_views.review_export, name="review_export"),
    path("reviews/<int:pk>/", review_views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/score/", review_views.review_score, name="review_score"),
    path("reviews/<int:pk>/adjust/", review_views.review_adjust_view, name="review_adjust"),
    path("reviews/<int:pk>/confirm/", review_views.review_confirm_view, name="review_confirm"),
]
