"""The approvals inbox (待审批)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from ..inbox import inbox_for
from ..rights import (
    may_approve,
)


@login_required
def inbox(request):
    if not may_approve(request.user):
        raise Http404
    return render(request, "allocation/inbox.html", {"items": inbox_for(request.user)})
