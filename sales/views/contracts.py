"""Pages of contracts, amendments, attachments, collections and returns (SPEC §10). Thin:
scope through `sales.selectors.contracts` (404 outside it and for whoever may not act), one
service call, a redirect with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BigIntegerField, ExpressionWrapper, F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.errors import refusal
from crm.paging import PAGE_SIZE, keyset_page
from crm.validators import parse_id, parse_month
from customers.models import Deal
from customers.selectors import customers_visible_to

from ..forms_contracts import (
    AttachmentForm,
    CollectionForm,
    ContractForm,
    InstalmentFormSet,
    LineFormSet,
    ReturnForm,
    ReverseForm,
    SignForm,
    filled,
)
from ..models import Contract, ContractAttachment, ContractLine, Opportunity, Stage
from ..rights import may_draft_contract, may_record_collection, may_see_contracts
from ..selectors.common import customer_condition
from ..selectors.contracts import (
    collections_visible_to,
    contract_page,
    contracts_visible_to,
    holder_choices,
    holder_departments,
    instalments_visible_to,
    returnable,
)
from ..selectors.contracts import (
    contract_list as contract_rows,
)
from ..selectors.opportunities import few_departments
from ..services.contracts import (
    collection_record,
    collection_reverse,
    contract_attachment_add,
    contract_create,
    contract_sign,
    contract_update,
    return_record,
)


def _contract(request, pk):
    return get_object_or_404(
        contracts_visible_to(request.user).select_related(
            "customer", "customer__holder", "amends", "opportunity", "credited_to", "created_by"
        ),
        pk=pk,
    )


def _customer(request, pk):
    """A customer the user sees unmasked and may enter contracts for; 404 otherwise."""
    customer = get_object_or_404(customers_visible_to(request.user), pk=pk)
    if customer.contacts_masked or not may_draft_contract(request.user, customer):
        raise Http404
    return customer


def _detail(contract) -> str:
    return reverse("sales:contract_detail", args=[contract.pk])


# --- list ------------------------------------------------------------------------------------


def _few_customers_page(qs, request, size=PAGE_SIZE):
    """`crm.paging.keyset_page` (the same rows and links) for a viewer of a few departments'
    customers, in two steps: the page's ids ordered on `id + 0`, which no index provides, so
    PostgreSQL reads the scope's customers first (their ids from the customers' indexes,
    their contracts' ids from `contract_customer_idx`) and sorts them — the walk of the
    whole id index probed ~20,000 customers to find a page of one department's, 346 ms at a
    million customers; then those rows with their customers (`reads_few_customers`, as on
    the opportunity list)."""
    key = ExpressionWrapper(F("pk") + 0, output_field=BigIntegerField())
    after, before = parse_id(request.GET.get("after")), parse_id(request.GET.get("before"))
    ids = qs.values_list("pk", flat=True)
    if before:
        found = list(ids.filter(pk__gt=before).order_by(key.asc())[: size + 1])
        has_prev, has_next = len(found) > size, True
    else:
        if after:
            ids = ids.filter(pk__lt=after)
        found = list(ids.order_by(key.desc())[: size + 1])
        has_prev, has_next = bool(after), len(found) > size
    rows = list(qs.filter(pk__in=found[:size]).order_by("-pk")) if found else []
    return rows, {"has_prev": has_prev, "has_next": has_next}


@login_required
@require_GET
def contract_list(request):
    """合同: newest first; filters by status, the month signed and (managers) the holder."""
    if not may_see_contracts(request.user):
        raise Http404
    today = timezone.localdate()
    status = request.GET.get("status", "")
    status = status if status in Contract.Status.values else ""
    try:
        month = parse_month(request.GET.get("month", ""), today=today)
    except ValueError:
        month = None
    departments = holder_departments(request.user)
    department_id = parse_id(request.GET.get("people_of"))
    if department_id not in {pk for pk, _name in departments}:
        department_id = None
    holder_id = parse_id(request.GET.get("holder"))
    holders = holder_choices(request.user, department_id=department_id, chosen=holder_id)
    if holder_id not in {pk for pk, _name in holders}:
        holder_id = None
    condition = customer_condition(request.user, prefix="")
    few = few_departments(condition)
    qs = contract_rows(
        request.user,
        status=status,
        month=month,
        holder_id=holder_id,
        customers_first=few,
        condition=condition,
    )
    rows, page = _few_customers_page(qs, request) if few else keyset_page(qs, request)
    query = "&".join(
        f"{k}={v}"
        for k, v in (
            ("status", status),
            ("month", month.strftime("%Y-%m") if month else ""),
            ("holder", holder_id or ""),
            ("people_of", department_id or ""),
        )
        if v
    )
    return render(
        request,
        "sales/contract_list.html",
        {
            "rows": rows,
            "page": page,
            "first_id": rows[0].pk if rows else None,
            "last_id": rows[-1].pk if rows else None,
            "query": query,
            "status": status,
            "statuses": Contract.Status.choices,
            "month": month.strftime("%Y-%m") if month else "",
            "holders": holders,
            "holder_id": holder_id,
            "holder_departments": departments,
            "people_of": department_id,
        },
    )


# --- drafting ----------------------------------------------------------------------------------


def _formsets(request, *, lines=None, instalments=None):
    if request.method == "POST":
        return LineFormSet(request.POST, prefix="lines"), InstalmentFormSet(
            request.POST, prefix="instalments"
        )
    return (
        LineFormSet(prefix="lines", initial=lines or None),
        InstalmentFormSet(prefix="instalments", initial=instalments or None),
    )


def _draft_page(request, *, title, customer, form, line_set, plan_set, status=200, **extra):
    return render(
        request,
        "sales/contract_form.html",
        {
            "title": title,
            "customer": customer,
            "form": form,
            "line_set": line_set,
            "plan_set": plan_set,
            "action": request.path,
            **extra,
        },
        status=status,
    )


def _valid(form, line_set, plan_set) -> bool:
    ok = form.is_valid()
    return line_set.is_valid() and plan_set.is_valid() and ok


@login_required
@require_http_methods(["GET", "POST"])
def contract_new(request, customer_pk: int):
    """A draft contract for the customer; `?opportunity=<pk>` starts from a won opportunity."""
    customer = _customer(request, customer_pk)
    opportunity = None
    opportunity_id = parse_id(request.GET.get("opportunity") or request.POST.get("opportunity"))
    if opportunity_id:
        opportunity = Opportunity.objects.filter(
            pk=opportunity_id, customer=customer, stage=Stage.WON
        ).first()
    initial = {"settlement_method": customer.settlement_method or ""}
    lines = None
    if opportunity is not None:
        initial["title"] = opportunity.product
        lines = [{"product": opportunity.product, "quantity": 1}]
        if opportunity.expected_amount:
            lines[0]["unit_price"] = opportunity.expected_amount
    form = ContractForm(request.POST or None, initial=initial)
    line_set, plan_set = _formsets(request, lines=lines)
    if request.method == "POST" and _valid(form, line_set, plan_set):
        with refusal(form) as outcome:
            contract = contract_create(
                actor=request.user,
                customer=customer,
                data=form.cleaned_data,
                lines=filled(line_set),
                instalments=filled(plan_set),
                now=timezone.now(),
                opportunity=opportunity,
            )
        if outcome.ok:
            messages.success(request, _("Draft saved. Check it, then sign it."))
            return redirect(_detail(contract))
    return _draft_page(
        request,
        title=_("New contract"),
        customer=customer,
        form=form,
        line_set=line_set,
        plan_set=plan_set,
        opportunity=opportunity,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request, pk: int):
    """Change a draft (its author only); a signed contract is never changed."""
    contract = _contract(request, pk)
    if contract.is_signed:
        messages.error(
            request,
            _("A signed contract is never changed: record an amendment (补充协议) instead."),
        )
        return redirect(_detail(contract))
    if contract.created_by_id != request.user.pk or not may_draft_contract(
        request.user, contract.customer
    ):
        raise Http404
    form = ContractForm(
        request.POST or None,
        initial={
            "number": contract.number,
            "title": contract.title,
            "settlement_method": contract.settlement_method,
            "notes": contract.notes,
        },
    )
    line_set, plan_set = _formsets(
        request,
        lines=list(contract.lines.order_by("pk").values("product", "quantity", "unit_price")),
        instalments=list(contract.instalments.order_by("seq").values("due_on", "amount")),
    )
    if request.method == "POST" and _valid(form, line_set, plan_set):
        with refusal(form) as outcome:
            contract_update(
                actor=request.user,
                contract=contract,
                data=form.cleaned_data,
                lines=filled(line_set),
                instalments=filled(plan_set),
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("Draft saved."))
            return redirect(_detail(contract))
    return _draft_page(
        request,
        title=_("Edit draft %(number)s") % {"number": contract.number},
        customer=contract.customer,
        form=form,
        line_set=line_set,
        plan_set=plan_set,
        contract=contract,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_amend(request, pk: int):
    """补充协议: a draft amendment of a signed contract, with its own lines (negative
    quantities reduce) and, when it adds to the total, its own instalments."""
    original = _contract(request, pk)
    if original.amends_id:
        original = _contract(request, original.amends_id)
    if not original.is_signed or not may_draft_contract(request.user, original.customer):
        raise Http404
    form = ContractForm(
        request.POST or None, initial={"settlement_method": original.settlement_method}
    )
    line_set, plan_set = _formsets(request)
    if request.method == "POST" and _valid(form, line_set, plan_set):
        with refusal(form) as outcome:
            amendment = contract_create(
                actor=request.user,
                customer=original.customer,
                data=form.cleaned_data,
                lines=filled(line_set),
                instalments=filled(plan_set),
                now=timezone.now(),
                amends=original,
            )
        if outcome.ok:
            messages.success(request, _("Draft amendment saved. Check it, then sign it."))
            return redirect(_detail(amendment))
    return _draft_page(
        request,
        title=_("Amendment to %(number)s") % {"number": original.number},
        customer=original.customer,
        form=form,
        line_set=line_set,
        plan_set=plan_set,
        original=original,
        status=400 if request.method == "POST" else 200,
    )


# --- detail and signing ----------------------------------------------------------------------


@login_required
@require_GET
def contract_detail(request, pk: int):
    contract = _contract(request, pk)
    user, customer = request.user, contract.customer
    can_draft = may_draft_contract(user, customer)
    return render(
        request,
        "sales/contract_detail.html",
        {
            "contract": contract,
            "customer": customer,
            **contract_page(contract),
            "can_draft": can_draft,
            "can_edit": (
                can_draft and not contract.is_signed and contract.created_by_id == user.pk
            ),
            "can_sign": can_draft and not contract.is_signed,
            "can_amend": can_draft and contract.is_signed,
            "can_collect": contract.is_signed and may_record_collection(user, customer),
            "sign_form": SignForm(),
            "attachment_form": AttachmentForm(),
        },
    )


@login_required
@require_POST
def contract_sign_view(request, pk: int):
    """签订: irreversible; the form on the detail page asks for confirmation (data-confirm)."""
    contract = _contract(request, pk)
    if not may_draft_contract(request.user, contract.customer):
        raise Http404
    form = SignForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_detail(contract))
    with refusal(request) as outcome:
        contract_sign(
            actor=request.user,
            contract=contract,
            signed_at=form.cleaned_data["signed_at"],
            now=timezone.now(),
        )
    if outcome.ok:
        messages.success(request, _("Contract signed: it counts as a sale on its signed date."))
    return redirect(_detail(contract))


@login_required
@require_POST
def contract_attachment_upload(request, pk: int):
    contract = _contract(request, pk)
    if not may_draft_contract(request.user, contract.customer):
        raise Http404
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a PDF or image file to upload."))
        return redirect(_detail(contract) + "#attachments")
    with refusal(request) as outcome:
        contract_attachment_add(
            actor=request.user,
            contract=contract,
            upload=form.cleaned_data["file"],
            now=timezone.now(),
        )
    if outcome.ok:
        messages.success(request, _("Attachment uploaded."))
    return redirect(_detail(contract) + "#attachments")


@login_required
@require_GET
def contract_attachment(request, pk: int, attachment_pk: int):
    """A scan, to whoever may see the customer's contracts (404 otherwise); never a public
    /media/ URL, and the stored name is unguessable anyway."""
    contract = _contract(request, pk)
    attachment = get_object_or_404(ContractAttachment, pk=attachment_pk, contract=contract)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, content_type=attachment.content_type, filename=attachment.original_name
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- collections -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def collection_new(request, pk: int):
    """回款 against one instalment: finance (the department's accountants) or its managers."""
    instalment = get_object_or_404(
        instalments_visible_to(request.user).select_related("contract", "customer"), pk=pk
    )
    contract = instalment.contract
    if not contract.is_signed or not may_record_collection(request.user, instalment.customer):
        raise Http404
    form = CollectionForm(
        request.POST or None,
        initial={"amount": instalment.outstanding, "received_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            collection_record(
                actor=request.user, instalment=instalment, now=timezone.now(), **form.cleaned_data
            )
        if outcome.ok:
            messages.success(request, _("Collection recorded."))
            return redirect(_detail(contract) + "#instalments")
    return render(
        request,
        "sales/collection_form.html",
        {
            "form": form,
            "instalment": instalment,
            "contract": contract,
            "title": _("Record a collection"),
            "action": request.path,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def collection_reverse_view(request, pk: int):
    """Reverse a mistaken collection: a negative one pointing at it; the original stays."""
    collection = get_object_or_404(
        collections_visible_to(request.user).select_related("contract", "instalment", "customer"),
        pk=pk,
        reverses__isnull=True,
    )
    contract = collection.contract
    if not may_record_collection(request.user, collection.customer):
        raise Http404
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            collection_reverse(
                actor=request.user,
                collection=collection,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("Collection reversed."))
            return redirect(_detail(contract) + "#collections")
    return render(
        request,
        "sales/collection_reverse.html",
        {
            "form": form,
            "collection": collection,
            "contract": contract,
            "action": request.path,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- returns ---------------------------------------------------------------------------------


def _original(customer, key: str):
    """`deal:<pk>` or `line:<pk>` → {"deal": …} or {"contract_line": …} of this customer."""
    kind, _sep, raw = (key or "").partition(":")
    pk = parse_id(raw)
    if pk and kind == "deal":
        deal = Deal.objects.filter(pk=pk, customer=customer).first()
        return {"deal": deal} if deal else None
    if pk and kind == "line":
        line = ContractLine.objects.filter(pk=pk, contract__customer=customer).first()
        return {"contract_line": line} if line else None
    return None


@login_required
@require_http_methods(["GET", "POST"])
def return_new(request, customer_pk: int):
    """退换货 of one of the customer's purchase records or signed contract lines."""
    customer = _customer(request, customer_pk)
    options = returnable(customer)
    choices = [
        (
            o["key"],
            f"{timezone.localtime(o['when']):%Y-%m-%d} · {o['label']} · "
            + _("left: %(quantity)s, ¥%(amount)s")
            % {"quantity": o["quantity_left"], "amount": o["amount_left"]},
        )
        for o in options
    ]
    form = ReturnForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        original = _original(customer, data.pop("original"))
        if original is None:
            form.add_error("original", _("Choose what came back."))
        else:
            with refusal(form) as outcome:
                return_record(
                    actor=request.user,
                    customer=customer,
                    data={**data, **original},
                    now=timezone.now(),
                )
            if outcome.ok:
                messages.success(request, _("Return recorded; the original sale is unchanged."))
                return redirect(reverse("customers:detail", args=[customer.pk]) + "#contracts")
    return render(
        request,
        "sales/return_form.html",
        {"form": form, "customer": customer, "options": options, "action": request.path},
        status=400 if request.method == "POST" else 200,
    )
