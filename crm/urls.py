from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

crm_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("calendar/", views.calendar_month, name="calendar"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
]

urlpatterns = [
    path("", include((crm_patterns, "crm"))),
    path("customers/", include("customers.urls")),
    path("allocation/", include("allocation.urls")),
    path("penalties/", include("penalties.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
