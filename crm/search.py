"""The header's search box (搜索): crm draws it, the app that owns the records answers it. An
app registers the page the box submits to (a GET with `q`) and the right that page needs, so
crm names no higher app's URL (the `register_nav_item` pattern)."""

from dataclasses import dataclass

from django.urls import reverse

from .rights import page_right_named


@dataclass(frozen=True)
class HeaderSearch:
    url_name: str
    right: str  # a registered page right (crm.rights)
    placeholder: str
    extra: tuple[tuple[str, str], ...] = ()  # hidden fields sent with `q`


_TARGET: list[HeaderSearch] = []


def register_header_search(url_name: str, *, right: str, placeholder, extra=()) -> None:
    _TARGET[:] = [HeaderSearch(url_name, right, placeholder, tuple(extra))]


def header_search_for(user) -> dict | None:
    """{url, placeholder, extra} when `user` may use the registered search page, else None."""
    if not _TARGET or user is None or not user.is_authenticated:
        return None
    target = _TARGET[0]
    if not page_right_named(target.right)(user):
        return None
    return {
        "url": reverse(target.url_name),
        "placeholder": target.placeholder,
        "extra": target.extra,
    }
