"""The review block of the store's start page (`stores/_home_review.html`) reads its figures
through this tag: the start page's view belongs to no area."""

from django import template
from django.utils import timezone

from ..selectors.review import review_home

register = template.Library()


@register.simple_tag(takes_context=True)
def review_home_block(context, store):
    request = context.get("request")
    if request is None:
        return None
    return review_home(request.user, store, today=timezone.localdate())
