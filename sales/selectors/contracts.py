"""Reads of contracts, collections and returns (SPEC §10), each scoped by the one rule of
`sales.selectors.common` (SPEC §1): what lies outside the user's scope is not there (404)."""

from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, Subquery, Sum

from crm.models import Department, Staff
from crm.rights import is_salesperson
from crm.selectors import departments_visible_to
from customers.day import month_bounds
from customers.models import Deal

from ..models import Collection, Contract, ContractLine, Instalment, ReturnRecord
from ..rights import may_draft_contract
from .common import customer_condition, prefixed, scope_customer_ids, visible
from .opportunities import few_departments

UNSET = object()


def contracts_visible_to(user):
    """Contracts (and amendments) of the customers `user` sees unmasked."""
    return visible(Contract.objects.all(), user)


def instalments_visible_to(user):
    return visible(Instalment.objects.all(), user)


def collections_visible_to(user):
    return visible(Collection.objects.all(), user)


def contract_list(
    user,
    *,
    status: str = "",
    month: date | None = None,
    holder_id=None,
    customers_first=False,
    condition=UNSET,
):
    """The contract list: newest first, filtered by status, the month signed and (for those
    who read whole departments) the customer's holder. One query per page, whatever the rows.
    `customers_first`: the scope as the subquery of its customers' ids (`scope_customer_ids`),
    for a viewer of a few departments, whose page is found from their customers.
    `condition`: the scope on Customer (`customer_condition(user, prefix="")`) when the
    caller has it."""
    if condition is UNSET:
        condition = customer_condition(user, prefix="")
    if condition is None:
        qs = Contract.objects.all()
    elif customers_first:
        qs = Contract.objects.filter(customer__in=scope_customer_ids(user, condition))
    else:
        qs = Contract.objects.filter(prefixed(condition, "customer__"))
    qs = qs.select_related("customer", "customer__holder", "credited_to", "amends")
    if status in Contract.Status.values:
        qs = qs.filter(status=status)
    if month is not None:
        start, end = month_bounds(month)
        qs = qs.filter(signed_at__gte=start, signed_at__lt=end)
    if holder_id:
        qs = qs.filter(customer__holder=holder_id)
    return qs


def holder_departments(user) -> list:
    """The departments a viewer of more than a few departments (the GM, an accountant of 20)
    picks first to filter a list by holder: the holder list of 10,000 people took ~0.5 s to
    render and is no choice (issue 19), 1,000 ~40 ms. Empty for everybody else, whose holder
    list is their departments' people."""
    if is_salesperson(user) or few_departments(customer_condition(user)):
        return []
    return list(departments_visible_to(user).order_by("path").values_list("pk", "name"))


def holder_choices(user, *, department_id=None, chosen=None) -> list[tuple[int, str]]:
    """People a manager, accountant or the GM may filter the list by; none for a salesperson
    (who sees only their own customers). A company-wide viewer gets the people of the
    department picked (`holder_departments`) and the person already chosen; everybody else
    their departments' people."""
    if is_salesperson(user):
        return []
    staff = Staff.objects.filter(
        department__in=departments_visible_to(user),
        role__in=[Staff.Role.SALESPERSON, Staff.Role.MANAGER],
    )
    if not few_departments(customer_condition(user)):
        # The GM, an accountant of 20 departments (~1,000 people: ~40 ms to render).
        subtree = Department.objects.filter(pk=department_id or 0).values("path")[:1]
        staff = staff.filter(
            Q(department__path__startswith=Subquery(subtree)) | Q(user=chosen or 0)
        )
    staff = staff.select_related("user").order_by("department_id", "user__username")
    return [(s.user_id, s.user.display_name) for s in staff]


