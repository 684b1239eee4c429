"""Contract pages (SPEC §10): scoped by SPEC §1 (404 outside), formsets without JavaScript,
amendments on the detail page, attachments only through the guarded view, the list's query
count constant, the customer page's section."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sales.models import Contract, ContractAttachment
from sales.services.contracts import contract_attachment_add
from tests.factories import register
from tests.sales.test_contracts_helpers import NOW, REGISTERED, SH, SIGNED, draft, signed

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def customer(org):
    return register(org.sales_a, now=REGISTERED)


def _formset(prefix, rows, fields, extra=6):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }
    for n, row in enumerate(rows):
        for field in fields:
            data[f"{prefix}-{n}-{field}"] = row[field]
    return data


def test_new_contract_page_saves_a_draft_from_the_formsets(org, customer, login):
    client = login(org.sales_a)
    url = reverse("sales:contract_new", args=[customer.pk])
    assert client.get(url).status_code == 200
    data = {
        "number": "",
        "title": "门店装修合同",
        "settlement_method": "cash",
        "notes": "",
        **_formset(
            "lines",
            [{"product": "实木地板", "quantity": "20", "unit_price": "350"}],
            ("product", "quantity", "unit_price"),
        ),
        **_formset(
            "instalments",
            [
                {"due_on": "2026-05-01", "amount": "3000"},
                {"due_on": "2026-06-01", "amount": "4000"},
            ],
            ("due_on", "amount"),
        ),
    }
    response = client.post(url, data)
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{contract.pk}/")
    assert contract.total == Decimal("7000.00") and contract.instalments.count() == 2
    # Instalments that miss the total: refused, nothing written.
    data["instalments-1-amount"] = "3999"
    response = client.post(url, data)
    assert response.status_code == 400 and "7000" in response.content.decode()
    assert Contract.objects.count() == 1


def test_outsiders_get_404_everywhere(org, customer, client):
    contract = signed(org.sales_a, customer)
    attachment = contract_attachment_add(
        actor=org.sales_a,
        contract=contract,
        upload=SimpleUploadedFile("scan.pdf", PDF),
        now=NOW,
    )
    instalment = contract.instalments.first()
    urls = [
        reverse("sales:contract_detail", args=[contract.pk]),
        reverse("sales:contract_amend", args=[contract.pk]),
        reverse("sales:contract_attachment", args=[contract.pk, attachment.pk]),
        reverse("sales:contract_new", args=[customer.pk]),
        reverse("sales:return_new", args=[customer.pk]),
        reverse("sales:collection_new", args=[instalment.pk]),
    ]
    for outsider in (org.sales_b, org.manager_b, org.accountant_b, org.sales_a2):
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, (outsider, url)
    client.force_login(org.sales_a)  # the holder collects nothing: finance does
    assert client.get(urls[-1]).status_code == 404
    client.force_login(org.accountant_a)
    assert client.get(urls[-1]).status_code == 200


def test_attachment_is_served_only_through_the_guarded_view(org, customer, client, settings):
    contract = signed(org.sales_a, customer)
    attachment = contract_attachment_add(
        actor=org.sales_a,
        contract=contract,
        upload=SimpleUploadedFile("合同扫描.pdf", PDF),
        now=NOW,
    )
    stored = attachment.file.name
    assert "合同扫描" not in stored and stored.endswith(".pdf") and len(stored) > 40
    # No /media/ route: guessing the stored name gets nothing.
    client.force_login(org.sales_a)
    assert client.get(f"/media/{stored}").status_code == 404
    # Another contract's id with this attachment's id: 404.
    other = signed(org.sales_a, register(org.sales_a, now=REGISTERED))
    url = reverse("sales:contract_attachment", args=[other.pk, attachment.pk])
    assert client.get(url).status_code == 404
    response = client.get(reverse("sales:contract_attachment", args=[contract.pk, attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"


def test_upload_refuses_what_is_not_a_scan(org, customer, login):
    contract = signed(org.sales_a, customer)
    client = login(org.sales_a)
    url = reverse("sales:contract_attachment_upload", args=[contract.pk])
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {"file": fake}, follow=True)
    assert "PDF" in response.content.decode() and not ContractAttachment.objects.exists()
    response = client.post(
        url, {"file": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + bytes(8))}
    )
    assert response.status_code == 302
    assert ContractAttachment.objects.get().content_type == "image/png"
    client.force_login(org.sales_b)
    assert client.post(url, {"file": SimpleUploadedFile("b.pdf", PDF)}).status_code == 404


def test_signed_contract_cannot_be_edited_and_the_amendment_shows_on_the_detail(
    org, customer, login
):
    contract = signed(org.sales_a, customer)
    client = login(org.sales_a)
    response = client.get(reverse("sales:contract_edit", args=[contract.pk]), follow=True)
    assert "补充协议" in response.content.decode() or "amendment" in response.content.decode()
    more = [{"product": "地板蜡", "quantity": Decimal("4"), "unit_price": Decimal("250")}]
    plan = [{"due_on": SIGNED.date() + timedelta(days=60), "amount": Decimal("1000")}]
    signed(org.sales_a, customer, lines=more, plan=plan, amends=contract, signed_at=SIGNED)
    page = client.get(reverse("sales:contract_detail", args=[contract.pk])).content.decode()
    assert "¥33,000.00" in page and "地板蜡" in page and f"{contract.number}-BC1" in page


def test_sign_view_is_post_only_and_confirms(org, customer, login):
    contract = draft(org.sales_a, customer)
    client = login(org.sales_a)
    page = client.get(reverse("sales:contract_detail", args=[contract.pk])).content.decode()
    assert "data-confirm" in page
    url = reverse("sales:contract_sign", args=[contract.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"signed_at": "2026-04-10T15:00"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.is_signed and contract.signed_at == datetime(2026, 4, 10, 15, 0, tzinfo=SH)


def test_collection_and_return_pages(org, customer, login):
    contract = signed(org.sales_a, customer)
    instalment = contract.instalments.get(seq=1)
    client = login(org.accountant_a)
    url = reverse("sales:collection_new", args=[instalment.pk])
    response = client.post(url, {"amount": "12000.01", "received_on": "2026-04-15"})
    assert response.status_code == 400
    response = client.post(url, {"amount": "12000", "received_on": "2026-04-15"})
    assert response.status_code == 302
    instalment.refresh_from_db()
    assert instalment.settled_on is not None
    collection = instalment.collections.get()
    url = reverse("sales:collection_reverse", args=[collection.pk])
    assert client.post(url, {"reason": "录错金额"}).status_code == 302
    instalment.refresh_from_db()
    assert instalment.paid == 0
    line = contract.lines.get(product="踢脚线")
    client = login(org.sales_a)
    url = reverse("sales:return_new", args=[customer.pk])
    assert f"line:{line.pk}" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "original": f"line:{line.pk}",
            "kind": "return",
            "occurred_at": "2026-04-18T10:00",
            "quantity": "5",
            "amount": "200",
            "reason": "颜色不符",
        },
    )
    assert response.status_code == 302
    assert line.returns.get().amount == Decimal("200.00")


def test_list_query_count_is_constant_and_filters_work(org, login):
    client = login(org.manager_a)
    url = reverse("sales:contract_list")
    first = register(org.sales_a, now=REGISTERED)
    signed(org.sales_a, first)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _n in range(4):
        signed(org.sales_a2, register(org.sales_a2, now=REGISTERED))
        draft(org.sales_a, first)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(one)
    assert response.content.decode().count("data-id=") == 9
    page = client.get(url, {"status": "draft"}).content.decode()
    assert page.count("data-id=") == 4
    page = client.get(url, {"holder": org.sales_a2.pk, "month": "2026-04"}).content.decode()
    assert page.count("data-id=") == 4
    assert client.get(url, {"month": "2026-03"}).content.decode().count("data-id=") == 0
    # A salesperson sees only their own customers' contracts; department B sees none.
    client = login(org.sales_a)
    assert client.get(url).content.decode().count("data-id=") == 5
    client = login(org.manager_b)
    assert client.get(url).content.decode().count("data-id=") == 0


def test_customer_page_lists_contracts_with_buttons_for_who_may(org, customer, login):
    contract = signed(org.sales_a, customer)
    client = login(org.sales_a)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert contract.number in page
    assert reverse("sales:contract_new", args=[customer.pk]) in page
    assert reverse("sales:return_new", args=[customer.pk]) in page
