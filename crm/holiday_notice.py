"""Reading the State Council's annual holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知)
into working-day overrides (SPEC §9): the bundled `chinesecalendar` data ends with the last
year its release knew, and from then on every entry deadline around a long holiday would be
computed on a plain Monday–Friday week. The GM pastes the notice; this module finds every
holiday range ("2月15日（周日）至23日（周一）放假调休，共9天") and every make-up working day
("2月14日（周六）、2月28日（周六）上班"), checks them against the notice's own day counts, and
refuses anything it cannot read — nothing is saved from text it did not understand.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from .calendar import SHANGHAI, package_knows

YEAR_IN_TITLE = re.compile(r"关于\s*(\d{4})\s*年\s*部分节假日安排")
# A numbered item: "一、元旦：…" up to the next item or the closing paragraph.
ITEM = re.compile(r"^\s*[一二三四五六七八九十]+、\s*([^：:]+)[：:](.*)$")
PAREN = re.compile(r"（[^）]*）|\([^)]*\)")
FULL_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
RANGE = re.compile(
    r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日\s*(?:至|到|—|-|～|~)\s*(?:(?:(\d{4})年)?(\d{1,2})月)?(\d{1,2})日"
)
TOTAL = re.compile(r"共\s*(\d{1,2})\s*天")
ONE_DAY = re.compile(r"放假\s*1\s*天")


class NoticeError(ValueError):
    """The text is not a notice this parser can read; the message says where and why."""


@dataclass
class Holiday:
    name: str
    days: list[date]
    workdays: list[date] = field(default_factory=list)


@dataclass
class Notice:
    year: int
    holidays: list[Holiday]

    @property
    def days_off(self) -> set[date]:
        return {d for h in self.holidays for d in h.days}

    @property
    def make_up_days(self) -> set[date]:
        return {d for h in self.holidays for d in h.workdays}


def _date(year: int, month: str, day: str, where: str) -> date:
    try:
        return date(year, int(month), int(day))
    except ValueError:
        raise NoticeError(
            _("%(where)s: %(month)s月%(day)s日 is not a date.")
            % {"where": where, "month": month, "day": day}
        ) from None


def notice_year(text: str) -> int | None:
    match = YEAR_IN_TITLE.search(text)
    return int(match.group(1)) if match else None


def parse_notice(text: str, *, year: int | None = None) -> Notice:
    """Every holiday of the notice with its days off and make-up working days. `year` defaults
    to the one in the title; a range running past 12月 into 1月 moves into the next year."""
    text = (text or "").replace("\r", "")
    year = year or notice_year(text)
    if year is None:
        raise NoticeError(
            _("The year was not found: paste the whole notice, title included, or give the year.")
        )
    holidays: list[Holiday] = []
    for raw in text.split("\n"):
        item = ITEM.match(raw)
        if not item:
            continue
        name, body = item.group(1).strip(), PAREN.sub("", item.group(2))
        holidays.append(_parse_item(name, body, year))
    if not holidays:
        raise NoticeError(
            _(
                "No holiday was found. Each holiday is a numbered line such as "
                "“一、元旦：1月1日放假…”."
            )
        )
    seen: dict[date, str] = {}
    for holiday in holidays:
        for day in holiday.days + holiday.workdays:
            if day in seen:
                raise NoticeError(
                    _("%(day)s appears under both %(a)s and %(b)s.")
                    % {"day": day.isoformat(), "a": seen[day], "b": holiday.name}
                )
            seen[day] = holiday.name
    return Notice(year=year, holidays=holidays)


def _parse_item(name: str, body: str, year: int) -> Holiday:
    sentences = [s for s in re.split(r"[。；;]", body) if s.strip()]
    off = [s for s in sentences if "放假" in s]
    if len(off) != 1:
        raise NoticeError(
            _("%(name)s: expected one sentence with the days off (…放假…), found %(n)s.")
            % {"name": name, "n": len(off)}
        )
    sentence = off[0]
    head = sentence.split("放假", 1)[0]
    days: list[date]
    span = RANGE.search(head)
    if span:
        y1, m1, d1, y2, m2, d2 = span.groups()
        start = _date(int(y1 or year), m1, d1, name)
        end_month = m2 or m1
        end_year = int(y2 or y1 or year)
        if not y2 and int(end_month) < int(m1):
            end_year += 1  # 12月31日至1月2日
        end = _date(end_year, end_month, d2, name)
        if end < start or (end - start).days > 30:
            raise NoticeError(
                _("%(name)s: the range %(start)s – %(end)s is not a holiday.")
                % {"name": name, "start": start.isoformat(), "end": end.isoformat()}
            )
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    else:
        single = FULL_DATE.search(head)
        if not single:
            raise NoticeError(_("%(name)s: no date before “放假”.") % {"name": name})
        days = [_date(int(single.group(1) or year), single.group(2), single.group(3), name)]
    total = TOTAL.search(sentence)
    if total and int(total.group(1)) != len(days):
        raise NoticeError(
            _("%(name)s: the notice says %(n)s days but the dates give %(m)s.")
            % {"name": name, "n": total.group(1), "m": len(days)}
        )
    if ONE_DAY.search(sentence) and len(days) != 1:
        raise NoticeError(_("%(name)s: one day off, but a range was given.") % {"name": name})
    workdays: list[date] = []
    for other in sentences:
        if "上班" not in other or other is sentence:
            continue
        found = FULL_DATE.findall(other)
        if not found:
            raise NoticeError(_("%(name)s: no date before “上班”.") % {"name": name})
        for y, m, d in found:
            day = _date(int(y or year), m, d, name)
            if day.weekday() < 5:
                raise NoticeError(
                    _("%(name)s: %(day)s is a weekday; a make-up working day is a weekend day.")
                    % {"name": name, "day": day.isoformat()}
                )
            workdays.append(day)
    return Holiday(name=name, days=days, workdays=workdays)


# --- saving and the next-year check -------------------------------------------------------


def notice_save(*, actor, notice: Notice, now) -> int:
    """Write the notice as working-day overrides (holidays off, make-up days on), one row per
    day, replacing any override of the same day; in one transaction with history. Returns
    the number of days written."""
    from django.db import transaction

    from .models import WorkdayOverride

    rows = [(d, False, h.name) for h in notice.holidays for d in h.days]
    rows += [
        (d, True, _("%(name)s make-up working day") % {"name": h.name})
        for h in notice.holidays
        for d in h.workdays
    ]
    with transaction.atomic():
        for day, is_workday, note in rows:
            override = WorkdayOverride.objects.filter(date=day).first() or WorkdayOverride(date=day)
            override.is_workday = is_workday
            override.note = str(note)[:200]
            override._history_user = actor
            override._history_date = now
            override.save()
    return len(rows)


def year_is_known(year: int) -> bool:
    """Does the calendar know `year`'s holidays: the package's data, or overrides for it?"""
    from .models import WorkdayOverride

    if package_knows(date(year, 1, 1)):
        return True
    return WorkdayOverride.objects.filter(date__year=year, is_workday=False).exists()


# From this month-day on, a missing next year is announced (SPEC §9: "from 11-01").
WARN_FROM = (11, 1)


def next_year_missing(*, today: date) -> int | None:
    """The coming year when, from 1 November, neither the package nor the overrides know it."""
    if (today.month, today.day) < WARN_FROM:
        return None
    year = today.year + 1
    return None if year_is_known(year) else year


def next_year_check(*, now) -> int:
    """The daily check: tell the general managers once a week while next year is unknown.
    Returns the number of notices sent."""
    from django.urls import reverse

    from .models import Notification
    from .notifications import notify_many
    from .rights import general_managers

    today = now.astimezone(SHANGHAI).date()
    year = next_year_missing(today=today)
    if year is None:
        return 0
    title = _("%(year)s holidays are not in the working-day calendar") % {"year": year}
    week_ago = now - timedelta(days=7)
    recipients = [
        user
        for user in general_managers()
        if not Notification.objects.filter(
            recipient=user, title=title, created_at__gt=week_ago
        ).exists()
    ]
    body = _(
        "Paste the State Council's notice on next year's holidays into 工作日历 → 导入; until then "
        "entry deadlines around the Spring Festival are computed on a plain Monday–Friday week."
    )
    link = reverse("crm:calendar_import")
    return notify_many(messages=[(u, title, body, link) for u in recipients], now=now)
