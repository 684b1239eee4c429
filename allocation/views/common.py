"""Helpers shared by the allocation pages."""

from django.http import Http404


def require(right, request) -> None:
    """Handovers and disputes are the managers' and the GM's work; anybody else gets 404."""
    if not right(request.user):
        raise Http404
