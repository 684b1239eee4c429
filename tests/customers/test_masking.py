"""Masking as data (customers.masking; SPEC §1, issue 12): a salesperson reads a pool customer
of their department by name only — no page, fragment, export or search gives back a masked
value — while the managers and the general manager keep reading it in full.

The pool customer is built with distinctive values (numbers, e-mail, address, tax id, bank,
remarks, a contact's numbers, birthday, hobbies and family remarks, changed once so the history
holds old and new values, and follow-up, referral and inquiry content), so a substring search
over every response's bytes — and every cell of every workbook — is meaningful.
"""

from datetime import date, datetime
from io import BytesIO
from itertools import product
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from allocation.models import ClaimRequest, PublicNotice, ReclaimPolicy
from allocation.services.distribution import claim_create
from allocation.services.reclaim import notice_end
from customers import masking
from customers.history import customer_history
from customers.models import Contact, Customer, FollowUp, InquiryCall, Referral
from customers.selectors import customers_visible_to
from customers.services import (
    contact_update,
    customer_update,
    followup_log,
    inquiry_log,
    ownership_transfer,
    referral_record,
)
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECLAIMED = datetime(2026, 3, 2, 0, 30, tzinfo=SH)
WALK_AT = datetime(2026, 3, 4, 15, 0, tzinfo=SH)  # while the notice runs

NAME = "保密测试池客户有限公司"
# Numbers: the raw value as entered; every one is checked raw, as digits, and by the digits a
# mask hides (the first seven and the last eight), so no fragment slips through.
NUMBERS = {
    "old phone": "13897315642",
    "phone": "13846285197",
    "fax": "021-67391548",
    "contact phone": "021-58792461",
    "contact fax": "021-58792463",
    "old contact mobile": "13975318642",
    "contact mobile": "13986429753",
    "referred phone": "13733557799",
}
TEXTS = {
    "email": "secret.boss@mask-example.cn",
    "address": "上海市秘密大道777弄",
    "tax id": "91310000MASK7788Q9",
    "bank": "招商银行秘密支行",
    "bank account": "6225880137924680",
    "remarks": "老板爱喝普洱茶的秘密备注",
    "contact email": "wangwu@mask-example.cn",
    "old birthday": "1979-11-23",
    "birthday": "1981-02-17",
    "old hobbies": "高尔夫与钓鱼",
    "hobbies": "围棋与书法",
    "family remarks": "女儿在复旦读书",
    "follow-up content": "秘密跟进内容：客户想要胡桃木地板报价",
    "follow-up result": "秘密结果约定复测",
    "follow-up next step": "秘密下一步带样品",
    "referral": "介绍了隔壁秘密装修公司",
    "referred name": "转介人赵六",
    "inquiry content": "秘密来电内容问安装周期",
}


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def secrets() -> dict[str, str]:
    found = dict(TEXTS)
    for label, value in NUMBERS.items():
        digits = _digits(value)
        found |= {
            label: value,
            f"{label} digits": digits,
            f"{label} head": digits[:7],
            f"{label} tail": digits[-8:],
        }
    found["birthday zh"] = "1981年2月17日"
    found["old birthday zh"] = "1979年11月23日"
    return found


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def pooled(org):
    """A customer of sales_a2 with every masked field filled, edited once, with records, then
    reclaimed to department A's pool with its public notice."""
    customer = register(
        org.sales_a2,
        now=at(2026, 1, 15, 10),
        name=NAME,
        phone=NUMBERS["old phone"],
        fax=NUMBERS["fax"],
        email=TEXTS["email"],
        address=TEXTS["address"],
        tax_id=TEXTS["tax id"],
        bank=TEXTS["bank"],
        bank_account=TEXTS["bank account"],
        remarks=TEXTS["remarks"],
        contacts=[
            {
                "name": "池联系人王五",
                "gender": "M",
                "phone": NUMBERS["contact phone"],
                "mobile": NUMBERS["old contact mobile"],
                "fax": NUMBERS["contact fax"],
                "email": TEXTS["contact email"],
                "birthday": date(1979, 11, 23),
                "hobbies": TEXTS["old hobbies"],
                "remarks": TEXTS["family remarks"],
            }
        ],
    )
    customer = customer_update(
        actor=org.sales_a2,
        customer=customer,
        data={"phone": NUMBERS["phone"]},
        now=at(2026, 1, 20, 10),
    )
    contact_update(
        actor=org.sales_a2,
        contact=Contact.objects.get(customer=customer),
        data={
            "mobile": NUMBERS["contact mobile"],
            "birthday": date(1981, 2, 17),
            "hobbies": TEXTS["hobbies"],
        },
        now=at(2026, 1, 21, 10),
    )
    followup_log(
        actor=org.sales_a2,
        customer=customer,
        now=at(2026, 1, 22, 12),
        data={
            "kind": "home_visit",
            "occurred_at": at(2026, 1, 22, 10),
            "content": TEXTS["follow-up content"],
            "result": TEXTS["follow-up result"],
            "next_step": TEXTS["follow-up next step"],
        },
    )
    referral_record(
        actor=org.sales_a2,
        customer=customer,
        now=at(2026, 1, 23, 12),
        data={
            "occurred_at": at(2026, 1, 23, 10),
            "referred_name": TEXTS["referred name"],
            "referred_phone": NUMBERS["referred phone"],
            "what": TEXTS["referral"],
        },
    )
    inquiry_log(
        actor=org.sales_a2,
        phone=NUMBERS["phone"],
        caller_name="",
        content=TEXTS["inquiry content"],
        occurred_at=at(2026, 1, 24, 10),
        now=at(2026, 1, 24, 10),
    )
    ownership_transfer(
        customer=customer,
        to_pool="department",
        kind="reclaim",
        actor=None,
        now=RECLAIMED,
        reason="一个月无跟踪",
    )
    PublicNotice.objects.create(
        customer=customer,
        previous_holder=org.sales_a2,
        department_id=customer.department_id,
        policy="no_followup",
        pool="department",
        reclaimed_at=RECLAIMED,
        ends_at=notice_end(ReclaimPolicy.objects.get(code="no_followup"), RECLAIMED.date()),
    )
    customer.refresh_from_db()
    assert customer.holder_id is None and customer.pool == "department"
    assert customer.department_id == org.a.pk
    return customer


