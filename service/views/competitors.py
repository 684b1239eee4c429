"""Views of 竞争对手 (001 附录 3, SPEC §11): the catalogue (list, detail, new, edit, compare)
and the links (谁在竞标) added from the customer page and the opportunity page. Thin: rights
and scope first (404 outside), one service call, redirect with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.errors import refusal
from crm.paging import numbered_page
from crm.validators import parse_ids
from customers.selectors import customers_visible_to
from sales.selectors.opportunities import opportunities_visible_to

from ..forms_competitors import CompetitorForm, CompetitorLinkForm
from ..models import Competitor
from ..rights import may_edit_competitors, may_link_competitor, may_see_competitors
from ..selectors.competitors import (
    COMPARE_MAX,
    COMPARE_MIN,
    competitor_choices,
    competitor_get,
    competitor_links,
    competitors_all,
    competitors_to_compare,
    customer_links,
    link_for,
    opportunity_links,
    visible_link_counts,
)
from ..services.competitors import (
    competitor_create,
    competitor_link,
    competitor_unlink,
    competitor_update,
)

LIST_SORTS = {"name": ("name",), "updated": ("updated_at",)}
COMPARED_FIELDS = ("products", "prices", "features", "strengths", "weaknesses", "strategy")


def _label(field: str):
    return Competitor._meta.get_field(field).verbose_name


def _check_page(user) -> None:
    if not may_see_competitors(user):
        raise Http404


def _check_edit(user) -> None:
    if not may_edit_competitors(user):
        raise Http404


@login_required
@require_http_methods(["GET"])
def competitor_list(request):
    _check_page(request.user)
    qs = competitors_all()
    q = " ".join(request.GET.get("q", "").split())[:100]
    if q:
        qs = qs.filter(name__icontains=q)
    rows, page = numbered_page(qs, request, sorts=LIST_SORTS, default="name")
    counts = visible_link_counts([c.pk for c in rows], user=request.user)
    for row in rows:
        row.links_seen = counts.get(row.pk, 0)
    return render(request, "service/competitor_list.html", {"rows": rows, "page": page, "q": q})


@login_required
@require_http_methods(["GET", "POST"])
def competitor_new(request):
    _check_page(request.user)
    _check_edit(request.user)
    form = CompetitorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            competitor = competitor_create(
                actor=request.user, data=form.cleaned_data, now=timezone.now()
            )
        if outcome.ok:
            messages.success(request, _("Competitor recorded."))
            return redirect("service:competitor_detail", pk=competitor.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "service/competitor_form.html", {"form": form, "competitor": None}, status=status
    )


@login_required
@require_http_methods(["GET"])
def competitor_detail(request, pk: int):
    _check_page(request.user)
    competitor = competitor_get(pk)
    return render(
        request,
        "service/competitor_detail.html",
        {
            "competitor": competitor,
            "fields": [(_label(f), getattr(competitor, f)) for f in COMPARED_FIELDS],
            "links": competitor_links(competitor, user=request.user),
            "may_edit": may_edit_competitors(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def competitor_edit(request, pk: int):
    _check_page(request.user)
    _check_edit(request.user)
    competitor = competitor_get(pk)
    form = CompetitorForm(request.POST or None, instance=competitor)
    if request.method == "POST" and form.is_valid():
        with refusal(form) as outcome:
            competitor_update(
                actor=request.user,
                competitor=competitor,
                data=form.cleaned_data,
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("Competitor updated."))
            return redirect("service:competitor_detail", pk=competitor.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "service/competitor_form.html",
        {"form": form, "competitor": competitor},
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def competitor_compare(request):
    """Two to four competitors side by side (?ids=1&ids=2…); anything else shows the choice
    again with a hint, never an error page."""
    _check_page(request.user)
    raw = request.GET.getlist("ids")
    ids = list(dict.fromkeys(parse_ids(raw)))
    chosen, problem = [], None
    if raw:
        if len(ids) > COMPARE_MAX:
            problem = _("Choose at most %(n)s competitors.") % {"n": COMPARE_MAX}
        else:
            chosen = competitors_to_compare(ids)
            if len(chosen) < COMPARE_MIN:
                # One id (the detail page's "Compare") only pre-selects; say nothing.
                if len(raw) > 1 or not chosen:
                    problem = _("Choose at least %(n)s competitors.") % {"n": COMPARE_MIN}
                chosen = []
    rows = [(_label(f), [getattr(c, f) for c in chosen]) for f in COMPARED_FIELDS]
    return render(
        request,
        "service/competitor_compare.html",
        {
            "chosen": chosen,
            "chosen_ids": [c.pk for c in chosen] or ids,
            "rows": rows if chosen else [],
            "problem": problem,
            "choices": competitor_choices()[:200],
        },
    )


# --- links (谁在竞标), posted from the customer page and the opportunity page -------------


def _back(request, customer_pk: int, opportunity_pk: int | None):
    if opportunity_pk and request.POST.get("back") == "opportunity":
        return redirect("sales:opportunity_detail", pk=opportunity_pk)
    return redirect(reverse("customers:detail", args=[customer_pk]) + "#competitors")


def _opportunity_choices(customer, user) -> list[tuple[int, str]]:
    return list(
        opportunities_visible_to(user)
        .filter(customer=customer)
        .order_by("-pk")
        .values_list("pk", "product")[:100]
    )


@login_required
@require_POST
def competitor_link_add(request, customer_pk: int):
    """Link a competitor to a customer the user works, or to one of its opportunities."""
    user = request.user
    _check_page(user)
    customer = get_object_or_404(customers_visible_to(user), pk=customer_pk)
    if not may_link_competitor(user, customer):
        raise Http404
    form = CompetitorLinkForm(
        request.POST,
        competitors=competitor_choices(),
        opportunities=_opportunity_choices(customer, user),
    )
    opportunity_pk = None
    if form.is_valid():
        data = form.cleaned_data
        opportunity_pk = data.get("opportunity")
        opportunity = None
        if opportunity_pk:
            opportunity = get_object_or_404(
                opportunities_visible_to(user).filter(customer=customer), pk=opportunity_pk
            )
        with refusal(request) as outcome:
            competitor_link(
                actor=user,
                competitor=competitor_get(data["competitor"]),
                customer=customer,
                opportunity=opportunity,
                note=data["note"],
                now=timezone.now(),
            )
        if outcome.ok:
            messages.success(request, _("Competitor linked."))
    else:
        messages.error(request, _("Choose a competitor (and keep the note under 300 characters)."))
    return _back(request, customer.pk, opportunity_pk)


@login_required
@require_POST
def competitor_link_remove(request, pk: int):
    user = request.user
    _check_page(user)
    link = link_for(user, pk)
    if not may_link_competitor(user, link.customer):
        raise Http404
    with refusal(request) as outcome:
        competitor_unlink(actor=user, link=link, now=timezone.now())
    if outcome.ok:
        messages.success(request, _("Link removed."))
    return _back(request, link.customer_id, link.opportunity_id)


# --- what competitors add to the customer page and the opportunity page (service/wiring.py) --


def customer_section(customer, *, user) -> dict | None:
    """竞争对手 on the customer page: shown to whoever sees the customer unmasked (SPEC §1),
    with the form for those who work the customer. Left out when there is nothing to show."""
    if not may_see_competitors(user) or customer.contacts_masked:
        return None
    links = customer_links(customer, user=user)
    may_link = may_link_competitor(user, customer)
    if not links and not may_link:
        return None
    form = None
    if may_link:
        form = CompetitorLinkForm(
            competitors=competitor_choices(),
            opportunities=_opportunity_choices(customer, user),
        )
    return {"customer": customer, "links": links, "may_link": may_link, "form": form}


def opportunity_section(opportunity, *, user) -> dict | None:
    """竞争对手（谁在竞标）on the opportunity page (the viewer already sees the opportunity)."""
    if not may_see_competitors(user):
        return None
    customer = opportunity.customer
    links = opportunity_links(opportunity, user=user)
    may_link = may_link_competitor(user, customer)
    if not links and not may_link:
        return None
    form = CompetitorLinkForm(competitors=competitor_choices()) if may_link else None
    return {
        "opportunity": opportunity,
        "customer": customer,
        "links": links,
        "may_link": may_link,
        "form": form,
    }
