"""Which sales records a user sees (SPEC §1): those of the customers the user sees unmasked —
a salesperson's own holdings; the departments a manager or accountant holds the right on; the
GM everything. A pooled customer's contracts stay with the department's managers and
accountants; a salesperson whose customer moved on no longer sees its contracts (the figures
still carry their credit)."""

from django.db.models import Q

from customers.rights import sees_only_own_customers
from customers.selectors import visibility_condition


def customer_condition(user, prefix: str = "customer__") -> Q | None:
    """The rule as a condition on a model with a `customer` foreign key (`prefix=""` on
    Customer itself); None means every row."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if sees_only_own_customers(user):
        return Q(**{f"{prefix}holder": user.pk})
    scope = visibility_condition(user)
    if scope is None:
        return None
    if not prefix:
        return scope
    return prefixed(scope, prefix)


def prefixed(q: Q, prefix: str) -> Q:
    """`q` (on Customer) re-rooted under `prefix`."""
    children = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(prefixed(child, prefix))
        else:
            key, value = child
            children.append((f"{prefix}{key}", value))
    rerooted = Q(*children, _connector=q.connector, _negated=q.negated)
    return rerooted


def visible(qs, user, prefix: str = "customer__"):
    """`qs` narrowed to what `user` may see."""
    condition = customer_condition(user, prefix)
    return qs if condition is None else qs.filter(condition)


def scope_customer_ids(user, condition: Q | None = None):
    """The ids of the customers `user` sees as a subquery, one index-only read per branch of
    the rule (a department's customers: `customer_dept_holder_idx`; one's own:
    `customer_holder_idx`) joined with UNION ALL — where the rule's OR read every customer
    row of the departments from the table (4,500 pages for a manager's department at a
    million customers). None: every customer (issue 19 round 3). `condition`: the rule on
    Customer (`customer_condition(user, prefix="")`) when the caller has it."""
    condition = customer_condition(user, prefix="") if condition is None else condition
    if condition is None:
        return None
    from customers.models import Customer

    branches = (
        list(condition.children)
        if condition.connector == Q.OR and not condition.negated
        else [condition]
    )
    parts = [
        Customer.objects.filter(b if isinstance(b, Q) else Q(b)).order_by().values("id")
        for b in branches
    ]
    first, rest = parts[0], parts[1:]
    return first.union(*rest, all=True) if rest else first
