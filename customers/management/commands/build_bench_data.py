"""python manage.py build_bench_data --customers 1000000

Builds a large, realistic-shaped archive for benchmarks: departments with salespeople, most
customers held, the rest in department and company pools, one phone key each. Rows are
bulk-inserted (no history, no events): the benchmarks measure reads and sweeps, not this."""

import random
import time
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from crm.calendar import SHANGHAI
from crm.models import Department, Staff, User
from crm.services import department_save, staff_sync_access
from customers.models import Customer, CustomerKey

BATCH = 10_000


class Command(BaseCommand):
    help = "Bulk-build benchmark customers (idempotent per --prefix)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=100_000)
        parser.add_argument("--departments", type=int, default=20)
        parser.add_argument("--sales-per-department", type=int, default=25)
        parser.add_argument("--prefix", default="bench")

    def handle(self, *args, customers, departments, sales_per_department, prefix, **opts):
        started = time.perf_counter()
        existing = Customer.objects.filter(source_note=prefix).count()
        if existing >= customers:
            self.stdout.write(f"{existing} {prefix} customers already present")
            self.analyze()
            return
        people = self.organisation(prefix, departments, sales_per_department)
        rng = random.Random(1)
        base = datetime(2025, 1, 1, 9, tzinfo=SHANGHAI)
        made = existing
        while made < customers:
            size = min(BATCH, customers - made)
            rows = []
            for i in range(made, made + size):
                person, department = people[i % len(people)]
                roll = rng.random()
                held = roll < 0.85
                registered = base + timedelta(minutes=i % 500_000)
                rows.append(
                    Customer(
                        name=f"{prefix}客户{i:07d}有限公司",
                        is_organisation=True,
                        nature="direct_user",
                        address=f"测试路{i}号",
                        postcode="200000",
                        phone=f"16{i:09d}",
                        legal_representative="张三",
                        source="phone",
                        source_note=prefix,
                        region=department.region,
                        intent_grade="ABCD"[i % 4],
                        customer_class="potential",
                        department=None if roll > 0.95 else department,
                        holder=person if held else None,
                        pool="" if held else ("department" if roll <= 0.95 else "company"),
                        holder_since=registered,
                        acquired_via="self_registered",
                        registered_by=person,
                        registered_at=registered,
                        last_followup_at=registered + timedelta(days=rng.randint(0, 200)),
                        is_incomplete=i % 3 == 0,
                        completion_due=registered.date() if i % 3 == 0 else None,
                    )
                )
            with transaction.atomic():
                created = Customer.objects.bulk_create(rows, batch_size=BATCH)
                CustomerKey.objects.bulk_create(
                    [CustomerKey(customer=c, kind="phone", value=c.phone) for c in created],
                    batch_size=BATCH,
                )
            made += size
            self.stdout.write(f"  {made}/{customers}", ending="\r")
        self.analyze()
        self.stdout.write(
            f"\n{made} customers in {time.perf_counter() - started:.1f}s "
            f"({len(people)} salespeople, {departments} departments)"
        )

    def analyze(self):
        """Fresh bulk data (and indexes made after it) have no planner statistics yet;
        production gets them from autovacuum, a benchmark must not wait for it."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE customers_customer; ANALYZE customers_customerkey")

    def organisation(self, prefix, departments, per_department):
        people = []
        for d in range(departments):
            department = Department.objects.filter(name=f"{prefix}部门{d:02d}").first()
            if department is None:
                department = department_save(
                    department=Department(name=f"{prefix}部门{d:02d}", region=f"区域{d % 7}")
                )
            for s in range(per_department):
                user, created = User.objects.get_or_create(username=f"{prefix}.s{d:02d}.{s:02d}")
                if created:
                    Staff.objects.create(
                        user=user,
                        role="salesperson",
                        department=department,
                        hire_date=datetime(2024, 1, 1).date(),
                    )
                    staff_sync_access(user=user)
                people.append((user, department))
            manager, created = User.objects.get_or_create(username=f"{prefix}.m{d:02d}")
            if created:
                Staff.objects.create(
                    user=manager,
                    role="manager",
                    department=department,
                    hire_date=datetime(2020, 1, 1).date(),
                )
                department.manager = manager
                department_save(department=department)
        gm, created = User.objects.get_or_create(username=f"{prefix}.gm")
        if created:
            Staff.objects.create(
                user=gm, role="general_manager", hire_date=datetime(2015, 1, 1).date()
            )
            staff_sync_access(user=gm)
        accountant, created = User.objects.get_or_create(username=f"{prefix}.acct")
        if created:
            staff = Staff.objects.create(
                user=accountant, role="accountant", hire_date=datetime(2019, 1, 1).date()
            )
            staff.assigned_departments.set(
                Department.objects.filter(name__startswith=f"{prefix}部门")[:2]
            )
            staff_sync_access(user=accountant)
        return people
