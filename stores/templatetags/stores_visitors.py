"""The visitors block of the store's start page (`stores/_home_visitors.html`) reads its figures
through this tag: the start page's view belongs to no area."""

from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag(takes_context=True)
def visitors_home_block(context, store):
    from ..views.visitors import home_block

    request = context.get("request")
    if request is None or store is None:
        return None
    return home_block(request, store, today=timezone.localdate())
