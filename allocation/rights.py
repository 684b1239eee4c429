"""Who may do what with pools, distribution, requests, swaps, handovers, disputes and the notice
board (SPEC §1, §5, §6), as named checks (see `crm.rights` for the two kinds). Views, services,
templates (`rights.<name>`) and the navigation ask these.
"""

from datetime import datetime

from django.db.models import Q

from crm.rights import (
    R,
    has_role,
    is_manager_or_gm,
    is_salesperson,
    page_right,
)
from crm.selectors import manages_company, manages_department
from customers.models import Pool

ANY_POOL = object()

# --- pools and distribution (发放, 000 §3.4) ---------------------------------------------------


@page_right
def may_distribute(user, department=ANY_POOL) -> bool:
    """Managers distribute from their departments' pools (subtrees), the GM from every pool and
    from the company pool (SPEC §5). `department`: a Department (its pool), None (the company
    pool), or left out: may the user distribute from some pool (the pool page, navigation)."""
    if department is ANY_POOL:
        return is_manager_or_gm(user)
    if department is None:
        return manages_company(user)
    return manages_department(user, getattr(department, "pk", department))


@page_right
def may_approve(user) -> bool:
    """The approvals inbox (审批): requests, swaps, appeals, reports and records wait on the
    managers and the GM."""
    return is_manager_or_gm(user)


@page_right
def may_reclaim(user) -> bool:
    """The protection queue (保护期, SPEC §5): a manager returns customers nobody followed up to
    the pool, in the departments they manage."""
    return is_manager_or_gm(user)


@page_right
def may_receive_customers(person) -> bool:
    """Who pool customers are given to — by distribution, an approved request, a handover or a
    swap: salespeople (SPEC §1, §5). Takes a User or a Staff row."""
    return is_salesperson(person)


def receivers(prefix: str = "") -> Q:
    """`may_receive_customers` as a condition on Staff (`prefix="staff__"` on User)."""
    return Q(**{f"{prefix}role": R.SALESPERSON})


@page_right
def may_request_customers(user) -> bool:
    """申领 (SPEC §5): a salesperson asks for customers of their department's pool."""
    return is_salesperson(user)


@page_right
def may_see_pool(user) -> bool:
    """The pool page: managers and the GM distribute from it, salespeople tick customers of
    their department's pool there to request them (申领)."""
    return may_distribute(user) or may_request_customers(user)


def may_see_claim(user, claim) -> bool:
    """A request: its requester and the managers of its department."""
    return claim.requester_id == user.pk or manages_department(user, claim.department_id)


def may_decide_claim(user, claim) -> bool:
    """The managers of the request's department approve or reject it — not the requester."""
    return claim.requester_id != user.pk and manages_department(user, claim.department_id)


def may_report_wrong_number(user, customer) -> bool:
    """错号/空号 (SPEC §5): the holder reports a wrong or dead number."""
    return customer.holder_id == user.pk


def may_verify_report(user, report) -> bool:
    """The managers of the customer's department verify a wrong-number report."""
    return manages_department(user, report.customer.department_id)


# --- the notice board (公示) and the 不满意 verification (SPEC §6) ----------------------------


@page_right
def may_see_notices(user) -> bool:
    """The notice board is public inside the company (公示): everybody on the staff reads the
    notices of their department and the company pool (`notices_visible_to`)."""
    return user.is_superuser or has_role(user)


def may_appeal(user, notice, now: datetime) -> bool:
    """The previous holder appeals once, while the notice runs."""
    return (
        user.pk == notice.previous_holder_id
        and now < notice.ends_at
        and notice.appealed_at is None
        and not notice.decision
    )


def may_decide_notice(user, notice) -> bool:
    """A manager of the notice's department (its subtree's managers, the GM) — for a
    company-pool notice the GM — who is not the appellant. Says nothing about the state."""
    if not user.is_authenticated or user.pk == notice.previous_holder_id:
        return False
    if notice.pool == Pool.COMPANY or notice.department_id is None:
        return manages_company(user)
    return manages_department(user, notice.department_id)


@page_right
def may_verify_unsatisfied(user, customer=None) -> bool:
    """A manager of the customer's department verifies (or withdraws) a 不满意 follow-up; without
    a customer: is the user a manager at all (the timeline shows the buttons)."""
    if not user.is_authenticated or not is_manager_or_gm(user):
        return False
    if customer is None:
        return True
    return customer.department_id is not None and manages_department(user, customer.department_id)


# --- swaps (交换, 000 §4.2④) ---------------------------------------------------------------


@page_right
def may_see_swaps(user) -> bool:
    """The swap list: the salespeople who propose and answer swaps, the managers and the GM who
    approve them (`swaps_visible_to` scopes the rows)."""
    return is_salesperson(user) or is_manager_or_gm(user)


@page_right
def may_propose_swap(user) -> bool:
    """Two salespeople agree on a swap; one of them proposes it."""
    return is_salesperson(user)


def swap_partners(prefix: str = "") -> Q:
    """Who can be the other side of a swap: somebody who may receive customers."""
    return receivers(prefix)


def may_approve_swaps(user) -> bool:
    """Managers and the GM approve swaps; which steps of which swap is `services.swaps`'s
    department logic on top of this."""
    return is_manager_or_gm(user)


# --- handovers (交接) and disputes (纠纷) ----------------------------------------------------


@page_right
def may_manage_handovers(user) -> bool:
    """Mark a person as leaving or transferring, hand their customers out (000 §3.5): the
    managers of the person's department and the GM."""
    return is_manager_or_gm(user)


@page_right
def may_rule_disputes(user) -> bool:
    """Open and rule disputes over unregistered customers (000 §3.2.d): the claimants'
    managers and the GM."""
    return is_manager_or_gm(user)


def claimant_staff(prefix: str = "") -> Q:
    """Who can be a claimant in a dispute, as a condition on Staff (`prefix="staff__"` on User):
    salespeople and managers, those who take inquiry calls and register customers to
    themselves."""
    return Q(**{f"{prefix}role__in": [R.SALESPERSON, R.MANAGER]})
