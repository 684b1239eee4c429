"""Reads of the customer managers' monthly review (004 四; SPEC §12): who sees which reviews,
and the start page's block."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet
from django.http import Http404

from crm.models import Department
from crm.selectors import departments_managed_by

from ..models import MonthlyReview
from ..rights import is_customer_manager, may_decide_review, may_lead_store, may_see_reviews

PARTS = ("info", "followup", "attendance")


def reviews_visible_to(user) -> QuerySet[MonthlyReview]:
    """The GM: every review; a store manager (or a manager above the store): their stores';
    a customer manager: their own. Anybody else: none."""
    qs = MonthlyReview.objects.select_related(
        "store", "customer_manager", "service_scored_by", "confirmed_by"
    )
    if not getattr(user, "is_authenticated", False) or not may_see_reviews(user):
        return qs.none()
    if may_decide_review(user):
        return qs
    managed = departments_managed_by(user).filter(kind=Department.Kind.STORE)
    return qs.filter(Q(store__in=managed.values("pk")) | Q(customer_manager=user.pk))


def review_for(user, pk) -> MonthlyReview:
    """The review `pk` if `user` sees it, else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    review = reviews_visible_to(user).filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


def previous_month(today: date) -> date:
    return today.replace(day=1) - relativedelta(months=1)


def review_parts(review: MonthlyReview) -> list[dict]:
    """The three computed parts with their deductions, for the page and the export."""
    from ..services.review import ATTENDANCE_MAX, FOLLOWUP_MAX, INFO_MAX, deduction_text

    maxima = {"info": INFO_MAX, "followup": FOLLOWUP_MAX, "attendance": ATTENDANCE_MAX}
    scores = {
        "info": review.info_score,
        "followup": review.followup_score,
        "attendance": review.attendance_score,
    }
    details = review.details or {}
    return [
        {
            "key": key,
            "score": scores[key],
            "max": maxima[key],
            "items": [
                {"text": deduction_text(item), "points": item.get("points", 0)}
                for item in details.get(key, [])
            ],
        }
        for key in PARTS
    ]


def deductions_text(review: MonthlyReview, key: str) -> str:
    """One part's deductions on one line each (the export's cells)."""
    from ..services.review import deduction_text

    return "\n".join(
        f"{deduction_text(item)} (−{item.get('points', 0)})"
        for item in (review.details or {}).get(key, [])
    )


def review_home(user, store, *, today: date) -> dict | None:
    """The start page's block: last month's reviews of the store as the viewer concerns them —
    a customer manager's own score, the store manager's reviews to score, the GM's to
    confirm."""
    if store is None or not may_see_reviews(user):
        return None
    month = previous_month(today)
    qs = reviews_visible_to(user).filter(store=store, month=month)
    block = {"month": month, "store": store, "own": None, "to_score": 0, "to_confirm": 0}
    if is_customer_manager(user, store):
        block["own"] = qs.filter(customer_manager=user.pk).first()
    if may_lead_store(user, store):
        block["to_score"] = qs.filter(service_score__isnull=True).count()
    if may_decide_review(user):
        block["to_confirm"] = qs.filter(confirmed_at__isnull=True).count()
    block["count"] = qs.count()
    return block
