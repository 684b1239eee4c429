from functools import lru_cache

from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from ..rates import Rate

register = template.Library()


@register.simple_tag
def rate_cell(rate):
    """{% rate_cell rate %}: the HTML of penalties/_rate.html, drawn in Python. The company
    overview shows four rates on each of its rows (880 cells for 220 departments); an include
    per cell took about half the page's rendering (issue 19). The cell depends only on the two
    counts (and the language and number format), so a page's many equal cells — 0/0 for most
    departments early in a month — are formatted once. A test holds it equal to the template."""
    return _cell(get_language(), settings.USE_THOUSAND_SEPARATOR, rate.signed, rate.inquired)


@lru_cache(maxsize=4096)
def _cell(language, thousands, signed, inquired):
    percent = Rate(signed, inquired).percent
    shown = "—" if percent is None else f"{floatformat(percent, 1)}%"
    return format_html(
        '{} <small class="muted" title="{}">{}/{}</small>',
        shown,
        gettext("people signed / people who inquired"),
        localize(signed),
        localize(inquired),
    )
