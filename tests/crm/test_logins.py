"""Logins defended, accounts audited (SPEC §9 "Access and logins"; issue 12 defect 2 and build 3).

Lockout after repeated failures per username+address with a Chinese retry time, a login log the
GM reads (404 for everyone else), one's own password change, the superuser protected from the
GM, and every password, role and department change recorded with before/after.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import AccountChange, LoginEvent, Staff, User
from crm.services import department_save, staff_deactivate_departed
from tests.factories import UserFactory

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 5, 11, 9, 0, tzinfo=SH)
IP = "10.1.2.3"
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 测试浏览器"
PASSWORD = "pw-for-tests"
NEW_PASSWORD = "Lantern-Harbour-2026"
LOCKED = "登录失败次数过多"
WRONG = "请输入一个正确的"


def post_login(client, username, password, *, ip=IP, ua=UA):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=ua,
    )


def fail(client, username, times, *, ip=IP):
    return [post_login(client, username, "wrong-password", ip=ip) for _ in range(times)]


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def last_change_id() -> int:
    """Setting up people records their accounts' creation; tests look at what came after."""
    return AccountChange.objects.order_by("-id").values_list("id", flat=True).first() or 0


def changes(user, field=None, *, since=0):
    rows = AccountChange.objects.filter(user=user, id__gt=since)
    return rows.filter(field=field) if field else rows


