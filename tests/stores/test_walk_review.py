"""Each monthly-review page as the store's own people (the main walk's roles work in ordinary
departments; tests/stores/walk_review.py has their rows): store S's manager, customer manager,
a designer and the home-decoration consultant, store T's manager, the GM and a manager of an
ordinary department."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from stores.models import MonthlyReview
from stores.services.review import review_compute

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=SH)
WHO = ("manager", "cm1", "d3", "consultant", "t_manager", "gm", "manager_a")

# url name → expected status per person in WHO (GET; score/adjust/confirm: POST, where a
# refused POST answers 302 with a message and writes nothing)
EXPECTED = {
    "review_list": "200 200 404 404 200 200 404",
    "review_detail": "200 200 404 404 404 200 404",  # cm1's review
    "review_export": "200 404 404 404 200 200 404",
    "review_score": "302 302 404 404 404 302 404",
    "review_adjust": "302 302 404 404 404 302 404",
    "review_confirm": "302 302 404 404 404 302 404",
}
POSTS = {
    "review_score": {"score": "10"},
    "review_adjust": {"points": "1", "reason": "走查"},
    "review_confirm": {},
}


def _person(shop, who):
    if who == "t_manager":
        return shop.other.manager
    return getattr(shop, who, None) or getattr(shop.org, who)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_review_pages_per_person(shop, client, name):
    with time_machine.travel(NOW, tick=False):
        review_compute(month_start=date(2026, 11, 1), now=NOW)
        review = MonthlyReview.objects.get(customer_manager=shop.cm1)
        urls = {
            "review_list": "/stores/reviews/",
            "review_detail": f"/stores/reviews/{review.pk}/",
            "review_export": "/stores/reviews/export/",
            "review_score": f"/stores/reviews/{review.pk}/score/",
            "review_adjust": f"/stores/reviews/{review.pk}/adjust/",
            "review_confirm": f"/stores/reviews/{review.pk}/confirm/",
        }
        got = []
        for who in WHO:
            client.force_login(_person(shop, who))
            if name in POSTS:
                response = client.post(urls[name], POSTS[name])
            else:
                response = client.get(urls[name])
            got.append(str(response.status_code))
        assert " ".join(got) == EXPECTED[name], name


def test_posts_by_people_without_the_right_write_nothing(shop, client):
    with time_machine.travel(NOW, tick=False):
        review_compute(month_start=date(2026, 11, 1), now=NOW)
        review = MonthlyReview.objects.get(customer_manager=shop.cm1)
        for who in ("cm1", "d3", "consultant", "t_manager", "manager_a"):
            client.force_login(_person(shop, who))
            client.post(f"/stores/reviews/{review.pk}/score/", {"score": "10"})
            client.post(f"/stores/reviews/{review.pk}/adjust/", {"points": "1", "reason": "x"})
            client.post(f"/stores/reviews/{review.pk}/confirm/")
        review.refresh_from_db()
        assert (review.service_score, review.adjustment, review.confirmed_at) == (None, 0, None)
