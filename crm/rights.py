"""Who may do what (SPEC §1), as named checks: the organisation core's rights, and the role
facts every app's rights are built from.

Each app keeps its rights in its own `rights.py` (crm, customers, allocation, penalties). Views,
services, navigation and templates ask these functions; nothing else reads `Staff.role` to
decide a right (`tests/crm/test_rights.py` greps for it). Two kinds of check:

- **Page rights** `may_x(user)`: may the user use this kind of page at all? They read the role
  on the profile loaded with the user (no query), so the navigation costs nothing. A page
  answers 404 exactly when its page right is false, and the navigation (`crm.navigation`)
  offers it exactly when it is true — both call the same function.
- **Object rights** `may_x(user, obj)`: may the user act on this object? They read the
  department permissions over the department path (`crm.selectors`); outside them the object
  answers 404. Many page rights take the object as an optional second argument: without it
  they answer "could this user ever do it".

Templates read page rights as `{% if rights.may_register %}`: the `rights` variable (set by the
context processor `crm.navigation.navigation`) knows every function decorated with
`@page_right`, in any app, by its name; a misspelt name raises instead of reading as false.
Object rights reach templates as booleans the view computes (`can_follow_up`, `may_decide`).
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from .models import Staff, User
from .selectors import manages_company

R = Staff.Role

# --- the registry of page rights -------------------------------------------------------------

_PAGE_RIGHTS: dict[str, Callable[[object], bool]] = {}


class UnknownRight(Exception):  # noqa: N818 - read as "rights.<name>: unknown right"
    """A template or the navigation asked for a right nobody registered (a typo, or an app
    that is not installed). Deliberately not a LookupError: templates would read it as false."""


def page_right(check: Callable) -> Callable:
    """Register `check(user) -> bool` under its function name for navigation and templates.
    Returns the function unchanged; importing an app's rights module registers its rights
    (each app's `AppConfig.ready` imports it)."""
    name = check.__name__
    known = _PAGE_RIGHTS.get(name)
    if known is not None and known.__qualname__ != check.__qualname__:
        raise ImproperlyConfigured(f"Two page rights are called {name!r}.")
    _PAGE_RIGHTS[name] = check
    return check


def page_right_named(name: str) -> Callable[[object], bool]:
    try:
        return _PAGE_RIGHTS[name]
    except KeyError:
        raise UnknownRight(name) from None


def page_rights() -> dict[str, Callable[[object], bool]]:
    return dict(_PAGE_RIGHTS)


class Rights:
    """The page rights of one user, for templates (`rights.may_register`); each is asked once
    per request. An anonymous user has none."""

    def __init__(self, user):
        self._user = user
        self._known: dict[str, bool] = {}

    def __getitem__(self, name: str) -> bool:
        if name not in self._known:
            check = page_right_named(name)
            user = self._user
            self._known[name] = bool(user is not None and user.is_authenticated and check(user))
        return self._known[name]


# --- role facts (for the rights modules only) ----------------------------------------------


def role_of(person) -> str | None:
    """The role of a User (read from the profile loaded with it: no query) or of a Staff row.
    Only rights modules read it; everything else asks a named right."""
    if isinstance(person, Staff):
        return person.role
    if person is None or not person.is_authenticated:
        return None
    staff = getattr(person, "staff", None)
    return staff.role if staff else None


def position_of(person) -> str:
    """The store position (岗位) of a User (from the loaded profile: no query) or a Staff row;
    "" for none. Only rights modules read it."""
    if isinstance(person, Staff):
        return person.position
    if person is None or not person.is_authenticated:
        return ""
    staff = getattr(person, "staff", None)
    return staff.position if staff else ""


def has_role(person) -> bool:
    """Anybody on the staff (any of the four roles)."""
    return role_of(person) is not None


def is_salesperson(person) -> bool:
    return role_of(person) == R.SALESPERSON


def is_accountant(person) -> bool:
    return role_of(person) == R.ACCOUNTANT


def is_general_manager(person) -> bool:
    return role_of(person) == R.GENERAL_MANAGER


def is_manager_or_gm(person) -> bool:
    """A department manager or the general manager (SPEC §1: the GM may do everything a
    manager may). A superuser counts as one: they reach every department anyway."""
    if getattr(person, "is_superuser", False):
        return True
    return role_of(person) in (R.MANAGER, R.GENERAL_MANAGER)


def is_manager_only(person) -> bool:
    """A department manager, not the GM (the dashboard shows the GM the company instead)."""
    return role_of(person) == R.MANAGER


def has_department_view(person) -> bool:
    """Reads whole departments: managers, accountants (their assigned ones) and the GM."""
    if getattr(person, "is_superuser", False):
        return True
    return role_of(person) in (R.MANAGER, R.GENERAL_MANAGER, R.ACCOUNTANT)


# --- rights of the organisation core -------------------------------------------------------


@page_right
def may_use_app(user) -> bool:
    """The dashboard, the working-day calendar and one's notifications: everyone logged in."""
    return user.is_authenticated and user.is_active


@page_right
def may_view_departments(user) -> bool:
    """The department pages (000 §4.1 调阅权限): who reads whole departments. A salesperson
    works from their own customers and has no department page (404)."""
    return has_department_view(user)


@page_right
def may_manage_departments(user) -> bool:
    """A manager's work (distribute, reclaim, approve, rule) in the departments they manage,
    the GM's in all: the dashboard's department section and team changes."""
    return is_manager_or_gm(user)


@page_right
def sees_assigned_departments(user) -> bool:
    """An accountant: the dashboard lists the departments they keep records for."""
    return is_accountant(user)


@page_right
def may_manage_company(user) -> bool:
    """The general manager's company-wide right (the global `manage_department` permission):
    keeps the company pool and acts in every department (SPEC §1, §5)."""
    return manages_company(user)


@page_right
def may_administer(user) -> bool:
    """The Django admin (the GM keeps the organisation, rules and settings there); the admin
    applies the same condition itself."""
    return user.is_active and user.is_staff


@page_right
def may_import_calendar(user) -> bool:
    """工作日历 → 导入 (SPEC §9): the general manager (and a superuser) reads the State
    Council's holiday notice into the calendar; it changes every entry deadline."""
    return bool(getattr(user, "is_superuser", False)) or is_general_manager(user)


@page_right
def may_read_backups(user) -> bool:
    """备份 (SPEC §9): the general manager (and a superuser) sees the backups and is warned
    when one failed or is missing."""
    return bool(getattr(user, "is_superuser", False)) or is_general_manager(user)


@page_right
def may_read_login_log(user) -> bool:
    """The login log and the account-change record (SPEC §9: "a login log ... the GM can
    read"): the general manager (and a superuser); 404 for everyone else."""
    return bool(getattr(user, "is_superuser", False)) or is_general_manager(user)


@page_right
def may_change_own_password(user) -> bool:
    """Everyone changes their own password (SPEC §9)."""
    return user.is_authenticated and user.is_active


def may_set_password_of(actor, target) -> bool:
    """Setting somebody else's password in the admin (a reset): a superuser only (decision:
    the GM is not offered resets — whoever sets a password could log in as that person). A
    reset obliges the person to choose a new password at their next log-in."""
    return bool(getattr(actor, "is_superuser", False))


def may_change_account(actor, target) -> bool:
    """Changing a superuser's account (any field, the staff profile included) takes a
    superuser; the GM keeps everybody else's in the admin."""
    return bool(getattr(actor, "is_superuser", False)) or not target.is_superuser


def may_keep_a_department(person) -> bool:
    """Who can be made a department's manager: a manager or the general manager."""
    return role_of(person) in (R.MANAGER, R.GENERAL_MANAGER)


def field_staff_of(department) -> QuerySet[Staff]:
    """Who serves `department`'s customers in the field (visits, check-ins): its salespeople
    and managers, left staff excluded."""
    return Staff.objects.filter(department=department, role__in=[R.SALESPERSON, R.MANAGER]).exclude(
        status=Staff.Status.LEFT
    )


def general_managers() -> QuerySet[User]:
    """The active general managers: who hears of what no department manager may decide."""
    return User.objects.filter(is_active=True, staff__role=R.GENERAL_MANAGER)


@page_right
def may_configure_channels(user) -> bool:
    """工作消息 (SPEC §9): the general manager (and a superuser) sees the channels' state and
    recent deliveries and sends test messages; the configuration itself is in the admin."""
    return bool(getattr(user, "is_superuser", False)) or is_general_manager(user)


@page_right
def may_set_channel_preferences(user) -> bool:
    """Everyone chooses where their own notifications go (SPEC §9 "by preference")."""
    return user.is_authenticated and user.is_active


@page_right
def may_read_jobs(user) -> bool:
    """定时任务 (SPEC §9): the general manager (and a superuser) sees each scheduled job's last
    successful run and next run, and is warned when one is late."""
    return bool(getattr(user, "is_superuser", False)) or is_general_manager(user)
