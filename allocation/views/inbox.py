"""The approvals inbox (待审批) and its 已处理 tab."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from crm.validators import parse_id

from ..inbox import inbox_for
from ..rights import (
    may_approve,
)
from ..selectors.decided import decided_items

DONE_PAGE_SIZE = 30
DONE_MAX_PAGE = 20  # 600 decisions back; older ones are on each record's own page


@login_required
def inbox(request):
    if not may_approve(request.user):
        raise Http404
    if request.GET.get("tab") != "done":
        return render(
            request,
            "allocation/inbox.html",
            {"items": inbox_for(request.user, now=timezone.now()), "tab": "waiting"},
        )
    # 已处理: newest first, numbered pages; each kind is read up to the page's end only.
    number = min(parse_id(request.GET.get("page")) or 1, DONE_MAX_PAGE)
    items = decided_items(request.user, limit=number * DONE_PAGE_SIZE + 1)
    start = (number - 1) * DONE_PAGE_SIZE
    return render(
        request,
        "allocation/inbox.html",
        {
            "items": items[start : start + DONE_PAGE_SIZE],
            "tab": "done",
            "number": number,
            "has_prev": number > 1,
            "has_next": len(items) > number * DONE_PAGE_SIZE and number < DONE_MAX_PAGE,
            "prev": number - 1,
            "next": number + 1,
        },
    )
