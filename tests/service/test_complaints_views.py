"""Complaint pages (SPEC §11 投诉): a clerk takes a complaint, the manager works it through
the steps, the verified breach shows on its ledger entry, the list's query count is constant,
the analysis exports and the export is logged."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from customers.models import ExportLog
from penalties.models import LedgerEntry
from service.models import Complaint, ComplaintCategory
from service.services.complaints import ComplaintData, complaint_take
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, tzinfo=SH)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def take(org, customer=None, now=NOW):
    return complaint_take(
        actor=org.accountant_a,
        data=ComplaintData(
            complainant="陈先生",
            category=ComplaintCategory.objects.order_by("pk").first(),
            content="工期拖延",
            department=org.a,
            responsible=org.sales_a,
            customer=customer,
        ),
        now=now,
    )


def test_clerk_takes_manager_works_it_through(org, login, client):
    category = ComplaintCategory.objects.get(name="Design problem")
    login(org.sales_a2)
    response = client.post(
        reverse("service:complaint_new"),
        {
            "complainant": "周女士",
            "category": category.pk,
            "content": "设计图尺寸错误",
            "responsible": org.sales_a.pk,
        },
    )
    complaint = Complaint.objects.get()
    # The clerk who took it still sees it.
    assert response.status_code == 302 and response.url == reverse(
        "service:complaint_detail", args=[complaint.pk]
    )
    assert complaint.taken_by == org.sales_a2 and complaint.department == org.a
    # The clerk may not work it.
    step = reverse("service:complaint_step", args=[complaint.pk])
    assert client.post(step, {"action": "investigate", "note": "x"}).status_code == 404
    login(org.manager_a)
    detail = reverse("service:complaint_detail", args=[complaint.pk])
    assert b"investigate-form" in client.get(detail).content
    client.post(step, {"action": "investigate", "note": "已致电"})
    client.post(step, {"action": "handle", "findings": "属实", "resolution": "重新出图"})
    client.post(step, {"action": "confirm", "satisfied": "yes", "note": "满意"})
    client.post(step, {"action": "archive", "note": ""})
    complaint.refresh_from_db()
    assert complaint.step == Complaint.Step.ARCHIVED
    page = client.get(detail).content.decode()
    assert page.count('class="hist"') == 5


def test_others_get_404(org, login, client):
    complaint = take(org)
    for user in (org.sales_b, org.manager_b, org.accountant_b):
        login(user)
        assert (
            client.get(reverse("service:complaint_detail", args=[complaint.pk])).status_code == 404
        )
        assert (
            client.post(reverse("service:complaint_verify", args=[complaint.pk]), {}).status_code
            == 404
        )


def test_linking_a_customer_outside_scope_is_404(org, login, client):
    customer = register(org.sales_b)
    login(org.sales_a)
    url = reverse("service:complaint_new") + f"?customer={customer.pk}"
    assert client.get(url).status_code == 404


def test_verified_breach_shows_on_the_ledger_entry(org, login, client):
    complaint = take(org, customer=register(org.sales_a))
    login(org.manager_a)
    step = reverse("service:complaint_step", args=[complaint.pk])
    client.post(step, {"action": "investigate", "note": "核查"})
    verify = reverse("service:complaint_verify", args=[complaint.pk])
    data = {"person": org.sales_a2.pk, "breach_on": "2026-11-18", "note": "私下联系"}
    client.post(verify, data)
    client.post(verify, data)  # a second click: still one entry
    entry = LedgerEntry.objects.get()
    assert entry.rule.code == "CONTACT_REGISTERED" and entry.occurred_on == date(2026, 11, 18)
    page = client.get(reverse("penalties:detail", args=[entry.pk])).content.decode()
    assert 'data-testid="complaint-evidence"' in page
    assert reverse("service:complaint_detail", args=[complaint.pk]) in page
    # The person fined sees the evidence on their own entry, without the link.
    login(org.sales_a2)
    page = client.get(reverse("penalties:detail", args=[entry.pk])).content.decode()
    assert "工期拖延" in page
    assert reverse("service:complaint_detail", args=[complaint.pk]) not in page


def test_list_query_count_is_constant(org, login, client):
    take(org)
    login(org.manager_a)
    url = reverse("service:complaint_list")
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(8):
        take(org)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("data-id=") == 9
    assert len(many) == len(one)


def test_list_filters(org, login, client):
    old = take(org)
    login(org.manager_a)
    response = client.get(reverse("service:complaint_list") + "?overdue=on")
    assert f'data-id="{old.pk}"' in response.content.decode()
    response = client.get(reverse("service:complaint_list") + "?step=archived")
    assert f'data-id="{old.pk}"' not in response.content.decode()


def test_analysis_page_and_logged_export(org, login, client):
    take(org)
    login(org.manager_a)
    page = client.get(reverse("service:complaint_analysis") + "?year=2026")
    assert page.status_code == 200
    response = client.get(reverse("service:complaint_analysis_export") + "?year=2026")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    log = ExportLog.objects.get()
    assert log.list_name == "complaint_analysis" and log.actor == org.manager_a
    assert "year=2026" in log.filters


def test_customer_page_offers_taking_a_complaint_and_the_holder_revisits(org, client):
    from tests.factories import register

    customer = register(org.sales_a, now=datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    url = reverse("customers:detail", args=[customer.pk])
    client.force_login(org.sales_a)
    page = client.get(url).content.decode()
    assert f"/service/complaints/new/?customer={customer.pk}" in page
    assert reverse("service:revisit_new", args=[customer.pk]) in page
    client.force_login(org.accountant_a)
    page = client.get(url).content.decode()
    assert f"/service/complaints/new/?customer={customer.pk}" in page
    assert reverse("service:revisit_new", args=[customer.pk]) not in page
