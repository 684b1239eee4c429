"""factory-boy factories. Departments and staff are created through the services so paths,
groups and department permissions are exactly what production would have."""

from datetime import date

import factory

from crm.models import Department, Staff, User
from crm.services import department_save, staff_sync_access


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "测"
    first_name = factory.Sequence(lambda n: f"试{n}")
    password = factory.django.Password("pw-for-tests")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"销售{n}部")
    region = "华东"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return department_save(department=model_class(*args, **kwargs))


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = Staff.Role.SALESPERSON
    hire_date = date(2024, 1, 1)

    @factory.post_generation
    def assigned(self, create, extracted, **kwargs):
        if extracted:
            self.assigned_departments.set(extracted)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create:
            staff_sync_access(user=instance.user)


def make_person(username: str, role: str, department=None, *, manages=None, assigned=(), **kw):
    """A person with a login; `manages` makes them the manager of that department."""
    staff = StaffFactory(
        user=UserFactory(username=username),
        role=role,
        department=department,
        assigned=list(assigned),
        **kw,
    )
    if manages is not None:
        manages.manager = staff.user
        department_save(department=manages)
    staff.user.refresh_from_db()
    return staff.user


_customer_seq = iter(range(10_000_000))


def customer_data(**overrides) -> dict:
    n = next(_customer_seq)
    data = {
        "name": f"测试客户{n}有限公司",
        "is_organisation": True,
        "nature": "direct_user",
        "address": f"上海市浦东新区测试路{n}号",
        "postcode": "200120",
        "phone": f"139{n:08d}",
        "fax": "",
        "legal_representative": "张三",
        "tax_id": "",
        "bank": "",
        "bank_account": "",
        "source": "phone",
        "intent_grade": "B",
    }
    data.update(overrides)
    return data


def register(actor, *, now=None, contacts=None, **overrides):
    """Register a customer through the real service (keys, event, history)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from customers.services import customer_register

    return customer_register(
        actor=actor,
        data=customer_data(**overrides),
        contacts=contacts or [],
        now=now or datetime(2026, 1, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    )


def ledger_entry(actor, person, code, amount=None, *, now, on, **kw):
    """Record a manual ledger entry through the real service (range checks and all);
    `amount` defaults to the rule's default amount."""
    from decimal import Decimal

    from penalties.models import PenaltyRule
    from penalties.services import ManualEntry, ledger_record

    rule = PenaltyRule.objects.get(code=code)
    return ledger_record(
        actor=actor,
        entry=ManualEntry(
            person=person,
            rule=rule,
            amount=rule.default_amount if amount is None else Decimal(amount),
            reason=kw.pop("reason", "经核实"),
            occurred_on=on,
            **kw,
        ),
        now=now,
    )
