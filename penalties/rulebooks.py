"""Rule-book references as people read them. A rule's `source` keeps the rule books' short
notation ("000 §4.2①b", "004 四 奖励1", "000 §4.2⑥, 004"): pages show it as
《客户资源管理制度》第4.2条①b, in English as "Customer resource management rules §4.2①b"."""

import re

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

# The five rule books (docs/rules.md: ../shared/seeds/), by their number.
BOOKS = {
    "000": gettext_noop("Customer resource management rules"),
    "001": gettext_noop("Customer archive management rules"),
    "002": gettext_noop("CRM usage rules"),
    "003": gettext_noop("Customer credit and complaint rules"),
    "004": gettext_noop("Customer resource management handbook"),
}
_PART = re.compile(r"^\s*(\d{3})\s*(.*?)\s*$")
_CLAUSE = re.compile(r"^§\s*(\d+(?:\.\d+)*)\.?(.*)$")
# "四 奖励1", "五.4": a numbered section in Chinese numerals, written 四、奖励1 / 五、4.
_SECTION = re.compile(r"^([一二三四五六七八九十]+)[\s.]+")


def readable_reference(part: str) -> str:
    match = _PART.match(part)
    if not match or match.group(1) not in BOOKS:
        return part.strip()
    book, rest = _(BOOKS[match.group(1)]), match.group(2)
    if not rest:
        return _("“%(book)s”") % {"book": book}
    clause = _CLAUSE.match(rest)
    if clause:
        return _("“%(book)s” §%(clause)s%(item)s") % {
            "book": book,
            "clause": clause.group(1),
            "item": clause.group(2).strip(),
        }
    section = _SECTION.sub(r"\1、", rest)
    return _("“%(book)s” %(section)s") % {"book": book, "section": section}


def readable_source(source: str) -> str:
    """The whole `source` field: each reference readable, in the reader's language; anything
    the company typed in another form is shown as typed."""
    if not source:
        return ""
    separator = "；" if (get_language() or "").startswith("zh") else "; "
    return separator.join(readable_reference(part) for part in source.split(","))
