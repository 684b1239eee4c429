"""备份: the general manager's list of backups with size, time and verification (SPEC §9)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ..backup import backup_health
from ..models import Backup
from ..rights import may_read_backups


@login_required
@require_http_methods(["GET"])
def backup_list(request):
    if not may_read_backups(request.user):
        raise Http404
    return render(
        request,
        "crm/backups.html",
        {
            "backups": Backup.objects.order_by("-started_at")[:60],
            "health": backup_health(now=timezone.now()),
        },
    )
