"""重复与虚假资料报表 (002 §5.2.2; SPEC §8): the page and its Excel download. Thin: the rules
and the scope live in `customers.quality`; the clock is read here, once, for the default month."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from crm import xlsx
from crm.validators import parse_page

from ..quality.export import export_report, report_file_name
from ..quality.report import (
    KIND_LABELS,
    Kind,
    ReportMonth,
    duplicate_groups,
    fake_records,
)
from ..rights import may_see_quality_report
from .exports import audited_export

TEMPLATE = "customers/duplicates_report.html"


def _month(request) -> tuple[ReportMonth, str]:
    """The month asked for (default: this month), or this month and a message saying why the
    one asked for cannot be shown."""
    this_month = ReportMonth.of(timezone.localdate())
    text = request.GET.get("month", "").strip()
    if not text:
        return this_month, ""
    try:
        month = ReportMonth.parse(text)
    except ValueError:
        return this_month, _("“%(value)s” is not a month. Choose a month such as %(example)s.") % {
            "value": text[:20],
            "example": this_month,
        }
    if month.first > this_month.first:
        return this_month, _(
            "%(month)s has not begun yet. Choose this month or an earlier one."
        ) % {"month": month}
    return month, ""


def _page_number(request) -> int:
    return parse_page(request.GET.get("page"))


def _refused(request, month, error):
    context = {"month": month, "error": error, "kinds": KIND_LABELS, "kind": Kind.PHONE}
    return render(request, TEMPLATE, context, status=400)


@login_required
@require_GET
def duplicates_report(request):
    if not may_see_quality_report(request.user):
        raise Http404
    month, error = _month(request)
    if error:
        return _refused(request, month, error)
    kind = request.GET.get("kind")
    kind = kind if kind in KIND_LABELS else Kind.PHONE
    number = _page_number(request)
    if kind == Kind.FAKE:
        page = fake_records(request.user, month=month, page=number)
    else:
        page = duplicate_groups(request.user, kind=kind, month=month, page=number)
    return render(
        request,
        TEMPLATE,
        {"month": month, "kind": kind, "kinds": KIND_LABELS, "page": page},
    )


@login_required
@require_GET
def duplicates_report_export(request):
    """Every tab of the report in one workbook, written to a temporary file (like the
    customer export) so memory stays flat."""
    if not may_see_quality_report(request.user):
        raise Http404
    month, error = _month(request)
    if error:
        return _refused(request, month, error)
    return audited_export(
        request,
        list_name="duplicates",
        build=lambda: xlsx.download(
            lambda handle: export_report(request.user, month=month, fileobj=handle),
            report_file_name(month),
        ),
        refused_url=f"{reverse('customers:duplicates_report')}?month={month}",
        month=str(month),
    )
