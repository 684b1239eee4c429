"""Customer pages. Thin: every read starts from `customers_visible_to`, every write is one
service call; out-of-scope ids answer 404 (SPEC §1)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.calendar import SHANGHAI
from crm.errors import RuleError
from crm.paging import numbered_page
from crm.selectors import grants_read_once

from ..basic_fields import field_labels
from ..extras import detail_actions, detail_sections, list_columns, list_rows, timeline_extras
from ..forms import REGISTER_FIELDS, ContactForm, ContactFormSet, CustomerFilter, CustomerForm
from ..history import customer_history
from ..models import Contact
from ..normalize import KeyFormatError
from ..rights import (
    may_edit_archive,
    may_follow_up,
    may_judge_validity,
    may_list_customers,
    may_record_deal,
    may_register,
    sees_only_own_customers,
)
from ..selectors import customers_visible_to, editable_fields
from ..services import contact_add, contact_update, customer_register, customer_update
from ..timeline import encode_cursor, timeline

LIST_SCOPES = ("mine", "pool", "all")
# The list's sortable columns (?sort=key or -key): a whitelist, never a typed field name.
# holder_since and the id (编号, newest first by default) are indexed; name and grade sort the
# filtered rows (a top-N sort under the page's LIMIT).
LIST_SORTS = {
    "code": (),
    "name": ("name",),
    "intent_grade": ("intent_grade",),
    "holder_since": ("holder_since",),
}


def scoped_customers(request):
    """The visible customers narrowed by the scope tab and the filters."""
    user = request.user
    scope = request.GET.get("scope") or ("mine" if sees_only_own_customers(user) else "all")
    scope = scope if scope in LIST_SCOPES else "all"
    base = customers_visible_to(user)
    if scope == "mine":
        base = base.filter(holder=user.pk)
    elif scope == "pool":
        base = base.filter(holder__isnull=True)
    filterset = CustomerFilter(request.GET, queryset=base)
    return scope, filterset


@login_required
def customer_list(request):
    if not may_list_customers(request.user):
        raise Http404
    scope, filterset = scoped_customers(request)
    if not filterset.is_valid():
        messages.error(request, _("Some filters were not understood and were ignored."))
    # The filters that were understood still apply, and 无效客户 stay out unless asked for.
    qs = filterset.qs
    rows, page = numbered_page(
        qs.select_related("holder", "department"), request, sorts=LIST_SORTS, default="-code"
    )
    query = request.GET.copy()
    for key in ("after", "before", "page"):
        query.pop(key, None)
    # Higher apps' columns (the reclaim countdown): their data for all rows at once, on today
    # in Asia/Shanghai read here, once.
    columns = list_columns(rows, today=timezone.now().astimezone(SHANGHAI).date())
    return render(
        request,
        "customers/list.html",
        {
            "customers": rows,
            "list_columns": columns,
            "rows": list_rows(rows, columns),
            "page": page,
            "scope": scope,
            "filter": filterset,
            "query": query.urlencode(),
        },
    )


@login_required
def customer_detail(request, pk: int):
    # Every section's rights ask about the customer's department: the grants are read once
    # for the whole page (issue 19 round 3: 13 permission queries became 2).
    with grants_read_once(request.user):
        return _customer_detail(request, pk)


def _customer_detail(request, pk: int):
    customer = get_object_or_404(
        customers_visible_to(request.user).select_related("holder", "department"), pk=pk
    )
    entries, cursor = timeline(customer)
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "entries": entries,
            "next_cursor": encode_cursor(cursor) if cursor else None,
            "masked": customer.contacts_masked,
            "can_follow_up": may_follow_up(request.user, customer),
            "can_record_deal": may_record_deal(request.user, customer),
            "contacts": list(customer.contacts.all()),
            "events": customer.events.select_related("from_holder", "to_holder", "actor")[:50],
            "history": customer_history(customer, masked=customer.contacts_masked),
            "can_edit": bool(editable_fields(request.user, customer)),
            "missing": field_labels(customer.missing_basic_fields()),
            "can_judge_validity": may_judge_validity(request.user, customer),
            "detail_actions": detail_actions(),
            "detail_sections": detail_sections(customer, user=request.user),
            **timeline_extras(entries, user=request.user),
        },
    )


def _form_error(form, exc):
    form.add_error(None, str(exc))


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request):
    if not may_register(request.user):
        raise Http404
    form = CustomerForm(
        request.POST or None,
        fields=REGISTER_FIELDS,
        initial={"phone": request.GET.get("phone", "")[:30]},
    )
    contacts = ContactFormSet(request.POST or None, prefix="contacts")
    if request.method == "POST" and form.is_valid() and contacts.is_valid():
        contact_rows = [f.cleaned_data for f in contacts.forms if f.has_changed()]
        try:
            customer = customer_register(
                actor=request.user,
                data=form.cleaned_data,
                contacts=contact_rows,
                now=timezone.now(),
            )
        except (RuleError, KeyFormatError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Customer %(name)s registered.") % {"name": customer})
            return redirect("customers:detail", pk=customer.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "customers/register.html", {"form": form, "contacts": contacts}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request, pk: int):
    customer = get_object_or_404(customers_visible_to(request.user), pk=pk)
    fields = editable_fields(request.user, customer)
    if not fields:
        raise Http404
    form = CustomerForm(request.POST or None, instance=customer, fields=fields)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            customer_update(actor=request.user, customer=customer, data=data, now=timezone.now())
        except (RuleError, KeyFormatError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", pk=customer.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "customers/edit.html", {"form": form, "customer": customer}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_form(request, pk: int, contact_pk: int | None = None):
    customer = get_object_or_404(customers_visible_to(request.user), pk=pk)
    if not may_edit_archive(request.user, customer):
        raise Http404
    contact = get_object_or_404(Contact, pk=contact_pk, customer=customer) if contact_pk else None
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if contact:
                    contact_update(
                        actor=request.user,
                        contact=contact,
                        data=form.cleaned_data,
                        now=timezone.now(),
                    )
                else:
                    contact_add(
                        actor=request.user,
                        customer=customer,
                        data=form.cleaned_data,
                        now=timezone.now(),
                    )
        except (RuleError, KeyFormatError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Contact saved."))
            return redirect(reverse("customers:detail", args=[customer.pk]) + "#contacts")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "customers/contact_form.html",
        {"form": form, "customer": customer, "contact": contact},
        status=status,
    )
