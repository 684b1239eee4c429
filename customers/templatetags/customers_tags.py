from django import template

from customers import masking

register = template.Library()


@register.filter
def shown(obj, field):
    """`{{ customer|shown:"phone" }}`, `{{ contact|shown:"birthday" }}`: the value as the
    viewer may see it — 138****5678 or *** where the customer is seen masked
    (`customers.masking`, SPEC §1)."""
    return masking.for_template(masking.shown(obj, field))
