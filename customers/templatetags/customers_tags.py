from django import template

from customers.normalize import mask_phone

register = template.Library()


@register.filter
def masked_phone(value, masked):
    """138****5678 when the viewer may not contact the customer (SPEC §1)."""
    return mask_phone(value) if masked and value else value


@register.filter
def masked_text(value, masked):
    return "***" if masked and value else value
