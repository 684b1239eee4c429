"""The contract and opportunity lists' holder filter (issue 19): a company-wide viewer picks
a department first (10,000 names in one list cost ~0.5 s to render and are no choice); the
person already chosen stays listed; everybody else lists their departments' people."""

from django.urls import reverse


def _holders(client, name, query=None):
    response = client.get(reverse(name), query or {})
    assert response.status_code == 200
    return {pk for pk, _name in response.context["holders"]}, response


def test_the_gm_picks_a_department_first(org, login):
    client = login(org.gm)
    for name in ("sales:contract_list", "sales:opportunity_list"):
        shown, response = _holders(client, name)
        assert shown == set()
        assert org.a.pk in {pk for pk, _name in response.context["holder_departments"]}
        shown, _response = _holders(client, name, {"people_of": org.b.pk})
        assert org.sales_b.pk in shown and org.sales_a.pk not in shown
        # A link naming a person keeps them chosen (and filters by them).
        shown, response = _holders(client, name, {"holder": org.sales_a.pk})
        assert shown == {org.sales_a.pk}


def test_a_manager_lists_the_people_of_their_departments(org, login):
    client = login(org.manager_a)
    for name in ("sales:contract_list", "sales:opportunity_list"):
        shown, response = _holders(client, name)
        assert org.sales_a.pk in shown and org.sales_b.pk not in shown
        assert response.context["holder_departments"] == []


def test_a_narrow_scope_reads_customers_first_in_the_same_order(org, login):
    """A manager's list sorts on expressions (no order index walk): the same rows in the
    same order as the straightforward sort."""
    from datetime import datetime, timedelta
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    import time_machine

    from sales.models import Opportunity
    from sales.selectors.opportunities import opportunities_visible_to, reads_few_customers
    from sales.services.opportunities import opportunity_create
    from tests.factories import register

    t0 = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    customer = register(org.sales_a, now=t0 - timedelta(days=30))
    for i in range(6):
        with time_machine.travel(t0 + timedelta(hours=i // 2), tick=False):
            opportunity_create(
                actor=org.sales_a,
                customer=customer,
                data={
                    "product": f"地板{i}",
                    "expected_amount": Decimal(100 * (i % 3)),
                    "expected_close": (t0 + timedelta(days=10 * (i % 2))).date(),
                },
                now=t0 + timedelta(hours=i // 2),
            )
    assert reads_few_customers(org.manager_a) and not reads_few_customers(org.gm)
    client = login(org.manager_a)
    mine = opportunities_visible_to(org.manager_a)
    for sort, order in (
        ("", ("-created_at", "-pk")),
        ("created", ("created_at", "pk")),
        ("expected_close", ("expected_close", "pk")),
        ("-expected_amount", ("-expected_amount", "-pk")),
    ):
        response = client.get(reverse("sales:opportunity_list"), {"sort": sort} if sort else {})
        shown = [o.pk for o in response.context["rows"]]
        assert shown == list(mine.order_by(*order).values_list("pk", flat=True)), sort
    assert Opportunity.objects.count() == 6
