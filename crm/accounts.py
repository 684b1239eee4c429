"""Logins defended, accounts audited (SPEC §9 "Access and logins", 002 §3).

- Lockout: django-axes counts failed log-ins per username *and* IP address (settings
  `AXES_*`); after `AXES_FAILURE_LIMIT` failures that pair is refused for `AXES_COOLOFF_TIME`,
  counted from the last failure, and `lockout_response` says in Chinese when to try again. The
  message never depends on whether the account exists (no user enumeration).
- The login log (`LoginEvent`): every log-in attempt through a form, success or not, with time,
  IP address and browser.
- The account-change record (`AccountChange`): passwords set (never the hash), role, department,
  status, department rights and superuser status, with before/after, who, when and where.

Why signal receivers here (the house style keeps rules out of signals): log-ins and account
changes also happen in code this project does not own — Django's login and admin views, the
auth forms, `manage.py changepassword`/`createsuperuser`, future pages. Hooking the model saves
and Django's auth signals records them wherever they are made; nothing else depends on it. The
acting person comes from the instance's `_history_user` (services set it for django-simple-history)
or from the request django-simple-history's middleware keeps for the current thread.
"""

from datetime import datetime, timedelta
from math import ceil

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db.models import Max
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from .models import AccountChange, Department, LoginEvent, Staff, User

F = AccountChange.Field


# --- where a request comes from ---------------------------------------------------------------


def client_username(request, credentials=None) -> str | None:
    """The username axes counts failures for, cut to the longest a username can be (150): a
    longer one is no account's, and axes' own column (255) must never overflow — on PostgreSQL
    that was a 500 on the login page."""
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get("username") if source else None
    return None if username is None else str(username)[:150]


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or — behind `LOGIN_TRUSTED_PROXIES` reverse proxies
    that append to X-Forwarded-For — the address the outermost trusted proxy saw. Headers a
    client could forge are read only as far as trusted proxies vouch for them."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "LOGIN_TRUSTED_PROXIES", 0)
    if proxies:
        chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [a for a in chain if a]
        if len(chain) >= proxies:
            remote = chain[-proxies]
    return _valid_ip(remote)


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        validate_ipv46_address(value)
    except ValidationError:
        return None
    return value


def _clean_text(value, length: int) -> str:
    # PostgreSQL refuses NUL in text; a typed username can be anything.
    return str(value or "").replace("\x00", "")[:length]


# --- lockout ----------------------------------------------------------------------------------


def lockout_ends_at(*, username: str | None, ip_address: str | None, now: datetime) -> datetime:
    """When the lock on this username+IP pair lifts: the last counted failure plus the
    cool-off (a try during the lock does not restart it, AXES_RESET_COOL_OFF_ON_FAILURE_DURING_
    LOCKOUT = False, so the time said on the page holds)."""
    cool_off = get_cool_off() or timedelta(0)
    last = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(
        last=Max("attempt_time")
    )["last"]
    return (last or now) + cool_off


