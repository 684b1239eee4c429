"""Junk posted to the dispatch forms and junk query strings (派单, SPEC §12): never a server
error, and a refused request writes nothing (the main fuzz covers the walk's roles; this covers
the store's own people)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stores.models import Dispatch, ManagerAway
from stores.services.dispatch import dispatch_confirm, dispatch_propose
from tests.stores.test_dispatch_helpers import customer_of

pytestmark = pytest.mark.django_db

JUNK = [
    "",
    "\x00",
    "x" * 5000,
    "9" * 25,
    "1e308",
    "NaN",
    "Infinity",
    "-1",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "北京",
]
FIELDS = {
    "new": ("designer", "reason", "style", "occupation", "budget", "is_off_plan"),
    "stores:dispatch_confirm": ("note",),
    "stores:dispatch_reject": ("note",),
    "stores:dispatch_countersign": (),
    "stores:dispatch_refuse": ("reason",),
    "stores:dispatch_progress": ("step", "at", "amount"),
    "away": ("starts_at", "ends_at", "reason"),
}


def _counts():
    return Dispatch.objects.count(), ManagerAway.objects.count()


def _snapshot(dispatch):
    dispatch.refresh_from_db()
    return (
        dispatch.status,
        dispatch.plan_at,
        dispatch.deposit_at,
        dispatch.signed_at,
        dispatch.manager_signed_at,
        dispatch.refused_at,
    )


@pytest.mark.parametrize("who", ["manager", "cm1", "d1", "gm"])
def test_junk_never_breaks_and_writes_nothing(shop, client, who):
    user = shop.org.gm if who == "gm" else getattr(shop, who)
    customer = customer_of(shop)
    dispatch = dispatch_propose(
        actor=shop.cm1,
        store=shop.store,
        customer=customer,
        designer=shop.d1,
        reason="",
        now=timezone.now() - timedelta(minutes=1),
    )
    confirmed = dispatch_propose(
        actor=shop.cm1,
        store=shop.store,
        customer=customer_of(shop),
        designer=shop.d1,
        reason="",
        now=timezone.now() - timedelta(minutes=1),
    )
    dispatch_confirm(actor=shop.manager, dispatch=confirmed, now=timezone.now())
    client.force_login(user)
    new_url = (
        f"{reverse('stores:dispatch_new')}?store={shop.store.pk}&customer={customer_of(shop).pk}"
    )
    away_url = f"{reverse('stores:manager_away')}?store={shop.store.pk}"
    for value in JUNK:
        for key, fields in FIELDS.items():
            targets = (
                [(new_url, None)]
                if key == "new"
                else [(away_url, None)]
                if key == "away"
                else [(reverse(key, args=[d.pk]), d) for d in (dispatch, confirmed)]
            )
            for url, target in targets:
                before = _counts()
                state = _snapshot(target) if target else None
                data = dict.fromkeys(fields, value)
                response = client.post(url, data)
                assert response.status_code < 500, (url, value)
                # Only the messages this request added (earlier ones wait in the session).
                added = response.wsgi_request._messages._queued_messages
                errors = [m for m in added if m.level_tag == "error"]
                if response.status_code in (200, 400) or errors:
                    assert _counts() == before, (url, value)
                    if target is not None:
                        assert _snapshot(target) == state, (url, value)
        for url in (
            reverse("stores:dispatch_list"),
            reverse("stores:dispatch_new"),
            reverse("stores:manager_away"),
        ):
            response = client.get(
                url,
                {"store": value, "status": value, "customer": value, "visit": value, "page": value},
            )
            assert response.status_code < 500, (url, value)
        response = client.get(new_url, {"budget": value, "style": value, "occupation": value})
        assert response.status_code < 500, value
