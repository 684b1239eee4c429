"""Issue 19: the fast reads of service's pages give the rows of the straightforward ones.

- `complaints_visible_to` puts the customer branch in a subquery of its own; the plain
  condition (one OR over the join to the customer) is written out here and compared, for every
  person, with complaints without a customer, taken in another department, whose customer
  moved to another department or holder after it was taken, and a pool customer.
- the yearly list reads the evaluations for the shown page only (`with_evaluations`) and filters
  by status with EXISTS; compared with the former annotated queryset for every status.
- the person pickers list one department's people but accept any member of staff."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse

from crm.selectors import departments_visible_to
from customers.models import Customer
from sales.selectors.common import customer_condition, visible
from service.models import Complaint, ComplaintCategory, YearlyEvaluation
from service.selectors.complaints import complaints_visible_to
from service.selectors.yearly import due_customers, with_evaluations, yearly_rows
from service.services.complaints import ComplaintData, complaint_take
from service.services.yearly import (
    yearly_evaluation_add_director,
    yearly_evaluation_add_manager,
    yearly_evaluation_submit,
)
from tests.factories import register
from tests.service.test_yearly import DATA, sold

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, tzinfo=SH)
PEOPLE = (
    "gm", "manager_a", "manager_a1", "manager_b", "sales_a", "sales_a2", "sales_a1", "sales_b",
    "sales_b2", "accountant_a", "accountant_b",
)  # fmt: skip


def plain_complaints(user):
    """The rule as it was written before issue 19: one condition over the customer join."""
    condition = customer_condition(user)
    if condition is None:
        return Complaint.objects.all()
    return Complaint.objects.filter(
        Q(taken_by=user.pk)
        | Q(responsible=user.pk)
        | Q(department__in=departments_visible_to(user))
        | (Q(customer__isnull=False) & condition)
    )


def take(org, *, actor, department, responsible, customer=None):
    return complaint_take(
        actor=actor,
        data=ComplaintData(
            complainant="陈先生",
            category=ComplaintCategory.objects.order_by("pk").first(),
            content="工期拖延",
            department=department,
            responsible=responsible,
            customer=customer,
        ),
        now=NOW,
    )


def test_complaints_visible_to_matches_the_plain_condition(org):
    mine = register(org.sales_a, name="甲公司", phone="13800000001")
    theirs = register(org.sales_b, name="乙公司", phone="13800000002")
    branch = register(org.sales_a1, name="丙公司", phone="13800000003")
    moved = register(org.sales_a2, name="丁公司", phone="13800000004")
    pooled = register(org.sales_b2, name="戊公司", phone="13800000005")
    take(org, actor=org.accountant_a, department=org.a, responsible=org.sales_a)
    take(org, actor=org.sales_a2, department=org.b, responsible=org.sales_b, customer=mine)
    take(org, actor=org.accountant_b, department=org.a, responsible=org.sales_a2, customer=theirs)
    take(org, actor=org.gm, department=org.b, responsible=org.sales_b2, customer=branch)
    take(org, actor=org.gm, department=org.b, responsible=org.sales_b, customer=moved)
    take(org, actor=org.sales_b, department=org.b, responsible=org.sales_b2, customer=pooled)
    # After the complaints were taken: a customer changes department and holder, one goes to
    # its department's pool.
    Customer.objects.filter(pk=moved.pk).update(department=org.b, holder=org.sales_b2)
    Customer.objects.filter(pk=pooled.pk).update(holder=None, pool="department")
    assert Complaint.objects.count() == 6
    for name in PEOPLE:
        user = getattr(org, name)
        fast = sorted(complaints_visible_to(user).values_list("pk", flat=True))
        assert fast == sorted(plain_complaints(user).values_list("pk", flat=True)), name
        assert fast  # every one of them sees something here


def annotated_yearly_rows(user, year, status):
    """The yearly list's queryset as it was before issue 19 (four subqueries per row)."""
    ev = YearlyEvaluation.objects.filter(customer=OuterRef("pk"), year=year)
    qs = visible(due_customers(year), user, prefix="").annotate(
        evaluation_id=Subquery(ev.values("pk")[:1]),
        submitted_at=Subquery(ev.values("submitted_at")[:1]),
        manager_at=Subquery(ev.values("manager_at")[:1]),
        director_at=Subquery(ev.values("director_at")[:1]),
    )
    if status == "missing":
        qs = qs.filter(evaluation_id__isnull=True)
    elif status == "submitted":
        qs = qs.filter(evaluation_id__isnull=False)
    elif status == "awaiting":
        qs = qs.filter(evaluation_id__isnull=False, director_at__isnull=True)
    return qs


