"""Leaving revokes login at the effective time (002 §3.3); account changes are audited."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from crm.models import Staff, User
from crm.services import staff_deactivate_departed, staff_sync_access

SH = ZoneInfo("Asia/Shanghai")
LEAVES_AT = datetime(2026, 4, 30, 18, 0, tzinfo=SH)


@pytest.fixture
def leaver(org):
    staff = org.sales_a.staff
    staff.status = Staff.Status.LEFT
    staff.status_effective_at = LEAVES_AT
    staff.save()
    return org.sales_a


def post_login(client, username):
    return client.post(reverse("login"), {"username": username, "password": "pw-for-tests"})


def test_leaver_can_log_in_until_the_effective_time(client, leaver):
    with time_machine.travel(datetime(2026, 4, 30, 17, 59, tzinfo=SH), tick=False):
        response = post_login(client, "sales_a")
    assert response.status_code == 302
    assert response.url == reverse("crm:dashboard")


def test_leaver_cannot_log_in_from_the_effective_time_on(client, leaver):
    for moment in (LEAVES_AT, datetime(2026, 5, 20, 9, 0, tzinfo=SH)):
        with time_machine.travel(moment, tick=False):
            response = post_login(client, "sales_a")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert "请输入一个正确的" in response.content.decode()


def test_open_session_ends_at_the_effective_time(client, leaver):
    with time_machine.travel(datetime(2026, 4, 30, 17, 0, tzinfo=SH), tick=False):
        assert post_login(client, "sales_a").status_code == 302
        assert client.get(reverse("crm:dashboard")).status_code == 200
    with time_machine.travel(datetime(2026, 4, 30, 18, 1, tzinfo=SH), tick=False):
        response = client.get(reverse("crm:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_sweep_switches_off_departed_accounts_only(org, leaver):
    assert staff_deactivate_departed(now=datetime(2026, 4, 30, 17, 59, tzinfo=SH)) == 0
    assert User.objects.get(pk=leaver.pk).is_active
    assert staff_deactivate_departed(now=LEAVES_AT) == 1
    assert not User.objects.get(pk=leaver.pk).is_active
    assert User.objects.get(pk=org.sales_a2.pk).is_active
    assert staff_deactivate_departed(now=LEAVES_AT) == 0, "idempotent"


def test_sweep_is_audited_in_account_history(org, leaver):
    staff_deactivate_departed(now=LEAVES_AT)
    latest = User.history.filter(id=leaver.pk).order_by("-history_date").first()
    assert latest.is_active is False
    assert latest.prev_record.is_active is True
    assert not hasattr(latest, "password"), "password hashes are not kept in history"


def test_sync_with_clock_switches_off_an_already_departed_person(org, leaver):
    staff_sync_access(user=leaver, now=datetime(2026, 5, 1, tzinfo=SH))
    assert not User.objects.get(pk=leaver.pk).is_active


def test_transferring_person_keeps_login(client, org):
    staff = org.sales_b.staff
    staff.status = Staff.Status.TRANSFERRING
    staff.status_effective_at = datetime(2026, 1, 1, tzinfo=SH)
    staff.save()
    with time_machine.travel(datetime(2026, 2, 1, 9, 0, tzinfo=SH), tick=False):
        assert post_login(client, "sales_b").status_code == 302


def test_wrong_password_is_refused_in_chinese(client, org):
    response = client.post(reverse("login"), {"username": "sales_a", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_departed_staff_task_uses_the_service(org, leaver):
    from crm.tasks import deactivate_departed_staff

    with time_machine.travel(datetime(2026, 5, 2, tzinfo=SH), tick=False):
        assert deactivate_departed_staff.delay().get() == 1
