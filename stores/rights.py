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
    return (
        bool(getattr(user, "is_superuser", False))
        or is_general_manager(user)
        or (store_of(user) is not None)
    )


def may_lead_store(user, store) -> bool:
    """The store's manager (or a manager above it) and the GM: confirm dispatches, decide a
    visitor's source, score internal service.

    Kept on the user object for the request (the store's start page asked it eight times, one
    query each, issue 19); the user is loaded per request, like Django's permission cache."""
    store_pk = getattr(store, "pk", store)
    cache = getattr(user, "_stores_lead_cache", None)
    if cache is None:
        cache = {}
        try:
            user._stores_lead_cache = cache
        except AttributeError:  # an object that takes no attributes: ask every time
            return manages_department(user, store_pk)
    if store_pk not in cache:
        cache[store_pk] = manages_department(user, store_pk)
    return cache[store_pk]


def may_keep_register(user, store) -> bool:
    """The visitor register, designer attendance and outings: the store's customer managers,
    its manager and the GM (004 二.3, 二.7)."""
    return is_customer_manager(user, store) or may_lead_store(user, store)


# --- people ---


def may_edit_designer(user, store) -> bool:
    """A designer's profile (level, school, work history …): the store manager and the GM
    (004 一: the store manager leads the design groups)."""
    return may_lead_store(user, store)


def may_read_designer_profile(user, designer, store) -> bool:
    """The whole profile: the designer themself, the store's customer managers (004 五.5 客户
    经理必须了解设计师的级别、毕业院校…), its manager and the GM. Colleagues see the list."""
    if getattr(user, "pk", None) == designer.pk:
        return True
    return is_customer_manager(user, store) or may_lead_store(user, store)


def may_see_designer_months(user, store) -> bool:
    """The designers' monthly 主材 sales: the customer managers read them (dispatch), the
    store manager and the GM enter them."""
    return may_keep_register(user, store)


def may_enter_designer_months(user, store) -> bool:
    return may_lead_store(user, store)


# --- review ---


@page_right
def may_see_reviews(user) -> bool:
    """客户经理月度考核 (004 四): the customer managers (their own), the store managers (their
    store's) and the GM (every store)."""
    if getattr(user, "is_superuser", False) or is_general_manager(user):
        return True
    return is_store_manager(user) or is_customer_manager(user)


@page_right
def may_export_reviews(user) -> bool:
    """The review export for 集团人力资源管理中心: the GM and the store managers (their scope)."""
    if getattr(user, "is_superuser", False) or is_general_manager(user):
        return True
    return is_store_manager(user)


def may_score_review(user, review) -> bool:
    """内部服务满意率 is scored by the store's manager (or a manager above it) or the GM."""
    return may_lead_store(user, review.store_id)


def may_decide_review(user) -> bool:
    """Adjust and confirm a review: the GM only (专题总监/总经理, 004 四 奖惩措施)."""
    return bool(getattr(user, "is_superuser", False)) or is_general_manager(user)


# --- visitors ---


def may_preregister(user, store) -> bool:
    """家装顾问告知顾客来店: the store's home-decoration consultants (their own notices), and
    whoever keeps the register (on a consultant's behalf)."""
    mine = store_of(user)
    own = mine is not None and mine.pk == getattr(store, "pk", store) and is_home_consultant(user)
    return own or may_keep_register(user, store)


def sees_store_figures_panel(user) -> bool:
    """The dashboard's store figures: the store manager and the customer managers."""
    return store_of(user) is not None and (is_store_manager(user) or is_customer_manager(user))


# --- dispatch ---


def may_propose_dispatch(user, store) -> bool:
    """派单 is proposed by the store's customer managers (004 五), or by its manager / the GM."""
    return is_customer_manager(user, store) or may_lead_store(user, store)


def may_work_dispatch(user, dispatch) -> bool:
    """Refuse or record the progress of a dispatch: the designer dispatched, the store's
    customer managers (on the designer's behalf), its manager and the GM."""
    if getattr(user, "pk", None) == dispatch.designer_id:
        return True
    return is_customer_manager(user, dispatch.store_id) or may_lead_store(user, dispatch.store_id)


def may_record_manager_away(user, store) -> bool:
    """店经理休假、外出开会: recorded by the store manager or the GM."""
    return is_store_manager(user, store) or is_general_manager(user)