def body_text(response) -> str:
    """The response as text; a workbook as the text of every cell of every sheet."""
    if response.get("Content-Type") == XLSX:
        data = b"".join(response.streaming_content) if response.streaming else response.content
        wb = load_workbook(BytesIO(data), read_only=True)
        cells = [
            str(value)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return "\n".join(cells)
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode("utf-8", errors="replace")


def leaks(text: str) -> list[str]:
    return [label for label, value in secrets().items() if value in text]


# --- the search (defect 1) -------------------------------------------------------------------


def listed(client, pk, **query) -> bool:
    body = client.get(reverse("customers:list"), query).content.decode()
    return f'data-id="{pk}"' in body


@pytest.mark.parametrize(
    "fragment",
    [
        "46285197",  # the pool customer's phone, without its prefix
        "1384628",  # its first seven digits: the masked middle
        "13846285197",  # the whole number
        "58792461",  # a contact's landline
        "9753",  # the end of a contact's mobile (the part the mask shows)
        "8642975",  # the masked middle of a contact's mobile
        "13897315642",  # the phone it had before
        TEXTS["tax id"],
        TEXTS["tax id"].lower(),
    ],
)
def test_salesperson_search_never_matches_what_they_see_masked(org, pooled, login, fragment):
    # Today the phone-key search matches every number of every visible customer, so a few
    # searches read a masked number back digit by digit.
    client = login(org.sales_a)
    assert listed(client, pooled.pk, scope="pool")  # the row is there, masked
    for scope in ("all", "pool"):
        assert not listed(client, pooled.pk, scope=scope, q=fragment), (scope, fragment)
    export = reverse("customers:export")
    assert NAME in body_text(client.get(export, {"scope": "pool"}))
    assert NAME not in body_text(client.get(export, {"scope": "pool", "q": fragment}))


def test_salesperson_finds_a_pool_customer_by_name_and_their_own_by_any_number(org, pooled, login):
    own = register(
        org.sales_a,
        name="自己名下测试有限公司",
        phone="13755550001",
        tax_id="91310000OWNS1234X5",
        contacts=[{"name": "自己联系人", "gender": "F", "mobile": "13655550002"}],
    )
    client = login(org.sales_a)
    assert listed(client, pooled.pk, scope="pool", q="保密测试池")
    assert listed(client, pooled.pk, scope="pool", q=NAME)
    for fragment in ("5550001", "13655550002", "55500", "91310000OWNS1234X5"):
        assert listed(client, own.pk, scope="mine", q=fragment), fragment


@pytest.mark.parametrize("who", ["manager_a", "gm", "accountant_a"])
def test_whoever_sees_the_pool_in_full_finds_it_by_number(org, pooled, login, who):
    client = login(getattr(org, who))
    for fragment in ("46285197", "58792461", "13986429753", TEXTS["tax id"]):
        assert listed(client, pooled.pk, scope="pool", q=fragment), (who, fragment)


def test_manager_pool_page_search_matches_numbers(org, pooled, login):
    body = (
        login(org.manager_a)
        .get(reverse("allocation:pool"), {"pool": org.a.pk, "q": "46285197"})
        .content.decode()
    )
    assert f'data-id="{pooled.pk}"' in body


# --- every page a salesperson reaches ---------------------------------------------------------


def _routes(resolver=None, namespace=""):
    """(name, kwarg names) of every named non-admin URL pattern."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith(("admin/", "i18n/")):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, sorted(pattern.pattern.converters)


SKIPPED = {"logout", "login"}


def _walk(client, pooled, org):
    """GET every route with every id the test built; yield (url, response)."""
    contact = Contact.objects.get(customer=pooled)
    followup = FollowUp.objects.get(customer=pooled)
    referral = Referral.objects.get(customer=pooled)
    inquiry = InquiryCall.objects.get(customer=pooled)
    notice = PublicNotice.objects.get(customer=pooled)
    by_kwarg = {
        "contact_pk": [contact.pk],
        "followup_pk": [followup.pk],
        "referral_pk": [referral.pk],
        "deal_pk": [1],
        "customer_pk": [pooled.pk],
        "staff_pk": [org.sales_a2.staff.pk],
    }
    claims = list(ClaimRequest.objects.values_list("pk", flat=True))
    every_id = sorted(
        {pooled.pk, contact.pk, followup.pk, referral.pk, inquiry.pk, notice.pk, *claims}
    )
    query = {
        "scope": "all",
        "customers": pooled.pk,
        "show": "all",
        "pool": org.a.pk,
        "counterpart": org.sales_a2.pk,
    }
    for name, kwargs in _routes():
        if name in SKIPPED:
            continue
        choices = [by_kwarg.get(k, every_id) for k in kwargs]
        for values in product(*choices):
            url = reverse(name, kwargs=dict(zip(kwargs, values, strict=True)))
            yield url, client.get(url)
            yield f"{url}?…", client.get(url, query)


def test_no_page_or_export_gives_a_salesperson_a_masked_value(org, pooled, login):
    claim = claim_create(
        actor=org.sales_a, customer_ids=[pooled.pk], reason="想跟进这个客户", now=WALK_AT
    )
    client = login(org.sales_a)
    seen = {}
    with time_machine.travel(WALK_AT, tick=False):
        for url, response in _walk(client, pooled, org):
            if response.status_code != 200:  # refusals and crashes are the URL walk's matter
                continue
            text = body_text(response)
            assert not leaks(text), (url, leaks(text))
            seen[url] = text
    # Not vacuous: the pages that show this customer were reached and show it, by name.
    expected = [
        reverse("customers:detail", args=[pooled.pk]),
        reverse("customers:timeline", args=[pooled.pk]),
        reverse("customers:list") + "?…",
        reverse("customers:export") + "?…",
        reverse("allocation:claim_new") + "?…",
        reverse("allocation:claim_detail", args=[claim.pk]),
        reverse("allocation:notices") + "?…",
        reverse("allocation:notice_detail", args=[PublicNotice.objects.get().pk]),
        reverse("allocation:swap_new") + "?…",
    ]
    for url in expected:
        assert url in seen, url
    for url in expected[:-1]:
        if "timeline" not in url:  # a fragment of the detail page, without the name
            assert NAME in seen[url], url
    detail, timeline = seen[expected[0]], seen[expected[1]]
    assert "138****5197" in detail and "139****9753" in detail and "021****2461" in detail
    for page in (detail, timeline):
        assert page.count("非您的客户") == 3  # follow-up, referral and inquiry content hidden


def test_the_masked_history_shows_changes_but_not_values(org, pooled):
    customer = customers_visible_to(org.sales_a).get(pk=pooled.pk)
    assert customer.contacts_masked
    entries = customer_history(customer, masked=True)
    values = [v for e in entries for c in e.changes for v in (c.old, c.new)]
    assert "138****5197" in values and "138****5642" in values
    assert "***" in values  # birthday, hobbies
    text = "\n".join(values)
    assert not leaks(text), leaks(text)


# --- and those who see it in full still do ------------------------------------------------------


@pytest.mark.parametrize("who", ["manager_a", "gm"])
def test_managers_and_the_gm_read_the_pool_customer_in_full(org, pooled, login, who):
    client = login(getattr(org, who))
    with time_machine.travel(WALK_AT, tick=False):
        detail = client.get(reverse("customers:detail", args=[pooled.pk])).content.decode()
        export = body_text(client.get(reverse("customers:export"), {"scope": "pool"}))
    for value in (
        NUMBERS["phone"],
        NUMBERS["fax"],
        NUMBERS["contact mobile"],
        NUMBERS["old contact mobile"],  # in the history
        TEXTS["email"],
        TEXTS["tax id"],
        TEXTS["bank account"],
        TEXTS["remarks"],
        TEXTS["birthday"],
        TEXTS["old hobbies"],
        TEXTS["hobbies"],
        TEXTS["follow-up content"],
        TEXTS["referral"],
        TEXTS["inquiry content"],
    ):
        assert value in detail, (who, value)
    for value in (NUMBERS["phone"], TEXTS["address"], TEXTS["tax id"], TEXTS["bank account"]):
        assert value in export, (who, value)


def test_the_holder_reads_their_own_customer_in_full(org, login):
    own = register(
        org.sales_a,
        phone="13755550003",
        tax_id="91310000OWNS1234X6",
        bank_account="6222000099998888",
        contacts=[
            {
                "name": "自己联系人",
                "gender": "F",
                "mobile": "13655550004",
                "birthday": date(1990, 6, 1),
                "hobbies": "跑步",
            }
        ],
    )
    client = login(org.sales_a)
    detail = client.get(reverse("customers:detail", args=[own.pk])).content.decode()
    for value in ("13755550003", "91310000OWNS1234X6", "6222000099998888", "13655550004"):
        assert value in detail
    assert "1990-06-01" in detail


# --- the declaration ----------------------------------------------------------------------------


def test_every_masked_field_exists_and_names_stay_readable():
    for model, fields in masking.FIELDS.items():
        names = {f.name for f in model._meta.fields}
        assert set(fields) <= names, model
        assert set(fields.values()) <= {masking.PHONE, masking.HIDDEN}
        assert "name" not in fields
    assert set(masking.SEARCHABLE_WHEN_MASKED).isdisjoint(masking.FIELDS[Customer])


def test_a_customer_read_without_the_selector_counts_as_masked(org):
    customer = register(org.sales_a, phone="13755550005")
    bare = Customer.objects.get(pk=customer.pk)
    assert masking.shown(bare, "phone") == "137****0005"
    assert masking.shown(bare, "phone", masked=False) == "13755550005"
    assert masking.shown(bare, "address") == "***"
    assert masking.shown(bare, "name") == customer.name
