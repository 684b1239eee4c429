from django import template

from ..rulebooks import readable_source

register = template.Library()


@register.filter
def rule_source(source: str) -> str:
    """{{ rule.source|rule_source }}: 《客户资源管理制度》第4.2条①b for "000 §4.2①b"."""
    return readable_source(source)
