"""工作日历: the working-day calendar the entry deadline follows."""

import calendar as pycalendar
from datetime import date, timedelta

from constance import config
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import calendar as workdays
from ..rights import may_import_calendar
from ..validators import parse_month


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
            # Side by side (SPEC §9): where an override and the package's data disagree, both
            # are shown; the override wins.
            package = workdays.package_says(day)
            row.append(
                {
                    "date": day,
                    "in_month": day.month == month.month,
                    "is_workday": is_work,
                    "is_makeup": is_work and day.weekday() >= 5,
                    "is_holiday": not is_work and day.weekday() < 5,
                    "label": override.note if override else workdays.holiday_label(day),
                    "is_override": override is not None,
                    "package_disagrees": override is not None
                    and package is not None
                    and package != override.is_workday,
                    "package_is_workday": package,
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
            "may_import": may_import_calendar(request.user),
            "deadline_hour": config.ENTRY_DEADLINE_HOUR,
            "weekday_names": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        },
    )
