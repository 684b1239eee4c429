"""Pages of the organisation core. Thin: resolve access through selectors, render."""

import calendar as pycalendar
from datetime import date, timedelta

from constance import config
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import calendar as workdays
from . import rights
from .dashboard import panels_for
from .health import health_report
from .models import Notification, Staff
from .notifications import notifications_mark_read
from .selectors import departments_managed_by, departments_visible_to
from .validators import parse_month

ACTIVE_MEMBERS = Q(members__status=Staff.Status.ACTIVE)


def _departments_with_headcount(qs):
    return qs.select_related("manager", "parent").annotate(
        member_count=Count("members", filter=ACTIVE_MEMBERS)
    )


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
    context["latest_notifications"] = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True)[:5]
    )
    staff = getattr(user, "staff", None)
    if staff:
        context["is_new_hire"] = staff.is_new_hire(today=today, months=config.NEW_HIRE_MONTHS)
    if rights.may_manage_departments(user):
        context["departments"] = list(_departments_with_headcount(departments_managed_by(user)))
        context["team_changes"] = list(
            Staff.objects.filter(department__in=departments_managed_by(user))
            .exclude(status=Staff.Status.ACTIVE, hire_date__lte=today - timedelta(days=31))
            .select_related("user", "department")
            .order_by("status_effective_at", "-hire_date")
        )
    elif rights.sees_assigned_departments(user):
        context["departments"] = list(_departments_with_headcount(departments_visible_to(user)))
    return render(request, "crm/dashboard.html", context)


@login_required
def department_list(request):
    if not rights.may_view_departments(request.user):
        raise Http404
    departments = _departments_with_headcount(departments_visible_to(request.user))
    return render(request, "crm/department_list.html", {"departments": departments})


@login_required
def department_detail(request, pk: int):
    # Outside the user's scope the department does not exist for them (SPEC §1: 404).
    department = get_object_or_404(
        departments_visible_to(request.user).select_related("manager", "parent"), pk=pk
    )
    members = (
        Staff.objects.filter(department=department)
        .select_related("user")
        .order_by("role", "user__username")
    )
    children = _departments_with_headcount(department.children.all())
    accountants = Staff.objects.filter(assigned_departments=department).select_related("user")
    return render(
        request,
        "crm/department_detail.html",
        {
            "department": department,
            "members": members,
            "children": children,
            "accountants": accountants,
        },
    )


def _parse_month(value: str | None, default: date) -> date | None:
    """None for anything but YYYY-MM within the product's bounds (crm/validators.py): 9999-12
    or 0001-01 would overflow the previous/next-month links."""
    if not value:
        return default.replace(day=1)
    try:
        return parse_month(value, today=default)
    except ValueError:
        return None


@login_required
def calendar_month(request):
    """工作日历: the month as the entry-deadline rule sees it (holidays, 调休, overrides)."""
    today = timezone.localdate()
    month = _parse_month(request.GET.get("month"), today)
    if month is None:
        messages.error(request, _("Unrecognised month; showing the current month."))
        month = today.replace(day=1)
    cal = pycalendar.Calendar(firstweekday=0)
    weeks = cal.monthdatescalendar(month.year, month.month)
    overrides = workdays.overrides_between(weeks[0][0], weeks[-1][-1])
    grid = []
    for week in weeks:
        row = []
        for day in week:
            is_work = workdays.is_workday(day, overrides=overrides)
            override = overrides.get(day)
            row.append(
                {
                    "date": day,
                    "in_month": day.month == month.month,
                    "is_workday": is_work,
                    "is_makeup": is_work and day.weekday() >= 5,
                    "is_holiday": not is_work and day.weekday() < 5,
                    "label": override.note if override else workdays.holiday_label(day),
                    "is_override": override is not None,
                    "is_today": day == today,
                }
            )
        grid.append(row)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "crm/calendar.html",
        {
            "month": month,
            "grid": grid,
            "previous": previous,
            "following": following,
            "package_knows": workdays.package_knows(month),
            "deadline_hour": config.ENTRY_DEADLINE_HOUR,
            "weekday_names": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        },
    )


@login_required
@require_GET
def notification_list(request):
    """站内通知: newest first. Reading changes nothing (a GET is never a write — a link or a
    prefetch must not mark anything read); "mark all read" and opening one are POSTs."""
    items = list(Notification.objects.filter(recipient=request.user)[:100])
    return render(request, "crm/notifications.html", {"items": items})


@login_required
@require_POST
def notification_mark_all_read(request):
    notifications_mark_read(user=request.user, now=timezone.now())
    return redirect("crm:notifications")


@login_required
@require_POST
def notification_open(request, pk: int):
    item = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications_mark_read(user=request.user, now=timezone.now(), notification_id=item.pk)
    safe = url_has_allowed_host_and_scheme(item.link, allowed_hosts={request.get_host()})
    return redirect(item.link if item.link and safe else "crm:notifications")


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For operations' probes: anonymous, never cached, 503 when any check fails. The answer
    holds the checks' outcomes only (crm/health.py), nothing about the installation."""
    report = health_report(now=timezone.now())
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
