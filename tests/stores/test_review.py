"""客户经理月度考核 (004 四; SPEC §12, §4): each part of the score with explicit dates, the
floors and the total, who may score, adjust and confirm (refusals write nothing), the monthly
run with its catch-up, the command, the export's content and the demo seeder."""

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from allocation.models import JobRun
from crm.calendar import is_workday
from customers.services.records import followup_log
from stores.models import Attendance, MonthlyReview, Outing, Visit
from stores.services.review import (
    REVIEW_JOB,
    ReviewError,
    review_adjust,
    review_compute,
    review_confirm,
    review_month_run,
    review_monthly_run,
    review_score_service,
)
from stores.tasks import store_reviews_monthly
from stores.views.review import export_header
from tests.factories import make_person, register
from tests.stores.conftest import R

SH = ZoneInfo("Asia/Shanghai")
NOV = date(2026, 11, 1)
DEC1 = datetime(2026, 12, 1, 6, 40, tzinfo=SH)
GOOD = "电话回访，客户对设计方案满意，约定下周到店确认材料。"


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SH)


def working_days(month_start=NOV):
    day, out = month_start, []
    while day.month == month_start.month:
        if is_workday(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def keep_attendance(shop, *, skip=()):
    """Attendance for every designer of S on every working day of November, except `skip`
    ((designer, day) pairs)."""
    rows = [
        Attendance(
            store=shop.store,
            designer=d,
            day=day,
            status=Attendance.Status.PRESENT,
            recorded_by=shop.cm1,
            recorded_at=datetime.combine(day, datetime.min.time(), SH) + timedelta(hours=9),
        )
        for d in shop.designers
        for day in working_days()
        if (d, day) not in skip
    ]
    Attendance.objects.bulk_create(rows)


def visit(shop, *, by, when, name="王先生", incomplete=False, late=False):
    return Visit.objects.create(
        store=shop.store,
        occurred_at=when,
        visitor_name=name,
        source="walk_in",
        recorded_by=by,
        recorded_at=when,
        is_incomplete=incomplete,
        is_late_entry=late,
    )


def outing(shop, *, by, out, back_recorded=None, designer=None):
    return Outing.objects.create(
        store=shop.store,
        designer=designer or shop.d1,
        out_at=out,
        back_at=back_recorded,
        purpose="量房",
        recorded_by=by,
        recorded_at=out,
        back_recorded_by=by if back_recorded else None,
        back_recorded_at=back_recorded,
    )


def review_of(user, month=NOV) -> MonthlyReview:
    return MonthlyReview.objects.get(customer_manager=user, month=month)


@pytest.fixture
def kept(shop):
    """Store S with every designer's attendance kept all November."""
    keep_attendance(shop)
    return shop


# --- the parts of the score --------------------------------------------------------------


@pytest.mark.django_db
def test_clean_month_scores_full_marks_and_service_counts_zero_until_scored(kept):
    reviews = review_compute(month_start=NOV, now=DEC1)
    assert {r.customer_manager for r in reviews} == {
        kept.cm1,
        kept.cm2,
        kept.other.cm1,
        kept.other.cm2,
    }  # every store's customer managers, nobody else
    r = review_of(kept.cm1)
    assert (r.info_score, r.followup_score, r.attendance_score) == (30, 30, 20)
    assert r.service_score is None
    assert r.total == 80
    assert r.store == kept.store
    assert r.details == {"info": [], "followup": [], "attendance": []}


@pytest.mark.django_db
def test_info_management_incomplete_and_late_lines(kept):
    visit(kept, by=kept.cm1, when=at(3), incomplete=True)
    visit(kept, by=kept.cm1, when=at(4), name="", late=True)
    visit(kept, by=kept.cm1, when=at(5), name="李女士", incomplete=True, late=True)  # costs 2
    visit(kept, by=kept.cm1, when=at(6))  # a good line costs nothing
    visit(kept, by=kept.cm2, when=at(6), incomplete=True)  # cm2's, not cm1's
    visit(kept, by=kept.cm1, when=at(1, month=12), incomplete=True)  # December
    visit(kept, by=kept.cm1, when=datetime(2026, 10, 31, 23, 30, tzinfo=SH), late=True)  # October
    review_compute(month_start=NOV, now=DEC1)
    r = review_of(kept.cm1)
    assert r.info_score == 26
    items = r.details["info"]
    assert [(i["code"], i["points"], i["day"], i["names"]) for i in items] == [
        ("incomplete", 1, "2026-11-03", ["王先生"]),
        ("late", 1, "2026-11-04", [""]),
        ("incomplete_late", 2, "2026-11-05", ["李女士"]),
    ]
    assert review_of(kept.cm2).info_score == 29


@pytest.mark.django_db
def test_info_management_is_floored_at_zero(kept):
    for day in range(2, 20):
        visit(kept, by=kept.cm1, when=at(day), incomplete=True, late=True)  # 18 × 2 = 36
    review_compute(month_start=NOV, now=DEC1)
    assert review_of(kept.cm1).info_score == 0


@pytest.mark.django_db
def test_followup_frequency_counts_missing_follow_ups_under_the_quotas(kept):
    jan = datetime(2026, 1, 15, 10, tzinfo=SH)
    a = register(kept.cm1, now=jan, intent_grade="A", name="甲客户")
    d = register(kept.cm1, now=jan, intent_grade="D", name="丁客户")
    assert a.holder == kept.cm1 and d.holder == kept.cm1
    for day in (3, 10):  # A: 2 of 4 → 2 missing
        followup_log(
            actor=kept.cm1,
            customer=a,
            data={"kind": "callback", "occurred_at": at(day), "content": GOOD},
            now=at(day, 11),
        )
    followup_log(  # D: 1 of 1 → none missing
        actor=kept.cm1,
        customer=d,
        data={"kind": "callback", "occurred_at": at(12), "content": GOOD},
        now=at(12, 11),
    )
    register(kept.cm2, now=jan, intent_grade="C")  # cm2: C with none → 2 missing
    review_compute(month_start=NOV, now=DEC1)
    r = review_of(kept.cm1)
    assert r.followup_score == 28
    assert [
        (i["names"], i["grade"], i["done"], i["quota"], i["points"]) for i in r.details["followup"]
    ] == [(["甲客户"], "A", 2, 4, 2)]
    assert review_of(kept.cm2).followup_score == 28


@pytest.mark.django_db
def test_followup_frequency_is_floored_at_zero(kept):
    jan = datetime(2026, 1, 15, 10, tzinfo=SH)
    for _ in range(8):  # 8 A-grade customers without a follow-up: 32 missing
        register(kept.cm1, now=jan, intent_grade="A")
    review_compute(month_start=NOV, now=DEC1)
    r = review_of(kept.cm1)
    assert r.followup_score == 0
    assert sum(i["points"] for i in r.details["followup"]) == 32


@pytest.mark.django_db
def test_attendance_gaps_are_carried_by_every_customer_manager_of_the_store(shop):
    days = working_days()
    keep_attendance(shop, skip={(shop.d2, days[0]), (shop.d3, days[0]), (shop.d4, days[5])})
    review_compute(month_start=NOV, now=DEC1)
    for cm in (shop.cm1, shop.cm2):
        r = review_of(cm)
        assert r.attendance_score == 18  # two days with a gap, each −1
        items = r.details["attendance"]
        assert [(i["code"], i["day"], len(i["names"])) for i in items] == [
            ("attendance", days[0].isoformat(), 2),
            ("attendance", days[5].isoformat(), 1),
        ]
        assert items[0]["names"] == [shop.d2.display_name, shop.d3.display_name]
    assert review_of(shop.other.cm1).attendance_score == 0  # T kept nothing: floored


@pytest.mark.django_db
def test_attendance_ignores_days_off_and_designers_not_yet_hired(shop):
    keep_attendance(shop)
    late_hire = make_person("s_d6", R.SALESPERSON, shop.store, position="designer")
    late_hire.staff.hire_date = date(2026, 11, 30)
    late_hire.staff.save()
    Attendance.objects.create(  # the 30th kept; the days before they were hired owe nothing
        store=shop.store,
        designer=late_hire,
        day=date(2026, 11, 30),
        status="present",
        recorded_by=shop.cm1,
        recorded_at=at(30),
    )
    assert not is_workday(date(2026, 11, 1))  # a Sunday: nothing owed
    review_compute(month_start=NOV, now=DEC1)
    assert review_of(shop.cm1).attendance_score == 20


@pytest.mark.django_db
def test_outing_return_not_recorded_by_the_end_of_the_day(kept):
    outing(kept, by=kept.cm1, out=at(3, 10), back_recorded=at(3, 16))  # fine
    outing(kept, by=kept.cm1, out=at(4, 10))  # never recorded: −1
    outing(kept, by=kept.cm1, out=at(5, 15), back_recorded=at(6, 9))  # next day: −1
    outing(kept, by=kept.cm2, out=at(5, 15))  # cm2's
    review_compute(month_start=NOV, now=DEC1)
    r = review_of(kept.cm1)
    assert r.attendance_score == 18
    assert [(i["code"], i["day"]) for i in r.details["attendance"]] == [
        ("outing_open", "2026-11-04"),
        ("outing_late", "2026-11-05"),
    ]
    assert review_of(kept.cm2).attendance_score == 19


@pytest.mark.django_db
def test_total_adds_the_parts_the_service_score_and_the_adjustment(kept):
    visit(kept, by=kept.cm1, when=at(3), incomplete=True)
    outing(kept, by=kept.cm1, out=at(4))
    (r,) = [x for x in review_compute(month_start=NOV, now=DEC1) if x.customer_manager == kept.cm1]
    assert r.total == 29 + 30 + 19
    r = review_score_service(actor=kept.manager, review=r, score=18, now=DEC1)
    assert r.total == 96
    r = review_adjust(actor=kept.org.gm, review=r, points=4, reason="顾客公开表扬", now=DEC1)
    assert r.total == 100


@pytest.mark.django_db
def test_a_month_not_ended_is_not_computed(kept):
    with pytest.raises(ReviewError):
        review_compute(month_start=NOV, now=datetime(2026, 11, 30, 23, 0, tzinfo=SH))
    assert not MonthlyReview.objects.exists()


@pytest.mark.django_db
def test_left_before_the_month_is_not_reviewed(kept):
    kept.cm2.staff.status = "left"
    kept.cm2.staff.status_effective_at = datetime(2026, 10, 20, tzinfo=SH)
    kept.cm2.staff.save()
    review_compute(month_start=NOV, now=DEC1)
    assert not MonthlyReview.objects.filter(customer_manager=kept.cm2).exists()
    assert MonthlyReview.objects.filter(customer_manager=kept.cm1).exists()


# --- re-runs, the monthly run, the command ----------------------------------------------


@pytest.mark.django_db
def test_rerun_recomputes_but_keeps_the_service_score_and_never_touches_a_confirmed_one(kept):
    review_compute(month_start=NOV, now=DEC1)
    r1 = review_score_service(actor=kept.manager, review=review_of(kept.cm1), score=15, now=DEC1)
    r2 = review_score_service(actor=kept.manager, review=review_of(kept.cm2), score=20, now=DEC1)
    review_confirm(actor=kept.org.gm, review=r2, now=DEC1)
    visit(kept, by=kept.cm1, when=at(3), incomplete=True)  # entered after the first run
    visit(kept, by=kept.cm2, when=at(3), incomplete=True)
    later = DEC1 + timedelta(days=2)
    review_compute(month_start=NOV, now=later)
    r1, r2 = review_of(kept.cm1), review_of(kept.cm2)
    assert (r1.info_score, r1.service_score, r1.computed_at) == (29, 15, later)
    assert (r2.info_score, r2.computed_at) == (30, DEC1)  # confirmed: unchanged
    assert MonthlyReview.objects.count() == 2 + 2  # one per manager and month (S and T)


@pytest.mark.django_db
def test_task_on_the_first_computes_last_month_and_running_twice_changes_nothing(kept):
    import time_machine

    with time_machine.travel(DEC1, tick=False):
        assert store_reviews_monthly() == 4  # S's two and T's two customer managers
        assert set(MonthlyReview.objects.values_list("month", flat=True)) == {NOV}
        first = list(MonthlyReview.objects.values_list("pk", "computed_at").order_by("pk"))
        visit(kept, by=kept.cm1, when=at(3), incomplete=True)
        assert store_reviews_monthly() == 0
    assert list(MonthlyReview.objects.values_list("pk", "computed_at").order_by("pk")) == first
    assert review_of(kept.cm1).info_score == 30
    assert JobRun.objects.filter(policy=REVIEW_JOB, finished_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_catch_up_computes_each_missing_month_once_at_most_three_back(kept):
    review_month_run(month_start=date(2026, 6, 1), now=datetime(2026, 7, 1, 6, 40, tzinfo=SH))
    run = review_monthly_run(now=DEC1)  # July–October missed: only the last three and November
    assert run.months == [date(2026, 9, 1), date(2026, 10, 1), NOV]
    assert review_monthly_run(now=DEC1 + timedelta(hours=1)).months == []
    months = set(MonthlyReview.objects.values_list("month", flat=True))
    assert months == {date(2026, 6, 1), date(2026, 9, 1), date(2026, 10, 1), NOV}


@pytest.mark.django_db
def test_first_run_ever_computes_only_last_month(kept):
    assert review_monthly_run(now=DEC1).months == [NOV]


@pytest.mark.django_db
def test_command_recomputes_a_month_and_refuses_a_bad_one(kept):
    import time_machine
    from django.core.management.base import CommandError

    with time_machine.travel(DEC1 + timedelta(days=3), tick=False):
        call_command("store_reviews", "--month", "2026-11")
        assert MonthlyReview.objects.filter(month=NOV).count() == 4
        visit(kept, by=kept.cm1, when=at(3), incomplete=True)
        call_command("store_reviews", "--month", "2026-11")
        assert review_of(kept.cm1).info_score == 29
        with pytest.raises(CommandError):
            call_command("store_reviews", "--month", "2026-13")
        with pytest.raises(CommandError):
            call_command("store_reviews", "--month", "2026-12")  # not ended
        call_command("store_reviews")  # November done already: nothing new
    assert MonthlyReview.objects.count() == 4


# --- rights -----------------------------------------------------------------------------


def _snapshot():
    return list(
        MonthlyReview.objects.values_list(
            "service_score", "adjustment", "adjustment_reason", "confirmed_at"
        ).order_by("pk")
    )


@pytest.mark.django_db
def test_only_the_store_manager_or_the_gm_scores_the_service(kept):
    review_compute(month_start=NOV, now=DEC1)
    r = review_of(kept.cm1)
    before = _snapshot()
    for actor in (
        kept.cm1,
        kept.cm2,
        kept.d1,
        kept.consultant,
        kept.other.manager,
        kept.org.manager_a,
    ):
        with pytest.raises(ReviewError):
            review_score_service(actor=actor, review=r, score=10, now=DEC1)
    for bad in (-1, 21, None, "18", 1.5, True):
        with pytest.raises(ReviewError):
            review_score_service(actor=kept.manager, review=r, score=bad, now=DEC1)
    assert _snapshot() == before
    assert review_score_service(actor=kept.org.gm, review=r, score=20, now=DEC1).service_score == 20
    r = review_score_service(actor=kept.manager, review=r, score=0, now=DEC1)
    assert (r.service_score, r.service_scored_by) == (0, kept.manager)


@pytest.mark.django_db
def test_only_the_gm_adjusts_with_a_reason_and_within_the_bounds(kept):
    review_compute(month_start=NOV, now=DEC1)
    r = review_of(kept.cm1)  # 80 before the service score
    before = _snapshot()
    for actor in (kept.manager, kept.cm1, kept.org.manager_a):
        with pytest.raises(ReviewError):
            review_adjust(actor=actor, review=r, points=5, reason="表扬", now=DEC1)
    for points, reason in (
        (5, ""),
        (5, "   "),
        (101, "x"),
        (-101, "x"),
        (21, "x"),
        (-81, "x"),
        (None, "x"),
        ("5", "x"),
    ):
        with pytest.raises(ReviewError):
            review_adjust(actor=kept.org.gm, review=r, points=points, reason=reason, now=DEC1)
    assert _snapshot() == before
    r = review_adjust(actor=kept.org.gm, review=r, points=-80, reason="严重违纪", now=DEC1)
    assert r.total == 0
    r = review_adjust(actor=kept.org.gm, review=r, points=20, reason="顾客公开表扬", now=DEC1)
    assert (r.adjustment, r.adjustment_reason, r.total) == (20, "顾客公开表扬", 100)


@pytest.mark.django_db
def test_only_the_gm_confirms_once_the_service_is_scored_and_then_nothing_changes(kept):
    review_compute(month_start=NOV, now=DEC1)
    r = review_of(kept.cm1)
    with pytest.raises(ReviewError):  # not scored yet
        review_confirm(actor=kept.org.gm, review=r, now=DEC1)
    review_score_service(actor=kept.manager, review=r, score=18, now=DEC1)
    for actor in (kept.manager, kept.cm1, kept.org.manager_a):
        with pytest.raises(ReviewError):
            review_confirm(actor=actor, review=r, now=DEC1)
    assert review_of(kept.cm1).confirmed_at is None
    r = review_confirm(actor=kept.org.gm, review=r, now=DEC1)
    assert (r.confirmed_by, r.confirmed_at) == (kept.org.gm, DEC1)
    before = _snapshot()
    with pytest.raises(ReviewError):
        review_confirm(actor=kept.org.gm, review=r, now=DEC1)
    with pytest.raises(ReviewError):
        review_score_service(actor=kept.manager, review=r, score=10, now=DEC1)
    with pytest.raises(ReviewError):
        review_adjust(actor=kept.org.gm, review=r, points=1, reason="x", now=DEC1)
    assert _snapshot() == before


# --- pages and the export ---------------------------------------------------------------


@pytest.mark.django_db
def test_list_scopes_per_role(kept, client):
    review_compute(month_start=NOV, now=DEC1)
    url = reverse("stores:review_list") + "?month=2026-11"
    seen = {}
    for user in (kept.manager, kept.cm1, kept.org.gm, kept.other.manager):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        seen[user.username] = {r.customer_manager.username for r in response.context["rows"]}
    assert seen["s_manager"] == {"s_cm1", "s_cm2"}
    assert seen["s_cm1"] == {"s_cm1"}
    assert seen["gm"] == {"s_cm1", "s_cm2", "t_cm1", "t_cm2"}
    assert seen["t_manager"] == {"t_cm1", "t_cm2"}
    client.force_login(kept.org.gm)
    response = client.get(url + f"&store={kept.store.pk}")
    assert {r.store for r in response.context["rows"]} == {kept.store}
    client.force_login(kept.manager)
    assert client.get(url + f"&store={kept.other.store.pk}").status_code == 404
    response = client.get(reverse("stores:review_list") + "?month=2026-99")  # a message, no 500
    assert response.status_code == 200


@pytest.mark.django_db
def test_detail_shows_the_deductions_and_the_forms_the_viewer_may_use(kept, client):
    visit(kept, by=kept.cm1, when=at(3), name="", incomplete=True)
    review_compute(month_start=NOV, now=DEC1)
    r = review_of(kept.cm1)
    url = reverse("stores:review_detail", args=[r.pk])
    client.force_login(kept.manager)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="score-form"' in page and 'data-testid="adjust-form"' not in page
    assert "2026-11-03" in page
    client.force_login(kept.org.gm)
    page = client.get(url).content.decode()
    assert 'data-testid="adjust-form"' in page and 'data-testid="confirm-form"' in page
    client.force_login(kept.cm1)
    page = client.get(url).content.decode()
    assert "score-form" not in page and "adjust-form" not in page
    client.force_login(kept.cm2)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_posts_score_adjust_confirm_and_refusals_write_nothing(kept, client):
    review_compute(month_start=NOV, now=DEC1)
    r = review_of(kept.cm1)
    client.force_login(kept.cm1)
    client.post(reverse("stores:review_score", args=[r.pk]), {"score": "20"})
    assert review_of(kept.cm1).service_score is None
    client.force_login(kept.manager)
    client.post(reverse("stores:review_score", args=[r.pk]), {"score": "99"})
    assert review_of(kept.cm1).service_score is None
    response = client.post(reverse("stores:review_score", args=[r.pk]), {"score": "17"})
    assert response.status_code == 302
    assert review_of(kept.cm1).service_score == 17
    client.post(reverse("stores:review_confirm", args=[r.pk]))  # not the GM
    assert review_of(kept.cm1).confirmed_at is None
    client.force_login(kept.org.gm)
    client.post(reverse("stores:review_adjust", args=[r.pk]), {"points": "3", "reason": ""})
    assert review_of(kept.cm1).adjustment == 0
    client.post(reverse("stores:review_adjust", args=[r.pk]), {"points": "3", "reason": "表扬"})
    assert review_of(kept.cm1).adjustment == 3
    client.post(reverse("stores:review_confirm", args=[r.pk]))
    assert review_of(kept.cm1).confirmed_by == kept.org.gm
    client.force_login(kept.other.manager)
    assert (
        client.post(reverse("stores:review_score", args=[r.pk]), {"score": "1"}).status_code == 404
    )


@pytest.mark.django_db
def test_export_holds_each_part_the_adjustment_and_the_confirmation(kept, client):
    visit(kept, by=kept.cm1, when=at(3), name="王先生", incomplete=True)
    review_compute(month_start=NOV, now=DEC1)
    r = review_of(kept.cm1)
    review_score_service(actor=kept.manager, review=r, score=18, now=DEC1)
    review_adjust(actor=kept.org.gm, review=r, points=-2, reason="=SUM(A1)", now=DEC1)
    review_confirm(actor=kept.org.gm, review=r, now=DEC1 + timedelta(hours=1))
    client.force_login(kept.manager)
    response = client.get(reverse("stores:review_export") + "?month=2026-11")
    assert response.status_code == 200
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    with translation.override("zh-hans"):  # the product's language
        assert list(header) == [str(h) for h in export_header()]
    assert len(body) == 2  # S's two managers only
    with translation.override("en"):
        names = [str(h) for h in export_header()]
    row = dict(zip(names, next(b for b in body if b[2] == kept.cm1.display_name), strict=True))
    assert row["Month"] == "2026-11"
    assert row["Store"] == kept.store.name
    assert row["Information management (30)"] == 29
    assert row["Follow-up frequency (30)"] == 30
    assert row["Attendance and outing register (20)"] == 20
    assert row["Internal service satisfaction (20)"] == 18
    assert row["Adjustment"] == -2
    assert row["Adjustment reason"] == "=SUM(A1)"  # text, not a formula
    assert row["Total"] == 95
    assert row["Confirmed by"] == kept.org.gm.display_name
    assert row["Confirmed at"] == "2026-12-01 07:40"
    assert "2026-11-03" in row["Information management deductions"]
    client.force_login(kept.cm1)  # customer managers do not export
    assert client.get(reverse("stores:review_export")).status_code == 404


@pytest.mark.django_db
def test_home_block_per_role(kept, client):
    import time_machine

    review_compute(month_start=NOV, now=DEC1)
    review_score_service(actor=kept.manager, review=review_of(kept.cm1), score=18, now=DEC1)
    with time_machine.travel(DEC1 + timedelta(days=1), tick=False):
        client.force_login(kept.cm1)
        page = client.get(reverse("stores:home")).content.decode()
        assert 'data-testid="home-review-own"' in page and "98" in page
        client.force_login(kept.manager)
        page = client.get(reverse("stores:home")).content.decode()
        assert 'data-testid="home-review-to-score"' in page
        client.force_login(kept.org.gm)
        page = client.get(reverse("stores:home") + f"?store={kept.store.pk}").content.decode()
        assert 'data-testid="home-review-to-confirm"' in page


# --- the demo ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_review_scores_cm1_and_leaves_cm2(kept):
    from stores.demo_review import seed_review

    users = {"store.cm1": kept.cm1, "store.cm2": kept.cm2, "store.manager": kept.manager}
    today = date(2026, 12, 9)
    lines = seed_review(today=today, users=users, light=True)
    assert lines == ["monthly reviews: 2"]
    assert review_of(kept.cm1).service_score == 18
    assert review_of(kept.cm2).service_score is None
    assert seed_review(today=today, users=users) == []
