"""generate_data at a tiny size: counts, roles, holder XOR pool, unique keys, and the clocks
computed from the generated follow-ups and deals (the full size runs on PostgreSQL, see
tests/bench/test_reclaim_scale.py)."""

from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import Greatest

from crm.calendar import SHANGHAI
from crm.models import Department, DepartmentUserObjectPermission, Staff, User
from customers.models import Customer, CustomerKey, Deal, FollowUp

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 16)
MIDNIGHT = datetime.combine(TODAY, time(0), SHANGHAI)
SIZE = ["--customers", "2000", "--staff", "50", "--departments", "5", "--followups", "20000"]


def generate(*extra):
    out = StringIO()
    call_command("generate_data", *SIZE, "--today", TODAY.isoformat(), *extra, stdout=out)
    return out.getvalue()


def test_tiny_data_keeps_every_invariant():
    """One generation (about 3 s on SQLite), checked from every side."""
    generate("--seed", "42")
    check_counts_and_organisation()
    check_holder_xor_pool_keys_and_mix()
    check_clocks_are_computed_from_the_rows()
    check_steady_state_nothing_is_overdue_today()
    check_sequences_continue_after_the_generated_ids()


def check_counts_and_organisation():
    assert Customer.objects.count() == 2000
    assert FollowUp.objects.count() == 20000
    assert Staff.objects.filter(user__username__startswith="gen.").count() == 50
    leaves = Department.objects.filter(name__startswith="gen-销售")
    assert leaves.count() == 5
    for department in leaves:
        parent = department.parent
        assert department.path == f"{parent.path}{department.pk}/"
        assert department.manager.staff.role == Staff.Role.MANAGER
        assert DepartmentUserObjectPermission.objects.filter(
            user=department.manager, content_object=department
        ).exists()
    assert Staff.objects.filter(role=Staff.Role.GENERAL_MANAGER).count() == 1
    assert Staff.objects.filter(role=Staff.Role.ACCOUNTANT).exists()
    sales = User.objects.filter(staff__role=Staff.Role.SALESPERSON)
    group = Group.objects.get(name=Staff.Role.SALESPERSON)
    assert sales.filter(groups=group).count() == sales.count() > 0


def check_holder_xor_pool_keys_and_mix():
    held = Customer.objects.filter(holder__isnull=False, pool="")
    pooled = Customer.objects.filter(holder__isnull=True, pool__in=["department", "company"])
    assert held.count() + pooled.count() == 2000
    assert 0.75 < held.count() / 2000 < 0.95
    assert not Customer.objects.filter(pool="company", department__isnull=False).exists()
    assert not held.exclude(department=F("holder__staff__department")).exists()
    kinds = set(Customer.objects.values_list("acquired_via", flat=True))
    assert {"self_registered", "distributed", "claimed", "swap", "handover"} <= kinds
    keys = CustomerKey.objects.all()
    assert keys.count() == 2000
    assert keys.values("value").distinct().count() == 2000
    assert not Customer.objects.annotate(n=Count("keys")).exclude(n=1).exists()


def check_clocks_are_computed_from_the_rows():
    clocks = Customer.objects.annotate(
        holder_last=Max("followups__occurred_at", filter=Q(followups__by_holder=True)),
    ).values_list("pk", "last_followup_at", "holder_last")
    assert all(last == computed for _, last, computed in clocks)
    deals = Customer.objects.annotate(
        last=Max("deals__occurred_at"), first=Min("deals__occurred_at")
    ).values_list("last_deal_at", "last", "first_deal_at", "first")
    assert all(a == b and c == d for a, b, c, d in deals)
    assert Deal.objects.exists()
    # Follow-ups by the current holder since they got it; before that by somebody else.
    mine = FollowUp.objects.filter(
        customer__holder__isnull=False, occurred_at__gte=F("customer__holder_since"), by_holder=True
    )
    assert not mine.exclude(author=F("customer__holder")).exists()
    assert not FollowUp.objects.filter(entered_at__lt=F("occurred_at")).exists()
    assert not FollowUp.objects.filter(occurred_at__gte=MIDNIGHT).exists()
    late = FollowUp.objects.filter(is_late=True)
    assert late.exists()
    assert not late.filter(entered_at__lte=F("deadline")).exists()
    assert not FollowUp.objects.filter(is_late=False, entered_at__gt=F("deadline")).exists()


def check_steady_state_nothing_is_overdue_today():
    held = Customer.objects.filter(holder__isnull=False)
    deal_clock = Greatest("holder_since", "last_deal_at")  # NULL-safe below
    self_cut = MIDNIGHT - relativedelta(months=6)
    issued_cut = MIDNIGHT - timedelta(days=90)
    for kinds, cut in ((["self_registered"], self_cut), (["distributed", "claimed"], issued_cut)):
        scope = held.filter(acquired_via__in=kinds, holder_since__lt=cut)
        assert not scope.filter(last_deal_at__isnull=True).exists()
        assert not scope.annotate(clock=deal_clock).filter(clock__lt=cut).exists()
    month = MIDNIGHT.replace(day=1) - relativedelta(months=1)
    assert not held.filter(holder_since__lt=month, last_followup_at__lt=month).exists()
    # Later dates bring customers due: a quarter on, some issued customers have run out.
    later = MIDNIGHT + timedelta(days=30) - timedelta(days=90)
    due = (
        held.exclude(acquired_via="self_registered")
        .filter(holder_since__lt=later)
        .filter(Q(last_deal_at__isnull=True) | Q(last_deal_at__lt=later))
    )
    assert due.exists()


def test_same_seed_same_rows_and_second_run_does_nothing():
    generate("--seed", "42")
    first = list(
        Customer.objects.order_by("pk").values_list(
            "holder__username", "pool", "acquired_via", "holder_since", "last_followup_at"
        )[:200]
    )
    assert "already present" in generate("--seed", "42")
    assert Customer.objects.count() == 2000
    again = generate("--seed", "42", "--prefix", "again")
    assert "already present" not in again
    second = list(
        Customer.objects.order_by("pk").values_list(
            "holder__username", "pool", "acquired_via", "holder_since", "last_followup_at"
        )[2000:2200]
    )
    assert [(h.replace("again.", "gen."), *rest) for h, *rest in second if h] == [
        (h, *rest) for h, *rest in first if h
    ]


def check_sequences_continue_after_the_generated_ids():
    highest = Customer.objects.aggregate(m=Max("pk"))["m"]
    customer = Customer.objects.create(
        name="新客户",
        source="phone",
        holder_since=MIDNIGHT,
        registered_at=MIDNIGHT,
        acquired_via="self_registered",
        pool="company",
    )
    assert customer.pk > highest
