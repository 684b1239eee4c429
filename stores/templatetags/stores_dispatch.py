"""The dispatch block of the store's start page (`stores/_home_dispatch.html`) reads its figures
through this tag: the start page's view belongs to no area."""

from django import template

from ..rights import may_propose_dispatch
from ..selectors.dispatch import confirmed_as_label, dispatch_home, status_label

register = template.Library()


@register.simple_tag(takes_context=True)
def dispatch_home_block(context, store):
    request = context.get("request")
    if request is None or store is None:
        return None
    block = dispatch_home(request.user, store)
    if block is not None:
        block["may_propose"] = may_propose_dispatch(request.user, store)
    return block


@register.filter
def dispatch_status(value):
    return status_label(value)


@register.filter
def dispatch_confirmed_as(value):
    return confirmed_as_label(value)
