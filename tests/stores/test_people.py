"""The store's people rules (SPEC §12; 004 二.7, 五.1, 五.5–五.6): profiles, the attendance
sheet's window, 外出登记, the designers' monthly 主材 sales, and the selectors other areas read.
Every clock is explicit; every refusal writes nothing."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from stores.models import Attendance, DesignerMonth, DesignerProfile, Outing
from stores.selectors.people import (
    absence_counts,
    attendance_on,
    day_summary,
    designers_of,
    month_figures,
    open_outings,
)
from stores.services.people import (
    PeopleError,
    attendance_record,
    designer_month_record,
    designer_profile_save,
    outing_register,
    outing_return,
)
from tests.factories import make_person

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 10, 15, 0, tzinfo=SH)  # a Wednesday
TODAY = date(2026, 6, 10)
A = Attendance.Status


def at(day, hour=9, minute=0):
    return datetime(2026, 6, day, hour, minute, tzinfo=SH)


def sheet(shop, status=A.PRESENT, **overrides):
    return [
        {"designer": d, "status": overrides.get(d.username, status), "note": ""}
        for d in shop.designers
    ]


# --- profiles ----------------------------------------------------------------------------


def test_store_manager_creates_a_profile_for_a_designer_without_one(shop):
    newcomer = make_person("s_d6", "salesperson", shop.store, position="designer")
    profile = designer_profile_save(
        actor=shop.manager,
        designer=newcomer,
        data={
            "level": shop.levels["助理设计师"],
            "school": "北京工业大学",
            "styles": ["nordic", "nordic", "modern"],
            "suited_customers": ["freelance"],
        },
        now=NOW,
    )
    assert profile.level.name == "助理设计师"
    assert profile.styles == ["nordic", "modern"]
    assert profile.school == "北京工业大学"


def test_gm_changes_a_profile(shop):
    designer_profile_save(
        actor=shop.org.gm,
        designer=shop.d3,
        data={"level": shop.levels["主任设计师"], "awards": "2025 金奖"},
        now=NOW,
    )
    profile = DesignerProfile.objects.get(user=shop.d3)
    assert profile.level.name == "主任设计师" and profile.awards == "2025 金奖"


@pytest.mark.parametrize("who", ["cm1", "d3", "consultant"])
def test_others_do_not_edit_profiles(shop, who):
    with pytest.raises(PeopleError):
        designer_profile_save(
            actor=getattr(shop, who),
            designer=shop.d3,
            data={"level": shop.levels["首席设计师"]},
            now=NOW,
        )
    assert DesignerProfile.objects.get(user=shop.d3).level.name == "设计师"


def test_other_store_manager_does_not_edit_and_unknown_styles_are_refused(shop):
    with pytest.raises(PeopleError):
        designer_profile_save(
            actor=shop.other.manager,
            designer=shop.d3,
            data={"level": shop.levels["首席设计师"]},
            now=NOW,
        )
    with pytest.raises(PeopleError):
        designer_profile_save(
            actor=shop.manager,
            designer=shop.d3,
            data={"level": shop.levels["设计师"], "styles": ["baroque"]},
            now=NOW,
        )
    with pytest.raises(PeopleError):
        designer_profile_save(
            actor=shop.manager, designer=shop.cm1, data={"level": shop.levels["设计师"]}, now=NOW
        )
    assert DesignerProfile.objects.get(user=shop.d3).styles == ["nordic"]
    assert not DesignerProfile.objects.filter(user=shop.cm1).exists()


# --- attendance ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["cm1", "manager"])
def test_customer_manager_or_store_manager_keeps_the_sheet(shop, who):
    n = attendance_record(
        actor=getattr(shop, who),
        store=shop.store,
        day=TODAY,
        rows=sheet(shop, s_d4=A.LATE),
        now=NOW,
    )
    assert n == 5
    rows = attendance_on(shop.store, TODAY)
    assert rows[shop.d4.pk].status == A.LATE and rows[shop.d1.pk].status == A.PRESENT


def test_the_gm_keeps_it_too_and_a_second_save_replaces_the_rows(shop):
    attendance_record(actor=shop.cm1, store=shop.store, day=TODAY, rows=sheet(shop), now=NOW)
    attendance_record(
        actor=shop.org.gm,
        store=shop.store,
        day=TODAY,
        rows=[{"designer": shop.d2.pk, "status": A.LEAVE, "note": "事假"}],
        now=NOW,
    )
    assert Attendance.objects.filter(day=TODAY).count() == 5
    row = Attendance.objects.get(designer=shop.d2, day=TODAY)
    assert (row.status, row.note, row.recorded_by) == (A.LEAVE, "事假", shop.org.gm)


def test_a_week_back_is_accepted(shop):
    attendance_record(
        actor=shop.cm1, store=shop.store, day=date(2026, 6, 3), rows=sheet(shop), now=NOW
    )
    assert Attendance.objects.filter(day=date(2026, 6, 3)).count() == 5


@pytest.mark.parametrize("day", [date(2026, 6, 11), date(2026, 6, 2)])
def test_future_days_and_days_over_a_week_back_are_refused(shop, day):
    with pytest.raises(PeopleError):
        attendance_record(actor=shop.cm1, store=shop.store, day=day, rows=sheet(shop), now=NOW)
    assert not Attendance.objects.exists()


def test_a_designer_of_another_store_spoils_the_whole_sheet(shop):
    rows = [*sheet(shop), {"designer": shop.other.d1, "status": A.PRESENT, "note": ""}]
    with pytest.raises(PeopleError):
        attendance_record(actor=shop.cm1, store=shop.store, day=TODAY, rows=rows, now=NOW)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("who", ["d1", "consultant", "draftsman"])
def test_designers_and_others_do_not_keep_the_sheet(shop, who):
    with pytest.raises(PeopleError):
        attendance_record(
            actor=getattr(shop, who), store=shop.store, day=TODAY, rows=sheet(shop), now=NOW
        )
    assert not Attendance.objects.exists()


def test_other_store_people_do_not_keep_the_sheet(shop):
    for actor in (shop.other.cm1, shop.other.manager):
        with pytest.raises(PeopleError):
            attendance_record(actor=actor, store=shop.store, day=TODAY, rows=sheet(shop), now=NOW)
    assert not Attendance.objects.exists()


def test_unknown_status_and_duplicates_are_refused(shop):
    bad = sheet(shop, s_d1="holiday")
    with pytest.raises(PeopleError):
        attendance_record(actor=shop.cm1, store=shop.store, day=TODAY, rows=bad, now=NOW)
    twice = [*sheet(shop), {"designer": shop.d1, "status": A.LATE, "note": ""}]
    with pytest.raises(PeopleError):
        attendance_record(actor=shop.cm1, store=shop.store, day=TODAY, rows=twice, now=NOW)
    assert not Attendance.objects.exists()


def test_absence_counts_window_of_30_days(shop):
    # 2026-05-12 is 29 days before TODAY: inside the window; 05-11 is outside.
    for day, status in [
        (date(2026, 5, 11), A.ABSENT),
        (date(2026, 5, 12), A.ABSENT),
        (date(2026, 6, 5), A.LATE),
        (date(2026, 6, 8), A.EARLY_LEAVE),
        (date(2026, 6, 9), A.LEAVE),
    ]:
        Attendance.objects.create(
            store=shop.store,
            designer=shop.d4,
            day=day,
            status=status,
            recorded_by=shop.cm1,
            recorded_at=NOW,
        )
    assert absence_counts(shop.store, today=TODAY) == {shop.d4.pk: 3}


# --- outings ---------------------------------------------------------------------------------


def test_register_an_outing_and_the_return(shop):
    outing = outing_register(
        actor=shop.cm1,
        store=shop.store,
        designer=shop.d3,
        purpose="量房",
        out_at=at(10, 10),
        now=NOW,
    )
    assert open_outings(shop.store) == {shop.d3.pk: outing}
    outing_return(actor=shop.cm2, outing=outing, back_at=at(10, 12, 30), now=NOW)
    outing.refresh_from_db()
    assert outing.back_at == at(10, 12, 30) and outing.back_recorded_by == shop.cm2
    assert open_outings(shop.store) == {}


def test_a_designer_already_out_is_refused(shop):
    outing_register(
        actor=shop.cm1,
        store=shop.store,
        designer=shop.d3,
        purpose="量房",
        out_at=at(10, 10),
        now=NOW,
    )
    with pytest.raises(PeopleError):
        outing_register(
            actor=shop.cm2,
            store=shop.store,
            designer=shop.d3,
            purpose="见客户",
            out_at=at(10, 11),
            now=NOW,
        )
    assert Outing.objects.count() == 1


def test_future_time_out_other_store_designer_and_empty_purpose_are_refused(shop):
    cases = [
        {"designer": shop.d3, "purpose": "量房", "out_at": at(10, 16)},  # after NOW
        {"designer": shop.other.d1, "purpose": "量房", "out_at": at(10, 10)},
        {"designer": shop.d3, "purpose": "  ", "out_at": at(10, 10)},
        {"designer": shop.d3, "purpose": "量房", "out_at": at(1, 10)},  # over a week back
    ]
    for case in cases:
        with pytest.raises(PeopleError):
            outing_register(actor=shop.cm1, store=shop.store, now=NOW, **case)
    with pytest.raises(PeopleError):
        outing_register(
            actor=shop.d1,
            store=shop.store,
            designer=shop.d3,
            purpose="量房",
            out_at=at(10, 10),
            now=NOW,
        )
    assert not Outing.objects.exists()


def test_return_before_out_in_the_future_or_twice_is_refused(shop):
    outing = outing_register(
        actor=shop.cm1,
        store=shop.store,
        designer=shop.d3,
        purpose="量房",
        out_at=at(10, 10),
        now=NOW,
    )
    for back_at in (at(10, 9), at(10, 16)):
        with pytest.raises(PeopleError):
            outing_return(actor=shop.cm1, outing=outing, back_at=back_at, now=NOW)
    with pytest.raises(PeopleError):
        outing_return(actor=shop.other.cm1, outing=outing, back_at=at(10, 11), now=NOW)
    outing.refresh_from_db()
    assert outing.back_at is None
    outing_return(actor=shop.cm1, outing=outing, back_at=at(10, 11), now=NOW)
    with pytest.raises(PeopleError):
        outing_return(actor=shop.cm1, outing=outing, back_at=at(10, 12), now=NOW)
    outing.refresh_from_db()
    assert outing.back_at == at(10, 11)


# --- monthly 主材 sales ----------------------------------------------------------------------


def test_store_manager_enters_a_month(shop):
    n = designer_month_record(
        actor=shop.manager,
        store=shop.store,
        month=date(2026, 5, 1),
        rows=[
            {"designer": shop.d1, "main_material_sales": Decimal("60000")},
            {"designer": shop.d2, "main_material_sales": None},  # left as it is
            {"designer": shop.d3.pk, "main_material_sales": Decimal("0")},
        ],
        now=NOW,
    )
    assert n == 2
    figures = month_figures(shop.store, date(2026, 5, 1))
    assert figures[shop.d1.pk].main_material_sales == Decimal("60000.00")
    assert figures[shop.d3.pk].main_material_sales == 0 and shop.d2.pk not in figures
    # The current month may be entered too, and a second entry replaces the figure.
    designer_month_record(
        actor=shop.org.gm,
        store=shop.store,
        month=date(2026, 5, 1),
        rows=[{"designer": shop.d1, "main_material_sales": Decimal("61000.5")}],
        now=NOW,
    )
    assert DesignerMonth.objects.get(designer=shop.d1).main_material_sales == Decimal("61000.50")


@pytest.mark.parametrize(
    "who,month,amount",
    [
        ("manager", date(2026, 7, 1), "1000"),  # a future month
        ("manager", date(2026, 5, 1), "-1"),  # below 0
        ("manager", date(2026, 5, 1), "NaN"),
        ("cm1", date(2026, 5, 1), "1000"),  # customer managers read, they do not enter
        ("d1", date(2026, 5, 1), "1000"),
    ],
)
def test_month_refusals_write_nothing(shop, who, month, amount):
    with pytest.raises(PeopleError):
        designer_month_record(
            actor=getattr(shop, who),
            store=shop.store,
            month=month,
            rows=[{"designer": shop.d1, "main_material_sales": amount}],
            now=NOW,
        )
    assert not DesignerMonth.objects.exists()


def test_month_of_another_store_designer_is_refused(shop):
    with pytest.raises(PeopleError):
        designer_month_record(
            actor=shop.manager,
            store=shop.store,
            month=date(2026, 5, 1),
            rows=[{"designer": shop.other.d1, "main_material_sales": Decimal("1")}],
            now=NOW,
        )
    assert not DesignerMonth.objects.exists()


# --- selectors -------------------------------------------------------------------------------


def test_designers_of_lists_active_designers_with_a_profile_most_senior_first(
    shop, django_assert_num_queries
):
    make_person("s_d7", "salesperson", shop.store, position="designer")  # no profile yet
    with django_assert_num_queries(1):
        designers = list(designers_of(shop.store))
        levels = [d.designer_profile.level.rank for d in designers]
    assert designers[0] == shop.d1 and designers[-1] == shop.d5
    assert levels == sorted(levels, reverse=True)
    assert shop.other.d1 not in designers and len(designers) == 5
    shop.d2.staff.status = "left"
    shop.d2.staff.save()
    assert shop.d2 not in list(designers_of(shop.store))


def test_day_summary_counts_on_duty_and_out(shop):
    attendance_record(
        actor=shop.cm1,
        store=shop.store,
        day=TODAY,
        rows=sheet(shop, s_d4=A.ABSENT, s_d5=A.LATE),
        now=NOW,
    )
    outing_register(
        actor=shop.cm1,
        store=shop.store,
        designer=shop.d3,
        purpose="量房",
        out_at=at(10, 10),
        now=NOW,
    )
    assert day_summary(shop.store, TODAY) == {
        "designers": 5,
        "recorded": 5,
        "on_duty": 4,
        "out": 1,
    }