def without_csrf(page: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", page)


# --- lockout --------------------------------------------------------------------------------


def test_the_limit_is_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_five_failures_lock_the_account_with_a_chinese_message_saying_when(client, org):
    with time_machine.travel(T0, tick=False):
        responses = fail(client, "sales_a", 5)
        for response in responses[:4]:
            assert response.status_code == 200
            assert WRONG in response.content.decode()
        locked = responses[4]
        assert locked.status_code == 429
        page = locked.content.decode()
        assert LOCKED in page and "09:15" in page and "15 分钟" in page
        # Locked means locked: the right password is refused too, with the same message.
        right = post_login(client, "sales_a", PASSWORD)
    assert right.status_code == 429
    assert LOCKED in right.content.decode()
    assert not is_logged_in(client)


def test_the_lock_lifts_after_the_cool_off_counted_from_the_last_failure(client, org):
    with time_machine.travel(T0, tick=False):
        fail(client, "sales_a", 5)
    # A try during the lock does not restart it: the time the page gave holds.
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        during = post_login(client, "sales_a", PASSWORD)
        assert during.status_code == 429 and "09:15" in during.content.decode()
    with time_machine.travel(T0 + timedelta(minutes=14, seconds=59), tick=False):
        assert post_login(client, "sales_a", PASSWORD).status_code == 429
    with time_machine.travel(T0 + timedelta(minutes=15, seconds=1), tick=False):
        response = post_login(client, "sales_a", PASSWORD)
        assert response.status_code == 302
        assert is_logged_in(client)


def test_a_successful_login_resets_the_count(client, org):
    with time_machine.travel(T0, tick=False):
        fail(client, "sales_a", 4)
        assert post_login(client, "sales_a", PASSWORD).status_code == 302
        client.post(reverse("logout"))
        responses = fail(client, "sales_a", 4)
    assert [r.status_code for r in responses] == [200] * 4


def test_the_lock_is_per_username_and_address(client, org):
    with time_machine.travel(T0, tick=False):
        fail(client, "sales_a", 5, ip="10.9.9.9")
        # The same person from their own desk, and a colleague behind the same address.
        assert post_login(client, "sales_a", PASSWORD, ip="10.1.1.1").status_code == 302
        client.post(reverse("logout"))
        assert post_login(client, "sales_a2", PASSWORD, ip="10.9.9.9").status_code == 302


def test_an_unknown_username_is_locked_with_the_same_words(client, org):
    """No user enumeration: the pages for an account that exists and one that does not are
    the same (apart from the username echoed back into the form)."""
    with time_machine.travel(T0, tick=False):
        real = fail(client, "sales_a", 5, ip="10.0.0.1")[-1]
        ghost = fail(client, "nobody-here", 5, ip="10.0.0.2")[-1]
    assert real.status_code == ghost.status_code == 429
    assert real.context["lockout_message"] == ghost.context["lockout_message"]
    assert without_csrf(real.content.decode()).replace("sales_a", "X") == without_csrf(
        ghost.content.decode()
    ).replace("nobody-here", "X")


# --- the login log -------------------------------------------------------------------------


def test_successes_and_failures_are_logged_with_address_and_browser(client, org):
    with time_machine.travel(T0, tick=False):
        fail(client, "sales_a", 1)
        post_login(client, "sales_a", PASSWORD)
    failure, success = LoginEvent.objects.order_by("id")
    assert (failure.username, failure.outcome) == ("sales_a", LoginEvent.Outcome.FAILURE)
    assert (success.username, success.outcome) == ("sales_a", LoginEvent.Outcome.SUCCESS)
    for event in (failure, success):
        assert event.at == T0
        assert event.ip_address == IP
        assert event.user_agent == UA
        assert event.path == reverse("login")
    assert "wrong-password" not in str(LoginEvent.objects.values_list())


def test_locked_out_attempts_are_logged_as_locked(client, org):
    with time_machine.travel(T0, tick=False):
        fail(client, "sales_a", 5)
        post_login(client, "sales_a", PASSWORD)
    outcomes = list(LoginEvent.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["failure"] * 4 + ["locked", "locked"]


def test_an_overlong_username_is_logged_shortened_not_a_crash(client, org):
    response = post_login(client, "sales" + "x" * 300, "nope", ua="u" * 400)
    assert response.status_code == 200
    event = LoginEvent.objects.get()
    assert event.username == ("sales" + "x" * 300)[:150] and event.user_agent == "u" * 255


def test_admin_login_failures_count_and_are_logged(client, org):
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            response = client.post(
                reverse("admin:login"),
                {"username": "gm", "password": "wrong"},
                REMOTE_ADDR=IP,
            )
    assert response.status_code == 429
    assert LoginEvent.objects.filter(username="gm", path=reverse("admin:login")).count() == 5


def make_events(n, **kw):
    LoginEvent.objects.bulk_create(
        LoginEvent(
            at=T0 + timedelta(minutes=i),
            username=kw.get("username", f"user{i % 3}"),
            outcome=kw.get("outcome", LoginEvent.Outcome.SUCCESS),
            ip_address=f"10.0.0.{i % 250}",
            user_agent=UA,
        )
        for i in range(n)
    )


def test_gm_reads_the_login_log_newest_first(org, login):
    client = login(org.gm)
    make_events(3)
    LoginEvent.objects.create(
        at=T0 + timedelta(hours=1), username="mallory", outcome="failure", ip_address="10.6.6.6"
    )
    response = client.get(reverse("crm:login_log"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.username for r in rows][0] == "mallory"
    page = response.content.decode()
    assert "10.6.6.6" in page and "测试浏览器" in page
    assert "登录日志" in page and "账户变更" in page


def test_gm_filters_the_login_log_by_user_and_outcome(org, login):
    client = login(org.gm)  # a log-in event itself
    make_events(6)
    LoginEvent.objects.create(at=T0, username="user1", outcome="failure", ip_address=IP)
    by_user = client.get(reverse("crm:login_log"), {"username": "user1"}).context["rows"]
    assert {r.username for r in by_user} == {"user1"} and len(by_user) == 3
    failures = client.get(
        reverse("crm:login_log"), {"username": "user1", "outcome": "failure"}
    ).context["rows"]
    assert [r.outcome for r in failures] == ["failure"]
    junk = client.get(reverse("crm:login_log"), {"outcome": "nonsense"})
    assert junk.status_code == 200 and len(junk.context["rows"]) == 8


def test_the_login_log_is_paged_by_id(org, login):
    make_events(60)
    client = login(org.gm)
    first = client.get(reverse("crm:login_log"))
    assert len(first.context["rows"]) == 50 and first.context["page"]["has_next"]
    second = client.get(reverse("crm:login_log"), {"after": first.context["last_id"]})
    rows = second.context["rows"]
    # The GM's own forced log-in (force_login) is an event too: 61 in all.
    assert len(rows) == 11 and not second.context["page"]["has_next"]
    back = client.get(reverse("crm:login_log"), {"before": second.context["first_id"]})
    assert [r.pk for r in back.context["rows"]] == [r.pk for r in first.context["rows"]]
    assert client.get(reverse("crm:login_log"), {"after": "9" * 25}).status_code == 200


@pytest.mark.parametrize("url_name", ["crm:login_log", "crm:account_changes"])
def test_the_log_pages_cost_the_same_queries_for_few_and_many_rows(org, login, url_name):
    client = login(org.gm)
    make_events(2)
    client.get(reverse(url_name))  # warm caches (constance, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(url_name)).status_code == 200
    make_events(80)
    AccountChange.objects.bulk_create(
        AccountChange(at=T0, user=u, actor=org.gm, field="role", source="admin")
        for u in User.objects.all()
    )
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(url_name)).status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "who", ["manager_a", "sales_a", "accountant_a"], ids=["manager", "salesperson", "accountant"]
)
@pytest.mark.parametrize("url_name", ["crm:login_log", "crm:account_changes"])
def test_nobody_but_the_gm_reads_the_logs(org, login, who, url_name):
    client = login(getattr(org, who))
    assert client.get(reverse(url_name)).status_code == 404
    nav = client.get(reverse("crm:dashboard")).context["nav"]
    assert reverse("crm:login_log") not in [item["url"] for item in nav]


def test_the_gm_finds_the_logs_in_the_navigation(org, login):
    response = login(org.gm).get(reverse("crm:dashboard"))
    assert reverse("crm:login_log") in [item["url"] for item in response.context["nav"]]
    assert "登录与账户" in response.content.decode()


def test_anonymous_is_sent_to_log_in(client, db):
    for url_name in ("crm:login_log", "crm:account_changes", "password_change"):
        response = client.get(reverse(url_name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- one's own password ----------------------------------------------------------------------


def test_everyone_finds_the_password_change_in_the_header(org, login):
    for person in (org.sales_a, org.manager_a, org.accountant_a, org.gm):
        page = login(person).get(reverse("crm:dashboard")).content.decode()
        assert f'href="{reverse("password_change")}"' in page and "修改密码" in page


def test_a_person_changes_their_own_password_and_it_is_recorded(org, login):
    client = login(org.sales_a)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and "旧密码不正确" in wrong.content.decode()
    since = last_change_id()
    with time_machine.travel(T0, tick=False):
        done = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
            REMOTE_ADDR=IP,
        )
        assert done.status_code == 302 and done.url == reverse("crm:dashboard")
        assert client.get(reverse("crm:dashboard")).status_code == 200, "the session is kept"
    user = User.objects.get(pk=org.sales_a.pk)
    assert user.check_password(NEW_PASSWORD)
    change = changes(user, AccountChange.Field.PASSWORD, since=since).get()
    assert change.actor == user and change.at == T0
    assert change.source == AccountChange.Source.SELF and change.ip_address == IP
    assert user.password not in (change.before, change.after), "never the hash"


def test_a_weak_new_password_is_refused_in_chinese(org, login):
    since = last_change_id()
    response = login(org.sales_a).post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "密码只包含数字" in response.content.decode()
    assert not changes(org.sales_a, AccountChange.Field.PASSWORD, since=since).exists()


# --- defect 2: the superuser is protected from the GM; nobody impersonates ----------------------


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def password_form(password=NEW_PASSWORD):
    return {"usable_password": "true", "password1": password, "password2": password}


def test_gm_cannot_set_the_superusers_password(org, login, root):
    client = login(org.gm)
    url = reverse("admin:auth_user_password_change", args=[root.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, password_form()).status_code == 403
    root.refresh_from_db()
    assert root.check_password(PASSWORD)
    assert post_login(Client(), "root", NEW_PASSWORD).status_code == 200, "no way in as root"


def test_gm_cannot_change_the_superusers_account(org, login, root):
    client = login(org.gm)
    url = reverse("admin:crm_user_change", args=[root.pk])
    page = client.get(url).content.decode()
    assert 'name="username"' not in page and "password/" not in page, "read-only, no reset"
    response = client.post(
        url,
        {
            "username": "root2",
            "email": "gm@example.com",
            "is_active": "on",
            "staff-TOTAL_FORMS": "0",
            "staff-INITIAL_FORMS": "0",
            "staff-MIN_NUM_FORMS": "0",
            "staff-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.username == "root" and root.email == ""


def test_gm_cannot_change_the_superuser_through_a_history_revert(org, login, root):
    """simple-history's history form saved a POST from anyone who may view the account."""
    root.email = "root@example.com"
    root.save()
    version = User.history.filter(id=root.pk).order_by("history_id").first().history_id
    client = login(org.gm)
    url = reverse("admin:crm_user_simple_history", args=[root.pk, version])
    assert client.get(url).status_code == 200, "reading the history stays allowed"
    response = client.post(
        url,
        {
            "username": "root2",
            "email": "gm@example.com",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "staff-TOTAL_FORMS": "0",
            "staff-INITIAL_FORMS": "0",
            "staff-MIN_NUM_FORMS": "0",
            "staff-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert (root.username, root.email, root.is_active) == ("root", "root@example.com", True)


def test_gm_cannot_change_a_superusers_staff_profile(org, login, root):
    staff = Staff.objects.create(user=root, role=Staff.Role.SALESPERSON, hire_date=T0.date())
    client = login(org.gm)
    response = client.post(
        reverse("admin:crm_staff_change", args=[staff.pk]),
        {
            "user": root.pk,
            "role": "general_manager",
            "department": "",
            "hire_date": "2026-01-01",
            "status": "active",
        },
    )
    assert response.status_code == 403
    staff.refresh_from_db()
    assert staff.role == Staff.Role.SALESPERSON


def test_gm_is_not_offered_password_resets_for_anyone(org, login):
    since = last_change_id()
    client = login(org.gm)
    page = client.get(reverse("admin:crm_user_change", args=[org.sales_a.pk])).content.decode()
    assert 'name="username"' in page, "the GM still keeps the account"
    assert "password/" not in page
    url = reverse("admin:auth_user_password_change", args=[org.sales_a.pk])
    assert client.post(url, password_form()).status_code == 403
    assert User.objects.get(pk=org.sales_a.pk).check_password(PASSWORD)
    assert not AccountChange.objects.filter(field="password", id__gt=since).exists()


def test_superuser_reset_is_recorded_and_the_person_must_choose_their_own(client, org, root):
    since = last_change_id()
    client.force_login(root)
    with time_machine.travel(T0, tick=False):
        response = client.post(
            reverse("admin:auth_user_password_change", args=[org.sales_a.pk]),
            password_form(),
            REMOTE_ADDR=IP,
        )
    assert response.status_code == 302
    target = User.objects.get(pk=org.sales_a.pk)
    assert target.must_change_password
    change = changes(target, "password", since=since).get()
    assert (change.actor, change.source, change.at) == (root, AccountChange.Source.ADMIN, T0)
    assert change.after == "已设置（下次登录须修改）"
    assert target.password not in change.before + change.after

    # The person logs in with the temporary password and is held at the password page.
    client.post(reverse("logout"))
    assert post_login(client, "sales_a", NEW_PASSWORD).status_code == 302
    for url in (reverse("crm:dashboard"), reverse("customers:list")):
        held = client.get(url)
        assert held.status_code == 302 and held.url == reverse("password_change")
    assert "他人设置" in client.get(reverse("password_change")).content.decode()
    own = "Quiet-River-Stones-88"
    done = client.post(
        reverse("password_change"),
        {"old_password": NEW_PASSWORD, "new_password1": own, "new_password2": own},
    )
    assert done.status_code == 302
    assert client.get(reverse("crm:dashboard")).status_code == 200
    target.refresh_from_db()
    assert not target.must_change_password and target.check_password(own)
    latest = changes(target, "password", since=since).first()
    assert latest.actor == target and latest.source == AccountChange.Source.SELF


def test_an_account_the_gm_creates_must_choose_its_own_password(org, login):
    client = login(org.gm)
    response = client.post(
        reverse("admin:crm_user_add"),
        {
            "username": "newbie",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "staff-TOTAL_FORMS": "0",
            "staff-INITIAL_FORMS": "0",
            "staff-MIN_NUM_FORMS": "0",
            "staff-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    newbie = User.objects.get(username="newbie")
    assert newbie.must_change_password
    change = changes(newbie, "password").get()
    assert change.actor == org.gm and change.source == AccountChange.Source.ADMIN


def test_a_password_set_outside_any_page_is_recorded_too(org):
    """`manage.py changepassword`, a shell, a script: recorded as the system's doing."""
    since = last_change_id()
    user = User.objects.get(pk=org.sales_b.pk)
    user.set_password(NEW_PASSWORD)
    user.save()
    change = changes(user, "password", since=since).get()
    assert change.actor is None and change.source == AccountChange.Source.SYSTEM
    assert not User.objects.get(pk=user.pk).must_change_password


class NewerHasher(MD5PasswordHasher):
    """A stand-in for a hasher a Django upgrade prefers: log-ins re-hash old passwords."""

    algorithm = "md5-newer"


def test_a_hash_upgraded_at_log_in_is_not_a_password_change(client, org):
    since = last_change_id()
    with override_settings(
        PASSWORD_HASHERS=[
            f"{__name__}.NewerHasher",
            "django.contrib.auth.hashers.MD5PasswordHasher",
        ]
    ):
        assert post_login(client, "sales_a", PASSWORD).status_code == 302
        assert User.objects.get(pk=org.sales_a.pk).password.startswith("md5-newer$")
    assert not changes(org.sales_a, "password", since=since).exists()


def test_password_hashes_are_kept_nowhere_in_the_records(org, login, root):
    login(root).post(
        reverse("admin:auth_user_password_change", args=[org.sales_a.pk]), password_form()
    )
    target = User.objects.get(pk=org.sales_a.pk)
    hashes = [target.password, target.password.split("$")[-1]]
    stored = [str(row) for row in AccountChange.objects.values_list()]
    stored += [str(row) for row in User.history.filter(id=target.pk).values()]
    assert not any(h in s for h in hashes for s in stored)


# --- role, department, status, rights: before and after ----------------------------------------


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


def test_role_and_department_changes_in_the_admin_are_recorded_with_before_and_after(org, login):
    since = last_change_id()
    client = login(org.gm)
    staff = org.sales_a.staff
    response = client.post(
        reverse("admin:crm_staff_change", args=[staff.pk]),
        staff_form(staff, role="manager", department=org.b.pk),
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    role = changes(org.sales_a, "role", since=since).get()
    assert (role.before, role.after) == ("业务员", "部门经理")
    department = changes(org.sales_a, "department", since=since).get()
    assert (department.before, department.after) == ("华东销售部", "华南销售部")
    for change in (role, department):
        assert change.actor == org.gm and change.source == AccountChange.Source.ADMIN
        assert change.ip_address == IP
    # simple-history keeps the full rows as well.
    assert Staff.history.filter(id=staff.pk).first().history_user == org.gm


def test_assigned_departments_changes_are_recorded(org, login):
    since = last_change_id()
    client = login(org.gm)
    staff = org.accountant_a.staff
    client.post(
        reverse("admin:crm_staff_change", args=[staff.pk]),
        staff_form(staff, assigned_departments=[org.a.pk, org.b.pk]),
    )
    change = changes(org.accountant_a, "assigned_departments", since=since).get()
    assert change.before == "华东销售部"
    assert set(change.after.split("、")) == {"华东销售部", "华南销售部"}
    assert change.actor == org.gm


def test_a_new_department_manager_is_recorded_for_both_people(org):
    since = last_change_id()
    org.b.manager = org.manager_a1
    department_save(department=org.b)
    old = changes(org.manager_b, "managed_department", since=since).get()
    new = changes(org.manager_a1, "managed_department", since=since).get()
    assert (old.before, old.after) == ("华南销售部", "")
    assert (new.before, new.after) == ("", "华南销售部")


def test_a_handover_records_the_status_change_with_its_actor(org):
    from allocation.services.handover import handover_open

    effective = T0 + timedelta(days=3)
    since = last_change_id()
    handover_open(
        actor=org.manager_b,
        staff=org.sales_b.staff,
        status=Staff.Status.LEFT,
        effective_at=effective,
        now=T0,
    )
    status = changes(org.sales_b, "status", since=since).get()
    assert (status.before, status.after) == ("在职", "离职")
    assert status.actor == org.manager_b and status.source == AccountChange.Source.SYSTEM
    when = changes(org.sales_b, "status_effective_at", since=since).get()
    assert when.after == "2026-05-14 09:00"


def test_switching_off_departed_accounts_is_recorded(org):
    staff = org.sales_b.staff
    staff.status, staff.status_effective_at = Staff.Status.LEFT, T0
    staff.save()
    since = last_change_id()
    staff_deactivate_departed(now=T0)
    change = changes(org.sales_b, "is_active", since=since).get()
    assert (change.before, change.after, change.actor) == ("是", "否", None)


def test_gm_reads_account_changes_filtered_by_person_and_kind(org, login):
    client = login(org.gm)
    staff = org.sales_a.staff
    client.post(
        reverse("admin:crm_staff_change", args=[staff.pk]),
        staff_form(staff, role="manager", department=org.b.pk),
    )
    response = client.get(reverse("crm:account_changes"), {"username": "sales_a"})
    assert response.status_code == 200
    fields = [c.field for c in response.context["rows"]]
    assert sorted(fields[:2]) == ["department", "role"], "newest first"
    assert {c.user for c in response.context["rows"]} == {org.sales_a}
    page = response.content.decode()
    assert "业务员" in page and "部门经理" in page and "华南销售部" in page
    only_roles = client.get(
        reverse("crm:account_changes"), {"username": "sales_a", "field": "role"}
    ).context["rows"]
    # The change, then the role the account was created with.
    assert [(c.field, c.before, c.after) for c in only_roles] == [
        ("role", "业务员", "部门经理"),
        ("role", "", "业务员"),
    ]
