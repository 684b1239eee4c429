"""站内通知: the viewer's notifications; reading never marks anything read."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ..models import Notification
from ..notifications import notifications_mark_read


@login_required
@require_GET
def notification_list(request):
    """站内通知: newest first. Reading changes nothing (a GET is never a write — a link or a
    prefetch must not mark anything read); "mark all read" and opening one are POSTs."""
    items = list(Notification.objects.filter(recipient=request.user)[:100])
    return render(request, "crm/notifications.html", {"items": items})


@login_required
@require_POST
def notification_mark_all_read(request):
    notifications_mark_read(user=request.user, now=timezone.now())
    return redirect("crm:notifications")


@login_required
@require_POST
def notification_open(request, pk: int):
    item = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications_mark_read(user=request.user, now=timezone.now(), notification_id=item.pk)
    safe = url_has_allowed_host_and_scheme(item.link, allowed_hosts={request.get_host()})
    return redirect(item.link if item.link and safe else "crm:notifications")
