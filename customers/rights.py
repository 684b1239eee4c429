"""Who may do what with customers (SPEC §1–§4, §8), as named checks (see `crm.rights` for the
two kinds). Views, services, templates (`rights.<name>`) and the navigation ask these; the
visibility of rows stays one selector (`customers.selectors.customers_visible_to`), built on
the same facts.
"""

from crm.rights import (
    R,
    has_department_view,
    has_role,
    is_accountant,
    is_general_manager,
    is_manager_or_gm,
    is_salesperson,
    page_right,
    role_of,
)
from crm.selectors import manages_company, manages_department, sees_department

# --- page rights ----------------------------------------------------------------------------


@page_right
def may_list_customers(user) -> bool:
    """The customer list and its Excel export: everybody on the staff, each within their own
    scope (`customers_visible_to`)."""
    return user.is_superuser or has_role(user)


@page_right
def sees_only_own_customers(user) -> bool:
    """A salesperson: the customers they hold in full, their own department's pool with the
    contact details masked, nothing else (SPEC §1; 000 §3.1.c). Their list opens on "mine" and
    has no department tab."""
    return is_salesperson(user)


def may_hold_customers(person) -> bool:
    """Salespeople, managers and the GM hold customers; accountants never do (SPEC §1)."""
    return role_of(person) in (R.SALESPERSON, R.MANAGER, R.GENERAL_MANAGER)


@page_right
def may_register(user) -> bool:
    """Register customers, one by one or by Excel import (000 §3.2.c): whoever may hold them —
    registering makes the registrant the holder."""
    return may_hold_customers(user)


@page_right
def may_work_incomplete_records(user) -> bool:
    """会计补录 (000 §3.1.f, 002 §5.1; SPEC §8): the accountants keeping a department's records,
    its managers and the GM. A salesperson sees what is missing on each customer's page."""
    return user.is_superuser or role_of(user) in (R.ACCOUNTANT, R.MANAGER, R.GENERAL_MANAGER)


@page_right
def may_see_quality_report(user) -> bool:
    """The duplicate and fake records report (002 §5.2.2): it is about colleagues' customers, so
    those who read whole departments (managers, accountants, the GM), not salespeople."""
    return has_department_view(user)


@page_right
def may_log_inquiry(user) -> bool:
    """咨询来电: anybody on the staff takes a call and logs it by number (004 资料处理)."""
    return has_role(user)


@page_right
def may_read_export_log(user) -> bool:
    """The export log (导出记录, SPEC §9 Confidentiality; 001 五.4, 002 §4.1): the general
    manager's, company-wide; everybody else gets 404 (a manager reading their salespeople's
    exports would also read other managers' own). Read from the role like every right the
    navigation asks (no query); the GM's role carries the company permission."""
    return user.is_superuser or is_general_manager(user)


# --- object rights --------------------------------------------------------------------------


def may_manage_customer(user, customer) -> bool:
    """Managers of the customer's department (its subtree's managers) and the GM; a customer of
    no department (the company pool) is the GM's."""
    if customer.department_id is None:
        return manages_company(user)
    return manages_department(user, customer.department_id)


def may_keep_records_of(user, customer) -> bool:
    """An accountant assigned to the customer's department (SPEC §1: edits the static archive
    fields, enters purchase records; never reassigns)."""
    return (
        is_accountant(user)
        and customer.department_id is not None
        and sees_department(user, customer.department_id)
    )


def may_edit_classification(user, customer) -> bool:
    """The holder, the managers of the customer's department and the GM edit the archive and
    the classification (SPEC §2); nobody edits the holder here (that is a move)."""
    return (
        customer.holder_id == user.pk
        or user.is_superuser
        or (is_manager_or_gm(user) and may_manage_customer(user, customer))
    )


def may_edit_archive(user, customer) -> bool:
    """The static archive fields (客户静态信息表) and the contacts: those who may edit the
    classification, and the accountants keeping the department's records."""
    return may_edit_classification(user, customer) or may_keep_records_of(user, customer)


def may_follow_up(user, customer) -> bool:
    """The holder and the managers of the customer's department log follow-ups and referrals
    (SPEC §4)."""
    return customer.holder_id == user.pk or may_manage_customer(user, customer)


def may_record_deal(user, customer) -> bool:
    """Holder, managers, and the accountants keeping the department's records (SPEC §1)."""
    return may_follow_up(user, customer) or may_keep_records_of(user, customer)


def may_confirm_records(user, customer) -> bool:
    """A manager of the customer's department confirms gift/points records and verifies
    referrals (SPEC §6: then they keep the customer)."""
    return may_manage_customer(user, customer)


def may_amend(user, followup) -> bool:
    """Nobody edits what another person entered (002 §5.2): only the author corrects a
    follow-up, by an amendment."""
    return followup.author_id == user.pk


def may_judge_validity(user, customer) -> bool:
    """Who declares a customer 无效客户 or restores it (004 客户追访流程 1.C; SPEC §4): the
    managers of the customer's department (subtree) and the GM — never the salesperson who
    gave up on it, nor an accountant. The own-revisit condition is `selectors.own_revisit`."""
    return is_manager_or_gm(user) and may_manage_customer(user, customer)


def may_evaluate_credit(user, customer) -> bool:
    """客户信用评价 (003 三, SPEC §11): the managers of the customer's department (subtree), the
    accountants keeping its records (data admin) and the GM. The holder reads the history on the
    customer's page but never grades their own customer."""
    return (
        user.is_superuser
        or (is_manager_or_gm(user) and may_manage_customer(user, customer))
        or may_keep_records_of(user, customer)
    )


def may_see_import_job(user, job) -> bool:
    """A background import's progress and errors are its author's."""
    return job.actor_id == user.pk
