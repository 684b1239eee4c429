"""Pages for follow-ups, deals, referrals, inquiry calls and the timeline. Thin: scope through
`customers_visible_to` (404 outside), one service call, htmx fragments where a row is edited."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.errors import RuleError, refusal

from ..extras import timeline_extras
from ..forms import AmendForm, DealForm, FollowUpForm, InquiryForm, ReferralForm
from ..models import Deal, FollowUp, Referral, VisitPhoto
from ..normalize import KeyFormatError
from ..rights import may_amend, may_follow_up, may_log_inquiry, may_record_deal
from ..selectors import customers_visible_to
from ..services import (
    deal_confirm,
    deal_record,
    followup_amend,
    followup_log,
    inquiry_log,
    referral_record,
    referral_verify,
)
from ..timeline import decode_cursor, encode_cursor, timeline

FORM_PAGE = "customers/record_form.html"


def _customer(request, pk):
    return get_object_or_404(
        customers_visible_to(request.user).select_related("holder", "department"), pk=pk
    )


def _late_message(record):
    if getattr(record, "is_late", False):  # referrals have no entry deadline
        return _("Saved, but entered after the deadline (%(deadline)s): it is marked late.") % {
            "deadline": timezone.localtime(record.deadline).strftime("%Y-%m-%d %H:%M")
        }
    return None


def _record_view(request, pk, *, form_class, service, title, allowed, form_kwargs=None):
    """GET: the form (a table-row fragment for htmx); POST: one service call. 404 for whoever
    sees the customer but may not record this (`allowed`, a customers.rights check).

    A refused htmx post answers 200 with the row form carrying its errors and what was typed:
    htmx swaps only 2xx (a 400 was dropped, or with DEBUG replaced the whole page). Without
    JavaScript the row form posts as a page and the full form comes back with a 400."""
    customer = _customer(request, pk)
    if not allowed(request.user, customer):
        raise Http404
    form = form_class(
        request.POST or None,
        request.FILES or None,
        **(form_kwargs(customer) if form_kwargs else {}),
    )
    record = None
    if request.method == "POST" and form.is_valid():
        try:
            record = service(
                actor=request.user, customer=customer, data=form.cleaned_data, now=timezone.now()
            )
        except (RuleError, KeyFormatError) as exc:
            form.add_error(None, str(exc))
    context = {
        "customer": customer,
        "form": form,
        "title": title,
        "record": record,
        "late": _late_message(record) if record else None,
        "action": request.path,
    }
    if request.htmx:
        return render(request, f"{FORM_PAGE}#{'done' if record else 'row'}", context)
    if record is not None:
        messages.success(request, _("Saved."))
        if context["late"]:
            messages.warning(request, context["late"])
        return redirect(reverse("customers:detail", args=[customer.pk]) + "#timeline")
    status = 400 if request.method == "POST" else 200
    return render(request, FORM_PAGE, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def followup_new(request, pk: int):
    return _record_view(
        request,
        pk,
        form_class=FollowUpForm,
        service=followup_log,
        title=_("Log a follow-up"),
        allowed=may_follow_up,
        form_kwargs=lambda customer: {"customer": customer},
    )


@login_required
@require_http_methods(["GET", "POST"])
def deal_new(request, pk: int):
    return _record_view(
        request,
        pk,
        form_class=DealForm,
        service=deal_record,
        title=_("Enter a purchase"),
        allowed=may_record_deal,
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request, pk: int):
    return _record_view(
        request,
        pk,
        form_class=ReferralForm,
        service=referral_record,
        title=_("Record a referral"),
        allowed=may_follow_up,
    )


def _decide_record(request, pk, record_pk, *, model, service, done):
    """A manager's one-click confirmation of a record on the customer's timeline."""
    customer = _customer(request, pk)
    record = get_object_or_404(model, pk=record_pk, customer=customer)
    key = "deal" if model is Deal else "referral"
    with refusal(request) as outcome:
        service(actor=request.user, now=timezone.now(), **{key: record})
    if outcome.ok:
        messages.success(request, done)
    return redirect(reverse("customers:detail", args=[customer.pk]) + "#timeline")


@login_required
@require_POST
def deal_confirm_view(request, pk: int, deal_pk: int):
    """确认赠品/积分记录: from now on it keeps the customer for the no-deal rules."""
    return _decide_record(
        request,
        pk,
        deal_pk,
        model=Deal,
        service=deal_confirm,
        done=_("Gift or points record confirmed: it now counts as a deal."),
    )


@login_required
@require_POST
def referral_verify_view(request, pk: int, referral_pk: int):
    return _decide_record(
        request,
        pk,
        referral_pk,
        model=Referral,
        service=referral_verify,
        done=_("Referral verified: it now counts as a deal."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def followup_amend_view(request, pk: int, followup_pk: int):
    customer = _customer(request, pk)
    original = get_object_or_404(FollowUp, pk=followup_pk, customer=customer)
    if not may_amend(request.user, original):
        raise Http404
    form = AmendForm(
        request.POST or None,
        initial={
            "content": original.content,
            "result": original.result,
            "next_step": original.next_step,
        },
    )
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            followup_amend(
                actor=request.user, original=original, data=form.cleaned_data, now=timezone.now()
            )
        if outcome.ok:
            messages.success(request, _("Correction saved; the original stays as it was."))
            return redirect(reverse("customers:detail", args=[customer.pk]) + "#timeline")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        FORM_PAGE,
        {
            "customer": customer,
            "form": form,
            "title": _("Correct a follow-up"),
            "original": original,
            "action": request.path,
        },
        status=status,
    )


@login_required
@require_GET
def timeline_page(request, pk: int):
    customer = _customer(request, pk)
    entries, cursor = timeline(customer, cursor=decode_cursor(request.GET.get("cursor")))
    return render(
        request,
        "customers/_timeline.html",
        {
            "customer": customer,
            "entries": entries,
            "next_cursor": encode_cursor(cursor) if cursor else None,
            "masked": customer.contacts_masked,
            **timeline_extras(entries, user=request.user),
        },
    )


@login_required
@require_GET
def visit_photo(request, pk: int, photo_pk: int):
    """A visit photo, to whoever may see the customer's records (404 otherwise, and for a
    pooled customer a salesperson sees masked); never a public /media/ URL."""
    customer = _customer(request, pk)
    if customer.contacts_masked:
        raise Http404
    photo = get_object_or_404(VisitPhoto, pk=photo_pk, followup__customer=customer)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_new(request):
    """咨询来电: anybody logs a call by number; the page says only whether it is new."""
    if not may_log_inquiry(request.user):
        raise Http404
    form = InquiryForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = inquiry_log(actor=request.user, now=timezone.now(), **form.cleaned_data)
        except (RuleError, KeyFormatError) as exc:
            form.add_error(None, str(exc))
        else:
            form = InquiryForm()
    status = 400 if request.method == "POST" and outcome is None else 200
    # The template compares `outcome.status` with these strings: a class in the context would
    # be called by the template engine (and fail to ""), so every outcome read as "taken".
    return render(
        request,
        "customers/inquiry.html",
        {"form": form, "outcome": outcome},
        status=status,
    )
