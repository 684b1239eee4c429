"""Working days and the 10:00-next-working-day entry deadline (000 §3.1.d–e; SPEC §4),
on real 2026 dates from the official calendar."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from constance.test import override_config

from crm.calendar import entry_deadline, is_workday, next_workday, package_knows
from crm.models import WorkdayOverride

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
pytestmark = pytest.mark.django_db


def at(y, m, d, hh=15, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def test_ordinary_weekend_moves_deadline_to_monday():
    # Friday 2026-03-06 → Monday 2026-03-09 10:00.
    assert next_workday(date(2026, 3, 6)) == date(2026, 3, 9)
    assert entry_deadline(at(2026, 3, 6)) == datetime(2026, 3, 9, 10, 0, tzinfo=SH)
    assert entry_deadline(at(2026, 3, 7)) == datetime(2026, 3, 9, 10, 0, tzinfo=SH)


def test_weekday_deadline_is_next_morning():
    assert entry_deadline(at(2026, 3, 10, 9)) == datetime(2026, 3, 11, 10, 0, tzinfo=SH)


def test_long_holiday_spring_festival_2026():
    # 2026-02-15 … 02-23 off (春节); Saturday 02-14 is a 调休 working day.
    assert is_workday(date(2026, 2, 14))
    assert not is_workday(date(2026, 2, 16))
    assert next_workday(date(2026, 2, 14)) == date(2026, 2, 24)
    assert entry_deadline(at(2026, 2, 14)) == datetime(2026, 2, 24, 10, 0, tzinfo=SH)


def test_national_day_2026_holiday_runs_to_the_8th():
    assert entry_deadline(at(2026, 9, 30, 20)) == datetime(2026, 10, 8, 10, 0, tzinfo=SH)


def test_makeup_saturday_is_a_working_day():
    # Friday 2026-02-13 → Saturday 2026-02-14 (调休), not Monday.
    assert next_workday(date(2026, 2, 13)) == date(2026, 2, 14)
    assert entry_deadline(at(2026, 2, 13)) == datetime(2026, 2, 14, 10, 0, tzinfo=SH)
    # Friday 2026-02-27 → Saturday 2026-02-28 (调休).
    assert entry_deadline(at(2026, 2, 27)) == datetime(2026, 2, 28, 10, 0, tzinfo=SH)
    # Friday 2026-10-09 → Saturday 2026-10-10 (调休 for National Day).
    assert entry_deadline(at(2026, 10, 9)) == datetime(2026, 10, 10, 10, 0, tzinfo=SH)


def test_deadline_uses_the_shanghai_date_not_utc():
    # 2026-03-06 17:00 UTC is already Saturday 01:00 in Shanghai → Monday.
    occurred = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)
    assert entry_deadline(occurred) == datetime(2026, 3, 9, 10, 0, tzinfo=SH)
    # 2026-03-05 15:30 UTC is Thursday 23:30 in Shanghai → Friday.
    occurred = datetime(2026, 3, 5, 15, 30, tzinfo=UTC)
    assert entry_deadline(occurred) == datetime(2026, 3, 6, 10, 0, tzinfo=SH)


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        entry_deadline(datetime(2026, 3, 6, 15, 0))


def test_override_beats_the_package():
    # The company works through 2026-02-24 … no: it declares the 调休 Saturday a day off.
    WorkdayOverride.objects.create(date=date(2026, 2, 14), is_workday=False, note="公司统一休息")
    assert not is_workday(date(2026, 2, 14))
    assert entry_deadline(at(2026, 2, 13)) == datetime(2026, 2, 24, 10, 0, tzinfo=SH)
    # And a holiday declared a working day (e.g. stocktaking on 2026-02-16).
    WorkdayOverride.objects.create(date=date(2026, 2, 16), is_workday=True, note="盘点")
    assert entry_deadline(at(2026, 2, 13)) == datetime(2026, 2, 16, 10, 0, tzinfo=SH)


def test_year_the_package_does_not_know_falls_back_to_weekdays():
    assert not package_knows(date(2031, 1, 1))
    # Friday 2031-01-03 → Monday 2031-01-06, without error.
    assert is_workday(date(2031, 1, 3))
    assert not is_workday(date(2031, 1, 4))
    assert entry_deadline(at(2031, 1, 3)) == datetime(2031, 1, 6, 10, 0, tzinfo=SH)


def test_overrides_cover_an_unknown_year():
    WorkdayOverride.objects.create(date=date(2031, 1, 6), is_workday=False, note="假期")
    WorkdayOverride.objects.create(date=date(2031, 1, 4), is_workday=True, note="调休")
    assert entry_deadline(at(2031, 1, 3)) == datetime(2031, 1, 4, 10, 0, tzinfo=SH)
    assert next_workday(date(2031, 1, 4)) == date(2031, 1, 7)


def test_next_workday_spans_a_month_of_overrides():
    for offset in range(1, 45):
        day = date.fromordinal(date(2031, 3, 1).toordinal() + offset)
        WorkdayOverride.objects.create(date=day, is_workday=False)
    assert next_workday(date(2031, 3, 1)) == date(2031, 4, 15)


def test_deadline_hour_is_admin_editable():
    with override_config(ENTRY_DEADLINE_HOUR=12):
        assert entry_deadline(at(2026, 3, 10)) == datetime(2026, 3, 11, 12, 0, tzinfo=SH)


def test_next_workday_reads_overrides_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert next_workday(date(2026, 2, 14)) == date(2026, 2, 24)
