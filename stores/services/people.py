"""The store's people (004 一, 二.7, 五.1, 五.5–五.6; SPEC §12): designer profiles, the daily
attendance sheet, 外出登记, and the designers' monthly 主材 sales.

- A profile (level, school, work history, styles, awards, published works, suited customer
  types) is kept by the store manager or the GM; creating one is part of editing.
- Attendance: the customer managers keep it with the store manager (004 二.7 同店经理登记设计师
  平常考勤). One row per designer and day; today or up to ATTENDANCE_BACK_DAYS days back, never a
  future day, so the sheet is kept while it is fresh.
- 外出登记: a designer leaving the store is registered with the time out and, on return, the
  time back; a designer is out at most once at a time.
- 主材 sales of a month (not a future month), entered by the store manager or the GM; the
  dispatch ranking reads whether a designer reached STORE_MAIN_MATERIAL_STANDARD (004 五 选派 1).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import RuleError
from crm.models import Staff, User
from crm.validators import EARLIEST

from ..models import (
    Attendance,
    DesignerLevel,
    DesignerMonth,
    DesignerProfile,
    DesignStyle,
    Occupation,
    Outing,
)
from ..rights import may_edit_designer, may_enter_designer_months, may_keep_register
from ..selectors.common import store_people

ATTENDANCE_BACK_DAYS = 7  # the sheet of a day may be kept up to 7 days later
MAX_SALES = Decimal("999999999999.99")  # the column's 14 digits, 2 after the point


class PeopleError(RuleError):
    """The profile, attendance, outing or monthly figure cannot be recorded as asked."""


def _outing_keepers() -> str:
    return _(
        "Only the store's customer managers, its manager and the general manager register outings."
    )


def _today(now: datetime) -> date:
    return timezone.localtime(now).date()


def _store_designers(store) -> dict[int, User]:
    return {u.pk: u for u in store_people(store, Staff.Position.DESIGNER)}


def _designer_of(store, designer) -> User:
    """The active designer `designer` (a user or an id) of `store`; a designer of another store
    (or anyone else) is refused."""
    found = _store_designers(store).get(getattr(designer, "pk", designer))
    if found is None:
        raise PeopleError(_("This person is not a designer of this store."))
    return found


# --- profiles --------------------------------------------------------------------------------

PROFILE_FIELDS = (
    "level",
    "school",
    "work_history",
    "styles",
    "awards",
    "published_works",
    "suited_customers",
)


def designer_profile_save(*, actor, designer, data: dict, now: datetime) -> DesignerProfile:
    """Create or change the designer's profile (004 五.5). The store manager (or the GM) picks
    the level; styles and suited customer types are lists of DesignStyle / Occupation values."""
    staff = getattr(designer, "staff", None)
    store = staff.department if staff is not None else None
    if store is None or staff.position != Staff.Position.DESIGNER:
        raise PeopleError(_("Only a store's designers have a designer profile."))
    if not may_edit_designer(actor, store):
        raise PeopleError(_("Only the store manager and the general manager edit profiles."))
    level = data.get("level")
    if not isinstance(level, DesignerLevel):
        raise PeopleError(_("Choose the designer's level."))
    styles = list(dict.fromkeys(data.get("styles") or []))
    suited = list(dict.fromkeys(data.get("suited_customers") or []))
    if any(s not in DesignStyle.values for s in styles):
        raise PeopleError(_("Unknown design style."))
    if any(s not in Occupation.values for s in suited):
        raise PeopleError(_("Unknown customer type."))
    values = {
        "level": level,
        "school": (data.get("school") or "").strip(),
        "work_history": (data.get("work_history") or "").strip(),
        "styles": styles,
        "awards": (data.get("awards") or "").strip(),
        "published_works": (data.get("published_works") or "").strip(),
        "suited_customers": suited,
    }
    with transaction.atomic():
        profile, _created = DesignerProfile.objects.select_for_update().get_or_create(
            user=designer, defaults=values
        )
        if not _created:
            for field, value in values.items():
                setattr(profile, field, value)
            profile.save()
    return profile


# --- attendance ------------------------------------------------------------------------------


def attendance_window(now: datetime) -> tuple[date, date]:
    """(first, last) day whose sheet may be kept at `now`."""
    today = _today(now)
    return today - timedelta(days=ATTENDANCE_BACK_DAYS), today


def attendance_day_problem(day: date, *, now: datetime) -> str | None:
    first, last = attendance_window(now)
    if day > last:
        return _("Attendance cannot be recorded for a future day.")
    if day < first:
        return _("Attendance can be recorded up to %(days)d days back; %(day)s is older.") % {
            "days": ATTENDANCE_BACK_DAYS,
            "day": day.isoformat(),
        }
    return None


def attendance_record(*, actor, store, day: date, rows: list[dict], now: datetime) -> int:
    """Keep the store's attendance sheet of `day` (004 二.7, 五.6): `rows` are
    {"designer": user or id, "status": Attendance.Status, "note": str}, one per designer. Each
    designer's row of that day is created or replaced (one per designer and day). Refused as a
    whole: a future day, a day more than ATTENDANCE_BACK_DAYS back, a designer of another store,
    an unknown status. Returns the number of rows written."""
    if not may_keep_register(actor, store):
        raise PeopleError(
            _("Only the store's customer managers, its manager and the general manager keep it.")
        )
    problem = attendance_day_problem(day, now=now)
    if problem:
        raise PeopleError(problem)
    designers = _store_designers(store)
    clean: dict[int, tuple[str, str]] = {}
    for row in rows:
        key = getattr(row.get("designer"), "pk", row.get("designer"))
        if key not in designers:
            raise PeopleError(_("A designer on the sheet is not a designer of this store."))
        status = row.get("status")
        if status not in Attendance.Status.values:
            raise PeopleError(_("Choose a status for every designer."))
        note = (row.get("note") or "").strip()
        if len(note) > 200:
            raise PeopleError(_("A note is at most 200 characters."))
        if key in clean:
            raise PeopleError(_("A designer appears twice on the sheet."))
        clean[key] = (status, note)
    with transaction.atomic():
        for designer_id, (status, note) in clean.items():
            # The unique (designer, day) constraint keeps one row; update_or_create locks it.
            Attendance.objects.update_or_create(
                designer_id=designer_id,
                day=day,
                defaults={
                    "store": store,
                    "status": status,
                    "note": note,
                    "recorded_by": actor,
                    "recorded_at": now,
                },
            )
    return len(clean)


# --- outings (外出登记) ------------------------------------------------------------------------


def outing_register(
    *, actor, store, designer, purpose: str, out_at: datetime, now: datetime
) -> Outing:
    """A designer goes out (004 五.6 外出登记): not in the future, not a designer already out,
    only the store's own designers."""
    if not may_keep_register(actor, store):
        raise PeopleError(_outing_keepers())
    purpose = (purpose or "").strip()
    if not purpose:
        raise PeopleError(_("Say why the designer goes out."))
    if out_at > now:
        raise PeopleError(_("The time out cannot be in the future."))
    if _today(out_at) < _today(now) - timedelta(days=ATTENDANCE_BACK_DAYS):
        raise PeopleError(
            _("An outing can be registered up to %(days)d days back.")
            % {"days": ATTENDANCE_BACK_DAYS}
        )
    designer = _designer_of(store, designer)
    with transaction.atomic():
        # Lock the designer's row: two customer managers registering the same designer at the
        # same moment are serialised, so the "already out" check holds.
        User.objects.select_for_update().filter(pk=designer.pk).first()
        if Outing.objects.filter(designer=designer, back_at__isnull=True).exists():
            raise PeopleError(
                _("%(name)s is already out; record the return first.") % {"name": designer}
            )
        return Outing.objects.create(
            store=store,
            designer=designer,
            purpose=purpose,
            out_at=out_at,
            recorded_by=actor,
            recorded_at=now,
        )


