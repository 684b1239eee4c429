"""沉默客户 (000 §3.2.e): who marks and clears, reasons, one standing mark, the list pages."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from crm.errors import RuleError
from customers.errors import NotAllowed
from sales.models import DormantMark
from sales.services.dormant import cross_sale_request, dormant_clear, dormant_mark
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
REGISTERED = datetime(2026, 1, 15, 10, 0, tzinfo=SH)
MARKED = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
LATER = datetime(2026, 3, 9, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _english():
    """Refusals are matched by their English text (the UI's Chinese comes from the catalogue)."""
    with translation.override("en"):
        yield


@pytest.fixture
def customer(org):
    return register(org.sales_a2, now=REGISTERED, name="沉默家居有限公司", phone="13900001111")


def test_accountant_of_the_department_marks_with_a_reason(org, customer):
    mark = dormant_mark(actor=org.accountant_a, customer=customer, reason="一年无购买", now=MARKED)
    assert mark.marked_by == org.accountant_a and mark.marked_at == MARKED
    assert mark.cleared_at is None


def test_the_gm_may_mark(org, customer):
    assert dormant_mark(actor=org.gm, customer=customer, reason="一年无购买", now=MARKED)


@pytest.mark.parametrize("who", ["sales_a", "sales_a2", "manager_a", "accountant_b", "manager_b"])
def test_others_may_not_mark(org, customer, who):
    with pytest.raises(NotAllowed):
        dormant_mark(actor=getattr(org, who), customer=customer, reason="一年无购买", now=MARKED)
    assert not DormantMark.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "长" * 301])
def test_a_reason_is_required_and_bounded(org, customer, reason):
    with pytest.raises(RuleError):
        dormant_mark(actor=org.accountant_a, customer=customer, reason=reason, now=MARKED)
    assert not DormantMark.objects.exists()


def test_one_standing_mark_per_customer(org, customer):
    dormant_mark(actor=org.accountant_a, customer=customer, reason="一年无购买", now=MARKED)
    with pytest.raises(RuleError, match="already marked"):
        dormant_mark(actor=org.accountant_a, customer=customer, reason="再次", now=LATER)
    # The database keeps it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        DormantMark.objects.create(
            customer=customer, reason="x", marked_by=org.accountant_a, marked_at=LATER
        )


def test_clear_needs_the_right_and_a_reason_then_a_new_mark_may_stand(org, customer):
    mark = dormant_mark(actor=org.accountant_a, customer=customer, reason="一年无购买", now=MARKED)
    with pytest.raises(NotAllowed):
        dormant_clear(actor=org.manager_a, mark=mark, reason="客户又来了", now=LATER)
    with pytest.raises(RuleError):
        dormant_clear(actor=org.accountant_a, mark=mark, reason=" ", now=LATER)
    cleared = dormant_clear(actor=org.accountant_a, mark=mark, reason="客户又来了", now=LATER)
    assert cleared.cleared_at == LATER and cleared.cleared_reason == "客户又来了"
    with pytest.raises(RuleError, match="already cleared"):
        dormant_clear(actor=org.accountant_a, mark=mark, reason="再清一次", now=LATER)
    assert dormant_mark(actor=org.accountant_a, customer=customer, reason="又沉默", now=LATER)


def test_clear_refused_while_a_cross_sale_waits(org, customer):
    mark = dormant_mark(actor=org.accountant_a, customer=customer, reason="一年无购买", now=MARKED)
    cross_sale_request(
        actor=org.sales_a,
        customer=customer,
        data={
            "occurred_at": LATER,
            "product": "地板",
            "quantity": Decimal("1"),
            "amount": Decimal("100"),
        },
        now=LATER,
    )
    with pytest.raises(RuleError, match="waits"):
        dormant_clear(actor=org.accountant_a, mark=mark, reason="客户又来了", now=LATER)


# --- pages ---------------------------------------------------------------------------------------


def test_mark_and_clear_from_the_customer_page(org, customer, login):
    client = login(org.accountant_a)
    page = client.get(reverse("customers:detail", args=[customer.pk]))
    assert b'data-testid="mark-dormant"' in page.content
    client.post(reverse("sales:dormant_mark", args=[customer.pk]), {"reason": "一年无购买"})
    mark = DormantMark.objects.get()
    page = client.get(reverse("customers:detail", args=[customer.pk]))
    assert "一年无购买" in page.content.decode()
    assert b'data-testid="clear-dormant"' in page.content
    client.post(reverse("sales:dormant_clear", args=[mark.pk]), {"reason": "恢复购买"})
    mark.refresh_from_db()
    assert mark.cleared_by == org.accountant_a


