"""URLs of handovers (交接) and disputes (纠纷)."""

from django.urls import path

from . import views_handover as views

urlpatterns = [
    path("handovers/", views.handover_list, name="handovers"),
    path("handovers/new/<int:staff_pk>/", views.handover_new, name="handover_new"),
    path("handovers/<int:pk>/", views.handover_detail, name="handover_detail"),
    path("disputes/", views.dispute_list, name="disputes"),
    path("disputes/new/", views.dispute_new, name="dispute_new"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute_detail"),
]
