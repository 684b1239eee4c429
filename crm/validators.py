"""Input bounds (issue 12, defects 4 and 11): the one place that says which dates, months, page
numbers and ids the product accepts. The form fields of `crm/fields.py`, the services that check
a time themselves (`customers.services.records`, `penalties.services.ledger`) and the parsers of
GET parameters all ask these functions, so a form and a service never disagree.

Why bounds at all: Python and the databases accept 0001-01-01 and 9999-12-31, but every
computation that steps a day or a month from such a date (entry deadlines, reclaim clocks, month
navigation, the conversion to Asia/Shanghai itself) overflows, and one such record breaks the
customer's page, the dashboards and the worklist for everybody. Nothing the CRM records happened
before 2000; nothing it plans lies more than a few years ahead.

The problem functions return the message to show, or None; callers raise their own error type
(a form's ValidationError, a service's RecordError), so each keeps its way of refusing.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

EARLIEST = date(2000, 1, 1)  # nothing the CRM records happened before this day
PLANNED_YEARS = 5  # plans (next contact, effective dates, months) reach at most this far
EARLIEST_BIRTHDAY = date(1900, 1, 1)
MAX_PAGE = 100_000  # a page number beyond this is a typo or an attack: page 1 is shown
MAX_ID = 2**63 - 1  # the largest id a bigint column holds


def _local_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            return value.date()
        try:
            return timezone.localtime(value).date()
        except OverflowError:  # 0001-01-01 00:00 in Asia/Shanghai is before year 1 in UTC
            return value.date()
    return value


def latest_planned(today: date) -> date:
    """The last day a plan may name: PLANNED_YEARS after `today` (29 Feb → 28 Feb)."""
    try:
        return today.replace(year=today.year + PLANNED_YEARS)
    except ValueError:
        return today.replace(year=today.year + PLANNED_YEARS, day=28)


def _too_early() -> str:
    return _("Dates before %(date)s are not accepted: check the year.") % {
        "date": EARLIEST.isoformat()
    }


def happened_problem(
    value: date | datetime, *, now: datetime, future_message: str | None = None
) -> str | None:
    """Something that happened (a follow-up, a deal, a breach): on or after EARLIEST and not
    after `now` (a date: not after today in Asia/Shanghai)."""
    if _local_date(value) < EARLIEST:
        return _too_early()
    if isinstance(value, datetime):
        future = value > now
        default = _("The time it happened cannot be in the future.")
    else:
        future = value > timezone.localtime(now).date()
        default = _("The date cannot be later than today.")
    return (future_message or default) if future else None


def planned_problem(value: date | datetime, *, now: datetime) -> str | None:
    """Something planned or taking effect (the next contact date, a departure's effective
    time): on or after EARLIEST and at most PLANNED_YEARS ahead."""
    day = _local_date(value)
    if day < EARLIEST:
        return _too_early()
    if day > latest_planned(timezone.localtime(now).date()):
        return _("The date cannot be more than %(years)d years ahead: check the year.") % {
            "years": PLANNED_YEARS
        }
    return None


def birthday_problem(value: date, *, today: date) -> str | None:
    if not EARLIEST_BIRTHDAY <= value <= today:
        return _("A birthday lies between %(first)s and today.") % {
            "first": EARLIEST_BIRTHDAY.isoformat()
        }
    return None


@deconstructible
class DateBounds:
    """A form-field validator: `DateBounds("happened" | "planned" | "birthday")`. It reads
    the clock when it runs (a request), never at import."""

    KINDS = ("happened", "planned", "birthday")

    def __init__(self, kind: str):
        if kind not in self.KINDS:
            raise ValueError(kind)
        self.kind = kind

    def __call__(self, value) -> None:
        if value is None:
            return
        now = timezone.now()
        if self.kind == "happened":
            problem = happened_problem(value, now=now)
        elif self.kind == "planned":
            problem = planned_problem(value, now=now)
        else:
            problem = birthday_problem(_local_date(value), today=timezone.localtime(now).date())
        if problem:
            raise ValidationError(problem, code="date_out_of_bounds")

    def __eq__(self, other):
        return isinstance(other, DateBounds) and other.kind == self.kind

    def bounds(self, now: datetime) -> tuple[date, date]:
        """(first, last) allowed day, for the date picker's min/max."""
        today = timezone.localtime(now).date()
        if self.kind == "birthday":
            return EARLIEST_BIRTHDAY, today
        if self.kind == "planned":
            return EARLIEST, latest_planned(today)
        return EARLIEST, today


def parse_month(text: str, *, today: date) -> date:
    """'YYYY-MM' → the first day of that month. ValueError for anything else, and for months
    before EARLIEST or more than PLANNED_YEARS after `today` (9999-12 and 0001-01 would
    overflow the previous/next-month links)."""
    text = (text or "").strip()
    year, sep, month = text.partition("-")
    if not (
        text.isascii()
        and sep
        and len(year) == 4
        and year.isdigit()
        and len(month) == 2
        and month.isdigit()
        and 1 <= int(month) <= 12
    ):
        raise ValueError(text)
    first = date(int(year), int(month), 1)
    if not EARLIEST <= first <= latest_planned(today):
        raise ValueError(text)
    return first


def parse_page(text: str | None) -> int:
    """A page number from a query string: ASCII digits from 1 to MAX_PAGE; anything else
    (25 digits, "²", "-1", "1e9") quietly means page 1."""
    text = (text or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= 6 and 1 <= int(text) <= MAX_PAGE:
        return int(text)
    return 1


def parse_id(text) -> int | None:
    """A database id from a form or a query string: ASCII digits, 1 to MAX_ID; anything else
    (unicode digits such as "²" pass str.isdigit but not int(), 25 digits overflow SQLite and
    PostgreSQL's bigint) is None."""
    text = str(text if text is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def parse_ids(values) -> list[int]:
    """The valid ids among `values` (a QueryDict's getlist), unknown shapes dropped."""
    return [i for i in (parse_id(v) for v in values) if i is not None]
