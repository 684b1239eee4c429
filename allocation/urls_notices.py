"""URLs of the public notice board (公示, SPEC §6) and the 不满意 verification."""

from django.urls import path

from . import views_notices as views

urlpatterns = [
    path("notices/", views.notice_board, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/appeal/", views.notice_appeal_view, name="notice_appeal"),
    path("notices/<int:pk>/decide/", views.notice_decide_view, name="notice_decide"),
    path(
        "followups/<int:pk>/verify-unsatisfied/",
        views.unsatisfied_verify_view,
        name="unsatisfied_verify",
    ),
    path(
        "followups/<int:pk>/withdraw-unsatisfied/",
        views.unsatisfied_withdraw_view,
        name="unsatisfied_withdraw",
    ),
]
