"""The activity summary (issue 19): what the company overview counts per department and month
— follow-ups (amendments excluded) and those of kind 咨询来电, deals, inquiry calls by their
author's current department; reclaims and confiscations by the department the event names —
read from `ActivityMonth` up to the watermark plus the rows after it, counted live.

The source rows are append-only (a correction is a new row), so a row's month and author never
change after the build: the summary is exact for every id up to the watermark, and the rows
after it — found by a primary-key range scan, a day's writes — are grouped live. A backdated
row (occurred in an earlier month, written after the build) is such a row. The department is
joined from `crm.Staff` when reading, so a person's move counts at once, as live.

Consistency: each reader makes two statements. The first reads the summary and the watermark
together (one snapshot); the second counts the rows after that watermark. A build that commits
in between changes neither: the rows after the old watermark are all still there. A scope or
month with no summary row reads no watermark and counts everything live, which is right too:
nothing of it was summarised.

The build (`summary_build`, nightly and `manage.py summaries_build`) rebuilds the whole table in
one transaction. Its watermark is read under a short SHARE lock of the four source tables on
PostgreSQL: in-flight writers finish first, so every id up to the watermark is committed (or
never will be) — an id taken before the build but committed after it cannot fall between."""

import time
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    DateField,
    F,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, TruncMonth

from crm.calendar import SHANGHAI

from .models import (
    ActivityMonth,
    ActivityWatermark,
    Deal,
    FollowUp,
    InquiryCall,
    OwnershipEvent,
    OwnershipKind,
)

RECLAIM_KINDS = (OwnershipKind.RECLAIM, OwnershipKind.CONFISCATION)
COUNTS = ("followups", "inquiry_followups", "deals", "inquiries", "reclaimed")
# The watermark's columns, in the order of the sources below.
MARKS = ("followup_id", "deal_id", "inquiry_id", "event_id")
# The SHARE lock waits for in-flight writers; a writer stuck longer fails the build, not them.
LOCK_TIMEOUT = "30s"


@dataclass
class Activity:
    followups: int = 0
    inquiry_followups: int = 0  # follow-ups of kind 咨询来电
    deals: int = 0
    inquiries: int = 0  # InquiryCall rows
    reclaimed: int = 0

    def add(self, row: dict) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))


def _month(column: str):
    """The Asia/Shanghai month of `column` as a date (the same type as `ActivityMonth.month`)."""
    return Cast(TruncMonth(column, tzinfo=SHANGHAI), DateField())


def _zero():
    return Value(0, output_field=IntegerField())


def _null():
    # Typed: PostgreSQL cannot match an untyped NULL with a bigint across a UNION.
    return Cast(Value(None), BigIntegerField())


def _sources(marks: dict[str, int], *, upto: bool) -> list:
    """The four sources' rows after the watermark (`upto`: up to it), each annotated with its
    counts: (queryset, author expression, department expression, month expression, counts)."""
    cmp = "lte" if upto else "gt"
    one = Count("pk")
    return [
        (
            FollowUp.objects.filter(amends__isnull=True, **{f"pk__{cmp}": marks["followup_id"]}),
            "author",
            {"followups": one, "inquiry_followups": Count("pk", filter=Q(kind="inquiry"))},
        ),
        (Deal.objects.filter(**{f"pk__{cmp}": marks["deal_id"]}), "author", {"deals": one}),
        (
            InquiryCall.objects.filter(**{f"pk__{cmp}": marks["inquiry_id"]}),
            "author",
            {"inquiries": one},
        ),
        (
            OwnershipEvent.objects.filter(
                kind__in=RECLAIM_KINDS, **{f"pk__{cmp}": marks["event_id"]}
            ),
            "department",
            {"reclaimed": one},
        ),
    ]


def _shape(queryset, keys: dict, counts: dict):
    """`queryset` grouped by `keys`, with the five count columns in one order (zero where the
    source has none): the parts of a UNION ALL."""
    return (
        queryset.order_by()
        .annotate(**keys)
        .values(*keys)
        .annotate(**{name: counts.get(name, _zero()) for name in COUNTS})
    )


def _union(parts):
    return parts[0].union(*parts[1:], all=True)


# --- reading ---------------------------------------------------------------------------------