def _shape(rows):
    return [(c.pk, c.evaluation_id, c.submitted_at, c.manager_at, c.director_at) for c in rows]


def test_yearly_rows_match_the_annotated_queryset(org):
    def at(*args):
        return datetime(*args, tzinfo=SH)

    people = [
        (org.sales_a, "甲公司"), (org.sales_a, "乙公司"), (org.sales_a1, "丙公司"),
        (org.sales_b, "丁公司"), (org.sales_a2, "戊公司"),
    ]  # fmt: skip
    customers = []
    for i, (holder, name) in enumerate(people):
        customer = register(holder, name=name, phone=f"1380000001{i}")
        sold(holder, customer, at(2026, 1, 1, 0, 30) if i == 0 else at(2026, 5, 6, 10))
        customers.append(customer)
    # Sold on the last evening of 2025 in Shanghai: due for 2025, not 2026.
    last_year = register(org.sales_a, name="己公司", phone="13800000020")
    sold(org.sales_a, last_year, at(2025, 12, 31, 23, 30))
    submitted = yearly_evaluation_submit(
        actor=org.sales_a, customer=customers[0], year=2026, data=DATA, now=at(2026, 12, 10, 9)
    )
    managed = yearly_evaluation_submit(
        actor=org.sales_a1, customer=customers[2], year=2026, data=DATA, now=at(2026, 12, 11, 9)
    )
    yearly_evaluation_add_manager(
        actor=org.manager_a1, evaluation=managed, note="好", now=at(2026, 12, 12, 9)
    )
    done = yearly_evaluation_submit(
        actor=org.sales_b, customer=customers[3], year=2026, data=DATA, now=at(2026, 12, 11, 9)
    )
    yearly_evaluation_add_manager(
        actor=org.manager_b, evaluation=done, note="好", now=at(2026, 12, 12, 9)
    )
    yearly_evaluation_add_director(
        actor=org.gm, evaluation=done, note="好", now=at(2026, 12, 13, 9)
    )
    assert submitted.pk and YearlyEvaluation.objects.count() == 3
    for name in PEOPLE:
        user = getattr(org, name)
        for year in (2025, 2026):
            for status in ("", "missing", "submitted", "awaiting"):
                fast = with_evaluations(list(yearly_rows(user, year, status=status)), year)
                plain = list(annotated_yearly_rows(user, year, status))
                key = (name, year, status)
                assert _shape(sorted(fast, key=lambda c: c.pk)) == _shape(
                    sorted(plain, key=lambda c: c.pk)
                ), key
    gm_2026 = with_evaluations(list(yearly_rows(org.gm, 2026)), 2026)
    assert len(gm_2026) == 5 and sum(1 for c in gm_2026 if c.evaluation_id) == 3


def _select(response, name="responsible") -> str:
    page = response.content.decode()
    start = page.index(f'name="{name}"')
    return page[start : page.index("</select>", start)]


