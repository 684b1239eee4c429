"""Reads of the store's people (004 一, 五.5–五.6; SPEC §12): its designers and their profiles,
the day's attendance, who is out now, the designers' monthly 主材 figures. Other areas (the
dispatch ranking, the monthly review, the start page) read through these."""

from datetime import date, timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.http import Http404

from crm.models import Staff, User
from crm.validators import parse_id

from ..models import Attendance, DesignerMonth, Outing
from .common import store_for, store_people

P = Staff.Position

# Attendance statuses that count towards "repeated absence" (004 五.6 常常旷工迟到早退).
ABSENCE_STATUSES = (
    Attendance.Status.ABSENT,
    Attendance.Status.LATE,
    Attendance.Status.EARLY_LEAVE,
)
ON_DUTY_STATUSES = (Attendance.Status.PRESENT, Attendance.Status.LATE)
OUTINGS_DAYS = 30  # the outing list shows the last 30 days


def store_designers(store) -> QuerySet[User]:
    """Every active designer of the store, with or without a profile (the attendance sheet),
    with the profile and its level when there is one."""
    return store_people(store, P.DESIGNER).select_related("designer_profile__level")


def designers_of(store) -> QuerySet[User]:
    """Active designers of the store who have a profile (the ones that can be dispatched),
    most senior first; `designer.designer_profile.level` costs no query."""
    return (
        store_designers(store)
        .filter(designer_profile__isnull=False)
        .order_by("-designer_profile__level__rank", "username")
    )


def designer_for(user, pk) -> tuple[User, object]:
    """(designer, their store) when `pk` is an active or former designer of a store `user`
    sees; else 404."""
    pk = parse_id(pk)
    if pk is None:
        raise Http404
    designer = (
        User.objects.filter(pk=pk, staff__position=P.DESIGNER, staff__department__isnull=False)
        .select_related("staff__department", "designer_profile__level")
        .first()
    )
    if designer is None:
        raise Http404
    store = store_for(user, designer.staff.department_id)
    return designer, store


def attendance_on(store, day: date) -> dict[int, Attendance]:
    """The store's attendance rows of `day`, by designer id (one query)."""
    rows = Attendance.objects.filter(store=store, day=day).select_related("recorded_by")
    return {a.designer_id: a for a in rows}


def open_outings(store) -> dict[int, Outing]:
    """The store's designers who are out now (an outing without a time back), by designer id."""
    rows = Outing.objects.filter(store=store, back_at__isnull=True).order_by("out_at", "pk")
    return {o.designer_id: o for o in rows}


def outings_since(store, since: date) -> QuerySet[Outing]:
    """The store's outings that started on or after `since` (local day), open ones first,
    then newest first."""
    from crm.calendar import day_start

    return (
        Outing.objects.filter(store=store, out_at__gte=day_start(since))
        .select_related("designer", "recorded_by", "back_recorded_by")
        .annotate(is_open=ExpressionWrapper(Q(back_at__isnull=True), output_field=BooleanField()))
        .order_by("-is_open", "-out_at", "-pk")
    )


def absence_counts(store, *, today: date, days: int = 30) -> dict[int, int]:
    """Absences, late arrivals and early leaves of each designer of the store in the `days`
    days up to `today` inclusive (004 五.6: no dispatch for repeated absence)."""
    rows = (
        Attendance.objects.filter(
            store=store,
            day__gt=today - timedelta(days=days),
            day__lte=today,
            status__in=ABSENCE_STATUSES,
        )
        .values("designer_id")
        .annotate(n=Count("pk"))
    )
    return {r["designer_id"]: r["n"] for r in rows}


def month_figures(store, month: date) -> dict[int, DesignerMonth]:
    """The designers' 主材 figures of `month` (its first day), by designer id: the designers of
    the store now, whichever store they sold in."""
    ids = store_people(store, P.DESIGNER).values("pk")
    return {m.designer_id: m for m in DesignerMonth.objects.filter(month=month, designer__in=ids)}


def day_summary(store, day: date) -> dict:
    """The start page's figures: designers, on duty today (present or late), out now."""
    designers = list(store_designers(store).values_list("pk", flat=True))
    rows = attendance_on(store, day)
    return {
        "designers": len(designers),
        "recorded": sum(1 for d in designers if d in rows),
        "on_duty": sum(1 for d in designers if d in rows and rows[d].status in ON_DUTY_STATUSES),
        "out": len([d for d in open_outings(store) if d in designers]),
    }
