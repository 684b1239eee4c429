"""工作台: the dashboard, a section per role."""

from datetime import timedelta

from constance import config
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .. import calendar as workdays
from .. import rights
from ..backup import backup_health
from ..dashboard import (
    managed_department_ids,
    managed_departments,
    panels_for,
    visible_departments,
)
from ..holiday_notice import next_year_missing
from ..jobs import jobs_status
from ..models import Notification, Staff


@login_required
def dashboard(request):
    """工作台: one page, a section per role. Later capabilities fill the sections."""
    user = request.user
    now = timezone.now()
    today = timezone.localdate(now)
    context = {
        "now": now,
        "today": today,
        "entry_deadline_today": workdays.entry_deadline(now),
    }
    context["panels"] = panels_for(request, now=now, today=today)
    if rights.may_import_calendar(user):
        # SPEC §9: from 1 November, a banner while next year's holidays are unknown.
        context["calendar_missing_year"] = next_year_missing(today=today)
    if rights.may_read_backups(user):
        context["backup_health"] = backup_health(now=now)
    if rights.may_read_jobs(user):
        # SPEC §9: a warning when a scheduled job is late (one query for every job).
        context["jobs_late"] = [job for job in jobs_status(now=now) if job.is_late]
    context["latest_notifications"] = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True)[:5]
    )
    staff = getattr(user, "staff", None)
    if staff:
        context["is_new_hire"] = staff.is_new_hire(today=today, months=config.NEW_HIRE_MONTHS)
    if rights.may_manage_departments(user):
        # Read once for the page: the panels share it (crm.dashboard.managed_departments).
        context["departments"] = managed_departments(request)
        context["team_changes"] = list(
            Staff.objects.filter(department__in=managed_department_ids(request))
            .exclude(status=Staff.Status.ACTIVE, hire_date__lte=today - timedelta(days=31))
            .select_related("user", "department")
            .order_by("status_effective_at", "-hire_date")
        )
    elif rights.sees_assigned_departments(user):
        context["departments"] = visible_departments(request)
    return render(request, "crm/dashboard.html", context)
