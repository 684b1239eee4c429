"""Demo monthly reviews (004 四): last month's reviews of the demo store's customer managers,
computed as of the 1st of this month; store.cm1's internal service scored 18 by the store
manager, store.cm2's left for the manager to score."""

from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta

from crm.calendar import SHANGHAI

from .models import MonthlyReview
from .services.review import review_compute, review_score_service


def seed_review(*, today: date, users: dict, light: bool = False) -> list[str]:
    cm1, manager = users.get("store.cm1"), users.get("store.manager")
    if cm1 is None or manager is None:
        return []
    store = cm1.staff.department
    if store is None or MonthlyReview.objects.filter(store=store).exists():
        return []
    first = today.replace(day=1)
    now = datetime.combine(first, time(6, 40), SHANGHAI)
    reviews = review_compute(month_start=first - relativedelta(months=1), now=now, stores=[store])
    for review in reviews:
        if review.customer_manager_id == cm1.pk:
            review_score_service(actor=manager, review=review, score=18, now=now)
    return [f"monthly reviews: {len(reviews)}"] if reviews else []
