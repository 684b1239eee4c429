"""The people block of the store's start page (`stores/_home_people.html`): today's figures
and which of the people pages the viewer may open, for the store shown."""

from django import template
from django.utils import timezone

from ..rights import may_edit_designer, may_keep_register, may_see_designer_months
from ..selectors.people import day_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def people_today(context, store) -> dict:
    user = context["request"].user
    today = timezone.localdate()
    return {
        **day_summary(store, today),
        "today": today,
        "may_record": may_keep_register(user, store),
        "may_edit": may_edit_designer(user, store),
        "may_see_months": may_see_designer_months(user, store),
    }
