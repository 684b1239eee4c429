"""Pages of complaints (SPEC §11 投诉): the list, taking a complaint, its page with the step
forms, the breach verification and the analysis with its Excel export. Thin: scope through
`service.selectors.complaints` (404 outside it and for whoever may not act), one service
call, a redirect with a message."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from crm import xlsx
from crm.errors import refusal
from crm.paging import keyset_page
from crm.validators import parse_id
from customers.selectors import customers_visible_to
from customers.views.exports import audited_export

from ..forms_complaints import (
    AnalysisForm,
    ArchiveForm,
    ComplaintForm,
    ConfirmForm,
    HandleForm,
    InvestigateForm,
    ListFilterForm,
    VerifyForm,
)
from ..people_picker import picker, picker_department
from ..rights import (
    may_analyse_complaints,
    may_archive_complaint,
    may_see_complaints,
    may_take_complaint,
    may_verify_complaint,
    may_work_complaint,
)
from ..selectors.complaints import (
    complaint_analysis,
    complaint_events,
    complaint_list,
    complaints_visible_to,
)
from ..services.complaints import (
    ComplaintData,
    complaint_archive,
    complaint_confirm,
    complaint_handle,
    complaint_investigate,
    complaint_take,
    complaint_verify_breach,
)

ANALYSIS_FILE = pgettext_lazy("file name", "complaints-%(period)s.xlsx")


def _complaint(request, pk):
    return get_object_or_404(
        complaints_visible_to(request.user).select_related(
            "category",
            "department",
            "responsible",
            "customer",
            "taken_by",
            "investigated_by",
            "handled_by",
            "confirmed_by",
            "archived_by",
            "breach_person",
            "verified_by",
            "ledger_entry",
        ),
        pk=pk,
    )


def _detail(complaint) -> str:
    return reverse("service:complaint_detail", args=[complaint.pk])


# --- list ----------------------------------------------------------------------------------------


@login_required
@require_GET
def complaint_list_view(request):
    """投诉: newest first; filters by step, category, overdue first response, mine."""
    if not may_see_complaints(request.user):
        raise Http404
    form = ListFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    category = data.get("category")
    rows, page = keyset_page(
        complaint_list(
            request.user,
            step=data.get("step") or "",
            category_id=category.pk if category else None,
            overdue_at=timezone.now() if data.get("overdue") else None,
            mine=bool(data.get("mine")),
        ),
        request,
    )
    query = "&".join(
        f"{k}={v}"
        for k, v in (
            ("step", data.get("step") or ""),
            ("category", category.pk if category else ""),
            ("overdue", "on" if data.get("overdue") else ""),
            ("mine", "on" if data.get("mine") else ""),
        )
        if v
    )
    return render(
        request,
        "service/complaint_list.html",
        {
            "rows": rows,
            "page": page,
            "first_id": rows[0].pk if rows else None,
            "last_id": rows[-1].pk if rows else None,
            "query": query,
            "form": form if form.is_bound else ListFilterForm(),
            "now": timezone.now(),
            "can_take": may_take_complaint(request.user),
            "can_analyse": may_analyse_complaints(request.user),
        },
    )


# --- taking a complaint ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """受理: any member of staff; `?customer=<id>` links a customer the user sees."""
    if not may_take_complaint(request.user):
        raise Http404
    customer = None
    customer_id = parse_id(request.GET.get("customer"))
    if customer_id:
        customer = get_object_or_404(customers_visible_to(request.user), pk=customer_id)
    initial = {"complainant": customer.name} if customer else {}
    # The responsible person is picked from one department's people (the customer's, else the
    # user's own; `?people_of=` another): the whole staff in one list took a second (issue 19).
    staff = getattr(request.user, "staff", None)
    default = customer.department_id if customer else getattr(staff, "department_id", None)
    people_of = picker_department(request, default)
    form = ComplaintForm(request.POST or None, initial=initial, people_of=people_of)
    if request.method == "POST" and form.is_valid():
        responsible = form.cleaned_data["responsible"]
        with refusal(form) as outcome:
            complaint = complaint_take(
                actor=request.user,
                data=ComplaintData(
                    complainant=form.cleaned_data["complainant"],
                    complainant_phone=form.cleaned_data["complainant_phone"],
                    category=form.cleaned_data["category"],
                    content=form.cleaned_data["content"],
                    department=responsible.staff.department,
                    responsible=responsible,
                    customer=customer,
                ),
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("Complaint received."))
            if complaints_visible_to(request.user).filter(pk=complaint.pk).exists():
                return redirect(_detail(complaint))
            return redirect("service:complaint_list")
    return render(
        request,
        "service/complaint_form.html",
        {
            "form": form,
            "customer": customer,
            "picker": picker(request, people_of, _("People of")),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- the complaint's page and its steps ---------------------------------------------------


@login_required
@require_GET
def complaint_detail(request, pk: int):
    complaint = _complaint(request, pk)
    user = request.user
    can_work = may_work_complaint(user, complaint)
    step = complaint.step
    verifiable = (
        step in ("investigating", "handling")
        and not complaint.ledger_entry_id
        and may_verify_complaint(user, complaint)
    )
    # The person is picked among one department's people (the complaint's by default).
    people_of = picker_department(request, complaint.department_id)
    return render(
        request,
        "service/complaint_detail.html",
        {
            "complaint": complaint,
            "events": complaint_events(complaint),
            "overdue": complaint.overdue(timezone.now()),
            "investigate_form": InvestigateForm() if can_work and step == "received" else None,
            "handle_form": (
                HandleForm(
                    initial={"findings": complaint.findings, "resolution": complaint.resolution}
                )
                if can_work and step in ("investigating", "handling")
                else None
            ),
            "confirm_form": (
                ConfirmForm() if can_work and step == "handling" and complaint.handled_at else None
            ),
            "archive_form": (
                ArchiveForm()
                if step == "confirmed" and may_archive_complaint(user, complaint)
                else None
            ),
            "verify_form": (VerifyForm(people_of=people_of) if verifiable else None),
            "picker": (picker(request, people_of, _("People of")) if verifiable else None),
        },
    )


STEP_FORMS = {
    "investigate": InvestigateForm,
    "handle": HandleForm,
    "confirm": ConfirmForm,
    "archive": ArchiveForm,
}
DONE = {
    "investigate": _("Investigation started: the first response is recorded."),
    "handle": _("Handling recorded."),
    "confirm": _("The customer's answer is recorded."),
    "archive": _("Complaint archived."),
}


@login_required
@require_POST
def complaint_step(request, pk: int):
    """One step of the lifecycle (`action` = investigate / handle / confirm / archive)."""
    complaint = _complaint(request, pk)
    action = request.POST.get("action", "")
    if action not in STEP_FORMS:
        raise Http404
    allowed = (
        may_archive_complaint(request.user, complaint)
        if action == "archive"
        else may_work_complaint(request.user, complaint)
    )
    if not allowed:
        raise Http404
    form = STEP_FORMS[action](request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_detail(complaint))
    data, now, actor = form.cleaned_data, timezone.now(), request.user
    with refusal(request) as outcome:
        if action == "investigate":
            complaint_investigate(actor=actor, complaint=complaint, note=data["note"], now=now)
        elif action == "handle":
            complaint_handle(
                actor=actor,
                complaint=complaint,
                findings=data["findings"],
                resolution=data["resolution"],
                now=now,
            )
        elif action == "confirm":
            complaint_confirm(
                actor=actor,
                complaint=complaint,
                satisfied=data["satisfied"],
                note=data["note"],
                now=now,
            )
        else:
            complaint_archive(actor=actor, complaint=complaint, note=data["note"], now=now)
    if outcome.ok:
        messages.success(request, DONE[action])
    return redirect(_detail(complaint))


@login_required
@require_POST
def complaint_verify(request, pk: int):
    """Verified: contacted another's registered customer → one CONTACT_REGISTERED proposal."""
    complaint = _complaint(request, pk)
    if not may_verify_complaint(request.user, complaint):
        raise Http404
    form = VerifyForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_detail(complaint))
    with refusal(request) as outcome:
        complaint_verify_breach(
            actor=request.user,
            complaint=complaint,
            person=form.cleaned_data["person"],
            breach_on=form.cleaned_data["breach_on"],
            note=form.cleaned_data["note"],
            now=timezone.now(),
        )
    if outcome.ok:
        messages.success(
            request,
            _("Verified: a ledger proposal was recorded; the person's manager confirms it."),
        )
    return redirect(_detail(complaint))


