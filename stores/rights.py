"""Who may do what in a store (SPEC §1, §12), as named checks (see `crm.rights` for the two
kinds). The store's people are members of a department of the kind 店面; the store manager is
its department manager; the GM acts in every store. Page rights read the profile loaded with
the user (department included: no query). Each area adds its checks in its own block.
"""

from crm.models import Department, Staff
from crm.rights import is_general_manager, page_right, position_of, role_of
from crm.selectors import manages_department

P = Staff.Position


def store_of(user) -> Department | None:
    """The store the person works in (their department, when it is a store), else None."""
    staff = getattr(user, "staff", None) if getattr(user, "is_authenticated", False) else None
    department = staff.department if staff is not None else None
    if department is not None and department.kind == Department.Kind.STORE:
        return department
    return None


def is_store_manager(user, store=None) -> bool:
    """店经理: a manager whose own department is a store (of `store`, when given)."""
    mine = store_of(user)
    if mine is None or role_of(user) != Staff.Role.MANAGER:
        return False
    return store is None or mine.pk == getattr(store, "pk", store)


def is_customer_manager(user, store=None) -> bool:
    mine = store_of(user)
    if mine is None or position_of(user) != P.CUSTOMER_MANAGER:
        return False
    return store is None or mine.pk == getattr(store, "pk", store)


def is_designer(user) -> bool:
    return store_of(user) is not None and position_of(user) == P.DESIGNER


def is_home_consultant(user) -> bool:
    return store_of(user) is not None and position_of(user) == P.HOME_CONSULTANT


def in_store(user, store) -> bool:
    """A member of that store, or someone who manages it (its manager, a manager above, the GM)."""
    mine = store_of(user)
    store_pk = getattr(store, "pk", store)
    if mine is not None and mine.pk == store_pk:
        return True
    return manages_department(user, store_pk)


# --- the store's pages as a whole -------------------------------------------------------


@page_right
def may_use_stores(user) -> bool:
    """The store pages: everyone working in a store, and the GM (every store). Managers of other
    kinds of department have no store pages (404)."""
    return bool(getattr(user, "is_superuser", False)) or is_general_manager(user) or (
        store_of(user) is not None
    )


def may_lead_store(user, store) -> bool:
    """The store's manager (or a manager above it) and the GM: confirm dispatches, decide a
    visitor's source, score internal service."""
    return manages_department(user, getattr(store, "pk", store))


def may_keep_register(user, store) -> bool:
    """The visitor register, designer attendance and outings: the store's customer managers,
    its manager and the GM (004 二.3, 二.7)."""
    return is_customer_manager(user, store) or may_lead_store(user, store)