def outing_return(*, actor, outing: Outing, back_at: datetime, now: datetime) -> Outing:
    """The designer is back: once, not before the time out, not in the future."""
    if not may_keep_register(actor, outing.store_id):
        raise PeopleError(_outing_keepers())
    if back_at > now:
        raise PeopleError(_("The time back cannot be in the future."))
    with transaction.atomic():
        outing = Outing.objects.select_for_update().get(pk=outing.pk)
        if outing.back_at is not None:
            raise PeopleError(_("The return was already recorded."))
        if back_at < outing.out_at:
            raise PeopleError(_("The time back cannot be before the time out."))
        outing.back_at = back_at
        outing.back_recorded_by = actor
        outing.back_recorded_at = now
        outing.save()
    return outing


# --- monthly 主材 sales -----------------------------------------------------------------------


def month_problem(month: date, *, now: datetime) -> str | None:
    today = _today(now)
    if month > today.replace(day=1):
        return _("Sales cannot be entered for a future month.")
    if month < EARLIEST:
        return _("Sales cannot be entered for a month before %(year)d.") % {"year": EARLIEST.year}
    return None


def designer_month_record(*, actor, store, month: date, rows: list[dict], now: datetime) -> int:
    """Enter the designers' 主材 sales of `month` (004 五 选派 1): `rows` are
    {"designer": user or id, "main_material_sales": Decimal or None}; None leaves a designer's
    figure as it is. Yuan, at least 0; the month's first day; not a future month. Returns the
    number of figures written."""
    if not may_enter_designer_months(actor, store):
        raise PeopleError(_("Only the store manager and the general manager enter sales."))
    month = month.replace(day=1)
    problem = month_problem(month, now=now)
    if problem:
        raise PeopleError(problem)
    designers = _store_designers(store)
    clean: dict[int, Decimal] = {}
    for row in rows:
        key = getattr(row.get("designer"), "pk", row.get("designer"))
        if key not in designers:
            raise PeopleError(_("A designer on the sheet is not a designer of this store."))
        amount = row.get("main_material_sales")
        if amount is None or amount == "":
            continue
        try:
            amount = Decimal(str(amount))
        except InvalidOperation:
            raise PeopleError(_("Sales are an amount in yuan.")) from None
        if not amount.is_finite() or amount < 0 or amount > MAX_SALES:
            raise PeopleError(_("Sales are an amount in yuan, 0 or more."))
        clean[key] = amount.quantize(Decimal("0.01"))
    with transaction.atomic():
        for designer_id, amount in clean.items():
            DesignerMonth.objects.update_or_create(
                designer_id=designer_id,
                month=month,
                defaults={
                    "main_material_sales": amount,
                    "recorded_by": actor,
                    "recorded_at": now,
                },
            )
    return len(clean)