# --- analysis ------------------------------------------------------------------------------------


def _analysis(request):
    if not may_analyse_complaints(request.user):
        raise Http404
    form = AnalysisForm(request.GET or None)
    year = timezone.localdate().year
    if form.is_bound and form.is_valid() and form.cleaned_data.get("year"):
        year = form.cleaned_data["year"]
    return form, complaint_analysis(request.user, year=year)


@login_required
@require_GET
def complaint_analysis_view(request):
    form, analysis = _analysis(request)
    return render(
        request,
        "service/complaint_analysis.html",
        {
            "form": form,
            "analysis": analysis,
            "prev_year": analysis.year - 1,
            "next_year": analysis.year + 1,
            "tables": _tables(analysis),
            "query": request.GET.urlencode(),
        },
    )


def _tables(analysis):
    return [
        (_("By category"), _("Category"), analysis.by_category),
        (_("By department"), _("Department"), analysis.by_department),
        (_("By month"), _("Month"), analysis.by_month),
    ]


def _num(value):
    return "" if value is None else value


@login_required
@require_GET
def complaint_analysis_export(request):
    form, analysis = _analysis(request)
    header_tail = [
        _("Complaints"),
        _("Closed"),
        _("Average days to close"),
        _("Median days to close"),
    ]

    def build():
        book = Workbook()
        book.remove(book.active)
        count = 0
        for title, first, groups in _tables(analysis):
            table = xlsx.Table(book.create_sheet(title=str(title)[:31]), [first, *header_tail])
            for g in groups:
                table.append(
                    [g.label, g.count, g.closed, _num(g.average_days), _num(g.median_days)]
                )
            t = analysis.total
            table.append([_("Total"), t.count, t.closed, _num(t.average_days), _num(t.median_days)])
            table.close()
            count += table.rows
        out = BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(), content_type=xlsx.XLSX_CONTENT_TYPE)
        return xlsx.attach(response, xlsx.FileName.of(ANALYSIS_FILE, period=analysis.year)), count

    query = request.GET.urlencode()
    refused_url = reverse("service:complaint_analysis") + (f"?{query}" if query else "")
    return audited_export(
        request,
        list_name="complaint_analysis",
        build=build,
        refused_url=refused_url,
        year=analysis.year,
    )
