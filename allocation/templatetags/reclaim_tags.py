"""Template tags of the reclaim rules: the customer list's countdown (天后回收) and the
timeline's 不满意 verification state. The rules are loaded once per request, never per row."""

from django import template
from django.utils import timezone

from crm.calendar import SHANGHAI

from ..services.notices import verified_followup_ids
from ..services.warnings import countdown_policies
from ..services.warnings import days_left as _days_left

register = template.Library()

_POLICIES = "_reclaim_policies"
_TODAY = "_reclaim_today"


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
def reclaim_today(context):
    """Today in Asia/Shanghai, fixed for the whole request: `{% reclaim_today as today %}`."""
    request = getattr(context, "request", None)
    if request is not None and hasattr(request, _TODAY):
        return getattr(request, _TODAY)
    today = timezone.now().astimezone(SHANGHAI).date()
    if request is not None:
        setattr(request, _TODAY, today)
    return today


@register.simple_tag(takes_context=True)
def days_left(context, customer, today):
    """`{% days_left customer today as left %}`: days until the customer's earliest reclaim
    day under the active rules that apply to it; None for a pool customer."""
    if customer.holder_id is None or today is None:
        return None
    return _days_left(customer, _policies(context), today)


@register.simple_tag
def unsatisfied_verified(entries):
    """`{% unsatisfied_verified entries as verified %}`: ids of the unsatisfied follow-ups
    among timeline `entries` that a manager has verified — one query, none when there are
    no unsatisfied follow-ups on the page."""
    ids = [
        e.obj.pk for e in entries if e.type == "followup" and e.obj.satisfaction == "unsatisfied"
    ]
    return verified_followup_ids(ids)
