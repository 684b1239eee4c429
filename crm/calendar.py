"""Working-day calendar (工作日).

Source: the `chinesecalendar` package (official holidays and 调休 make-up working days), with
`WorkdayOverride` rows winning over it. For years the package does not know it raises
NotImplementedError; then Monday–Friday plus overrides applies, so nothing ever crashes on a new
year before the package (or an administrator) catches up.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from constance import config
from django.utils.translation import gettext_lazy as _

from .models import WorkdayOverride

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Longest official run of days off (Spring Festival plus weekends) is well under this.
_LOOKAHEAD_DAYS = 31


def overrides_between(start: date, end: date) -> dict[date, WorkdayOverride]:
    """Override rows for start..end inclusive, in one query."""
    return {o.date: o for o in WorkdayOverride.objects.filter(date__range=(start, end))}


def package_knows(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def package_says(day: date) -> bool | None:
    """The package's answer for `day`, or None for a year it does not know."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def _package_or_weekday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def is_workday(day: date, *, overrides: dict[date, WorkdayOverride] | None = None) -> bool:
    """Is `day` a working day? Pass `overrides` (from `overrides_between`) to avoid a query."""
    if overrides is None:
        overrides = overrides_between(day, day)
    if day in overrides:
        return overrides[day].is_workday
    return _package_or_weekday(day)


def next_workday(day: date) -> date:
    """The first working day strictly after `day`."""
    start = day + timedelta(days=1)
    while True:
        end = start + timedelta(days=_LOOKAHEAD_DAYS)
        overrides = overrides_between(start, end)
        candidate = start
        while candidate <= end:
            if is_workday(candidate, overrides=overrides):
                return candidate
            candidate += timedelta(days=1)
        start = end + timedelta(days=1)


def day_start(day: date) -> datetime:
    """00:00 of `day` in Asia/Shanghai: where a business day, and a month, begins."""
    return datetime.combine(day, time(0), SHANGHAI)


def entry_deadline(occurred_at: datetime) -> datetime:
    """Latest on-time entry for a record of something that happened at `occurred_at`: 10:00
    Asia/Shanghai (admin-editable hour) on the next working day after the local date it happened
    (rule book 000 §3.1.d–e; SPEC §4)."""
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    local_day = occurred_at.astimezone(SHANGHAI).date()
    due_day = next_workday(local_day)
    return datetime.combine(due_day, time(hour=config.ENTRY_DEADLINE_HOUR), tzinfo=SHANGHAI)


def holiday_name(day: date) -> str | None:
    """The package's holiday name for `day` (also set on 调休 working days), if any."""
    try:
        _, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return name


# The package names holidays in English; these labels put them through the message catalogue.
HOLIDAY_LABELS = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "National Day": _("National Day"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": _("Anti-Fascist 70th Day"),
}


def holiday_label(day: date) -> str | None:
    name = holiday_name(day)
    return HOLIDAY_LABELS.get(name, name) if name else None
