"""The manager's pool page marks what matters and keeps a refused batch (issue 14, defect 8);
salespeople request several pool customers from it; the inbox's 已处理 tab."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allocation.models import ClaimRequest, Handover, HandoverItem, PublicNotice
from allocation.selectors.pool import pool_marks
from allocation.services.distribution import claim_create, claim_decide
from customers.models import Customer
from customers.services import ownership_transfer
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 14, 10, 0, tzinfo=SH)


def pooled(owner, n=1):
    out = []
    for _ in range(n):
        c = register(owner, now=datetime(2026, 1, 5, 9, tzinfo=SH))
        ownership_transfer(
            customer=c,
            to_pool="department",
            kind="reclaim",
            actor=None,
            now=datetime(2026, 4, 1, 0, 30, tzinfo=SH),
        )
        out.append(c)
    return out


def on_notice(customer, holder, *, until):
    return PublicNotice.objects.create(
        customer=customer,
        previous_holder=holder,
        department_id=customer.department_id,
        policy="no_followup",
        pool="department",
        reclaimed_at=until - timedelta(days=5),
        ends_at=until,
    )


def in_handover(customer, org):
    handover = Handover.objects.create(
        person=org.sales_a2,
        department=org.a,
        reason=Handover.Reason.LEFT,
        effective_at=NOW - timedelta(days=1),
        opened_by=org.manager_a,
        opened_at=NOW - timedelta(days=1),
        due_at=NOW + timedelta(days=2),
    )
    return HandoverItem.objects.create(handover=handover, customer=customer, position=1)


def _row(html: str, pk: int) -> str:
    start = html.index(f'<tr data-id="{pk}">')
    return html[start : html.index("</tr>", start)]


def test_pool_marks_notice_request_and_handover_in_words(org, login):
    noticed, requested, handed, plain = pooled(org.sales_a2, 4)
    on_notice(noticed, org.sales_a2, until=NOW + timedelta(days=2))
    claim_create(actor=org.sales_a, customer_ids=[requested.pk], reason="在我片区", now=NOW)
    in_handover(handed, org)
    with time_machine.travel(NOW, tick=False):
        html = login(org.manager_a).get(reverse("allocation:pool"), {"pool": org.a.pk})
    html = html.content.decode()
    assert 'data-mark="notice"' in _row(html, noticed.pk)
    assert 'data-mark="requested"' in _row(html, requested.pk)
    assert 'data-mark="handover"' in _row(html, handed.pk)
    assert "data-mark" not in _row(html, plain.pk)
    # Words, not only colours: each badge carries text.
    for pk in (noticed.pk, requested.pk, handed.pk):
        badge = _row(html, pk).split("data-mark=")[1]
        assert badge.split(">", 1)[1].split("</span>")[0].strip()


def test_pool_marks_end_with_the_notice_and_the_decision(org):
    noticed, requested = pooled(org.sales_a2, 2)
    on_notice(noticed, org.sales_a2, until=NOW + timedelta(days=2))
    claim = claim_create(actor=org.sales_a, customer_ids=[requested.pk], reason="想要", now=NOW)
    marks = pool_marks([noticed.pk, requested.pk], now=NOW + timedelta(days=3))
    assert marks.on_notice == set() and marks.requested == {requested.pk}
    claim_decide(actor=org.manager_a, claim=claim, approve=False, reason="名额已满", now=NOW)
    assert pool_marks([requested.pk], now=NOW).requested == set()


def test_pool_marks_cost_three_queries_at_any_length(org):
    few = pooled(org.sales_a2, 2)
    many = few + pooled(org.sales_a2, 25)
    for ids in ([c.pk for c in few], [c.pk for c in many]):
        with CaptureQueriesContext(connection) as ctx:
            pool_marks(ids, now=NOW)
        assert len(ctx.captured_queries) == 3


def test_refused_batch_keeps_ticks_recipient_and_note_then_goes_through(org, login):
    noticed, fine = pooled(org.sales_a2, 2)
    on_notice(noticed, org.sales_a2, until=NOW + timedelta(days=2))
    client = login(org.manager_a)
    form = {
        "pool": org.a.pk,
        "customers": [noticed.pk, fine.pk],
        "recipient": f"user:{org.sales_a.pk}",
        "source_note": "展会名单",
        "exception_reason": "老客户介绍",
    }
    url = reverse("allocation:distribute") + f"?pool={org.a.pk}&sort=name"
    with time_machine.travel(NOW, tick=False):
        refused = client.post(url, form)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'data-testid="error"' in html and noticed.name in html
    for pk in (noticed.pk, fine.pk):
        assert "checked" in _row(html, pk).split("</td>")[0]
    assert f'value="user:{org.sales_a.pk}" selected' in html
    assert 'value="展会名单"' in html and 'value="老客户介绍"' in html
    # The form posts back with the page's sort, so the same rows come back.
    assert "sort=name" in html.split('data-testid="distribute-form"')[0].rsplit("<form", 1)[1]
    assert Customer.objects.get(pk=fine.pk).holder_id is None
    # Untick the refused one, submit what was kept.
    form["customers"] = [fine.pk]
    with time_machine.travel(NOW, tick=False):
        done = client.post(url, form)
    assert done.status_code == 302 and "sort=name" in done["Location"]
    assert Customer.objects.get(pk=fine.pk).holder_id == org.sales_a.pk


def test_a_salesperson_requests_several_pool_customers_from_the_pool_page(org, login):
    first, second, _third = pooled(org.sales_a2, 3)
    client = login(org.sales_a)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("allocation:pool"))
        html = page.content.decode()
        assert 'data-testid="claim-form"' in html and f'value="{first.pk}"' in html
        sent = client.post(
            reverse("allocation:claim_new"),
            {"customers": [first.pk, second.pk], "reason": "在我片区"},
        )
    assert sent.status_code == 302
    claim = ClaimRequest.objects.get(requester=org.sales_a)
    assert set(claim.customers.values_list("pk", flat=True)) == {first.pk, second.pk}
    # Another department's salesperson never sees this pool.
    other = login(org.sales_b).get(reverse("allocation:pool"), {"pool": org.a.pk})
    assert f'data-id="{first.pk}"' not in other.content.decode()


def test_inbox_handled_tab_lists_decisions_newest_first(org, login):
    a, b, c = pooled(org.sales_a2, 3)
    older = claim_create(actor=org.sales_a, customer_ids=[a.pk], reason="一", now=NOW)
    newer = claim_create(actor=org.sales_a, customer_ids=[b.pk], reason="二", now=NOW)
    waiting = claim_create(actor=org.sales_a, customer_ids=[c.pk], reason="三", now=NOW)
    claim_decide(actor=org.manager_a, claim=older, approve=False, reason="不合适", now=NOW)
    claim_decide(actor=org.manager_a, claim=newer, approve=True, now=NOW + timedelta(hours=1))
    client = login(org.manager_a)
    done = client.get(reverse("allocation:inbox"), {"tab": "done"}).content.decode()
    detail = lambda claim: reverse("allocation:claim_detail", args=[claim.pk])  # noqa: E731
    assert done.index(detail(newer)) < done.index(detail(older))
    assert detail(waiting) not in done
    pending = client.get(reverse("allocation:inbox")).content.decode()
    assert detail(waiting) in pending and detail(older) not in pending
    # Another department's manager sees none of it.
    other = login(org.manager_b).get(reverse("allocation:inbox"), {"tab": "done"})
    assert detail(newer) not in other.content.decode()


def test_pool_search_filters_a_department_pool_and_a_refusal_keeps_it(org, login):
    wanted, kept_out = pooled(org.sales_a2, 2)
    Customer.objects.filter(pk=wanted.pk).update(name="远望科技有限公司")
    on_notice(kept_out, org.sales_a2, until=NOW + timedelta(days=2))
    client = login(org.manager_a)
    query = {"pool": org.a.pk, "q": "远望", "intent_grade": "", "region": ""}
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("allocation:pool"), query)
        assert f'<tr data-id="{wanted.pk}">' in page.content.decode()
        assert f'<tr data-id="{kept_out.pk}">' not in page.content.decode()
        refused = client.post(
            reverse("allocation:distribute") + f"?pool={org.a.pk}&q=远望",
            {"pool": org.a.pk, "customers": [wanted.pk, kept_out.pk], "recipient": "user:0"},
        )
    html = refused.content.decode()
    assert refused.status_code == 400 and f'<tr data-id="{kept_out.pk}">' not in html
    # The ticked customer outside the filtered rows is still sent, and named.
    elsewhere = html.split('data-testid="ticked-elsewhere"')[1].split("</p>")[0]
    assert f'value="{kept_out.pk}" checked' in elsewhere
