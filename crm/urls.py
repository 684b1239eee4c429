from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import (
    accounts,
    backups,
    calendar,
    calendar_import,
    channels,
    departments,
    health,
    home,
    jobs,
    notifications,
)

crm_patterns = [
    path("", home.dashboard, name="dashboard"),
    path("departments/", departments.department_list, name="department_list"),
    path("departments/<int:pk>/", departments.department_detail, name="department_detail"),
    path("calendar/", calendar.calendar_month, name="calendar"),
    path("calendar/import/", calendar_import.calendar_import, name="calendar_import"),
    path("backups/", backups.backup_list, name="backup_list"),
    path("jobs/", jobs.job_list, name="jobs"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification_open"),
    path(
        "notifications/read/", notifications.notification_mark_all_read, name="notifications_read"
    ),
    # SPEC §9: the login log and the account-change record (the GM's; 404 for everyone else).
    path("accounts/logins/", accounts.login_log, name="login_log"),
    path("accounts/changes/", accounts.account_change_list, name="account_changes"),
    # SPEC §9 work messaging: the GM's channel page and test button; everyone's own settings.
    path("channels/", channels.channel_overview, name="channels"),
    path("channels/test/", channels.channel_test, name="channel_test"),
    path("channels/mine/", channels.channel_preferences, name="channel_preferences"),
]

urlpatterns = [
    path("", include((crm_patterns, "crm"))),
    path("customers/", include("customers.urls")),
    path("allocation/", include("allocation.urls")),
    path("sales/", include("sales.urls")),
    path("penalties/", include("penalties.urls")),
    path("service/", include("service.urls")),
    path("stores/", include("stores.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChange.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Operations' probe (docs/operations.md): no trailing slash, no login, no redirect.
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

# The error pages in the site's look, with a way back (crm/views/errors.py).
handler403 = "crm.views.errors.permission_denied"
handler404 = "crm.views.errors.page_not_found"
handler500 = "crm.views.errors.server_error"
