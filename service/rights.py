"""Who may do what with complaints, yearly evaluations, surveys, revisit plans and competitors
(SPEC §1, §11), as named checks (see `crm.rights` for the two kinds). Each area adds its
checks in its own block below."""

from crm.rights import has_role, is_accountant, is_general_manager, is_manager_or_gm, page_right
from crm.selectors import manages_department
from customers.rights import may_follow_up, may_hold_customers

# --- complaints ---
# Any member of staff takes a complaint (the store clerk at the counter, 004); the responsible
# person and the managers of the complaint's department work it through its steps; only a
# manager of that department (or the GM) verifies a breach and archives.


@page_right
def may_see_complaints(user) -> bool:
    """The complaint list (each within `complaints_visible_to`) and taking a complaint."""
    return has_role(user)


@page_right
def may_take_complaint(user) -> bool:
    return has_role(user)


@page_right
def may_analyse_complaints(user) -> bool:
    """Complaint analysis and its export: everybody on the staff, within their scope."""
    return has_role(user)


def may_manage_complaint(user, complaint) -> bool:
    """A manager of the complaint's department (or above it), or the GM."""
    return manages_department(user, complaint.department_id)


def may_work_complaint(user, complaint) -> bool:
    """Investigate, record the handling and the customer's satisfaction: the responsible
    person or a manager of the department."""
    return complaint.responsible_id == user.pk or may_manage_complaint(user, complaint)


def may_verify_complaint(user, complaint) -> bool:
    """Mark the complaint verified as "contacted another's registered customer"."""
    return may_manage_complaint(user, complaint)


def may_archive_complaint(user, complaint) -> bool:
    return may_manage_complaint(user, complaint)


# --- yearly evaluation ---


@page_right
def may_see_yearly_evaluations(user) -> bool:
    """年度评价: the holders who submit them and the managers (and the GM) who add theirs."""
    return may_hold_customers(user)


@page_right
def may_see_yearly_overdue(user) -> bool:
    """The overdue list (from the day after the due date): managers and the GM."""
    return is_manager_or_gm(user)


def may_submit_yearly_evaluation(user, customer) -> bool:
    """Only the customer's holder submits its yearly evaluation (001 四.4)."""
    return bool(user.is_authenticated and customer.holder_id == user.pk)


def business_manager_of(evaluation):
    """业务经理: the manager of the customer's department (None: the GM acts)."""
    department = evaluation.department
    return department.manager if department else None


def supervising_manager_of(evaluation):
    """主管经理: the manager of the parent department (None: the GM acts)."""
    department = evaluation.department
    parent = department.parent if department else None
    return parent.manager if parent else None


def may_add_manager_evaluation(user, evaluation) -> bool:
    manager = business_manager_of(evaluation)
    return (manager.pk == user.pk) if manager else is_general_manager(user)


def may_add_director_evaluation(user, evaluation) -> bool:
    manager = supervising_manager_of(evaluation)
    return (manager.pk == user.pk) if manager else is_general_manager(user)


# --- surveys ---
# Everybody on the staff reads the survey pages, each in the SPEC §1 scope of the customers
# behind them; managers and the GM build surveys and launch campaigns in their departments;
# answers are recorded by whoever works the customer (its holder, the department's managers,
# the GM); a 不满意 answer is passed to the unsatisfied rule by a manager who may verify it.


@page_right
def may_see_surveys(user) -> bool:
    return has_role(user)


@page_right
def may_build_surveys(user) -> bool:
    """Surveys and campaigns: department managers and the GM."""
    return has_role(user) and is_manager_or_gm(user)


def may_launch_campaign(user, department_id) -> bool:
    return may_build_surveys(user) and manages_department(user, department_id)


def may_record_survey_answer(user, customer, managed_ids: set | None = None) -> bool:
    """The caller: the customer's holder or a manager of its department (like follow-ups).
    `managed_ids` (the departments the user manages, read once) answers a whole list without
    a query per row."""
    if managed_ids is not None:
        return customer.holder_id == user.pk or customer.department_id in managed_ids
    return may_follow_up(user, customer)


def may_pass_to_reclaim(user, customer, managed_ids: set | None = None) -> bool:
    """Who verifies a 不满意 follow-up (allocation's right): the department's managers, the GM."""
    from allocation.rights import may_verify_unsatisfied

    if managed_ids is not None:
        return is_manager_or_gm(user) and customer.department_id in managed_ids
    return may_verify_unsatisfied(user, customer)


# --- revisits ---


@page_right
def may_see_revisits(user) -> bool:
    """回访计划: scoped like the customers behind them (SPEC §1); accountants keep records,
    they do not call customers."""
    return has_role(user) and not is_accountant(user)


def may_work_revisit(user, customer) -> bool:
    """Plan, do and record a customer's revisits and project stages: its holder and the
    managers of its department (those who log its follow-ups, SPEC §4)."""
    return may_see_revisits(user) and may_follow_up(user, customer)


def may_generate_yearly_revisits(user) -> bool:
    """年度回访 for a department's held customers: its managers (and the GM)."""
    return is_manager_or_gm(user)


# --- competitors ---
# The catalogue is market knowledge, not customer data: every role reads it; managers and the
# GM keep it. A link (who else is bidding) is a record about a customer: added and removed by
# those who work the customer (its holder, the department's managers, the GM), seen by those
# who see the customer unmasked (`sales.selectors.common.visible`).


@page_right
def may_see_competitors(user) -> bool:
    return has_role(user)


@page_right
def may_edit_competitors(user) -> bool:
    return has_role(user) and is_manager_or_gm(user)


def may_link_competitor(user, customer) -> bool:
    return may_follow_up(user, customer)
