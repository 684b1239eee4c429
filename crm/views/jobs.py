"""定时任务: the general manager's page of scheduled jobs (SPEC §9)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ..jobs import jobs_status
from ..rights import may_read_jobs


@login_required
@require_http_methods(["GET"])
def job_list(request):
    if not may_read_jobs(request.user):
        raise Http404
    now = timezone.now()
    jobs = jobs_status(now=now)
    return render(
        request,
        "crm/jobs.html",
        {"jobs": jobs, "late": [job for job in jobs if job.is_late], "now": now},
    )
