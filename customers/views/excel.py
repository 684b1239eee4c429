"""Excel pages: export the list as it is filtered, download the import template, import.
Thin: the rules live in `customers.excel`, the scope in `views.scoped_customers`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm import xlsx
from crm.errors import refusal

from .. import excel
from ..models import ImportJob
from ..rights import may_list_customers, may_register, may_see_import_job
from ..services.imports import (
    INLINE_ROWS,
    import_job_create,
    import_job_is_stale,
    import_job_progress,
    import_job_retry,
)
from .archive import scoped_customers
from .exports import audited_export

TEMPLATE = "customers/import.html"


@login_required
@require_GET
def export(request):
    """Exactly the rows of the list page (same scope tab, same filters), masked the same.

    Written to a temporary file rather than memory: a department's archive can be large."""
    if not may_list_customers(request.user):
        raise Http404
    scope, filterset = scoped_customers(request)
    # The filters that were understood apply (as on the list page); 无效客户 only when asked.
    queryset = filterset.qs
    return audited_export(
        request,
        list_name="customers",
        count=queryset.count,
        build=lambda: xlsx.download(
            lambda handle: excel.export_customers(queryset, handle),
            excel.export_file_name(timezone.localdate()),
        ),
        refused_url=f"{reverse('customers:list')}?{request.GET.urlencode()}",
        scope=scope,
    )


@login_required
@require_GET
def import_template(request):
    if not may_register(request.user):
        raise Http404
    response = HttpResponse(excel.build_template(), content_type=excel.XLSX_CONTENT_TYPE)
    return xlsx.attach(response, excel.template_file_name())


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request):
    """Registering in bulk is registering: only the roles that may register may import.
    Small files import while the user waits; larger ones run on the worker with progress."""
    if not may_register(request.user):
        raise Http404
    if request.method == "GET":
        return render(request, TEMPLATE, {"max_rows": excel.MAX_ROWS})
    only_valid = bool(request.POST.get("only_valid"))
    context = {"max_rows": excel.MAX_ROWS, "only_valid": only_valid}
    upload = request.FILES.get("file")
    try:
        records = excel.read_workbook(upload)
    except excel.WorkbookError as exc:
        return render(request, TEMPLATE, {**context, "file_error": str(exc)}, status=400)
    now = timezone.now()
    if len(records) > INLINE_ROWS:
        job = import_job_create(
            actor=request.user, upload=upload, only_valid=only_valid, rows=len(records), now=now
        )
        return redirect("customers:import_job", pk=job.pk)
    result = excel.import_workbook(
        actor=request.user, records=records, only_valid=only_valid, now=now
    )
    if not result.errors:
        messages.success(request, _("%(count)d customers imported.") % {"count": result.imported})
        return redirect("customers:list")
    status = 400 if result.failed else 200
    return render(request, TEMPLATE, {**context, "result": result}, status=status)


@login_required
@require_GET
def import_job(request, pk: int):
    """The progress of a background import (htmx polls the #progress fragment)."""
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=pk)
    if not may_see_import_job(request.user, job):
        raise Http404
    result = None
    if job.finished_at:
        result = excel.ImportResult(
            imported=job.imported,
            errors=[excel.RowError(*row) for row in job.errors],
            failed=job.status in (ImportJob.Status.ROLLED_BACK, ImportJob.Status.ERROR),
        )
    stale = import_job_is_stale(job, now=timezone.now())
    context = {
        "job": job,
        "done": import_job_progress(job),
        "result": result,
        "stale": stale,
        "polling": job.finished_at is None and not stale,
        "max_rows": excel.MAX_ROWS,
    }
    template = "customers/import_job.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, context)


@login_required
@require_POST
def import_job_retry_view(request, pk: int):
    """Start an import that stopped without finishing again, from its stored file."""
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=pk)
    if not may_see_import_job(request.user, job):
        raise Http404
    with refusal(request) as outcome:
        import_job_retry(job=job, actor=request.user, now=timezone.now())
    if outcome.ok:
        messages.success(request, _("The import starts again."))
    return redirect("customers:import_job", pk=job.pk)
