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
    return _prefixed(scope, prefix)


def _prefixed(q: Q, prefix: str) -> Q:
    """`q` (on Customer) re-rooted under `prefix`."""
    children = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        else:
            key, value = child
            children.append((f"{prefix}{key}", value))
    rerooted = Q(*children, _connector=q.connector, _negated=q.negated)
    return rerooted


def visible(qs, user, prefix: str = "customer__"):
    """`qs` narrowed to what `user` may see."""
    condition = customer_condition(user, prefix)
    return qs if condition is None else qs.filter(condition)
