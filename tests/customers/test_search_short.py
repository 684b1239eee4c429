"""Short name searches (issue 19): one or two characters take the grams index on PostgreSQL
(customers/search.py, migration 0015) and must answer exactly what the plain `icontains` on
name and short name answers, whoever wrote the row and however (service, queryset update,
bulk_create). SQLite runs the plain path; the same tests hold it to the same answers."""

import pytest
from django.db import connection
from django.db.models import Q

from customers.forms import CustomerFilter
from customers.models import Customer
from customers.search import GRAMS_TABLE, TRIGRAM_MIN, name_matches
from tests.factories import register

NAMES = [
    ("王伟贸易有限公司", "王伟"),
    ("上海王氏实业", ""),
    ("伟业", "伟"),
    ("ABC科技有限公司", "abc"),
    ("aBc 王 数码", "Ab王"),
    ("百分%公司", ""),
    ("下划_线", "x_y"),
    ("Zürich 贸易", "ZÜ"),
    ("", "王伟"),  # a name cannot be empty in the forms; an old import could write it
]

QUERIES = [
    "王", "伟", "王伟", "伟王", "a", "A", "ab", "AB", "bc", "c科", "科", "有限", "限公",
    "Z", "ü", "ZÜ", "%", "_", "%_", "x", "王 ", " 王", "b王", "氏实", "客户",
    # three characters and more keep the trigram path
    "王伟贸", "有限公司", "abc", "下划_",
]  # fmt: skip


def plain(value: str) -> set[int]:
    """The straightforward twin: `icontains` on name and short name."""
    rows = Customer.objects.filter(Q(name__icontains=value) | Q(short_name__icontains=value))
    return set(rows.values_list("pk", flat=True))


def searched(value: str) -> set[int]:
    return set(Customer.objects.filter(name_matches(value)).values_list("pk", flat=True))


def listed(value: str) -> set[int]:
    """Through the list's filter (which strips the text and converts full-width forms)."""
    qs = CustomerFilter({"q": value}, queryset=Customer.objects.all()).qs
    return set(qs.values_list("pk", flat=True))


@pytest.fixture
def archive(org):
    made = [register(org.sales_a, name=name or "占位", short_name=short) for name, short in NAMES]
    # Renamed after registration, by a queryset update (no model save, no service).
    renamed = made[1]
    Customer.objects.filter(pk=renamed.pk).update(name="王府井百货", short_name="王府")
    force_empty = made[-1]
    Customer.objects.filter(pk=force_empty.pk).update(name="")
    # Rows written by bulk_create (as the data generator and imports do).
    template = Customer.objects.get(pk=made[0].pk)
    fields = {f.attname: getattr(template, f.attname) for f in Customer._meta.concrete_fields}
    fields.pop("id")
    Customer.objects.bulk_create(
        Customer(**{**fields, "name": name, "short_name": short})
        for name, short in [("王伟电子", ""), ("伟王科技", "WW"), ("ab有限", "有")]
    )
    return made


@pytest.mark.parametrize("value", QUERIES)
def test_short_search_answers_what_icontains_answers(archive, value):
    assert searched(value) == plain(value)


def test_the_cases_cover_hits_and_misses(archive):
    found = {value: plain(value) for value in QUERIES}
    assert found["王伟"] and found["伟王"] and found["%"] and found["_"]
    assert not found["客户"] and not found["%_"]


def test_the_list_filter_uses_the_same_answers(archive):
    for value in ["王", "王伟", "ab", "%", "Ｚ", "有限", "氏实"]:
        stripped = value.strip().replace("Ｚ", "Z")
        assert listed(value) == plain(stripped), value


def test_a_name_changed_later_is_found_by_its_new_text_only(org):
    c = register(org.sales_a, name="王伟商贸", short_name="")
    assert searched("王伟") == {c.pk}
    c.name = "李娜商贸"
    c.save(update_fields=["name"])
    assert searched("王伟") == set() == plain("王伟")
    assert searched("李娜") == {c.pk} == plain("李娜")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the grams index is PostgreSQL's")
def test_short_queries_take_the_grams_index_and_long_ones_the_trigrams(db):
    short = str(Customer.objects.filter(name_matches("王伟")).query)
    long = str(Customer.objects.filter(name_matches("王伟贸")).query)
    assert GRAMS_TABLE in short and "LIKE" not in short
    assert GRAMS_TABLE not in long and "LIKE" in long
    assert TRIGRAM_MIN == 3
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = Customer.objects.filter(name_matches("王伟")).query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Empty tables: the planner may probe the grams by customer id or read their GIN index;
    # at a million customers it reads the index for a rare text (docs/performance.md).
    assert "customers_search_gram" in plan and "Seq Scan" not in plan


def grams_rows() -> dict[int, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT customer_id, grams FROM {GRAMS_TABLE}")
        return dict(cursor.fetchall())


def grams_xmin(pk: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text::bigint FROM {GRAMS_TABLE} WHERE customer_id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the grams table is PostgreSQL's")
def test_the_grams_table_follows_inserts_and_renames(org):
    """One grams row per customer, equal to the grams of its current names, whoever wrote."""
    a = register(org.sales_a, name="王伟商贸", short_name="")
    b = register(org.sales_a, name="李娜", short_name="LN")
    rows = grams_rows()
    assert set(rows) == {a.pk, b.pk}
    assert {"王", "伟", "王伟", "伟商"} <= set(rows[a.pk]) and "LN" in rows[b.pk]
    Customer.objects.filter(pk=b.pk).update(short_name="ab")
    assert "AB" in grams_rows()[b.pk] and "LN" not in grams_rows()[b.pk]
    # Written around the services (an import's bulk_create).
    fields = {f.attname: getattr(a, f.attname) for f in Customer._meta.concrete_fields}
    fields.pop("id")
    (d,) = Customer.objects.bulk_create([Customer(**{**fields, "name": "伟王", "short_name": ""})])
    assert searched("伟王") == {d.pk} == plain("伟王")
    assert set(grams_rows()) == {a.pk, b.pk, d.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the grams table is PostgreSQL's")
def test_moves_of_holder_and_pool_do_not_write_the_grams(org):
    """The reclaim sweep's UPDATE names neither name column: the trigger does not fire, the
    grams row is the same tuple (its xmin unchanged); a save of every column that changes no
    name rewrites nothing either."""
    c = register(org.sales_a, name="王伟商贸", short_name="")
    before = grams_xmin(c.pk)
    Customer.objects.filter(pk=c.pk).update(holder=None, pool="company")
    c.refresh_from_db()
    c.save()
    assert grams_xmin(c.pk) == before
    c.name = "王伟贸易"
    c.save()
    assert grams_xmin(c.pk) != before


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the grams table is PostgreSQL's")
def test_emptying_the_customers_empties_the_grams(org):
    register(org.sales_a, name="王伟商贸", short_name="")
    assert grams_rows()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE customers_customer CASCADE")
    assert grams_rows() == {}
