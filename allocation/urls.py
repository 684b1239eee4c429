"""Allocation URLs, by area; names and paths are part of the contract (links, tests)."""

from django.urls import path

from .views import disputes, distribution, handovers, inbox, notices, swaps

app_name = "allocation"

urlpatterns = [
    # pools, distribution, requests, protection, wrong-number reports
    path("pools/", distribution.pool_list, name="pool"),
    path("distribute/", distribution.distribute, name="distribute"),
    path("requests/new/", distribution.claim_new, name="claim_new"),
    path("requests/<int:pk>/", distribution.claim_detail, name="claim_detail"),
    path("protection/", distribution.protection, name="protection"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("reports/new/<int:customer_pk>/", distribution.report_new, name="report_new"),
    path("reports/<int:pk>/verify/", distribution.report_verify_page, name="report_verify"),
    # swaps (交换, SPEC §5)
    path("swaps/", swaps.swap_list, name="swap_list"),
    path("swaps/new/", swaps.swap_new, name="swap_new"),
    path("swaps/<int:pk>/", swaps.swap_detail, name="swap_detail"),
    path("swaps/<int:pk>/agree/", swaps.swap_agree_view, name="swap_agree"),
    path("swaps/<int:pk>/decline/", swaps.swap_decline_view, name="swap_decline"),
    path("swaps/<int:pk>/approve/", swaps.swap_approve_view, name="swap_approve"),
    path("swaps/<int:pk>/reject/", swaps.swap_reject_view, name="swap_reject"),
    # handovers (交接)
    path("handovers/", handovers.handover_list, name="handovers"),
    path("handovers/new/<int:staff_pk>/", handovers.handover_new, name="handover_new"),
    path("handovers/<int:pk>/", handovers.handover_detail, name="handover_detail"),
    # disputes (纠纷)
    path("disputes/", disputes.dispute_list, name="disputes"),
    path("disputes/new/", disputes.dispute_new, name="dispute_new"),
    path("disputes/<int:pk>/", disputes.dispute_detail, name="dispute_detail"),
    # the public notice board (公示, SPEC §6) and the 不满意 verification
    path("notices/", notices.notice_board, name="notices"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/appeal/", notices.notice_appeal_view, name="notice_appeal"),
    path("notices/<int:pk>/decide/", notices.notice_decide_view, name="notice_decide"),
    path(
        "followups/<int:pk>/verify-unsatisfied/",
        notices.unsatisfied_verify_view,
        name="unsatisfied_verify",
    ),
    path(
        "followups/<int:pk>/withdraw-unsatisfied/",
        notices.unsatisfied_withdraw_view,
        name="unsatisfied_withdraw",
    ),
]
