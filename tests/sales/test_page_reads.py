"""The list pages' reads for a viewer of a few departments (issue 19 round 3): the scope as
the union of its customers' ids equals the rule; the contract list read customers first has
the rows and links of the plain keyset page, on every page, both ways."""

import pytest
from django.test import RequestFactory

from crm.paging import keyset_page
from customers.models import Customer
from sales.models import Contract
from sales.selectors.common import scope_customer_ids, visible
from sales.selectors.contracts import contract_list
from sales.views.contracts import _few_customers_page

from .test_perf_receivables import world as world  # noqa: F401 (the fixture)

ROLES = ["gm", "manager_a", "manager_b", "manager_a1", "accountant_a", "sales_a", "sales_b"]


@pytest.mark.parametrize("role", ROLES)
def test_the_scope_as_customer_ids_is_the_rule(world, role):
    user = getattr(world, role)
    ids = scope_customer_ids(user)
    rule = visible(Customer.objects.all(), user, prefix="")
    if ids is None:
        assert role == "gm"
        return
    assert set(Customer.objects.filter(pk__in=ids).values_list("pk", flat=True)) == set(
        rule.values_list("pk", flat=True)
    )


def _walk(page, user, *, size, **filters):
    """Every page from the first, forwards then back: [(ids, links)]."""
    factory = RequestFactory()
    seen, query = [], {}
    while True:
        rows, links = page(
            contract_list(user, customers_first=page is _few_customers_page, **filters),
            factory.get("/", query),
            size=size,
        )
        seen.append(([r.pk for r in rows], links))
        if not links["has_next"] or not rows:
            break
        query = {"after": rows[-1].pk}
    while seen[-1][0] and len(seen) < 20:
        rows, links = page(
            contract_list(user, customers_first=page is _few_customers_page, **filters),
            factory.get("/", {"before": seen[-1][0][0]}),
            size=size,
        )
        seen.append(([r.pk for r in rows], links))
        if not links["has_prev"]:
            break
    return seen


@pytest.mark.parametrize("role", ["manager_a", "manager_b", "manager_a1", "sales_a"])
@pytest.mark.parametrize("status", ["", Contract.Status.SIGNED])
def test_the_contract_list_read_customers_first_pages_like_the_keyset_page(world, role, status):
    user = getattr(world, role)
    for size in (1, 2, 50):
        fast = _walk(_few_customers_page, user, size=size, status=status)
        plain = _walk(keyset_page, user, size=size, status=status)
        assert fast == plain, (role, size)
