"""竞争对手 (001 附录 3, SPEC §11): the catalogue kept by managers and read by everyone, links to
customers and opportunities seen only by who sees the customer unmasked, the compare page."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from sales.services.opportunities import opportunity_create
from service.models import Competitor, CompetitorLink
from service.services.competitors import (
    CompetitorError,
    competitor_create,
    competitor_link,
    competitor_unlink,
    competitor_update,
)
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
DATA = {
    "name": "欧雅全屋定制",
    "products": "整体橱柜、衣柜",
    "prices": "橱柜 2,800 元/延米起",
    "features": "E0 级板材",
    "strengths": "门店多",
    "weaknesses": "增项多",
    "strategy": "低价套餐引流",
}


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def customer(org):
    return register(org.sales_a, now=T0 - timedelta(days=10))


@pytest.fixture
def rival(org):
    return competitor_create(actor=org.manager_a, data=DATA, now=T0)


def opened(actor, customer):
    return opportunity_create(
        actor=actor,
        customer=customer,
        data={
            "product": "全屋定制衣柜",
            "expected_amount": Decimal("52000"),
            "expected_close": date(2026, 6, 30),
        },
        now=T0,
    )


# --- the catalogue ---------------------------------------------------------------------------


def test_managers_and_the_gm_keep_the_catalogue_salespeople_and_accountants_do_not(org, english):
    c = competitor_create(actor=org.gm, data=DATA, now=T0)
    assert c.updated_by == org.gm
    for person in (org.sales_a, org.accountant_a):
        with pytest.raises(CompetitorError, match="Only managers"):
            competitor_create(actor=person, data={**DATA, "name": "别家"}, now=T0)
        with pytest.raises(CompetitorError, match="Only managers"):
            competitor_update(actor=person, competitor=c, data=DATA, now=T0)
    later = T0 + timedelta(days=1)
    competitor_update(actor=org.manager_b, competitor=c, data={**DATA, "prices": "涨价"}, now=later)
    c.refresh_from_db()
    assert (c.prices, c.updated_by, c.updated_at) == ("涨价", org.manager_b, later)
    assert [h.history_user for h in c.history.order_by("history_id")] == [org.gm, org.manager_b]


def test_names_are_unique_without_case_or_spaces(org, rival, english):
    with pytest.raises(CompetitorError, match="already recorded"):
        competitor_create(actor=org.gm, data={**DATA, "name": "  欧雅全屋定制 "}, now=T0)
    other = competitor_create(actor=org.gm, data={**DATA, "name": "Sofino"}, now=T0)
    with pytest.raises(CompetitorError, match="already recorded"):
        competitor_create(actor=org.gm, data={**DATA, "name": "SOFINO"}, now=T0)
    with pytest.raises(CompetitorError, match="already recorded"):
        competitor_update(actor=org.gm, competitor=other, data=DATA, now=T0)
    with pytest.raises(CompetitorError, match="Name the competitor"):
        competitor_create(actor=org.gm, data={**DATA, "name": "   "}, now=T0)


def test_every_role_reads_the_catalogue_only_managers_see_the_edit_pages(org, rival, client):
    for person in (org.sales_a, org.sales_b, org.accountant_b, org.manager_b, org.gm):
        client.force_login(person)
        assert client.get(reverse("service:competitor_list")).status_code == 200
        assert client.get(reverse("service:competitor_detail", args=[rival.pk])).status_code == 200
    for person, code in ((org.sales_a, 404), (org.accountant_a, 404), (org.manager_b, 200)):
        client.force_login(person)
        assert client.get(reverse("service:competitor_new")).status_code == code
        assert client.get(reverse("service:competitor_edit", args=[rival.pk])).status_code == code
    client.force_login(org.sales_a)
    response = client.post(
        reverse("service:competitor_edit", args=[rival.pk]), {**DATA, "prices": "改了"}
    )
    assert response.status_code == 404
    rival.refresh_from_db()
    assert rival.prices == DATA["prices"]


def test_new_and_edit_pages_save_and_refuse_a_taken_name(org, rival, client):
    client.force_login(org.manager_a)
    response = client.post(reverse("service:competitor_new"), {**DATA, "name": "索菲诺家居"})
    created = Competitor.objects.get(name="索菲诺家居")
    assert response.status_code == 302
    assert response["Location"] == reverse("service:competitor_detail", args=[created.pk])
    with translation.override("en"):
        response = client.post(reverse("service:competitor_new"), DATA)
    assert response.status_code == 400
    assert Competitor.objects.count() == 2
    response = client.post(
        reverse("service:competitor_edit", args=[created.pk]), {**DATA, "name": "索菲诺"}
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.name == "索菲诺"


# --- links -----------------------------------------------------------------------------------


def test_the_holder_and_the_managers_link_others_may_not(org, customer, rival, english):
    o = opened(org.sales_a, customer)
    link = competitor_link(
        actor=org.sales_a, competitor=rival, customer=customer, opportunity=o, now=T0
    )
    assert (link.customer, link.opportunity, link.added_by) == (customer, o, org.sales_a)
    competitor_link(actor=org.manager_a, competitor=rival, customer=customer, now=T0)
    for person in (org.sales_a2, org.sales_b, org.accountant_a, org.manager_b):
        with pytest.raises(CompetitorError, match="holder"):
            competitor_link(actor=person, competitor=rival, customer=customer, now=T0)
        with pytest.raises(CompetitorError, match="holder"):
            competitor_unlink(actor=person, link=link, now=T0)
    with pytest.raises(CompetitorError, match="already linked"):
        competitor_link(actor=org.gm, competitor=rival, customer=customer, opportunity=o, now=T0)
    with pytest.raises(CompetitorError, match="already linked"):
        competitor_link(actor=org.gm, competitor=rival, customer=customer, now=T0)
    elsewhere = register(org.sales_a2, now=T0 - timedelta(days=5))
    with pytest.raises(CompetitorError, match="not this customer"):
        competitor_link(
            actor=org.manager_a, competitor=rival, customer=elsewhere, opportunity=o, now=T0
        )
    competitor_unlink(actor=org.gm, link=link, now=T0)
    assert not CompetitorLink.objects.filter(pk=link.pk).exists()
    assert CompetitorLink.history.filter(id=link.pk, history_type="-").get().history_user == org.gm


def test_linking_from_the_pages_and_404_on_another_s_customer(org, customer, rival, client):
    o = opened(org.sales_a, customer)
    url = reverse("service:competitor_link_add", args=[customer.pk])
    client.force_login(org.sales_a2)  # same department: sees the customer masked
    assert client.post(url, {"competitor": rival.pk}).status_code == 404
    client.force_login(org.sales_b)
    assert client.post(url, {"competitor": rival.pk}).status_code == 404
    assert not CompetitorLink.objects.exists()
    client.force_login(org.sales_a)
    response = client.post(
        url,
        {"competitor": rival.pk, "opportunity": o.pk, "note": "报价低 5%", "back": "opportunity"},
    )
    assert response["Location"] == reverse("sales:opportunity_detail", args=[o.pk])
    link = CompetitorLink.objects.get()
    assert (link.opportunity, link.note) == (o, "报价低 5%")
    # junk input: redirected with a message, nothing written, never a 500
    for junk in (
        {"competitor": "x"},
        {"competitor": "99999"},
        {"competitor": rival.pk, "opportunity": "abc"},
        {},
    ):
        assert client.post(url, junk).status_code == 302
    other_opportunity = opened(org.sales_b, register(org.sales_b, now=T0 - timedelta(days=3)))
    assert (
        client.post(url, {"competitor": rival.pk, "opportunity": other_opportunity.pk}).status_code
        == 302
    )
    assert CompetitorLink.objects.count() == 1
    remove = reverse("service:competitor_link_remove", args=[link.pk])
    client.force_login(org.sales_b)
    assert client.post(remove).status_code == 404
    client.force_login(org.accountant_a)  # sees the link, may not remove it
    assert client.post(remove).status_code == 404
    client.force_login(org.sales_a)
    response = client.post(remove)
    assert response["Location"] == reverse("customers:detail", args=[customer.pk]) + "#competitors"
    assert not CompetitorLink.objects.exists()


def test_links_are_shown_only_to_who_sees_the_customer_unmasked(org, customer, rival, client):
    o = opened(org.sales_a, customer)
    competitor_link(
        actor=org.sales_a,
        competitor=rival,
        customer=customer,
        opportunity=o,
        note="秘密备注",
        now=T0,
    )
    detail = reverse("service:competitor_detail", args=[rival.pk])
    customer_page = reverse("customers:detail", args=[customer.pk])
    for person in (org.sales_a, org.manager_a, org.accountant_a, org.gm):
        client.force_login(person)
        assert "秘密备注" in client.get(detail).content.decode(), person
        assert "秘密备注" in client.get(customer_page).content.decode(), person
    for person in (org.sales_a2, org.sales_b, org.manager_b, org.accountant_b):
        client.force_login(person)
        page = client.get(detail).content.decode()
        assert "秘密备注" not in page and customer.name not in page, person
        response = client.get(customer_page)
        assert response.status_code == 404 or "秘密备注" not in response.content.decode()
    # the list counts only the links the viewer sees
    client.force_login(org.sales_b)
    page = client.get(reverse("service:competitor_list")).content.decode()
    assert '<td class="num">0</td>' in page
    client.force_login(org.manager_a)
    page = client.get(reverse("service:competitor_list")).content.decode()
    assert '<td class="num">1</td>' in page


def test_the_opportunity_page_shows_who_else_is_bidding(org, customer, rival, client):
    o = opened(org.sales_a, customer)
    url = reverse("sales:opportunity_detail", args=[o.pk])
    client.force_login(org.sales_a)
    page = client.get(url).content.decode()
    assert 'data-testid="competitor-link-form"' in page
    competitor_link(actor=org.sales_a, competitor=rival, customer=customer, opportunity=o, now=T0)
    page = client.get(url).content.decode()
    assert 'data-testid="competitors"' in page and rival.name in page
    client.force_login(org.accountant_a)  # reads the links, no form
    page = client.get(url).content.decode()
    assert rival.name in page and 'data-testid="competitor-link-form"' not in page


# --- compare ---------------------------------------------------------------------------------


def test_compare_shows_the_chosen_side_by_side(org, rival, client):
    other = competitor_create(
        actor=org.gm, data={**DATA, "name": "尚品优家", "prices": "两居室 3–5 万元"}, now=T0
    )
    third = competitor_create(actor=org.gm, data={**DATA, "name": "第三家"}, now=T0)
    client.force_login(org.sales_b)
    url = reverse("service:competitor_compare")
    page = client.get(f"{url}?ids={other.pk}&ids={rival.pk}").content.decode()
    table = page[page.index('data-testid="compare-table"') :]
    assert table.index(f'data-competitor="{other.pk}"') < table.index(
        f'data-competitor="{rival.pk}"'
    )
    assert "两居室 3–5 万元" in table and DATA["prices"] in table
    assert f'data-competitor="{third.pk}"' not in table


def test_compare_refuses_junk_without_an_error_page(org, rival, client):
    extra = [
        competitor_create(actor=org.gm, data={**DATA, "name": f"对手{i}"}, now=T0) for i in range(4)
    ]
    client.force_login(org.gm)
    url = reverse("service:competitor_compare")
    too_many = "&".join(f"ids={c.pk}" for c in [rival, *extra])
    for query in (
        "ids=abc",
        "ids=-1&ids=99999999999999999999999",
        f"ids={rival.pk}&ids=999999",
        f"ids={rival.pk}&ids={rival.pk}",
        too_many,
        "ids=²&ids=1e9",
    ):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, query
        page = response.content.decode()
        assert (
            'data-testid="compare-table"' not in page and 'data-testid="compare-problem"' in page
        ), query
    assert client.get(url).status_code == 200


def test_list_costs_the_same_queries_for_one_row_and_many(org, customer, rival, client):
    client.force_login(org.manager_a)
    url = reverse("service:competitor_list")
    competitor_link(actor=org.sales_a, competitor=rival, customer=customer, now=T0)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    one = count()
    for i in range(12):
        c = competitor_create(
            actor=org.gm if i % 2 else org.manager_b, data={**DATA, "name": f"对手{i}"}, now=T0
        )
        competitor_link(actor=org.sales_a, competitor=c, customer=customer, now=T0)
    assert count() == one
