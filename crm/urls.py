from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views, views_accounts

crm_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("calendar/", views.calendar_month, name="calendar"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/read/", views.notification_mark_all_read, name="notifications_read"),
    # SPEC §9: the login log and the account-change record (the GM's; 404 for everyone else).
    path("accounts/logins/", views_accounts.login_log, name="login_log"),
    path("accounts/changes/", views_accounts.account_change_list, name="account_changes"),
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
    path("accounts/password/", views_accounts.PasswordChange.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Operations' probe (docs/operations.md): no trailing slash, no login, no redirect.
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
