"""/healthz for operations' probes."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..health import health_report


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For operations' probes: anonymous, never cached, 503 when any check fails. The answer
    holds the checks' outcomes only (crm/health.py), nothing about the installation."""
    report = health_report(now=timezone.now())
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
