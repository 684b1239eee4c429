"""The general manager keeps the organisation in the admin; saves go through the services."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crm.models import DepartmentUserObjectPermission, Staff, User
from crm.services import department_save


def staff_form(staff, **changes):
    data = {
        "user": staff.user_id,
        "role": staff.role,
        "department": staff.department_id or "",
        "assigned_departments": [d.pk for d in staff.assigned_departments.all()],
        "phone": staff.phone,
        "hire_date": staff.hire_date.isoformat(),
        "status": staff.status,
        "status_effective_at_0": "",
        "status_effective_at_1": "",
    }
    data.update(changes)
    return data


def test_gm_marks_a_person_as_left_now_and_the_login_is_switched_off(org, login):
    client = login(org.gm)
    staff = org.sales_a.staff
    past = timezone.localtime(timezone.now() - timedelta(hours=1))
    response = client.post(
        reverse("admin:crm_staff_change", args=[staff.pk]),
        staff_form(
            staff,
            status="left",
            status_effective_at_0=past.strftime("%Y-%m-%d"),
            status_effective_at_1=past.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not User.objects.get(pk=org.sales_a.pk).is_active
    history = Staff.history.filter(id=staff.pk).first()
    assert history.status == "left" and history.history_user == org.gm, "audited with actor"


def test_gm_assigning_an_accountant_grants_department_rights(org, login):
    client = login(org.gm)
    staff = org.accountant_a.staff
    response = client.post(
        reverse("admin:crm_staff_change", args=[staff.pk]),
        staff_form(staff, assigned_departments=[org.a.pk, org.b.pk]),
    )
    assert response.status_code == 302
    granted = set(
        DepartmentUserObjectPermission.objects.filter(user=org.accountant_a).values_list(
            "content_object__name", flat=True
        )
    )
    assert granted == {"华东销售部", "华南销售部"}


def test_gm_cannot_make_themselves_superuser(org, login):
    client = login(org.gm)
    url = reverse("admin:crm_user_change", args=[org.gm.pk])
    form = client.get(url).content.decode()
    assert 'name="is_superuser"' not in form
    assert 'name="user_permissions"' not in form


def test_salesperson_cannot_manage_a_department(org):
    org.b.manager = org.sales_b
    with pytest.raises(ValidationError):
        department_save(department=org.b)


def test_admin_refuses_a_salesperson_as_manager_with_a_message(org, login):
    client = login(org.gm)
    response = client.post(
        reverse("admin:crm_department_change", args=[org.b.pk]),
        {"name": org.b.name, "parent": "", "manager": org.sales_b.pk, "region": "华南"},
    )
    assert response.status_code == 200
    assert "只有部门经理或总经理才能管理部门" in response.content.decode()
    org.b.refresh_from_db()
    assert org.b.manager == org.manager_b


def test_admin_refuses_a_department_cycle_with_a_message(org, login):
    client = login(org.gm)
    response = client.post(
        reverse("admin:crm_department_change", args=[org.a.pk]),
        {"name": org.a.name, "parent": org.a1.pk, "manager": org.manager_a.pk, "region": "华东"},
    )
    assert response.status_code == 200
    assert "部门不能挂在自己或自己的下级部门之下" in response.content.decode()
    org.a.refresh_from_db()
    assert org.a.parent is None


def test_gm_adds_a_working_day_override(org, login):
    client = login(org.gm)
    response = client.post(
        reverse("admin:crm_workdayoverride_add"),
        {"date": "2027-02-08", "is_workday": "", "note": "2027 春节"},
    )
    assert response.status_code == 302
    from crm.calendar import is_workday

    assert not is_workday(datetime(2027, 2, 8).date())


def test_manager_cannot_open_the_admin(org, login):
    response = login(org.manager_a).get(reverse("admin:crm_staff_changelist"))
    assert response.status_code == 302
    assert "login" in response.url
