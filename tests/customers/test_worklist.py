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
    # Registered first, but its first deal on 2025-11-20 makes it due 2026-01-20: between.
    Customer.objects.filter(pk=dealt.pk).update(
        first_deal_at=datetime(2025, 11, 20, tzinfo=SH), completion_due="2026-01-20"
    )
    other_department = register(org.sales_b, bank="")
    body = login(org.accountant_a).get(reverse("customers:worklist")).content.decode()
    positions = [body.index(f'id="row-{c.pk}"') for c in (older, dealt, newer)]
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
    assert response.status_code == 400
    assert "不是有效的电话号码" in response.content.decode()
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
