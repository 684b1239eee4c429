"""The store's start page and the store selector (SPEC §1, §12)."""

import pytest

from stores.rights import is_customer_manager, is_store_manager, may_use_stores
from stores.selectors.common import stores_visible_to


def test_store_people_and_the_gm_have_store_pages_other_departments_do_not(shop):
    org = shop.org
    assert may_use_stores(shop.manager) and may_use_stores(shop.cm1) and may_use_stores(shop.d5)
    assert may_use_stores(org.gm)
    assert not may_use_stores(org.manager_a) and not may_use_stores(org.sales_a)
    assert is_store_manager(shop.manager, shop.store) and not is_store_manager(shop.cm1)
    assert is_customer_manager(shop.cm1, shop.store)
    assert not is_customer_manager(shop.cm1, shop.other.store)


def test_each_sees_own_store_the_gm_every_store(shop):
    assert list(stores_visible_to(shop.cm1)) == [shop.store]
    assert list(stores_visible_to(shop.manager)) == [shop.store]
    assert set(stores_visible_to(shop.org.gm)) == {shop.store, shop.other.store}


@pytest.mark.parametrize(
    "who,status", [("cm1", 200), ("manager", 200), ("gm", 200), ("manager_a", 404)]
)
def test_home_page(shop, client, who, status):
    user = getattr(shop, who, None) or getattr(shop.org, who)
    client.force_login(user)
    response = client.get("/stores/")
    assert response.status_code == status
    if status == 200:
        assert shop.store.name in response.content.decode()


def test_another_store_is_404(shop, client):
    client.force_login(shop.cm1)
    assert client.get(f"/stores/?store={shop.other.store.pk}").status_code == 404
    assert client.get("/stores/?store=x").status_code == 404
