"""seed_demo builds the demo organisation the issue describes, and is idempotent."""

from datetime import date

from django.core.management import call_command

from crm.models import Department, Staff, User
from crm.selectors import departments_managed_by


def run(capsys):
    call_command("seed_demo", "--as-of", "2026-11-22")
    return capsys.readouterr().out


def test_seed_demo_builds_the_organisation(db, capsys):
    out = run(capsys)
    assert Staff.objects.filter(role="general_manager").count() == 1
    # Three sales departments and one store (SPEC §12) with its manager, two customer
    # managers and five designers.
    departments = Department.objects.filter(kind="")
    assert departments.count() == 3
    assert departments.filter(parent__isnull=False).count() == 1, "one sub-department"
    store = Department.objects.get(kind="store")
    assert store.manager is not None
    positions = list(Staff.objects.filter(department=store).values_list("position", flat=True))
    assert positions.count("customer_manager") == 2 and positions.count("designer") == 5
    for department in departments:
        assert department.manager is not None
        sales = Staff.objects.filter(department=department, role="salesperson").count()
        assert 3 <= sales <= 5
    assert Staff.objects.filter(role="accountant").count() == 2
    new = Staff.objects.filter(
        role="salesperson", hire_date__gt=date(2026, 10, 22), department__kind=""
    )
    assert new.count() == 1, "one hired less than a month ago"
    assert Staff.objects.filter(status="left", status_effective_at__isnull=False).count() == 1
    # Logins printed, password printed.
    assert "gm" in out and "east.manager" in out and "crm-demo-2026" in out
    manager = User.objects.get(username="east.manager")
    assert {d.name for d in departments_managed_by(manager)} == {"华东销售部", "上海分部"}
    assert User.objects.get(username="gm").check_password("crm-demo-2026")


def test_seed_demo_is_idempotent(db, capsys):
    from customers.models import Customer, OwnershipEvent

    run(capsys)
    counts = (
        User.objects.count(),
        Department.objects.count(),
        Staff.objects.count(),
        Customer.objects.count(),
        OwnershipEvent.objects.count(),
    )
    run(capsys)
    assert (
        User.objects.count(),
        Department.objects.count(),
        Staff.objects.count(),
        Customer.objects.count(),
        OwnershipEvent.objects.count(),
    ) == counts


def test_seed_demo_spreads_a_few_hundred_customers_over_holders_and_pools(db, capsys):
    from customers.models import Customer

    out = run(capsys)
    customers = Customer.objects.all()
    assert 200 <= customers.count() <= 500
    assert customers.filter(pool="department").count() >= 10
    assert customers.filter(pool="company").count() >= 5
    holders = set(customers.exclude(holder=None).values_list("holder__username", flat=True))
    assert {"east.sales1", "sh.sales1", "south.sales1"} <= holders
    assert customers.filter(is_incomplete=True).exists()
    assert customers.filter(is_incomplete=False).exists()
    assert "演示客户" in out
    from customers.models import Deal, FollowUp

    assert FollowUp.objects.count() >= 300
    assert FollowUp.objects.filter(is_late=True).exists()
    assert FollowUp.objects.filter(is_late=False).exists()
    assert Deal.objects.count() >= 30