def test_the_manager_sees_the_mark_but_no_buttons(org, customer, login):
    dormant_mark(actor=org.accountant_a, customer=customer, reason="一年无购买", now=MARKED)
    page = login(org.manager_a).get(reverse("customers:detail", args=[customer.pk])).content
    assert b'data-testid="dormant-mark"' in page
    assert b'data-testid="mark-dormant"' not in page and b"clear-dormant" not in page


def test_marking_outside_ones_scope_answers_404(org, customer, login):
    response = login(org.accountant_b).post(
        reverse("sales:dormant_mark", args=[customer.pk]), {"reason": "一年无购买"}
    )
    assert response.status_code == 404
    assert not DormantMark.objects.exists()


def test_a_refused_mark_writes_nothing_and_says_why(org, customer, login):
    response = login(org.manager_a).post(
        reverse("sales:dormant_mark", args=[customer.pk]), {"reason": "一年无购买"}, follow=True
    )
    assert "data administrator" in response.content.decode() or "数据管理员" in (
        response.content.decode()
    )
    assert not DormantMark.objects.exists()


def test_readers_list_their_departments_marks(org, customer, login):
    other = register(org.sales_b, now=REGISTERED, name="华南沉默客户")
    dormant_mark(actor=org.accountant_a, customer=customer, reason="一年无购买", now=MARKED)
    dormant_mark(actor=org.accountant_b, customer=other, reason="两年无购买", now=MARKED)
    page = login(org.manager_a).get(reverse("sales:dormant_list")).content.decode()
    assert customer.name in page and other.name not in page and "一年无购买" in page
    page = login(org.gm).get(reverse("sales:dormant_list")).content.decode()
    assert customer.name in page and other.name in page


def test_salespeople_see_names_only_and_not_their_own_or_other_departments(org, customer, login):
    own = register(org.sales_a, now=REGISTERED, name="自己的沉默客户")
    other = register(org.sales_b, now=REGISTERED, name="华南沉默客户")
    for c in (customer, own):
        dormant_mark(actor=org.accountant_a, customer=c, reason="秘密原因", now=MARKED)
    dormant_mark(actor=org.accountant_b, customer=other, reason="秘密原因", now=MARKED)
    page = login(org.sales_a).get(reverse("sales:dormant_list")).content.decode()
    assert customer.name in page and "2026-03-02" in page  # dormant since
    assert own.name not in page and other.name not in page
    # No contact details, no holder, no reason (SPEC §1).
    assert "13900001111" not in page and "秘密原因" not in page
    assert org.sales_a2.display_name not in page
    assert reverse("sales:cross_sale_new", args=[customer.pk]) in page


def test_dormant_list_queries_do_not_grow_with_rows(org, login):
    client = login(org.manager_a)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("sales:dormant_list")).status_code == 200
        return len(ctx)

    first = register(org.sales_a2, now=REGISTERED, name="客户一")
    dormant_mark(actor=org.accountant_a, customer=first, reason="一年无购买", now=MARKED)
    one = count()
    for n in range(5):
        c = register(org.sales_a2, now=REGISTERED, name=f"客户{n}号", phone=f"1390000200{n}")
        dormant_mark(actor=org.accountant_a, customer=c, reason="一年无购买", now=MARKED)
    assert count() == one


def test_salesperson_list_queries_do_not_grow_with_rows(org, login):
    client = login(org.sales_a)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("sales:dormant_list")).status_code == 200
        return len(ctx)

    first = register(org.sales_a2, now=REGISTERED, name="客户一")
    dormant_mark(actor=org.accountant_a, customer=first, reason="一年无购买", now=MARKED)
    one = count()
    for n in range(5):
        c = register(org.sales_a2, now=REGISTERED, name=f"客户{n}号", phone=f"1390000200{n}")
        dormant_mark(actor=org.accountant_a, customer=c, reason="一年无购买", now=MARKED)
    assert count() == one
