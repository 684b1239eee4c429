"""Accountant worklist (会计补录, SPEC §8): scope, order by deadline, in-place completion."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse

from customers.models import Customer
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")


def complete(**kw):
    base = {
        "fax": "021-62345678",
        "tax_id": "",
        "bank": "招商银行",
        "bank_account": "6222000011112222",
    }
    base.update(kw)
    return base


def test_worklist_lists_incomplete_customers_of_assigned_departments_by_deadline(org, login):
    older = register(org.sales_a, now=datetime(2026, 1, 5, 9, tzinfo=SH), bank="")
    newer = register(org.sales_a1, now=datetime(2026, 2, 5, 9, tzinfo=SH), bank="")
    dealt = register(org.sales_a2, now=datetime(2025, 12, 1, 9, tzinfo=SH), bank="")
    # Its first deal on 2025-11-20 makes it due 2026-01-20: the only real deadline, so it
    # comes first; the customers without a deal follow, oldest registration first (issue 14).
    Customer.objects.filter(pk=dealt.pk).update(
        first_deal_at=datetime(2025, 11, 20, tzinfo=SH), completion_due="2026-01-20"
    )
    other_department = register(org.sales_b, bank="")
    body = login(org.accountant_a).get(reverse("customers:worklist")).content.decode()
    positions = [body.index(f'id="row-{c.pk}"') for c in (dealt, older, newer)]
    assert positions == sorted(positions)
    assert f'id="row-{other_department.pk}"' not in body


def test_completion_due_is_two_months_after_first_deal(org):
    from customers.services.completeness import completion_due

    c = register(org.sales_a, now=datetime(2026, 1, 5, 9, tzinfo=SH), bank="")
    assert completion_due(c) == datetime(2026, 1, 5).date()
    c.first_deal_at = datetime(2026, 3, 31, 15, tzinfo=SH)
    assert completion_due(c) == datetime(2026, 5, 31).date()


def test_accountant_completes_a_record_in_place_and_history_keeps_it(org, login):
    c = register(org.sales_a, fax="", bank="", bank_account="", tax_id="")
    client = login(org.accountant_a)
    form = client.get(
        reverse("customers:worklist_row", args=[c.pk]), {"edit": 1}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'name="bank"' in form and 'name="name"' not in form
    response = client.post(
        reverse("customers:worklist_row", args=[c.pk]),
        {
            "fax": "021-62345678",
            "tax_id": "91310000MA1FL2345X",
            "bank": "招商银行",
            "bank_account": "6222000011112222",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode(), "a row fragment, not a page"
    c.refresh_from_db()
    assert not c.is_incomplete and c.completion_due is None
    assert c.history.first().history_user == org.accountant_a
    assert f'id="row-{c.pk}"' not in client.get(reverse("customers:worklist")).content.decode()


def test_worklist_bad_input_keeps_the_form_with_a_message(org, login):
    c = register(org.sales_a, fax="")
    response = login(org.accountant_a).post(
        reverse("customers:worklist_row", args=[c.pk]), {"fax": "abc"}, HTTP_HX_REQUEST="true"
    )
    # 200: htmx swaps only 2xx; a 400 was dropped (or, with DEBUG, replaced the whole page).
    assert response.status_code == 200
    body = response.content.decode()
    assert "不是有效的电话号码" in body
    assert body.lstrip().startswith(f'<tr id="row-{c.pk}"') and "<html" not in body
    assert 'value="abc"' in body, "what was typed stays in the field"
    c.refresh_from_db()
    assert c.fax == ""


def test_accountant_of_another_department_gets_404(org, login):
    c = register(org.sales_a, fax="")
    client = login(org.accountant_b)
    assert (
        client.get(reverse("customers:worklist_row", args=[c.pk]), {"edit": 1}).status_code == 404
    )
    assert (
        client.post(
            reverse("customers:worklist_row", args=[c.pk]), {"fax": "02162345678"}
        ).status_code
        == 404
    )


def test_worklist_query_count_is_constant(org, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(org.accountant_a)
    for i in range(5):
        register(org.sales_a, bank="", now=datetime(2026, 1, 1, tzinfo=SH) + timedelta(days=i))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("customers:worklist"))
    for i in range(40):
        register(org.sales_a, bank="", now=datetime(2026, 2, 1, tzinfo=SH) + timedelta(days=i))
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("customers:worklist"))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_only_dealt_customers_are_marked_overdue(org, login):
    import time_machine

    no_deal = register(org.sales_a, now=datetime(2026, 1, 5, 9, tzinfo=SH), bank="")
    dealt = register(org.sales_a, now=datetime(2026, 1, 6, 9, tzinfo=SH), bank="")
    Customer.objects.filter(pk=dealt.pk).update(
        first_deal_at=datetime(2026, 1, 10, tzinfo=SH), completion_due="2026-03-10"
    )
    with time_machine.travel(datetime(2026, 4, 1, 9, tzinfo=SH), tick=False):
        body = login(org.accountant_a).get(reverse("customers:worklist")).content.decode()
    row = body[body.index(f'id="row-{dealt.pk}"') :]
    assert "已逾期" in row[: row.index("</tr>")]
    row = body[body.index(f'id="row-{no_deal.pk}"') :]
    assert "已逾期" not in row[: row.index("</tr>")] and "尚未成交" in row[: row.index("</tr>")]


# --- issue 14: in-place errors without JavaScript; most urgent first; no fake "due today"


def test_worklist_without_javascript_reopens_the_page_with_the_errors(org, login):
    c = register(org.sales_a, fax="", bank="")
    client = login(org.accountant_a)
    url = reverse("customers:worklist_row", args=[c.pk])
    opened = client.get(url, {"edit": 1})  # the 补录 link followed without htmx
    assert opened.status_code == 200 and "<html" in opened.content.decode()
    assert f'action="{url}"' in opened.content.decode() and 'name="fax"' in opened.content.decode()
    refused = client.post(url, {"fax": "abc", "bank": "招商银行"})
    body = refused.content.decode()
    assert refused.status_code == 400 and "<html" in body, "the whole page, not a bare row"
    assert "不是有效的电话号码" in body and 'value="abc"' in body and 'value="招商银行"' in body
    saved = client.post(url, {"fax": "021-62345678", "bank": "招商银行"})
    assert saved.status_code == 302 and saved["Location"].startswith(reverse("customers:worklist"))
    c.refresh_from_db()
    assert (c.fax, c.bank) == ("021-62345678", "招商银行")


def test_a_new_customer_without_a_deal_is_not_due_today(org, login):
    import time_machine

    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=SH), tick=False):
        fresh = register(org.sales_a, now=datetime(2026, 3, 2, 9, tzinfo=SH), bank="")
        body = login(org.accountant_a).get(reverse("customers:worklist")).content.decode()
    row = body[body.index(f'id="row-{fresh.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "2026-03-02" not in row, "the registration date is no deadline"
    assert 'data-testid="due-today"' not in row and "已逾期" not in row and "尚未成交" in row


def test_dealt_customers_due_today_say_so(org, login):
    import time_machine

    dealt = register(org.sales_a, now=datetime(2026, 1, 2, 9, tzinfo=SH), bank="")
    Customer.objects.filter(pk=dealt.pk).update(
        first_deal_at=datetime(2026, 1, 2, 10, tzinfo=SH), completion_due="2026-03-02"
    )
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=SH), tick=False):
        body = login(org.accountant_a).get(reverse("customers:worklist")).content.decode()
    row = body[body.index(f'id="row-{dealt.pk}"') :]
    assert 'data-testid="due-today"' in row[: row.index("</tr>")]


def test_worklist_pages_run_through_the_deadlines_then_the_undealt(org):
    from customers.selectors import incomplete_records_page

    undealt = [
        register(org.sales_a, now=datetime(2025, 6, 1, 9, tzinfo=SH) + timedelta(days=i), bank="")
        for i in range(3)
    ]
    dealt = [
        register(org.sales_a, now=datetime(2026, 1, 1, 9, tzinfo=SH) + timedelta(days=i), bank="")
        for i in range(3)
    ]
    for i, c in enumerate(dealt):  # due 2026-03-03, 03-02, 03-01: the reverse of registration
        Customer.objects.filter(pk=c.pk).update(
            first_deal_at=datetime(2026, 1, 3 - i, 10, tzinfo=SH),
            completion_due=f"2026-03-0{3 - i}",
        )
    seen, cursor = [], None
    while True:
        rows, cursor = incomplete_records_page(org.accountant_a, after=cursor, size=2)
        seen += [c.pk for c in rows]
        if cursor is None:
            break
    assert seen == [c.pk for c in reversed(dealt)] + [c.pk for c in undealt]


def test_worklist_summary_counts_only_real_deadlines(org):
    from customers.selectors import incomplete_summary

    register(org.sales_a, now=datetime(2024, 1, 1, 9, tzinfo=SH), bank="")  # old, no deal
    overdue = register(org.sales_a, bank="")
    this_week = register(org.sales_a1, bank="")
    Customer.objects.filter(pk=overdue.pk).update(
        first_deal_at=datetime(2026, 1, 1, tzinfo=SH), completion_due="2026-03-01"
    )
    Customer.objects.filter(pk=this_week.pk).update(
        first_deal_at=datetime(2026, 1, 5, tzinfo=SH), completion_due="2026-03-05"
    )
    summary = incomplete_summary(org.accountant_a, today=datetime(2026, 3, 2).date())
    assert (summary["overdue"], summary["due_this_week"], summary["no_deal"]) == (1, 1, 1)
    assert {r["department__name"]: r["total"] for r in summary["by_department"]} == {
        "华东销售部": 2,
        "上海分部": 1,
    }
