"""The customer managers' monthly review pages (004 四; SPEC §12): the list of a month, one
review with its deductions and the forms to score, adjust and confirm, and the export for
集团人力资源管理中心. Thin: scope through `reviews_visible_to` (404 outside), one service call,
redirect with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from crm import xlsx
from crm.errors import refusal
from crm.validators import parse_month
from customers.views.exports import audited_export

from ..forms_review import ReviewAdjustForm, ReviewScoreForm
from ..rights import may_decide_review, may_export_reviews, may_score_review, may_see_reviews
from ..selectors.common import store_for, stores_visible_to
from ..selectors.review import (
    deductions_text,
    previous_month,
    review_for,
    review_parts,
    reviews_visible_to,
)
from ..services.review import review_adjust, review_confirm, review_score_service
from .home import check_page

EXPORT_FILE = pgettext_lazy("file name", "store-reviews-%(month)s.xlsx")
MONTH_FORMAT_MESSAGE = gettext_lazy("Give the month as YYYY-MM, for example 2026-11.")


def _check(user) -> None:
    check_page(user)
    if not may_see_reviews(user):
        raise Http404


def _filters(request):
    """(store or None for every visible store, month) of the query string; a store outside
    the viewer's answers 404, a malformed month falls back to last month with a message."""
    today = timezone.localdate()
    default = previous_month(today)
    raw = request.GET.get("month")
    month = default
    if raw:
        try:
            month = parse_month(raw, today=today)
        except ValueError:
            messages.error(request, MONTH_FORMAT_MESSAGE)
    store = None
    if request.GET.get("store"):
        store = store_for(request.user, request.GET.get("store"))
    return store, month


def _month_reviews(user, store, month):
    qs = reviews_visible_to(user).filter(month=month)
    if store is not None:
        qs = qs.filter(store=store)
    return qs.order_by("store__path", "customer_manager__username")


@login_required
@require_GET
def review_list(request):
    user = request.user
    _check(user)
    store, month = _filters(request)
    rows = list(_month_reviews(user, store, month))
    return render(
        request,
        "stores/review_list.html",
        {
            "rows": rows,
            "store": store,
            "stores": list(stores_visible_to(user)),
            "month": month,
            "may_export": may_export_reviews(user),
            "may_decide": may_decide_review(user),
        },
    )


@login_required
@require_GET
def review_detail(request, pk: int):
    user = request.user
    _check(user)
    review = review_for(user, pk)
    open_ = review.confirmed_at is None
    may_score = open_ and may_score_review(user, review)
    may_decide = open_ and may_decide_review(user)
    return render(
        request,
        "stores/review_detail.html",
        {
            "review": review,
            "parts": review_parts(review),
            "score_form": ReviewScoreForm(initial={"score": review.service_score})
            if may_score
            else None,
            "adjust_form": ReviewAdjustForm(
                initial={"points": review.adjustment, "reason": review.adjustment_reason}
            )
            if may_decide
            else None,
            "may_confirm": may_decide,
        },
    )


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _back(review):
    return redirect("stores:review_detail", pk=review.pk)


@login_required
@require_POST
def review_score(request, pk: int):
    _check(request.user)
    review = review_for(request.user, pk)
    form = ReviewScoreForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(review)
    with refusal(request) as outcome:
        review_score_service(
            actor=request.user,
            review=review,
            score=form.cleaned_data["score"],
            now=timezone.now(),
        )
    if outcome.ok:
        messages.success(request, _("Service score saved."))
    return _back(review)


@login_required
@require_POST
def review_adjust_view(request, pk: int):
    _check(request.user)
    review = review_for(request.user, pk)
    form = ReviewAdjustForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(review)
    with refusal(request) as outcome:
        review_adjust(
            actor=request.user,
            review=review,
            points=form.cleaned_data["points"],
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        )
    if outcome.ok:
        messages.success(request, _("Adjustment saved."))
    return _back(review)


@login_required
@require_POST
def review_confirm_view(request, pk: int):
    _check(request.user)
    review = review_for(request.user, pk)
    with refusal(request) as outcome:
        review_confirm(actor=request.user, review=review, now=timezone.now())
    if outcome.ok:
        messages.success(request, _("Review confirmed."))
    return _back(review)


def export_header() -> list:
    return [
        _("Month"),
        _("Store"),
        _("Customer manager"),
        _("Information management (30)"),
        _("Follow-up frequency (30)"),
        _("Attendance and outing register (20)"),
        _("Internal service satisfaction (20)"),
        _("Adjustment"),
        _("Adjustment reason"),
        _("Total"),
        _("Confirmed by"),
        _("Confirmed at"),
        _("Information management deductions"),
        _("Follow-up deductions"),
        _("Attendance and outing deductions"),
    ]


def export_row(review) -> list:
    confirmed_at = review.confirmed_at
    return [
        review.month.strftime("%Y-%m"),
        review.store.name,
        review.customer_manager.display_name,
        review.info_score,
        review.followup_score,
        review.attendance_score,
        review.service_score if review.service_score is not None else _("Not scored"),
        review.adjustment,
        review.adjustment_reason,
        review.total,
        review.confirmed_by.display_name if review.confirmed_by else "",
        timezone.localtime(confirmed_at).strftime("%Y-%m-%d %H:%M") if confirmed_at else "",
        deductions_text(review, "info"),
        deductions_text(review, "followup"),
        deductions_text(review, "attendance"),
    ]


@login_required
@require_GET
def review_export(request):
    user = request.user
    _check(user)
    if not may_export_reviews(user):
        raise Http404
    store, month = _filters(request)
    rows = list(_month_reviews(user, store, month))

    def write(handle) -> int:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        table = xlsx.Table(
            book.create_sheet(title=str(_("Monthly reviews"))[:31]),
            export_header(),
            widths={12: 50, 13: 50, 14: 50},
        )
        for review in rows:
            table.append(export_row(review))
        table.close()
        book.save(handle)
        return table.rows

    def build():
        return xlsx.download(write, xlsx.FileName.of(EXPORT_FILE, month=month.strftime("%Y-%m")))

    return audited_export(
        request,
        list_name="store_reviews",
        build=build,
        refused_url=reverse("stores:review_list"),
        count=lambda: len(rows),
    )
