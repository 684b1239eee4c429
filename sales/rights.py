"""Who may do what with opportunities, contracts, collections, returns, dormant customers and
credit transfers (SPEC §1, §10), as named checks (see `crm.rights` for the two kinds).

Sales records are seen by those who see the customer unmasked: the holder, the department's
managers and accountants, the GM (`sales.selectors.common`). Money is finance's: collections
are recorded by the department's accountants (or its managers); credit transfers are proposed
by the data administrator (an accountant), approved by the department manager and recorded
by finance (000 §3.2.f).
"""

from crm.rights import (
    has_role,
    is_accountant,
    is_general_manager,
    is_manager_or_gm,
    is_salesperson,
    page_right,
)
from crm.selectors import manages_department
from customers.rights import (
    may_follow_up,
    may_keep_records_of,
    may_manage_customer,
    may_record_deal,
)

# --- page rights (navigation, whether a page exists for the user) -----------------------------


@page_right
def may_see_opportunities(user) -> bool:
    """Opportunities of the customers the user sees unmasked (every role but a bare account)."""
    return has_role(user)


@page_right
def may_see_contracts(user) -> bool:
    return has_role(user)


@page_right
def may_see_receivables(user) -> bool:
    """Receivables and ageing (应收账款): scoped like the customers behind them."""
    return has_role(user)


@page_right
def may_see_sales_reports(user) -> bool:
    """Funnel, sales/collections by month and the ranking, scoped by SPEC §1."""
    return has_role(user)


@page_right
def may_mark_dormant(user) -> bool:
    """沉默客户 are marked by the data administrator: an accountant (or the GM)."""
    return is_accountant(user) or is_general_manager(user)


@page_right
def may_see_dormant(user) -> bool:
    """The dormant list: the data administrators and managers who keep it, and salespeople
    (to file a cross-sale for a customer they sold to)."""
    return has_role(user)


@page_right
def may_request_cross_sale(user) -> bool:
    return is_salesperson(user)


@page_right
def may_see_credit_transfers(user) -> bool:
    """划转销量: proposed by accountants, approved by managers, recorded by finance."""
    return is_accountant(user) or is_manager_or_gm(user)


@page_right
def may_propose_credit_transfer(user) -> bool:
    return is_accountant(user)


# --- object rights ---------------------------------------------------------------------------


def may_work_opportunity(user, customer) -> bool:
    """Opportunities and their actions: the holder and the department's managers (like
    follow-ups, SPEC §4)."""
    return may_follow_up(user, customer)


def may_draft_contract(user, customer) -> bool:
    """Draft and sign contracts, record returns: whoever enters purchase records (SPEC §1)."""
    return may_record_deal(user, customer)


def may_record_collection(user, customer) -> bool:
    """回款 is finance's: the accountants keeping the department's records, or its managers."""
    return may_keep_records_of(user, customer) or may_manage_customer(user, customer)


def may_mark_customer_dormant(user, customer) -> bool:
    return may_keep_records_of(user, customer) or (
        is_general_manager(user) and may_manage_customer(user, customer)
    )


def may_decide_cross_sale(user, cross_sale) -> bool:
    """The seller's department manager (or the GM) approves a cross-sale (000 §3.2.e)."""
    department_id = getattr(getattr(cross_sale.seller, "staff", None), "department_id", None)
    return manages_department(user, department_id)


def may_propose_transfer(user, customer) -> bool:
    return may_keep_records_of(user, customer)


def may_approve_transfer(user, customer) -> bool:
    return may_manage_customer(user, customer)


def may_record_transfer(user, customer) -> bool:
    return may_keep_records_of(user, customer)
