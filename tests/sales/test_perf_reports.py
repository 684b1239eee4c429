"""The reports' fast paths (docs/performance.md "Sales pages at 1,000,000 customers";
docs/decisions.md): the ranking's one GROUP BY (user, department) rolled up in Python equals
the two straightforward GROUP BYs; names read as plain values equal `User.display_name`; the
funnel without per-person rows has the same company and department figures; the GM's funnel
page lists people once a department or person is chosen (the export always); the person
filter lists a department's people; the ranking page shows the first N people."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from customers.rights import sees_only_own_customers
from sales.models import SalesCredit
from sales.selectors.reports import Period, credit_condition, funnel, ranking, subtree_ids
from sales.views import reports as report_views
from tests.factories import register
from tests.sales.test_reports import (  # noqa: F401  (fixtures)
    YEAR,
    _sheet_rows,
    credit,
    funnel_world,
    ranked,
)

MAY = Period(date(2026, 5, 1), date(2026, 5, 31))


def _straightforward(user, period, department=None):
    qs = SalesCredit.objects.filter(on_date__range=(period.start, period.end))
    condition = credit_condition(user)
    if sees_only_own_customers(user):  # the ranking shows a salesperson their department
        condition = None
        qs = qs.filter(department=user.staff.department)
    if condition is not None:
        qs = qs.filter(condition)
    if department is not None:
        qs = qs.filter(department__in=subtree_ids(department))
    per_user = dict(qs.order_by().values_list("user").annotate(t=Sum("amount")))
    per_department = dict(qs.order_by().values_list("department").annotate(t=Sum("amount")))
    return per_user, per_department


@pytest.fixture
def mixed(ranked):  # noqa: F811
    org = ranked
    # A sale from a pool (credited to nobody) and credit booked to another department than
    # the person's own (a person who moved): the roll-up must keep both keys apart.
    credit(None, 300, date(2026, 5, 6), customer=_pooled(org), department=org.a)
    credit(org.sales_b, 450, date(2026, 5, 7), department=org.a)
    return org


def _pooled(org):
    return register(org.sales_a)


@pytest.mark.parametrize("role", ["gm", "manager_a", "manager_b", "accountant_a", "sales_a"])
def test_ranking_rollup_equals_two_group_bys(mixed, role):
    user = getattr(mixed, role)
    for department in (None, mixed.a):
        if department is not None and role in ("manager_b", "sales_a"):
            continue
        report = ranking(user=user, period=MAY, department=department)
        per_user, per_department = _straightforward(user, MAY, department)
        assert {r.key: r.amount for r in report.people} == per_user
        assert {r.key: r.amount for r in report.departments} == per_department
        assert report.total == sum(per_department.values(), Decimal(0))


def test_names_are_the_display_names_and_current_departments(mixed):
    org = mixed
    org.sales_a2.first_name = org.sales_a2.last_name = ""
    org.sales_a2.save()
    report = ranking(user=org.gm, period=MAY)
    for row in report.people:
        if row.key is None:
            continue
        person = type(org.gm).objects.select_related("staff__department").get(pk=row.key)
        assert row.name == person.display_name
        assert row.department == person.staff.department.name
    assert org.sales_a2.username in [r.name for r in report.people]


def test_funnel_without_people_keeps_company_and_department_figures(funnel_world):  # noqa: F811
    org = funnel_world
    full = funnel(user=org.gm, period=YEAR)
    lean = funnel(user=org.gm, period=YEAR, people=False)
    assert lean.people == [] and len(full.people) == 3

    def cells(row):
        return {s: (c.count, c.amount, c.weighted) for s, c in row.cells.items()}

    assert cells(lean.total) == cells(full.total)
    assert [(r.key, r.label, cells(r)) for r in lean.departments] == [
        (r.key, r.label, cells(r)) for r in full.departments
    ]


def _options(html: str, name: str) -> list[str]:
    select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return [part.split('"', 1)[0] for part in select.split('<option value="')[1:]]


def test_gm_funnel_lists_people_once_a_department_or_person_is_chosen(login, funnel_world):  # noqa: F811
    org = funnel_world
    client = login(org.gm)
    page = client.get(reverse("sales:funnel"), {"start": "2026-01"})
    html = page.content.decode()
    assert page.context["report"].people == []
    assert 'data-testid="funnel-people-hint"' in html
    assert 'data-testid="funnel-people"' not in html
    assert _options(html, "person") == [""]  # choose a department first
    assert page.context["report"].total.open.amount == Decimal(25000)

    page = client.get(reverse("sales:funnel"), {"start": "2026-01", "department": org.a.pk})
    html = page.content.decode()
    assert {r.key for r in page.context["report"].people} == {org.sales_a.pk, org.sales_a2.pk}
    assert 'data-testid="funnel-people"' in html
    people_of_a = set(_options(html, "person")) - {""}
    assert {str(org.sales_a.pk), str(org.sales_a2.pk)} <= people_of_a
    assert str(org.sales_b.pk) not in people_of_a

    # A link naming a person still works; the list then holds that person.
    page = client.get(reverse("sales:funnel"), {"start": "2026-01", "person": org.sales_b.pk})
    assert [r.key for r in page.context["report"].people] == [org.sales_b.pk]
    assert _options(page.content.decode(), "person") == ["", str(org.sales_b.pk)]

    # The export lists everybody.
    export = client.get(reverse("sales:funnel_export"), {"start": "2026-01", "end": "2026-12"})
    people = {row[0] for row in _sheet_rows(export, 2)[1:]}
    assert {org.sales_a.display_name, org.sales_a2.display_name} <= people
    assert org.sales_b.display_name in people


def test_a_manager_sees_people_by_default(login, funnel_world):  # noqa: F811
    org = funnel_world
    page = login(org.manager_a).get(reverse("sales:funnel"), {"start": "2026-01"})
    html = page.content.decode()
    assert {r.key for r in page.context["report"].people} == {org.sales_a.pk, org.sales_a2.pk}
    assert 'data-testid="funnel-people-hint"' not in html
    assert str(org.sales_a2.pk) in _options(html, "person")


def test_ranking_page_shows_the_first_people_and_says_so(login, mixed, monkeypatch):
    org = mixed
    client = login(org.gm)
    query = {"period": "month", "month": "2026-05"}
    page = client.get(reverse("sales:ranking"), query)
    assert 'data-testid="ranking-people-cut"' not in page.content.decode()
    monkeypatch.setattr(report_views, "RANKING_PEOPLE_SHOWN", 1)
    page = client.get(reverse("sales:ranking"), query)
    html = page.content.decode()
    table = html.split('data-testid="ranking-people"', 1)[1].split("</table>", 1)[0]
    report = page.context["report"]
    ranked_people = [r for r in report.people if r.rank is not None]
    # The page names and ranks the rows it shows only (the export has everybody).
    assert len(ranked_people) == 1
    assert report.people_total == 4  # three people and the pool line
    assert table.count("<tr data-key=") == 2  # the first person and the pool line
    assert f'data-key="{ranked_people[0].key}"' in table
    assert 'data-testid="ranking-people-cut"' in html


@pytest.mark.parametrize("role", ["gm", "manager_a", "accountant_a", "sales_a"])
@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_a_limited_ranking_has_the_first_rows_of_the_whole_one(mixed, role, limit):
    """The page's ranking (`limit`: only the rows shown are named and ranked) is the whole
    ranking's first rows, with its ranks and shares, ties included."""
    org = mixed
    credit(org.sales_a2, 450, date(2026, 5, 8))
    user = getattr(org, role)
    whole = ranking(user=user, period=MAY)
    cut = ranking(user=user, period=MAY, limit=limit)
    ranked_whole = [r for r in whole.people if r.rank is not None]
    ranked_cut = [r for r in cut.people if r.rank is not None]
    assert ranked_cut == ranked_whole[:limit]
    assert [r for r in cut.people if r.rank is None] == [r for r in whole.people if r.rank is None]
    assert cut.people_total == whole.people_total == len(whole.people)
    assert cut.departments == whole.departments and cut.total == whole.total