def lockout_message(*, ends_at: datetime, now: datetime) -> str:
    minutes = max(ceil((ends_at - now).total_seconds() / 60), 1)
    local = timezone.localtime(ends_at)
    time = (
        f"{local:%H:%M}" if local.date() == timezone.localdate(now) else f"{local:%Y-%m-%d %H:%M}"
    )
    return _(
        "Too many failed log-in attempts: log-in is paused. Try again after %(time)s "
        "(in about %(minutes)s minutes)."
    ) % {"time": time, "minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again, with the lock and its end in Chinese, status
    429. The same words for any username, existing or not."""
    now = timezone.now()
    tried = get_client_username(request, credentials)  # as axes counted it
    ends_at = lockout_ends_at(username=tried, ip_address=client_ip(request), now=now)
    form = AuthenticationForm(request, initial={"username": _clean_text(tried, 150)})
    context = {
        "form": form,
        "lockout_message": lockout_message(ends_at=ends_at, now=now),
        "next": request.POST.get("next", "") if request.method == "POST" else "",
    }
    return render(request, "registration/login.html", context, status=429)


# --- the login log ------------------------------------------------------------------------------


def login_event_record(*, request, username: str, outcome: str, now: datetime) -> LoginEvent:
    """Write one line of the login log for an attempt made in `request`."""
    meta = getattr(request, "META", {}) if request is not None else {}
    return LoginEvent.objects.create(
        at=now,
        username=_clean_text(username, 150),
        outcome=outcome,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=_clean_text(meta.get("HTTP_USER_AGENT"), 255),
        path=_clean_text(getattr(request, "path", ""), 200),
    )


def _on_logged_in(sender, request, user, **kwargs):
    login_event_record(
        request=request,
        username=user.get_username(),
        outcome=LoginEvent.Outcome.SUCCESS,
        now=timezone.now(),
    )


def _on_login_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return  # authenticate() called outside a request (a script): no log-in attempt
    # axes' receiver runs first ("axes" precedes "crm" in INSTALLED_APPS) and flags the request
    # when this attempt was refused by, or ran into, the lock.
    locked = bool(getattr(request, "axes_locked_out", False))
    login_event_record(
        request=request,
        username=(credentials or {}).get("username", ""),
        outcome=LoginEvent.Outcome.LOCKED if locked else LoginEvent.Outcome.FAILURE,
        now=timezone.now(),
    )


# --- account changes ----------------------------------------------------------------------------


def _current_request():
    return getattr(HistoricalRecords.context, "request", None)


def _actor_for(instance):
    actor = getattr(instance, "_history_user", None)
    if actor is not None:
        return actor
    request = _current_request()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _source_for(request, *, actor, target) -> tuple[str, str]:
    if request is None:
        return AccountChange.Source.SYSTEM, ""
    path = _clean_text(request.path, 200)
    if path.startswith("/admin/"):
        return AccountChange.Source.ADMIN, path
    if actor is not None and target is not None and actor.pk == target.pk:
        return AccountChange.Source.SELF, path
    return AccountChange.Source.PAGE, path


def account_changes_record(
    *, user: User, actor: User | None, changes: list[tuple[str, str, str]], now: datetime
) -> list[AccountChange]:
    """Write (field, before, after) changes of `user`'s account made by `actor` at `now`; the
    page and address come from the current request, if any."""
    if not changes:
        return []
    request = _current_request()
    source, path = _source_for(request, actor=actor, target=user)
    return AccountChange.objects.bulk_create(
        AccountChange(
            at=now,
            user=user,
            actor=actor,
            field=field,
            before=_clean_text(before, 500),
            after=_clean_text(after, 500),
            source=source,
            path=path,
            ip_address=client_ip(request) if request is not None else None,
        )
        for field, before, after in changes
    )


def _yes_no(value) -> str:
    return _("yes") if value else _("no")


def _password_state(user: User) -> str:
    if not user.has_usable_password():
        return _("password log-in disabled")
    if user.must_change_password:
        return _("set (to be changed at next log-in)")
    return _("set")


_USER_TRACKED = ("password", "is_active", "is_superuser", "must_change_password")
_STAFF_TRACKED = ("role", "department_id", "status", "status_effective_at")


def _tracked_before(sender, instance, fields, update_fields):
    """The stored values of `fields` before this save (one query; these saves are rare), or
    None when nothing tracked can change."""
    if instance.pk is None:
        return {}
    names = set(fields) | {f.removesuffix("_id") for f in fields}
    if update_fields is not None and not names & set(update_fields):
        return None  # e.g. the log-in stamp: no query on every log-in
    return sender._default_manager.filter(pk=instance.pk).values(*fields).first() or {}


def _user_pre_save(sender, instance, update_fields=None, **kwargs):
    before = _tracked_before(sender, instance, _USER_TRACKED, update_fields)
    instance._account_before = before
    instance._account_rehash = False
    if before is None or "password" not in instance.__dict__:
        return
    if instance.pk is not None and before.get("password") == instance.password:
        return
    # Django re-hashing the password just typed at log-in (a newer hasher): it saves only the
    # password and clears `_password` ("hash upgrades shouldn't be considered password
    # changes"). Same password, new hash: not a change.
    instance._account_rehash = (
        update_fields is not None
        and set(update_fields) == {"password"}
        and getattr(instance, "_password", None) is None
        and instance.has_usable_password()
    )
    actor = _actor_for(instance)
    if actor is None or instance._account_rehash:
        return  # a command or job: the flag stays as the caller set it
    # A password somebody else set (an administrator's reset, a new account made by the GM)
    # must be replaced by its owner at the next log-in; one the owner set clears that.
    instance.must_change_password = instance.pk is None or actor.pk != instance.pk


def _user_post_save(sender, instance, created, **kwargs):
    before = getattr(instance, "_account_before", None)
    instance._account_before = None
    if before is None:
        return
    changes = []
    changed = created or before.get("password") != instance.password
    if (
        "password" in instance.__dict__
        and changed
        and not getattr(instance, "_account_rehash", False)
    ):
        changes.append((F.PASSWORD, "" if created else _("set"), _password_state(instance)))
    for name, field in (("is_active", F.IS_ACTIVE), ("is_superuser", F.IS_SUPERUSER)):
        if name not in instance.__dict__:
            continue
        old, new = before.get(name), getattr(instance, name)
        if created:
            if name == "is_superuser" and new:
                changes.append((field, "", _yes_no(new)))
        elif old != new:
            changes.append((field, _yes_no(old), _yes_no(new)))
    account_changes_record(
        user=instance, actor=_actor_for(instance), changes=changes, now=timezone.now()
    )


def _department_name(department_id) -> str:
    if not department_id:
        return ""
    department = Department.objects.filter(pk=department_id).only("name").first()
    return department.name if department else str(department_id)


def _staff_pre_save(sender, instance, update_fields=None, **kwargs):
    instance._account_before = _tracked_before(sender, instance, _STAFF_TRACKED, update_fields)


def _format_moment(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _staff_post_save(sender, instance, created, **kwargs):
    before = getattr(instance, "_account_before", None)
    instance._account_before = None
    if before is None:
        return
    role_label = dict(Staff.Role.choices)
    status_label = dict(Staff.Status.choices)
    changes = []
    if created or before.get("role") != instance.role:
        changes.append(
            (
                F.ROLE,
                str(role_label.get(before.get("role"), before.get("role") or "")),
                str(role_label.get(instance.role, instance.role)),
            )
        )
    if (created and instance.department_id) or (
        not created and before.get("department_id") != instance.department_id
    ):
        changes.append(
            (
                F.DEPARTMENT,
                _department_name(before.get("department_id")),
                _department_name(instance.department_id),
            )
        )
    if not created and before.get("status") != instance.status:
        changes.append(
            (
                F.STATUS,
                str(status_label.get(before.get("status"), before.get("status"))),
                str(status_label.get(instance.status, instance.status)),
            )
        )
    if not created and before.get("status_effective_at") != instance.status_effective_at:
        changes.append(
            (
                F.STATUS_EFFECTIVE_AT,
                _format_moment(before.get("status_effective_at")),
                _format_moment(instance.status_effective_at),
            )
        )
    account_changes_record(
        user=instance.user, actor=_actor_for(instance), changes=changes, now=timezone.now()
    )


def _department_pre_save(sender, instance, update_fields=None, **kwargs):
    instance._account_before = _tracked_before(sender, instance, ("manager_id",), update_fields)


def _department_post_save(sender, instance, created, **kwargs):
    """Who manages a department is a department assignment of that person (manager rights)."""
    before = getattr(instance, "_account_before", None)
    instance._account_before = None
    if before is None:
        return
    old, new = before.get("manager_id"), instance.manager_id
    if old == new:
        return
    actor, now = _actor_for(instance), timezone.now()
    for user_id, was, becomes in ((old, instance.name, ""), (new, "", instance.name)):
        user = User.objects.filter(pk=user_id).first() if user_id else None
        if user is not None:
            account_changes_record(
                user=user, actor=actor, changes=[(F.MANAGED_DEPARTMENT, was, becomes)], now=now
            )


def _names(department_ids) -> str:
    names = Department.objects.filter(pk__in=department_ids).order_by("path")
    return "、".join(names.values_list("name", flat=True))


def _assigned_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """An accountant's assigned departments (their data rights) changed from the staff side."""
    if reverse or not isinstance(instance, Staff):
        return
    if action == "pre_clear":
        instance._assigned_before = set(instance.assigned_departments.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    after = set(instance.assigned_departments.values_list("pk", flat=True))
    if action == "post_add":
        before = after - set(pk_set or ())
    elif action == "post_remove":
        before = after | set(pk_set or ())
    else:
        before = getattr(instance, "_assigned_before", set())
    if before == after:
        return
    account_changes_record(
        user=instance.user,
        actor=_actor_for(instance),
        changes=[(F.ASSIGNED_DEPARTMENTS, _names(before), _names(after))],
        now=timezone.now(),
    )


def connect_receivers() -> None:
    """Called once from CrmConfig.ready()."""
    user_logged_in.connect(_on_logged_in, dispatch_uid="crm.accounts.logged_in")
    user_login_failed.connect(_on_login_failed, dispatch_uid="crm.accounts.login_failed")
    pre_save.connect(_user_pre_save, sender=User, dispatch_uid="crm.accounts.user_pre")
    post_save.connect(_user_post_save, sender=User, dispatch_uid="crm.accounts.user_post")
    pre_save.connect(_staff_pre_save, sender=Staff, dispatch_uid="crm.accounts.staff_pre")
    post_save.connect(_staff_post_save, sender=Staff, dispatch_uid="crm.accounts.staff_post")
    pre_save.connect(_department_pre_save, sender=Department, dispatch_uid="crm.accounts.dept_pre")
    post_save.connect(
        _department_post_save, sender=Department, dispatch_uid="crm.accounts.dept_post"
    )
    m2m_changed.connect(
        _assigned_changed,
        sender=Staff.assigned_departments.through,
        dispatch_uid="crm.accounts.assigned",
    )
