"""会计补录 (000 §3.1.f, 002 §5.1; SPEC §8): customers missing basic fields, most urgent first,
completed in place (htmx) — each fix goes through `customer_update`, so it lands in history.
Without JavaScript the same form opens inside the full worklist page."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.errors import RuleError
from crm.validators import parse_id

from ..basic_fields import basic_field_names, field_labels
from ..forms import CustomerForm
from ..normalize import KeyFormatError
from ..rights import may_work_incomplete_records
from ..selectors import (
    WORKLIST_DEALT,
    WORKLIST_NO_DEAL,
    editable_fields,
    incomplete_records,
    incomplete_records_page,
)
from ..services import customer_update

PAGE = 100
PAGE_TEMPLATE = "customers/worklist.html"


def _row_context(customer, fields, **extra):
    return {"c": customer, "missing": field_labels(customer.missing_basic_fields(fields)), **extra}


def _cursor(request):
    """?seg=d|n&due=YYYY-MM-DD&id=N: the previous page's last row; None when absent/bad."""
    segment, after_id = request.GET.get("seg"), parse_id(request.GET.get("id"))
    if segment not in (WORKLIST_DEALT, WORKLIST_NO_DEAL) or not after_id:
        return None
    try:
        due = date.fromisoformat(request.GET.get("due") or "")
    except ValueError:
        return None
    return segment, due, after_id


def _page(request, *, editing=None, status=200):
    """The worklist page; `editing` (customer, form) opens that row as a form in place."""
    fields = basic_field_names()
    rows, cursor = incomplete_records_page(request.user, after=_cursor(request), size=PAGE)
    today = timezone.localdate()
    contexts = [_row_context(c, fields) for c in rows]
    if editing is not None:
        customer, form = editing
        edited = _row_context(customer, fields, form=form)
        for i, row in enumerate(contexts):
            if row["c"].pk == customer.pk:
                contexts[i] = edited
                break
        else:
            contexts.insert(0, edited)
    return render(
        request,
        PAGE_TEMPLATE,
        {
            "rows": contexts,
            "next": {"seg": cursor[0], "due": cursor[1], "id": cursor[2]} if cursor else None,
            "today": today,
        },
        status=status,
    )


@login_required
def worklist(request):
    if not may_work_incomplete_records(request.user):
        raise Http404
    return _page(request)


@login_required
@require_http_methods(["GET", "POST"])
def worklist_row(request, pk: int):
    """GET ?edit=1: the row as a form of its missing fields; POST: save, return the row.

    htmx gets the row (200 with the field errors and what was typed when refused: htmx swaps
    only 2xx); a plain request gets the whole worklist with the row open, 400 when refused."""
    if not may_work_incomplete_records(request.user):
        raise Http404
    fields = basic_field_names()
    customer = get_object_or_404(
        incomplete_records(request.user).select_related("holder", "department"), pk=pk
    )
    allowed = set(editable_fields(request.user, customer))
    missing = [f for f in customer.missing_basic_fields(fields) if f in allowed]
    if not missing:
        raise Http404
    today = timezone.localdate()
    if request.method == "GET" and not request.GET.get("edit"):
        if not request.htmx:
            return _page(request)
        return render(request, f"{PAGE_TEMPLATE}#row", _row_context(customer, fields, today=today))
    form = CustomerForm(request.POST or None, instance=customer, fields=missing)
    for field in form.fields.values():
        field.required = False
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
        if not data:
            form.add_error(None, _("Fill in at least one field."))
        else:
            try:
                saved = customer_update(
                    actor=request.user, customer=customer, data=data, now=timezone.now()
                )
            except (RuleError, KeyFormatError) as exc:  # a key format is not a RuleError
                form.add_error(None, str(exc))
            else:
                if not request.htmx:
                    messages.success(request, _("Saved: %(name)s.") % {"name": saved.name})
                    return redirect(reverse("customers:worklist") + f"#row-{saved.pk}")
                return render(
                    request,
                    f"{PAGE_TEMPLATE}#row",
                    _row_context(saved, fields, today=today, saved=True),
                )
    if not request.htmx:
        status = 400 if request.method == "POST" else 200
        return _page(request, editing=(customer, form), status=status)
    return render(
        request,
        f"{PAGE_TEMPLATE}#row_form",
        _row_context(customer, fields, form=form, today=today),
    )
