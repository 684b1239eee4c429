"""Who may do what with the penalty and reward ledger (SPEC §1, §7, §8), as named checks (see
`crm.rights` for the two kinds). Views, services, templates (`rights.<name>`), the dashboard
panels and the navigation ask these.
"""

from crm.rights import (
    has_department_view,
    has_role,
    is_general_manager,
    is_manager_only,
    is_manager_or_gm,
    is_salesperson,
    page_right,
)
from crm.selectors import manages_company, manages_department

# --- page rights ----------------------------------------------------------------------------


@page_right
def may_see_ledger(user) -> bool:
    """The ledger: everybody on the staff, each within `entries_visible_to` (a salesperson
    their own lines only)."""
    return user.is_superuser or has_role(user)


@page_right
def may_record_entries(user) -> bool:
    """Record manual entries and work the queue of proposals to decide: the managers and the
    GM (SPEC §7). Whose entries is `may_record_for` / `may_decide`."""
    return is_manager_or_gm(user)


@page_right
def may_read_months(user) -> bool:
    """Months and the payroll export: managers, accountants and the GM (404 otherwise)."""
    return has_department_view(user) or manages_company(user)


@page_right
def may_close_month(user) -> bool:
    """The GM closes a payroll month (SPEC §7)."""
    return manages_company(user)


@page_right
def may_view_company_overview(user) -> bool:
    """经营总览 (SPEC §8): the GM's company view; a manager sees the same page for the
    departments they manage."""
    return is_manager_or_gm(user)


@page_right
def follows_own_ledger(user) -> bool:
    """The dashboard shows a salesperson their own ledger and score."""
    return is_salesperson(user)


@page_right
def follows_department_ledger(user) -> bool:
    """The dashboard shows a department manager their departments' ledger to confirm."""
    return is_manager_only(user)


@page_right
def follows_company_ledger(user) -> bool:
    """The dashboard shows the GM the company's proposals waiting."""
    return is_general_manager(user)


# --- object rights --------------------------------------------------------------------------


def may_record_for(actor, person) -> bool:
    """Managers record entries for people of the departments they manage, the GM for anyone;
    nobody for themselves."""
    if actor.pk == person.pk:
        return False
    if manages_company(actor):
        return True
    staff = getattr(person, "staff", None)
    return staff is not None and manages_department(actor, staff.department_id)


def may_decide(actor, entry, *, managed: set[int] | None = None) -> bool:
    """The manager of the entry's department or the GM confirms or waives it; an entry about
    oneself goes to the level above (a manager's own HANDOVER_OVERDUE is the GM's to decide).
    A page deciding for many entries passes `managed`, the ids of the departments the actor
    manages."""
    if actor.pk == entry.person_id:
        return False
    if manages_company(actor):
        return True
    if managed is not None:
        return entry.department_id in managed
    return manages_department(actor, entry.department_id)
