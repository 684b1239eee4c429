import re

from django import template
from django.utils.html import format_html

from customers import masking

register = template.Library()


@register.filter
def shown(obj, field):
    """`{{ customer|shown:"phone" }}`, `{{ contact|shown:"birthday" }}`: the value as the
    viewer may see it — 138****5678 or *** where the customer is seen masked
    (`customers.masking`, SPEC §1)."""
    return masking.for_template(masking.shown(obj, field))


@register.filter
def phone_link(obj, field):
    """`{{ customer|phone_link:"phone" }}`: the number as a tap-to-call `tel:` link when the
    viewer sees it in full, the mask (138****5678) as plain text when not, "—" when empty. A
    masked number never becomes a link: its digits are not in the page."""
    value = masking.shown(obj, field)
    if value in (None, ""):
        return "—"
    if masking.is_masked(obj) and field in masking.masked_fields(type(obj)):
        return value
    dial = re.sub(r"[^\d+]", "", str(value))
    if not dial:
        return value
    return format_html('<a class="tel" href="tel:{}">{}</a>', dial, value)
