"""URLs of swaps (交换, SPEC §5)."""

from django.urls import path

from . import views_swaps as views

urlpatterns = [
    path("swaps/", views.swap_list, name="swap_list"),
    path("swaps/new/", views.swap_new, name="swap_new"),
    path("swaps/<int:pk>/", views.swap_detail, name="swap_detail"),
    path("swaps/<int:pk>/agree/", views.swap_agree_view, name="swap_agree"),
    path("swaps/<int:pk>/decline/", views.swap_decline_view, name="swap_decline"),
    path("swaps/<int:pk>/approve/", views.swap_approve_view, name="swap_approve"),
    path("swaps/<int:pk>/reject/", views.swap_reject_view, name="swap_reject"),
]