def contract_page(contract: Contract) -> dict:
    """Everything the detail page shows, in a fixed number of queries: the contract's lines
    and plan, its signed and draft amendments with their lines, the collections and returns
    of the whole family, the attachments, and the totals with amendments."""
    root = contract.amends if contract.amends_id else contract
    family = [root, *root.amendments.order_by("pk").prefetch_related("lines")]
    family_ids = [c.pk for c in family]
    instalments = list(
        Instalment.objects.filter(contract_id__in=family_ids).order_by("contract_id", "seq")
    )
    collections = list(
        Collection.objects.filter(contract_id__in=family_ids)
        .select_related("recorded_by", "instalment", "reversal")
        .order_by("received_on", "pk")
    )
    returns = list(
        ReturnRecord.objects.filter(contract_line__contract_id__in=family_ids)
        .select_related("contract_line", "recorded_by")
        .order_by("occurred_at", "pk")
    )
    signed = [c for c in family if c.is_signed]
    total = sum((c.total for c in signed), Decimal("0"))
    signed_ids = {c.pk for c in signed}
    owed = [i for i in instalments if i.contract_id in signed_ids]
    return {
        "root": root,
        "family": family,
        "amendments": family[1:],
        "lines": list(contract.lines.order_by("pk")),
        "instalments": [i for i in instalments if i.contract_id == contract.pk],
        "family_instalments": owed,
        "collections": collections,
        "returns": returns,
        "attachments": list(contract.attachments.select_related("uploaded_by").order_by("pk")),
        "total_with_amendments": total,
        "paid": sum((i.paid for i in owed), Decimal("0")),
        "outstanding": sum((i.amount - i.paid for i in owed), Decimal("0")),
        "returned": sum((r.amount for r in returns), Decimal("0")),
    }


def customer_contracts(customer, *, user, limit: int = 10) -> list[Contract]:
    """The customer's latest contracts for the customer page (amendments under their
    original), as the user may see them."""
    return list(
        contracts_visible_to(user)
        .filter(customer=customer, amends__isnull=True)
        .prefetch_related(
            Prefetch("amendments", queryset=Contract.objects.order_by("pk"), to_attr="amended")
        )
        .order_by("-pk")[:limit]
    )


def returnable(customer) -> list[dict]:
    """What can still come back from this customer: each purchase record and each line of a
    signed contract with what is left after earlier returns (quantity and amount)."""
    found = []
    deals = (
        Deal.objects.filter(customer=customer, quantity__gt=0)
        .annotate(q_back=Sum("returns__quantity"), a_back=Sum("returns__amount"))
        .order_by("-occurred_at", "-pk")[:100]
    )
    for deal in deals:
        q_left = deal.quantity - (deal.q_back or 0)
        a_left = deal.amount - (deal.a_back or 0)
        if q_left > 0:
            found.append(
                {
                    "key": f"deal:{deal.pk}",
                    "label": deal.product,
                    "when": deal.occurred_at,
                    "source": deal,
                    "quantity_left": q_left,
                    "amount_left": a_left,
                }
            )
    lines = (
        ContractLine.objects.filter(
            contract__customer=customer,
            contract__status=Contract.Status.SIGNED,
            quantity__gt=0,
        )
        .select_related("contract")
        .annotate(q_back=Sum("returns__quantity"), a_back=Sum("returns__amount"))
        .order_by("-contract__signed_at", "pk")[:200]
    )
    for line in lines:
        q_left = line.quantity - (line.q_back or 0)
        a_left = line.amount - (line.a_back or 0)
        if q_left > 0:
            found.append(
                {
                    "key": f"line:{line.pk}",
                    "label": f"{line.contract.number} · {line.product}",
                    "when": line.contract.signed_at,
                    "source": line,
                    "quantity_left": q_left,
                    "amount_left": a_left,
                }
            )
    return found


def customer_returns(customer, *, limit: int = 10) -> list[ReturnRecord]:
    return list(
        ReturnRecord.objects.filter(customer=customer)
        .select_related("deal", "contract_line__contract")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def customer_section(customer, *, user) -> dict | None:
    """The customer page's 合同 section: latest contracts (amendments under each), latest
    returns and the buttons the user may press; left out for a customer seen masked and for
    whoever neither sees a contract of it nor may enter one. A fixed number of queries."""
    if getattr(customer, "contacts_masked", False):
        return None
    contracts = customer_contracts(customer, user=user)
    can_draft = may_draft_contract(user, customer)
    if not contracts and not can_draft:
        return None
    return {
        "customer": customer,
        "contracts": contracts,
        "returns": customer_returns(customer) if contracts or can_draft else [],
        "can_draft": can_draft,
    }
