"""Input bounds (issue 12, defects 4 and 11; crm/validators.py, crm/fields.py): every date of
every form lies in sane bounds, months and page numbers of any shape fall back quietly or are
refused with a message, amounts beyond the column are refused, NUL characters never reach the
database. Each refusal writes nothing, and the pages that read the records still render."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from allocation.models import Handover
from allocation.services.handover import HandoverError, handover_open
from crm.models import Staff
from crm.validators import (
    EARLIEST,
    birthday_problem,
    happened_problem,
    latest_planned,
    parse_id,
    parse_month,
    parse_page,
    planned_problem,
)
from customers.models import Contact, Deal, FollowUp, InquiryCall, Referral
from customers.services import followup_log
from customers.services.records import RecordError
from penalties.models import LedgerEntry
from penalties.services.ledger import LedgerError, parse_amount
from tests.factories import ledger_entry, make_person, register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=SH)
GOOD = "上门拜访，客户对新款地板感兴趣，约定下周带样品再谈报价。"
ABSURD = ["0001-01-01", "9999-12-31", "1999-12-31"]

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def mine(org):
    return register(org.sales_a, now=at(2026, 3, 2, 9))


def pages_render(client, customer, *users):
    """The pages that read records: the customer's page, the dashboard, the worklist and the
    company view, for the holder, the manager and the GM."""
    for user in users:
        client.force_login(user)
        assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
        assert client.get(reverse("crm:dashboard")).status_code == 200
        # Not every role has these two (404); nobody gets a server error.
        assert client.get(reverse("customers:worklist")).status_code in (200, 404)
        assert client.get(reverse("penalties:company")).status_code in (200, 404)


# --- the bounds themselves ---------------------------------------------------------------------


def test_happened_bounds():
    now = at(2026, 3, 10, 10)
    assert happened_problem(at(2000, 1, 1, 0), now=now) is None
    assert happened_problem(now, now=now) is None
    assert "2000-01-01" in happened_problem(at(1999, 12, 31, 23, 59), now=now)
    assert happened_problem(at(2026, 3, 10, 10, 1), now=now) == "发生时间不能晚于现在。"
    assert happened_problem(date(2026, 3, 10), now=now) is None
    assert happened_problem(date(2026, 3, 11), now=now)
    # 0001-01-01 00:00 in Shanghai lies before year 1 in UTC: refused, not an OverflowError.
    assert happened_problem(datetime(1, 1, 1, tzinfo=SH), now=now)


def test_planned_and_birthday_bounds():
    now = at(2026, 3, 10, 10)
    assert planned_problem(date(2031, 3, 10), now=now) is None
    assert planned_problem(date(2031, 3, 11), now=now)
    assert planned_problem(date(1999, 12, 31), now=now)
    assert latest_planned(date(2028, 2, 29)) == date(2033, 2, 28)
    assert birthday_problem(date(1900, 1, 1), today=date(2026, 3, 10)) is None
    assert birthday_problem(date(1899, 12, 31), today=date(2026, 3, 10))
    assert birthday_problem(date(2026, 3, 11), today=date(2026, 3, 10))


@pytest.mark.parametrize(
    "text", ["9999-12", "0001-01", "1999-12", "2031-04", "2026-13", "2026-3", "²０２６-03", ""]
)
def test_months_outside_the_bounds_or_malformed_are_refused(text):
    with pytest.raises(ValueError):
        parse_month(text, today=date(2026, 3, 10))


def test_months_inside_the_bounds():
    assert parse_month("2000-01", today=date(2026, 3, 10)) == EARLIEST
    assert parse_month(" 2031-03 ", today=date(2026, 3, 10)) == date(2031, 3, 1)


@pytest.mark.parametrize(
    "text", ["1234567890123456789012345", "²", "１２", "-1", "0", "1e9", "", None, "100001"]
)
def test_odd_page_numbers_mean_page_one(text):
    assert parse_page(text) == 1


def test_page_numbers_and_ids():
    assert parse_page("7") == 7
    assert parse_id("42") == 42
    for junk in ("²", "１", "-1", "0", "1234567890123456789012345", "9223372036854775808", "a"):
        assert parse_id(junk) is None


@pytest.mark.parametrize(
    "raw", ["1e308", "-1e308", "NaN", "Infinity", "-Infinity", "123456789012345678901234"]
)
def test_amounts_that_overflow_the_ledger_column_are_refused(raw):
    with pytest.raises(LedgerError):
        parse_amount(raw)


def test_the_largest_amount_the_column_holds_is_accepted():
    assert str(parse_amount("-99999999.99")) == "-99999999.99"


# --- defect 4: dates of every form -------------------------------------------------------------


def _services_refuse_dates_before_2000(org, mine):
    with pytest.raises(RecordError, match="2000-01-01"):
        followup_log(
            actor=org.sales_a,
            customer=mine,
            now=NOW,
            data={"kind": "callback", "occurred_at": at(1999, 12, 31, 10), "content": GOOD},
        )
    with pytest.raises(LedgerError, match="2000-01-01"):
        ledger_entry(org.manager_a, org.sales_a, "GRABBING", now=NOW, on=date(1999, 12, 31))
    with pytest.raises(HandoverError, match="2000-01-01"):
        handover_open(
            actor=org.manager_a,
            staff=org.sales_a.staff,
            status="left",
            effective_at=at(1999, 12, 31, 10),
            now=NOW,
        )


def test_services_refuse_dates_before_2000(org, mine):
    _services_refuse_dates_before_2000(org, mine)
    assert not FollowUp.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert not Handover.objects.exists()


@pytest.mark.parametrize("day", ABSURD)
@pytest.mark.parametrize(
    ("url_name", "model", "data"),
    [
        (
            "customers:followup_new",
            FollowUp,
            {"kind": "callback", "content": GOOD, "satisfaction": "neutral"},
        ),
        (
            "customers:deal_new",
            Deal,
            {"product": "地板", "quantity": "1", "amount": "100", "paid": "100", "points": "0"},
        ),
        ("customers:referral_new", Referral, {"referred_name": "李女士", "what": "介绍"}),
    ],
)
def test_record_forms_refuse_absurd_dates_and_pages_still_render(
    org, client, mine, day, url_name, model, data
):
    client.force_login(org.sales_a)
    url = reverse(url_name, args=[mine.pk])
    for occurred in (day, f"{day}T10:00"):
        response = client.post(url, {**data, "occurred_at": occurred})
        assert response.status_code == 400
        assert response.context["form"].errors["occurred_at"]
    assert not model.objects.exists()
    pages_render(client, mine, org.sales_a, org.manager_a, org.gm)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2031-03-11"])
def test_next_contact_date_is_bounded(org, client, mine, day):
    client.force_login(org.sales_a)
    response = client.post(
        reverse("customers:followup_new", args=[mine.pk]),
        {
            "kind": "callback",
            "content": GOOD,
            "satisfaction": "neutral",
            "occurred_at": "2026-03-09T10:00",
            "next_date": day,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["next_date"]
    assert not FollowUp.objects.exists()
    pages_render(client, mine, org.sales_a, org.manager_a)


@pytest.mark.parametrize("day", ABSURD)
def test_inquiry_form_refuses_absurd_dates(org, client, day):
    client.force_login(org.sales_a)
    response = client.post(
        reverse("customers:inquiry_new"),
        {"phone": "13912345678", "content": "咨询地板价格", "occurred_at": f"{day}T10:00"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["occurred_at"]
    assert not InquiryCall.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2026-03-11"])
def test_contact_birthday_lies_between_1900_and_today(org, client, mine, day):
    client.force_login(org.sales_a)
    response = client.post(
        reverse("customers:contact_add", args=[mine.pk]),
        {"name": "王经理", "gender": "M", "mobile": "13800001111", "birthday": day},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["birthday"]
    assert not Contact.objects.exists()
    pages_render(client, mine, org.sales_a, org.manager_a)


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "9999-12-31T23:59", "1999-12-31T10:00"])
def test_handover_effective_time_is_bounded(org, client, moment):
    client.force_login(org.manager_a)
    response = client.post(
        reverse("allocation:handover_new", args=[org.sales_a.staff.pk]),
        {"status": "left", "effective_at": moment},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["effective_at"]
    assert not Handover.objects.exists()
    org.sales_a.staff.refresh_from_db()
    assert org.sales_a.staff.status == Staff.Status.ACTIVE


@pytest.mark.parametrize("day", ABSURD)
def test_ledger_breach_date_is_bounded(org, client, day):
    client.force_login(org.manager_a)
    response = client.post(
        reverse("penalties:new"),
        {
            "person": org.sales_a.pk,
            "rule": _rule("GRABBING").pk,
            "amount": "-50",
            "occurred_on": day,
            "reason": "抢单",
        },
    )
    assert response.status_code in (200, 400)
    assert response.context["form"].errors["occurred_on"]
    assert not LedgerEntry.objects.exists()
    assert client.get(reverse("penalties:ledger")).status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_admin_dates_are_bounded(org, client, day):
    from django.contrib.auth import get_user_model

    superuser = get_user_model().objects.create_superuser("root", password="pw-for-tests")
    client.force_login(superuser)
    staff = org.sales_a.staff
    response = client.post(
        reverse("admin:crm_workdayoverride_add"), {"date": day, "is_workday": "on", "note": "x"}
    )
    assert response.status_code == 200  # the admin re-renders the form with the error
    assert response.context["adminform"].form.errors["date"]
    staff.refresh_from_db()
    assert staff.hire_date == date(2024, 1, 1)


def _rule(code):
    from penalties.models import PenaltyRule

    return PenaltyRule.objects.get(code=code)


# --- defect 11: text, numbers, months, pages ---------------------------------------------------


def test_a_nul_character_anywhere_is_refused_with_a_page_and_writes_nothing(org, client, mine):
    client.force_login(org.sales_a)
    response = client.post(
        reverse("customers:followup_new", args=[mine.pk]),
        {
            "kind": "callback",
            "content": GOOD + "\x00",
            "satisfaction": "neutral",
            "occurred_at": "2026-03-09T10:00",
        },
    )
    assert response.status_code == 400
    assert "U+0000" in response.content.decode()
    assert not FollowUp.objects.exists()
    response = client.get(reverse("customers:list"), {"q": "王\x00"})
    assert response.status_code == 400


def test_over_long_ledger_reasons_are_refused(org, client):
    entry = ledger_entry(org.manager_a, org.sales_a, "GRABBING", now=NOW, on=date(2026, 3, 9))
    client.force_login(org.manager_a)
    response = client.post(reverse("penalties:waive", args=[entry.pk]), {"reason": "长" * 2001})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == LedgerEntry.Status.PROPOSED
    page = client.get(response["Location"]).content.decode()
    assert "2000" in page
    response = client.post(
        reverse("penalties:new"),
        {
            "person": org.sales_a.pk,
            "rule": _rule("GRABBING").pk,
            "amount": "-50",
            "occurred_on": "2026-03-09",
            "reason": "长" * 2001,
        },
    )
    assert response.context["form"].errors["reason"]
    assert LedgerEntry.objects.count() == 1


def test_over_long_swap_reasons_are_refused(org, client):
    from allocation.models import SwapRequest
    from allocation.services.swaps import swap_propose

    give, take = register(org.sales_a, now=NOW), register(org.sales_a2, now=NOW)
    swap = swap_propose(
        actor=org.sales_a,
        counterpart=org.sales_a2,
        give=[give.pk],
        take=[take.pk],
        reason="客户所在区域调整,双方协商一致交换",
        now=NOW,
    )
    client.force_login(org.sales_a2)
    response = client.post(
        reverse("allocation:swap_decline", args=[swap.pk]), {"reason": "长" * 501}
    )
    assert response.status_code == 400
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.AWAITING_COUNTERPART


@pytest.mark.parametrize("amount", ["1e308", "NaN", "Infinity", "-Infinity", "123456789012345"])
def test_ledger_amounts_beyond_the_column_are_refused(org, client, amount):
    client.force_login(org.manager_a)
    response = client.post(
        reverse("penalties:new"),
        {
            "person": org.sales_a.pk,
            "rule": _rule("GRABBING").pk,
            "amount": amount,
            "occurred_on": "2026-03-09",
            "reason": "抢单",
        },
    )
    assert response.status_code < 500
    assert response.context["form"].non_field_errors()
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "1e308"),
        ("amount", "NaN"),
        ("amount", "Infinity"),
        ("amount", "1234567890123456"),
        ("quantity", "1e13"),
        ("paid", "-Infinity"),
    ],
)
def test_deal_numbers_beyond_the_column_are_refused(org, client, mine, field, value):
    client.force_login(org.sales_a)
    data = {
        "occurred_at": "2026-03-09T10:00",
        "product": "地板",
        "quantity": "1",
        "amount": "100",
        "paid": "100",
        "points": "0",
    }
    response = client.post(reverse("customers:deal_new", args=[mine.pk]), {**data, field: value})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Deal.objects.exists()


PAGE_25 = "1234567890123456789012345"


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_month_pickers_refuse_out_of_range_months_without_a_500(org, client, month):
    entry = ledger_entry(org.manager_a, org.sales_a, "GRABBING", now=NOW, on=date(2026, 3, 9))
    client.force_login(org.gm)
    for name in ("penalties:ledger", "penalties:company", "crm:calendar"):
        response = client.get(reverse(name), {"month": month})
        assert response.status_code == 200, name
        assert response.context["month"].year == 2026, name
    assert client.get(reverse("customers:duplicates_report"), {"month": month}).status_code == 400
    response = client.get(reverse("penalties:month_export"), {"month": month})
    assert response.status_code == 302
    response = client.post(reverse("penalties:month_close"), {"month": month})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == LedgerEntry.Status.PROPOSED


def test_25_digit_page_numbers_and_cursors_fall_back_quietly(org, client, mine):
    ledger_entry(org.manager_a, org.sales_a, "GRABBING", now=NOW, on=date(2026, 3, 9))
    client.force_login(org.gm)
    for name, params in [
        ("penalties:ledger", {"page": PAGE_25, "department": "²"}),
        ("customers:duplicates_report", {"page": "²"}),
        ("customers:list", {"after": PAGE_25}),
        ("customers:list", {"before": "²"}),
        ("allocation:pool", {"after": "²"}),
        ("customers:worklist", {"due": "2026-03-01", "id": "²"}),
    ]:
        response = client.get(reverse(name), params)
        assert response.status_code == 200, (name, params)


def test_unicode_digits_in_id_lists_are_ignored(org, client):
    client.force_login(org.sales_a)
    response = client.post(reverse("allocation:claim_new"), {"customers": ["²", PAGE_25]})
    assert response.status_code == 400


def test_a_new_hire_may_be_entered_ahead(org):
    person = make_person("newcomer", Staff.Role.SALESPERSON, org.a, hire_date=date(2026, 4, 1))
    assert person.staff.hire_date == date(2026, 4, 1)


@pytest.mark.parametrize("junk", ["²", "1234567890123456789012345", "-1", "abc"])
def test_ids_choice_field_refuses_ids_no_column_holds(org, junk):
    from crm.fields import IdsChoiceField
    from customers.models import Customer

    mine = register(org.sales_a, now=NOW)
    field = IdsChoiceField(queryset=Customer.objects.all())
    assert list(field.clean([str(mine.pk)])) == [mine]
    with pytest.raises(ValidationError):
        field.clean([str(mine.pk), junk])
