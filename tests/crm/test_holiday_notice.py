"""Next year's holidays from the State Council's notice (issue 18, SPEC §9): the parser reads
the real 2024–2026 notices exactly as the chinesecalendar package has them, refuses malformed
text without saving anything, and once the 2027 notice (constructed here in the official
format: the package ends with 2026) is imported, January–February 2027 deadlines are right."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from chinese_calendar import constants
from django.urls import reverse
from django.utils import translation

from crm.calendar import entry_deadline
from crm.holiday_notice import (
    NoticeError,
    next_year_check,
    next_year_missing,
    notice_save,
    parse_notice,
)
from crm.models import Notification, WorkdayOverride

SH = ZoneInfo("Asia/Shanghai")
NOTICES = Path(__file__).parent / "notices"


def text(year: int) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_real_notices_parse_to_the_packages_data(year):
    notice = parse_notice(text(year))
    assert notice.year == year
    assert notice.days_off == {d for d in constants.holidays if d.year == year}
    assert notice.make_up_days == {d for d in constants.workdays if d.year == year}


def test_ranges_across_months_and_single_days():
    notice = parse_notice(text(2025))
    spring = next(h for h in notice.holidays if h.name == "春节")
    assert spring.days[0] == date(2025, 1, 28) and spring.days[-1] == date(2025, 2, 4)
    assert spring.workdays == [date(2025, 1, 26), date(2025, 2, 8)]
    new_year = next(h for h in notice.holidays if h.name == "元旦")
    assert new_year.days == [date(2025, 1, 1)] and new_year.workdays == []


def test_a_range_over_the_new_year_moves_into_the_next_year():
    notice = parse_notice(
        "国务院办公厅关于2031年部分节假日安排的通知\n一、元旦：12月31日至1月2日放假调休，共3天。"
    )
    assert notice.holidays[0].days == [date(2031, 12, 31), date(2032, 1, 1), date(2032, 1, 2)]


@pytest.mark.parametrize(
    "bad,says",
    [
        ("", "year"),
        ("国务院办公厅关于2027年部分节假日安排的通知\n节假日期间，各地区…", "No holiday"),
        (
            "国务院办公厅关于2027年部分节假日安排的通知\n一、春节：2月5日至13日放假调休，共8天。",
            "8",
        ),
        ("国务院办公厅关于2027年部分节假日安排的通知\n一、春节：2月30日放假。", "2月30日"),
        ("国务院办公厅关于2027年部分节假日安排的通知\n一、春节：放假调休，共9天。", "放假"),
        (
            "国务院办公厅关于2027年部分节假日安排的通知\n"
            "一、春节：2月5日至13日放假调休，共9天。2月10日（周三）上班。",
            "weekday",
        ),
        (
            "国务院办公厅关于2027年部分节假日安排的通知\n"
            "一、元旦：1月1日至3日放假，共3天。\n二、春节：1月3日至5日放假，共3天。",
            "both",
        ),
    ],
)
def test_malformed_text_is_refused_with_a_clear_message(bad, says):
    with translation.override("en"), pytest.raises(NoticeError) as refused:
        parse_notice(bad)
    assert says in str(refused.value)


def test_2027_deadlines_are_right_once_the_notice_is_imported(db, org):
    before_spring = datetime(2027, 2, 4, 16, 0, tzinfo=SH)  # Thursday, the day before 除夕
    saturday_in_holiday = datetime(2027, 2, 13, 11, 0, tzinfo=SH)
    # The package ends with 2026: a plain Monday–Friday week.
    assert entry_deadline(before_spring) == datetime(2027, 2, 5, 10, 0, tzinfo=SH)
    assert entry_deadline(saturday_in_holiday) == datetime(2027, 2, 15, 10, 0, tzinfo=SH)
    written = notice_save(
        actor=org.gm, notice=parse_notice(text(2027)), now=datetime(2026, 11, 30, tzinfo=SH)
    )
    assert written == WorkdayOverride.objects.filter(date__year=2027).count() == 29 + 5
    # 2月5日–13日 off, 2月14日 (Sunday) a make-up working day.
    assert entry_deadline(before_spring) == datetime(2027, 2, 14, 10, 0, tzinfo=SH)
    assert entry_deadline(saturday_in_holiday) == datetime(2027, 2, 14, 10, 0, tzinfo=SH)
    new_years_eve = datetime(2026, 12, 31, 18, 0, tzinfo=SH)  # 元旦 1–3 January off
    assert entry_deadline(new_years_eve) == datetime(2027, 1, 4, 10, 0, tzinfo=SH)


def test_the_gm_is_warned_from_1_november_until_next_year_is_known(db, org):
    assert next_year_missing(today=date(2026, 10, 31)) is None
    assert next_year_missing(today=date(2026, 11, 1)) == 2027
    assert next_year_missing(today=date(2025, 11, 1)) is None  # the package knows 2026
    now = datetime(2026, 11, 2, 9, 0, tzinfo=SH)
    assert next_year_check(now=now) == 1
    assert next_year_check(now=datetime(2026, 11, 3, 9, 0, tzinfo=SH)) == 0  # weekly at most
    assert next_year_check(now=datetime(2026, 11, 9, 9, 0, tzinfo=SH)) == 1
    assert Notification.objects.filter(recipient=org.gm).count() == 2
    notice_save(actor=org.gm, notice=parse_notice(text(2027)), now=now)
    assert next_year_missing(today=date(2026, 11, 20)) is None
    assert next_year_check(now=datetime(2026, 11, 20, 9, 0, tzinfo=SH)) == 0


def test_import_page_previews_then_saves_on_confirmation(org, login):
    client = login(org.gm)
    url = reverse("crm:calendar_import")
    preview = client.post(url, {"text": text(2027)})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'data-testid="notice-preview"' in page and "春节" in page
    assert not WorkdayOverride.objects.exists(), "a preview saves nothing"
    saved = client.post(url, {"text": text(2027), "confirm": "1"})
    assert saved.status_code == 302
    assert WorkdayOverride.objects.get(date=date(2027, 2, 14)).is_workday is True
    assert WorkdayOverride.objects.get(date=date(2027, 2, 5)).is_workday is False


def test_malformed_text_on_the_page_saves_nothing(org, login):
    client = login(org.gm)
    response = client.post(
        reverse("crm:calendar_import"),
        {
            "text": "关于2027年部分节假日安排的通知\n一、春节：2月5日至13日放假，共8天。",
            "confirm": "1",
        },
    )
    assert response.status_code == 200
    assert "8" in response.content.decode()
    assert not WorkdayOverride.objects.exists()


@pytest.mark.parametrize("who", ["manager_a", "sales_a", "accountant_a"])
def test_only_the_gm_imports(org, login, who):
    assert login(getattr(org, who)).get(reverse("crm:calendar_import")).status_code == 404


def test_calendar_shows_package_and_override_side_by_side_when_they_disagree(org, login):
    WorkdayOverride.objects.create(date=date(2026, 10, 8), is_workday=False, note="公司调休")
    WorkdayOverride.objects.create(date=date(2026, 10, 2), is_workday=True, note="值班")
    page = login(org.sales_a).get(reverse("crm:calendar") + "?month=2026-10").content.decode()
    assert page.count('data-testid="package-disagrees"') == 2