def _summary_and_marks(queryset, key) -> tuple[dict, dict[str, int]]:
    """Summary sums per `key` and the watermark, in one statement.

    The watermark row is read even when no summary row matches (a month not built yet — the
    first days of every month — or a scope with nothing summarised): the summary holds every
    source row up to it, so the live part still starts after it, a primary-key range of a
    day's writes, instead of counting the scope's whole history by author (issue 19: 45 ms for
    the company's 220 departments on the 1st). One statement: a build committing meanwhile
    cannot pair a new watermark with old sums."""
    rows = (
        queryset.order_by()
        .annotate(k=key)
        .values("k")
        .annotate(**{name: Sum(name) for name in COUNTS})
    )
    found: dict = {}
    watermark = dict.fromkeys(MARKS, 0)
    try:
        inner, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return found, watermark
    table = connection.ops.quote_name(ActivityWatermark._meta.db_table)
    sums = ", ".join(f"s.{name}" for name in COUNTS)
    marks = ", ".join(f"w.{m}" for m in MARKS)
    sql = (
        f"SELECT s.k, {sums}, {marks} FROM {table} w LEFT JOIN ({inner}) s ON 1 = 1 WHERE w.id = 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    for row in fetched:
        values = dict(zip(("k", *COUNTS, *MARKS), row, strict=True))
        watermark = {m: values[m] or 0 for m in MARKS}
        if all(values[name] is None for name in COUNTS):
            continue  # the watermark alone: no summary row matched
        k = values["k"]
        if isinstance(k, str):  # SQLite returns the month as text through a raw cursor
            k = date.fromisoformat(k)
        found.setdefault(k, Activity()).add(values)
    return found, watermark


def _delta(found: dict, watermark: dict, *, key_of, scope, start, end) -> dict:
    """Add the rows after `watermark` in [start, end) to `found`, keyed by `key_of(kind)`."""
    parts = []
    for queryset, who, counts in _sources(watermark, upto=False):
        at = "at" if who == "department" else "occurred_at"
        queryset = queryset.filter(**{f"{at}__gte": start, f"{at}__lt": end})
        if scope is not None:
            column = "department_id" if who == "department" else "author__staff__department_id"
            queryset = queryset.filter(**{f"{column}__in": scope})
        parts.append(_shape(queryset, {"k": key_of(who, at)}, counts))
    for row in _union(parts):
        k = row["k"]
        if isinstance(k, datetime):  # defensive: a backend returning the month as a datetime
            k = k.date()
        found.setdefault(k, Activity()).add(row)
    return found


def _department_key(who: str, at: str):
    return F("department_id") if who == "department" else F("author__staff__department_id")


def _month_key(who: str, at: str):
    return _month(at)


def _summary_department():
    return Coalesce("author__staff__department_id", "department_id")


def activity_by_department(
    department_ids: list[int], *, start: datetime, end: datetime, month: date
) -> dict[int, Activity]:
    """Each department's activity in `month` ([start, end) are its Asia/Shanghai bounds)."""
    summary = ActivityMonth.objects.annotate(d=_summary_department()).filter(
        month=month, d__in=department_ids
    )
    found, watermark = _summary_and_marks(summary, F("d"))
    return _delta(
        found, watermark, key_of=_department_key, scope=department_ids, start=start, end=end
    )


def activity_by_month(
    department_ids: list[int] | None, *, first: date, last: date, start: datetime, end: datetime
) -> dict[date, Activity]:
    """The activity of `department_ids` (None: everything, rows of no department included)
    per month from `first` to `last` ([start, end) are their Asia/Shanghai bounds)."""
    summary = ActivityMonth.objects.filter(month__gte=first, month__lte=last)
    if department_ids is not None:
        summary = summary.annotate(d=_summary_department()).filter(d__in=department_ids)
    found, watermark = _summary_and_marks(summary, F("month"))
    return _delta(found, watermark, key_of=_month_key, scope=department_ids, start=start, end=end)


# --- building --------------------------------------------------------------------------------


def _current_marks() -> dict[str, int]:
    """The highest id of each source table, with every lower id committed (see the module)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            tables = ", ".join(
                connection.ops.quote_name(m._meta.db_table)
                for m in (FollowUp, Deal, InquiryCall, OwnershipEvent)
            )
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                cursor.execute(f"LOCK TABLE {tables} IN SHARE MODE")
        return {
            mark: model.objects.aggregate(m=Max("pk"))["m"] or 0
            for mark, model in zip(
                MARKS, (FollowUp, Deal, InquiryCall, OwnershipEvent), strict=True
            )
        }


def summary_build(*, now: datetime) -> ActivityWatermark:
    """Rebuild `ActivityMonth` from every source row up to the current watermark, and record
    that watermark; one transaction (readers see the old summary until it commits). Running it
    twice gives the same table."""
    began = time.monotonic()
    marks = _current_marks()
    parts = [
        _shape(
            queryset,
            {
                "m": _month("at" if who == "department" else "occurred_at"),
                "a": _null() if who == "department" else F("author_id"),
                "dep": F("department_id") if who == "department" else _null(),
            },
            counts,
        )
        for queryset, who, counts in _sources(marks, upto=True)
    ]
    select, params = _union(parts).query.sql_with_params()
    columns = ", ".join(f"SUM({c})" for c in COUNTS)
    table = ActivityMonth._meta.db_table
    with transaction.atomic():
        # One builder at a time: a second waits here, then rebuilds from its own watermark.
        mark, _ = ActivityWatermark.objects.get_or_create(pk=1, defaults={"built_at": now})
        mark = ActivityWatermark.objects.select_for_update().get(pk=1)
        ActivityMonth.objects.all().delete()  # one DELETE: nothing refers to these rows
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (month, author_id, department_id, {', '.join(COUNTS)}) "
                # In month order: a month's rows share a few pages (the page reads one month).
                f"SELECT m, a, dep, {columns} FROM ({select}) parts GROUP BY m, a, dep "
                "ORDER BY m, a",
                params,
            )
        for name, value in marks.items():
            setattr(mark, name, value)
        mark.built_at = now
        mark.seconds = round(time.monotonic() - began, 3)
        mark.save()
    return mark
