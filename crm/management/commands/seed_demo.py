"""python manage.py seed_demo — an idempotent demo organisation, with printed logins."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from crm.demo import seeders
from crm.models import Department, Staff, User
from crm.services import department_save, staff_sync_access

DEMO_PASSWORD = "crm-demo-2026"

R = Staff.Role
# (key, name, parent key, region, manager username)
DEPARTMENTS = [
    ("east", "华东销售部", None, "华东", "east.manager"),
    ("shanghai", "上海分部", "east", "上海", "sh.manager"),
    ("south", "华南销售部", None, "华南", "south.manager"),
    ("store", "朝阳家居体验店", None, "北京", "store.manager"),
]
# Departments of a kind other than the general one (SPEC §12: a store is a department).
KINDS = {"store": Department.Kind.STORE}
# (username, family name, given name, role, department key, hire offset days, note)
PEOPLE = [
    ("gm", "王", "建国", R.GENERAL_MANAGER, None, 3650, ""),
    ("east.manager", "李", "明", R.MANAGER, "east", 2400, ""),
    ("sh.manager", "陈", "静", R.MANAGER, "shanghai", 1800, ""),
    ("south.manager", "黄", "伟", R.MANAGER, "south", 2000, ""),
    ("east.sales1", "张", "伟", R.SALESPERSON, "east", 900, ""),
    ("east.sales2", "王", "芳", R.SALESPERSON, "east", 400, ""),
    ("east.sales3", "刘", "洋", R.SALESPERSON, "east", 10, "new"),
    ("east.sales4", "赵", "磊", R.SALESPERSON, "east", 700, "leaving"),
    ("sh.sales1", "孙", "丽", R.SALESPERSON, "shanghai", 600, ""),
    ("sh.sales2", "周", "杰", R.SALESPERSON, "shanghai", 300, ""),
    ("sh.sales3", "吴", "敏", R.SALESPERSON, "shanghai", 120, ""),
    ("south.sales1", "郑", "强", R.SALESPERSON, "south", 1000, ""),
    ("south.sales2", "冯", "婷", R.SALESPERSON, "south", 500, ""),
    ("south.sales3", "何", "军", R.SALESPERSON, "south", 200, ""),
    ("acct.east", "徐", "慧", R.ACCOUNTANT, "east", 1500, ""),
    ("acct.south", "朱", "琳", R.ACCOUNTANT, "south", 1300, ""),
    ("store.manager", "高", "峰", R.MANAGER, "store", 1600, ""),
    ("store.cm1", "林", "晓", R.SALESPERSON, "store", 800, ""),
    ("store.cm2", "谢", "雨", R.SALESPERSON, "store", 350, ""),
    ("store.d1", "罗", "毅", R.SALESPERSON, "store", 2200, ""),
    ("store.d2", "梁", "燕", R.SALESPERSON, "store", 1400, ""),
    ("store.d3", "宋", "楠", R.SALESPERSON, "store", 900, ""),
    ("store.d4", "唐", "琪", R.SALESPERSON, "store", 500, ""),
    ("store.d5", "韩", "笑", R.SALESPERSON, "store", 150, ""),
    ("store.hc1", "冯", "亮", R.SALESPERSON, "store", 600, ""),
    ("store.draft1", "曹", "雪", R.SALESPERSON, "store", 300, ""),
]
# Store positions (004 一) on top of the salesperson role.
P = Staff.Position
POSITIONS = {
    "store.cm1": P.CUSTOMER_MANAGER,
    "store.cm2": P.CUSTOMER_MANAGER,
    **{f"store.d{n}": P.DESIGNER for n in range(1, 6)},
    "store.hc1": P.HOME_CONSULTANT,
    "store.draft1": P.DRAFTSMAN,
}
ACCOUNTANT_DEPARTMENTS = {"acct.east": ["east"], "acct.south": ["south"]}


class Command(BaseCommand):
    help = "Create or refresh the demo organisation and print its logins."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Treat this date (YYYY-MM-DD) as today.")
        parser.add_argument("--password", default=DEMO_PASSWORD)
        parser.add_argument(
            "--light", action="store_true", help="Fewer customers and records (browser tests)."
        )

    def handle(self, *args, as_of=None, password, light=False, **options):
        if as_of:
            try:
                today = date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError("--as-of must be YYYY-MM-DD") from exc
        else:
            today = timezone.localdate()
        with transaction.atomic():
            rows = self.seed(today=today, password=password)
            users = {staff.user.username: staff.user for staff, _note in rows}
            lines = []
            for seeder in seeders():
                lines += seeder(today=today, users=users, light=light)
        self.print_logins(rows, password)
        for line in lines:
            self.stdout.write(line)

    def seed(self, *, today: date, password: str):
        users = {}
        for username, family, given, _role, _dept, _offset, _note in PEOPLE:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={"last_name": family, "first_name": given, "is_active": True},
            )
            user.set_password(password)
            user.save(update_fields=["password"])
            users[username] = user

        departments = {}
        for key, name, parent_key, region, _manager in DEPARTMENTS:
            parent = departments.get(parent_key)
            department = Department.objects.filter(name=name, parent=parent).first()
            department = department or Department(name=name, parent=parent)
            department.region = region
            department.kind = KINDS.get(key, Department.Kind.GENERAL)
            departments[key] = department_save(department=department)

        rows = []
        for username, _family, _given, role, dept_key, offset, note in PEOPLE:
            # Status is set on creation only: leaving is a workflow (the allocation seeder
            # marks the demo leaver through the handover, which moves their customers).
            staff, _ = Staff.objects.update_or_create(
                user=users[username],
                defaults={
                    "role": role,
                    "position": POSITIONS.get(username, ""),
                    "department": departments.get(dept_key),
                    "hire_date": today - timedelta(days=offset),
                },
                create_defaults={
                    "role": role,
                    "position": POSITIONS.get(username, ""),
                    "department": departments.get(dept_key),
                    "hire_date": today - timedelta(days=offset),
                    "status": Staff.Status.ACTIVE,
                },
            )
            staff.assigned_departments.set(
                [departments[k] for k in ACCOUNTANT_DEPARTMENTS.get(username, [])]
            )
            rows.append((staff, note))

        admin, _ = User.objects.update_or_create(
            username="admin",
            defaults={
                "last_name": "系统",
                "first_name": "管理员",
                "is_superuser": True,
                "is_staff": True,
                "is_active": True,
            },
        )
        admin.set_password(password)
        admin.save(update_fields=["password"])

        # Managers are named once their staff profiles say they are managers.
        for key, _name, _parent, _region, manager in DEPARTMENTS:
            departments[key].manager = users[manager]
            department_save(department=departments[key])
        for user in users.values():
            staff_sync_access(user=user)
        return rows

    def print_logins(self, rows, password):
        out = self.stdout
        out.write(self.style.SUCCESS("演示数据已就绪 / Demo organisation ready"))
        out.write(f"所有演示账号的密码 / password for every demo login: {password}")
        out.write(f"  {'admin':<15} 系统管理员 (superuser)")
        for staff, note in rows:
            department = staff.department.name if staff.department else "全公司"
            extra = ""
            if note == "new":
                extra = " · 新入职(首月)"
            elif note == "leaving":
                extra = " · 离职交接中（见下）"
            job = staff.get_position_display() if staff.position else staff.get_role_display()
            department_row = staff.department
            if (
                department_row
                and department_row.manager_id == staff.user_id
                and department_row.kind == Department.Kind.STORE
            ):
                job = f"{job}（店经理）"
            out.write(
                f"  {staff.user.username:<15} {staff.user.display_name} · "
                f"{job} · {department}{extra}"
            )