def test_the_responsible_picker_lists_one_department_and_accepts_anyone(org, login, client):
    login(org.sales_a2)
    url = reverse("service:complaint_new")
    listed = _select(client.get(url))  # the user's own department by default
    assert f'value="{org.sales_a.pk}"' in listed and f'value="{org.sales_b.pk}"' not in listed
    listed = _select(client.get(url, {"people_of": org.b.pk}))
    assert f'value="{org.sales_b.pk}"' in listed and f'value="{org.sales_a.pk}"' not in listed
    response = client.post(
        url,  # listed: department A's people; chosen: someone of B (a link, an older page)
        {
            "complainant": "周女士",
            "category": ComplaintCategory.objects.order_by("pk").first().pk,
            "content": "设计图尺寸错误",
            "responsible": org.sales_b.pk,
        },
    )
    assert response.status_code == 302
    assert Complaint.objects.get().department == org.b
    # A refused form keeps the person chosen selectable.
    response = client.post(url, {"responsible": org.sales_b.pk})
    assert response.status_code == 400
    assert f'value="{org.sales_b.pk}" selected' in _select(response)
    # The GM (no department): picks a department first.
    login(org.gm)
    response = client.get(url)
    assert f'value="{org.sales_a.pk}"' not in _select(response)
    assert 'data-testid="people-picker"' in response.content.decode()


def plain_analysis(user, year):
    """The analysis grouped row by row in Python, as before issue 19."""
    from datetime import date as day
    from statistics import median

    from crm.calendar import SHANGHAI, day_start

    start, end = day_start(day(year, 1, 1)), day_start(day(year + 1, 1, 1))
    groups: dict = {}
    for c in complaints_visible_to(user).filter(taken_at__gte=start, taken_at__lt=end):
        keys = [("total", None), ("category", c.category_id), ("department", c.department_id),
                ("month", c.taken_at.astimezone(SHANGHAI).month)]  # fmt: skip
        for key in keys:
            g = groups.setdefault(key, [0, 0, []])
            g[0] += 1
            if c.archived_at:
                g[1] += 1
                g[2].append((c.archived_at - c.taken_at).total_seconds() / 86400)
    return {
        k: (n, closed, round(sum(d) / len(d), 1) if d else None, round(median(d), 1) if d else None)
        for k, (n, closed, d) in groups.items()
    }


def test_complaint_analysis_matches_the_row_by_row_grouping(org):
    from service.selectors.complaints import complaint_analysis

    def at(*args):
        return datetime(*args, tzinfo=SH)

    cases = [  # taken (Shanghai), archived or None: month edges in Asia/Shanghai
        (at(2026, 1, 31, 23, 30), at(2026, 2, 3, 9, 15)),
        (at(2026, 2, 1, 0, 30), None),
        (at(2026, 1, 1, 0, 5), at(2026, 1, 1, 0, 6)),
        (at(2025, 12, 31, 23, 59), at(2026, 1, 2, 8)),  # last year's
        (at(2026, 12, 31, 23, 59), at(2027, 1, 4, 8)),
        (at(2026, 6, 15, 12), at(2026, 6, 18, 12, 0, 0, 1)),
    ]
    for i, (taken, archived) in enumerate(cases):
        complaint = take(
            org,
            actor=org.accountant_a,
            department=org.a if i % 2 else org.b,
            responsible=org.sales_a if i % 2 else org.sales_b,
        )
        Complaint.objects.filter(pk=complaint.pk).update(taken_at=taken, archived_at=archived)
    for name in PEOPLE:
        user = getattr(org, name)
        for year in (2025, 2026):
            a = complaint_analysis(user, year=year)
            fast = {("total", None): a.total}
            fast |= {("category", g.key): g for g in a.by_category}
            fast |= {("department", g.key): g for g in a.by_department}
            fast |= {("month", g.key): g for g in a.by_month if g.count}
            shaped = {
                k: (g.count, g.closed, g.average_days, g.median_days)
                for k, g in fast.items()
                if g.count or k != ("total", None)
            }
            assert shaped == plain_analysis(user, year), (name, year)
    assert complaint_analysis(org.gm, year=2026).total.count == 5
