"""The duplicates report's stored keys (issue 19; customers/quality/keys.py): on PostgreSQL the
report groups the trigger-kept `customers_report_key`/`customers_report_dup` tables; it must
answer exactly what the live GROUP BY over the archive answers (kept as
`report._live_group_rows`, SQLite's path), for every kind, viewer and month, however the rows
were written: the registration service, contacts added, changed, moved and deleted, queryset
updates around the service, bulk_create."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from customers.models import Contact, Customer
from customers.quality.report import (
    DUPLICATE_KINDS,
    Kind,
    ReportMonth,
    _live_group_rows,
    _stored_group_rows,
    duplicate_groups,
)
from customers.selectors import visibility_condition
from tests.factories import register

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the stored keys are PostgreSQL's"
)

SH = ZoneInfo("Asia/Shanghai")
MONTHS = [
    ReportMonth(date(2025, 12, 1)),
    ReportMonth(date(2026, 1, 1)),
    ReportMonth(date(2026, 2, 1)),
]
VIEWERS = ["gm", "manager_a", "manager_b", "manager_a1", "accountant_a", "accountant_b"]


def normalised(rows) -> list[tuple]:
    """(value, new?, ids in order): the aggregate's id order is the database's whim."""
    return [(value, fresh, sorted(int(i) for i in ids.split(","))) for value, fresh, ids in rows]


def assert_same(org):
    for who in VIEWERS:
        condition = visibility_condition(getattr(org, who))
        for kind in DUPLICATE_KINDS:
            for month in MONTHS:
                bounds = (0, 10_000)
                stored = normalised(_stored_group_rows(kind, condition, month, bounds))
                live = normalised(_live_group_rows(kind, condition, month, bounds))
                assert stored == live, (who, kind, str(month))


def at(day: int, month: int = 1, year: int = 2026) -> datetime:
    return datetime(year, month, day, 10, tzinfo=SH)


def make(actor, on, **fields) -> Customer:
    n = Customer.objects.count() + 1
    data = {
        "name": f"华东贸易{n}号有限公司",
        "phone": f"137{n:04d}2468",
        "tax_id": "",
    }
    data.update(fields)
    return register(actor, now=on, **data)


@pytest.fixture
def archive(org):
    a1 = make(org.sales_a, at(10, 12, 2025), phone="021-6235 7913", name="上海华东（集团）有限公司")
    b1 = make(org.sales_b, at(5), name="上海 华东 集团")
    Customer.objects.filter(pk=b1.pk).update(phone="（０２１）６２３５７９１３")  # around the keys
    a2 = make(org.sales_a, at(20), tax_id="91310115MA1K4B2C3X")
    b2 = make(org.sales_b, at(3, 2))  # February: not in January
    Customer.objects.filter(pk=b2.pk).update(tax_id="91310115ma1k4b2c3x")
    a3 = make(org.sales_a2, at(31), phone="13824575678")
    b3 = make(org.sales_b, at(1))
    Contact.objects.create(customer=b3, name="李四", gender="M", mobile="+86 138 2457 5678")
    # One customer carrying its number twice is no pair.
    c4 = make(org.sales_a, at(2), phone="13924681357")
    Contact.objects.create(customer=c4, name="王五", gender="M", mobile="139 2468 1357")
    # Bulk-created rows (as imports and the data generator write them).
    template = Customer.objects.get(pk=a1.pk)
    fields = {f.attname: getattr(template, f.attname) for f in Customer._meta.concrete_fields}
    fields.pop("id")
    Customer.objects.bulk_create(
        [
            Customer(**{**fields, "name": "ＡＢＣ Trading, Co.", "phone": "0086 021 62357913"}),
            Customer(**{**fields, "name": "abc trading co", "phone": "无", "tax_id": "无"}),
            Customer(**{**fields, "name": "公司", "phone": "", "department_id": b1.department_id}),
            Customer(**{**fields, "name": "有限公司", "phone": "123"}),
        ]
    )
    return {"a1": a1, "b1": b1, "a2": a2, "b2": b2, "a3": a3, "b3": b3, "c4": c4}


def test_stored_keys_answer_what_the_live_grouping_answers(org, archive):
    assert_same(org)
    groups = {g.value for g in duplicate_groups(org.gm, kind=Kind.PHONE, month=MONTHS[1]).items}
    assert {"02162357913", "13824575678"} <= groups and "13924681357" not in groups


def test_after_every_kind_of_change_the_answers_still_agree(org, archive):
    a1, b1, a3, b3, c4 = (archive[k] for k in ("a1", "b1", "a3", "b3", "c4"))
    # A renamed customer leaves its old group and joins another.
    Customer.objects.filter(pk=a1.pk).update(name="上海华南集团")
    assert_same(org)
    # A contact's number changed, then moved to another customer, then deleted.
    contact = Contact.objects.get(customer=b3)
    contact.mobile = "021 6235 7913"
    contact.save()
    assert_same(org)
    Contact.objects.filter(pk=contact.pk).update(customer=c4)
    assert_same(org)
    Contact.objects.filter(pk=contact.pk).delete()
    assert_same(org)
    # A phone cleared, a tax id typed differently, a registration moved to another department.
    Customer.objects.filter(pk=b1.pk).update(phone="")
    Customer.objects.filter(pk=a3.pk).update(tax_id="91310115 MA1K4B 2C3X")
    Customer.objects.filter(pk=c4.pk).update(phone="13824575678", department=b1.department)
    assert_same(org)
    # A registration time corrected (the month a customer counts in).
    Customer.objects.filter(pk=a3.pk).update(registered_at=at(2, 2))
    Customer.objects.filter(pk=c4.pk).update(registered_at=at(1, 12, 2025))
    assert_same(org)
    # Several customers in one statement.
    Customer.objects.filter(pk__in=[a1.pk, b1.pk, a3.pk]).update(name="同一个名字")
    assert_same(org)


def test_the_dup_table_holds_exactly_the_values_of_two_customers_or_more(org, archive):
    Customer.objects.filter(pk=archive["a3"].pk).update(phone="")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kind, value FROM customers_report_key GROUP BY kind, value "
            "HAVING COUNT(*) >= 2 EXCEPT ALL SELECT kind, value FROM customers_report_dup"
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT kind, value FROM customers_report_dup EXCEPT ALL SELECT kind, value "
            "FROM customers_report_key GROUP BY kind, value HAVING COUNT(*) >= 2"
        )
        assert cursor.fetchall() == []


def test_paging_agrees(org, archive):
    condition = visibility_condition(org.gm)
    for offset in range(4):
        bounds = (offset, offset + 2)
        stored = normalised(_stored_group_rows(Kind.PHONE, condition, MONTHS[2], bounds))
        live = normalised(_live_group_rows(Kind.PHONE, condition, MONTHS[2], bounds))
        assert stored == live


def test_emptying_the_archive_empties_the_keys(org, archive):
    """A TRUNCATE (a restore, the test runner's flush) fires no insert/update/delete trigger;
    the keys are emptied by their own, so no key outlives its customer."""
    from django.db import connection

    from customers.quality.keys import DUP_TABLE, KEY_TABLE

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {KEY_TABLE}")
        assert cursor.fetchone()[0] > 0
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's deferred FK checks
        cursor.execute("TRUNCATE customers_customer CASCADE")
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {KEY_TABLE}) + (SELECT COUNT(*) FROM {DUP_TABLE})"
        )
        assert cursor.fetchone()[0] == 0
