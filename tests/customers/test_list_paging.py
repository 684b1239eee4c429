"""Lists like a product (issue 14, build 3): the total, page numbers, whitelisted sorting, the
filter kept across pages and sorts, money and dates the Chinese way, the header search."""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

import crm.paging
from crm.paging import capped_count, numbered_page
from crm.templatetags.crm_lists import money, thousands
from customers.models import Customer
from customers.services import ownership_transfer
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=SH)


def ids_on(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-id="(\d+)"', response.content.decode())]


def test_money_and_thousands():
    assert money(Decimal("38600")) == "¥38,600.00"
    assert money(1234567.5) == "¥1,234,567.50"
    assert money(Decimal("-50.125")) == "-¥50.12" or money(Decimal("-50.125")) == "-¥50.13"
    assert money(None) == "—" and money("x") == "x"
    assert thousands(10000) == "10,000"


def test_capped_count_stops_at_the_cap(org):
    for _ in range(4):
        register(org.sales_a)
    assert capped_count(Customer.objects.all(), cap=3) == (3, True)
    assert capped_count(Customer.objects.all(), cap=10) == (4, False)


def test_numbered_page_whitelists_sort_keys(org):
    names = ["丙公司", "甲公司", "乙公司"]
    for name in names:
        register(org.sales_a, name=name)
    sorts = {"name": ("name",), "code": ()}
    rf = RequestFactory()
    for typed in ("password", "holder__password", "-holder__password", "name;drop", ""):
        rows, page = numbered_page(
            Customer.objects.all(), rf.get("/", {"sort": typed}), sorts=sorts, default="-code"
        )
        assert page["sort"] == "-code"
        assert [c.pk for c in rows] == sorted((c.pk for c in rows), reverse=True)
    rows, page = numbered_page(
        Customer.objects.all(), rf.get("/", {"sort": "-name"}), sorts=sorts, default="-code"
    )
    assert [c.name for c in rows] == sorted(names, reverse=True)


def test_list_shows_total_page_numbers_and_keeps_filter_and_sort(org, login):
    assert crm.paging.PAGE_SIZE == 50
    for n in range(55):
        register(org.sales_a, name=f"华东客户{n:03d}", intent_grade="A")
    register(org.sales_a, name="别的客户", intent_grade="C")
    client = login(org.sales_a)
    url = reverse("customers:list")
    first = client.get(url, {"scope": "mine", "intent_grade": "A", "sort": "name"})
    html = first.content.decode()
    total = re.search(r'data-testid="total">([^<]*)<', html).group(1)
    assert "55" in total
    assert len(ids_on(first)) == 50
    link = re.search(r'href="\?([^"]*)" data-page="2"', html).group(1).replace("&amp;", "&")
    assert "intent_grade=A" in link and "sort=name" in link and "scope=mine" in link
    second = client.get(f"{url}?{link}")
    assert len(ids_on(second)) == 5
    names = [Customer.objects.get(pk=pk).name for pk in ids_on(first) + ids_on(second)]
    assert names == sorted(names) and "别的客户" not in names
    # A sort header keeps the filter and starts again at page 1.
    sort_link = re.search(r'href="\?([^"]*)" class="sort" data-sort="name"', html).group(1)
    assert "intent_grade=A" in sort_link and "sort=-name" in sort_link
    assert "page=" not in sort_link
    # A page past the end shows the last page, not an error.
    assert ids_on(client.get(url, {"scope": "mine", "intent_grade": "A", "page": "999"}))


def test_list_total_is_capped(org, login, monkeypatch):
    monkeypatch.setattr(crm.paging, "COUNT_CAP", 3)
    for _ in range(5):
        register(org.sales_a)
    html = login(org.sales_a).get(reverse("customers:list")).content.decode()
    total = re.search(r'data-testid="total">([^<]*)<', html).group(1)
    assert "3+" in total


def test_list_dates_the_chinese_way(org, login):
    register(org.sales_a, now=datetime(2026, 11, 30, 9, 0, tzinfo=SH))
    with translation.override("zh-hans"):
        html = login(org.sales_a).get(reverse("customers:list")).content.decode()
    assert "2026年11月30日" in html


@pytest.mark.parametrize("viewer", ["sales_a", "manager_a"])
def test_header_search_within_scope(org, login, viewer):
    mine = register(org.sales_a, name="远望科技有限公司", phone="13911112222")
    pool = register(org.sales_a2, name="近邻贸易有限公司", phone="13933334444")
    ownership_transfer(customer=pool, to_pool="department", kind="reclaim", actor=None, now=NOW)
    other = register(org.sales_b, name="远方物流有限公司", phone="13955556666")
    client = login(getattr(org, viewer))
    home = client.get(reverse("crm:dashboard")).content.decode()
    form = re.search(r'<form method="get" action="([^"]*)"[^>]*data-testid="header-search"', home)
    assert form and form.group(1) == reverse("customers:list")

    def found(q):
        return set(ids_on(client.get(form.group(1), {"scope": "all", "q": q})))

    assert mine.pk in found("远") and other.pk not in found("远")
    assert found(mine.code) == {mine.pk} and found(f"kh{mine.pk}") == {mine.pk}
    assert mine.pk in found("1111")
    # A masked pool number is not matched for a salesperson; the manager sees it in full.
    assert (pool.pk in found("3333")) == (viewer == "manager_a")
    assert pool.pk in found("近邻")
    assert found(other.code) == set()
