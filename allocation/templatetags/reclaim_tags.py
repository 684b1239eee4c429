"""Template tags of the reclaim rules for allocation's own templates. Customers' pages get the
countdown and the 不满意 verification from their views (allocation/customer_extras.py, registered
in customers/extras.py), with the clock read in the view: no tag here reads the clock."""

from django import template

from ..services.warnings import countdown_policies
from ..services.warnings import days_left as _days_left

register = template.Library()

_POLICIES = "_reclaim_policies"


def _policies(context):
    """The active clock rules, cached on the request (one query per request however many
    rows), or on this render when there is no request."""
    holder = getattr(context, "request", None)
    if holder is None:
        holder = context.render_context
        if _POLICIES not in holder:
            holder[_POLICIES] = countdown_policies()
        return holder[_POLICIES]
    if not hasattr(holder, _POLICIES):
        setattr(holder, _POLICIES, countdown_policies())
    return getattr(holder, _POLICIES)


@register.simple_tag(takes_context=True)
def days_left(context, customer, today):
    """`{% days_left customer today as left %}`: days until the customer's earliest reclaim
    day under the active rules that apply to it; None for a pool customer. `today` comes
    from the view."""
    if customer.holder_id is None or today is None:
        return None
    return _days_left(customer, _policies(context), today)
