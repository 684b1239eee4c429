"""Each people page as the store's own people (the main walk's roles work in ordinary
departments; tests/stores/walk_people.py has their rows): store S's manager, customer manager,
a designer and the home-decoration consultant, store T's manager, the GM and a manager of an
ordinary department."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from stores.services.people import outing_register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 10, 15, 0, tzinfo=SH)
WHO = ("manager", "cm1", "d3", "consultant", "t_manager", "gm", "manager_a")

# url name → expected status per person in WHO (GET; outing_back: POST)
EXPECTED = {
    "designer_list": "200 200 200 200 404 200 404",
    "designer_detail": "200 200 404 404 404 200 404",  # d1's profile: d3 is a colleague
    "designer_edit": "200 404 404 404 404 200 404",
    "attendance": "200 200 200 200 404 200 404",
    "outing_list": "200 200 200 200 404 200 404",
    "designer_months": "200 200 404 404 404 200 404",
    "outing_back": "302 302 404 404 404 302 404",
}


def _person(shop, who):
    if who == "t_manager":
        return shop.other.manager
    return getattr(shop, who, None) or getattr(shop.org, who)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_people_pages_per_person(shop, client, name):
    with time_machine.travel(NOW, tick=False):
        outing = outing_register(
            actor=shop.cm1,
            store=shop.store,
            designer=shop.d3,
            purpose="量房",
            out_at=datetime(2026, 6, 10, 10, tzinfo=SH),
            now=NOW,
        )
        query = f"?store={shop.store.pk}"
        urls = {
            "designer_list": f"/stores/people/designers/{query}",
            "designer_detail": f"/stores/people/designers/{shop.d1.pk}/",
            "designer_edit": f"/stores/people/designers/{shop.d1.pk}/edit/",
            "attendance": f"/stores/people/attendance/{query}",
            "outing_list": f"/stores/people/outings/{query}",
            "designer_months": f"/stores/people/months/{query}",
            "outing_back": f"/stores/people/outings/{outing.pk}/back/",
        }
        got = []
        for who in WHO:
            client.force_login(_person(shop, who))
            if name == "outing_back":
                response = client.post(urls[name], {"back_at": ""})
            else:
                response = client.get(urls[name])
            got.append(str(response.status_code))
        assert " ".join(got) == EXPECTED[name]


def test_outing_back_answers_get_with_405_and_anonymous_goes_to_login(shop, client):
    outing = outing_register(
        actor=shop.cm1,
        store=shop.store,
        designer=shop.d3,
        purpose="量房",
        out_at=datetime(2026, 6, 10, 10, tzinfo=SH),
        now=NOW,
    )
    url = f"/stores/people/outings/{outing.pk}/back/"
    assert client.get(url).status_code == 302
    client.force_login(shop.cm1)
    assert client.get(url).status_code == 405


def test_a_designer_reads_own_profile(shop, client):
    client.force_login(shop.d1)
    assert client.get(f"/stores/people/designers/{shop.d1.pk}/").status_code == 200
    assert client.get(f"/stores/people/designers/{shop.d1.pk}/edit/").status_code == 404
    assert client.get("/stores/people/designers/999999999/").status_code == 404
