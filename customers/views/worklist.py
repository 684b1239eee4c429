"""会计补录 (000 §3.1.f, 002 §5.1; SPEC §8): customers missing basic fields, most urgent first,
completed in place (htmx) — each fix goes through `customer_update`, so it lands in history."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.errors import RuleError
from crm.validators import parse_id

from ..basic_fields import basic_field_names, field_labels
from ..forms import CustomerForm
from ..normalize import KeyFormatError
from ..rights import may_work_incomplete_records
from ..selectors import customers_visible_to, editable_fields
from ..services import customer_update

PAGE = 100


def _worklist(user):
    return customers_visible_to(user).filter(is_incomplete=True)


def _row_context(customer, fields, **extra):
    return {"c": customer, "missing": field_labels(customer.missing_basic_fields(fields)), **extra}


@login_required
def worklist(request):
    if not may_work_incomplete_records(request.user):
        raise Http404
    fields = basic_field_names()
    qs = _worklist(request.user).select_related("holder", "department")
    after_due, after_id = request.GET.get("due"), parse_id(request.GET.get("id"))
    if after_due and after_id:
        try:
            due = date.fromisoformat(after_due)
        except ValueError:
            due = None
        if due:
            from django.db.models import Q

            qs = qs.filter(Q(completion_due__gt=due) | Q(completion_due=due, pk__gt=after_id))
    rows = list(qs.order_by("completion_due", "pk")[: PAGE + 1])
    has_next = len(rows) > PAGE
    rows = rows[:PAGE]
    today = timezone.localdate()
    return render(
        request,
        "customers/worklist.html",
        {
            "rows": [_row_context(c, fields) for c in rows],
            "has_next": has_next,
            "last": rows[-1] if rows else None,
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def worklist_row(request, pk: int):
    """GET ?edit=1: the row as a form of its missing fields; POST: save, return the row."""
    if not may_work_incomplete_records(request.user):
        raise Http404
    fields = basic_field_names()
    customer = get_object_or_404(
        _worklist(request.user).select_related("holder", "department"), pk=pk
    )
    allowed = set(editable_fields(request.user, customer))
    missing = [f for f in customer.missing_basic_fields(fields) if f in allowed]
    if not missing:
        raise Http404
    today = timezone.localdate()
    if request.method == "GET" and not request.GET.get("edit"):
        return render(
            request, "customers/worklist.html#row", _row_context(customer, fields, today=today)
        )
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
            except (RuleError, KeyFormatError) as exc:
                form.add_error(None, str(exc))
            else:
                return render(
                    request,
                    "customers/worklist.html#row",
                    _row_context(saved, fields, today=today, saved=True),
                )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "customers/worklist.html#row_form",
        _row_context(customer, fields, form=form, today=today),
        status=status,
    )
