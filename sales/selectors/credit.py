"""Reads of dormant customers (沉默客户), cross-sales (交叉销售) and credit transfers (划转销量),
000 §3.2.e–f; SPEC §5, §10.

Scope (SPEC §1):
- dormant marks, cross-sales and credit transfers are seen by those who see the customer
  unmasked (`sales.selectors.common.visible`): its department's managers and accountants, the
  GM; a salesperson sees the cross-sales they filed.
- a salesperson also sees *which* customers of their own department are dormant and may be
  cross-sold (`cross_sellable`): code, name, department and since when — never the holder's
  contact details, the follow-ups, nor the mark's reason (the data department's note may
  describe the customer's affairs).

Sales credit of one sale for one person is the sum of the `SalesCredit` rows about that sale:
the sale's own row, returns of it, and recorded transfers (`net_credit`).
"""

from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from allocation.inbox import InboxItem
from crm.models import Staff, User
from crm.rights import is_salesperson
from crm.selectors import departments_managed_by, staff_visible_to
from customers.models import Customer, Deal
from customers.rights import may_hold_customers

from ..models import (
    Contract,
    CreditShare,
    CreditTransfer,
    CrossSale,
    Decision,
    DormantMark,
    SalesCredit,
)
from ..rights import (
    may_decide_cross_sale,
    may_mark_customer_dormant,
    may_propose_transfer,
    may_request_cross_sale,
)
from .common import customer_condition, visible

# --- dormant marks -----------------------------------------------------------------------------


def standing_mark(customer_id: int) -> DormantMark | None:
    """The customer's standing (not cleared) mark, if any (at most one: `dormant_one_open`)."""
    return (
        DormantMark.objects.filter(customer_id=customer_id, cleared_at__isnull=True)
        .select_related("marked_by")
        .first()
    )


def dormant_marks_visible_to(user) -> QuerySet[DormantMark]:
    """Standing marks on the customers `user` sees unmasked, newest first."""
    return visible(DormantMark.objects.filter(cleared_at__isnull=True), user).select_related(
        "customer", "customer__department", "customer__holder", "marked_by"
    )


def seller_department_id(user) -> int | None:
    staff = getattr(user, "staff", None)
    return staff.department_id if staff else None


def cross_sellable(user) -> QuerySet[Customer]:
    """Dormant customers `user` (a salesperson) may file a cross-sale for: a standing mark, in
    the salesperson's own department (000 §3.2.e: the department's data administrator
    verified them; the seller's department manager approves), not already held by them.
    Annotated with `dormant_since` and `is_requested` (a cross-sale already waits)."""
    department_id = seller_department_id(user)
    if not may_request_cross_sale(user) or department_id is None:
        return Customer.objects.none()
    marks = DormantMark.objects.filter(customer=OuterRef("pk"), cleared_at__isnull=True)
    return (
        Customer.objects.filter(Exists(marks), department=department_id)
        .exclude(holder=user.pk)
        .annotate(
            dormant_since=marks.values("marked_at")[:1],
            is_requested=Exists(
                CrossSale.objects.filter(customer=OuterRef("pk"), status=Decision.PENDING)
            ),
        )
        .select_related("department")
        .only("pk", "name", "department__name", "department_id", "holder_id", "registered_at")
    )


def may_cross_sell(user, customer) -> bool:
    return cross_sellable(user).filter(pk=customer.pk).exists()


# --- cross-sales ---------------------------------------------------------------------------------


def cross_sales_visible_to(user) -> QuerySet[CrossSale]:
    """A salesperson: the cross-sales they filed. Everybody else: those of the customers they
    see unmasked (the seller's department is the customer's when filed)."""
    qs = CrossSale.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if is_salesperson(user):
        return qs.filter(seller=user.pk)
    return visible(qs, user)


def cross_sale_for(user, pk) -> CrossSale:
    return get_object_or_404(
        cross_sales_visible_to(user).select_related(
            "customer",
            "customer__department",
            "seller",
            "seller__staff",
            "decided_by",
            "dormant_mark",
            "dormant_mark__marked_by",
            "deal",
        ),
        pk=pk,
    )


def cross_sale_link(cross_sale) -> str:
    return reverse("sales:cross_sale_detail", args=[cross_sale.pk])


def cross_sale_title(cross_sale) -> str:
    return _("%(seller)s sold %(product)s to dormant customer %(customer)s") % {
        "seller": cross_sale.seller.display_name,
        "product": cross_sale.product,
        "customer": cross_sale.customer.name,
    }


def cross_sale_inbox_items(user, *, now: datetime) -> list[InboxItem]:
    """Pending cross-sales of the salespeople of the departments `user` manages (the GM: all)
    — one query."""
    pending = (
        CrossSale.objects.filter(
            status=Decision.PENDING,
            seller__staff__department__in=departments_managed_by(user).values("pk"),
        )
        .select_related("customer", "seller", "seller__staff")
        .order_by("requested_at", "pk")[:200]
    )
    return [
        InboxItem(
            kind=_("Cross-sale"),
            title=cross_sale_title(c),
            created_at=c.requested_at,
            url=cross_sale_link(c),
        )
        for c in pending
        if c.seller_id != user.pk
    ]


def cross_sale_context(user, cross_sale, *, now: datetime) -> dict:
    """What the deciding manager reads beside the request: how many customers the seller
    holds (the holding cap is not applied to a cross-sale, see docs/decisions.md) and whether
    the customer left the seller recently (the cool-down is not applied either)."""
    from constance import config

    from allocation.selectors.distribution import cooldown_ends

    if not may_decide_cross_sale(user, cross_sale):
        return {}
    return {
        "seller_holds": Customer.objects.filter(holder=cross_sale.seller_id).count(),
        "holding_cap": config.HOLDING_CAP,
        "cooling_until": cooldown_ends(cross_sale.seller, [cross_sale.customer_id], now=now).get(
            cross_sale.customer_id
        ),
    }


# --- sales and their credit ----------------------------------------------------------------------

SALE_KINDS = ("deal", "contract")


def sale_for(user, kind: str, pk) -> Deal | Contract:
    """A purchase record or a signed contract of the customers `user` sees; 404 otherwise."""
    if kind == "deal":
        qs = visible(Deal.objects.all(), user)
    elif kind == "contract":
        qs = visible(Contract.objects.filter(status=Contract.Status.SIGNED), user)
    else:
        raise Http404
    return get_object_or_404(
        qs.select_related("customer", "customer__department", "credited_to"), pk=pk
    )


def sale_kind(sale) -> str:
    return "contract" if isinstance(sale, Contract) else "deal"


def sale_amount(sale) -> Decimal:
    return sale.total if isinstance(sale, Contract) else sale.amount


def sale_moment(sale) -> datetime:
    return sale.signed_at if isinstance(sale, Contract) else sale.occurred_at


def sale_credit_rows(sale) -> QuerySet[SalesCredit]:
    """Every credit row about `sale`: its own, its returns, its recorded transfers."""
    if isinstance(sale, Contract):
        about = (
            Q(contract=sale.pk)
            | Q(return_record__contract_line__contract=sale.pk)
            | Q(transfer__contract=sale.pk)
        )
    else:
        about = Q(deal=sale.pk) | Q(return_record__deal=sale.pk) | Q(transfer__deal=sale.pk)
    return SalesCredit.objects.filter(about)


def net_credit(sale, user_id) -> Decimal:
    """`user_id`'s credit on `sale` now: its row, less returns, after recorded transfers."""
    total = sale_credit_rows(sale).filter(user=user_id).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0")


def base_credit(sale, user_id) -> Decimal:
    """`user_id`'s credit on `sale` before any transfer (the sale less its returns): the
    base a percentage split is taken of."""
    total = (
        sale_credit_rows(sale)
        .filter(user=user_id)
        .exclude(kind=SalesCredit.Kind.TRANSFER)
        .aggregate(s=Sum("amount"))["s"]
    )
    return total or Decimal("0")


def committed_credit(sale, user_id, *, exclude_pk=None) -> Decimal:
    """Credit of `user_id` on `sale` promised by transfers proposed or approved, not yet
    recorded (a second proposal may not promise it again)."""
    field = "transfer__contract" if isinstance(sale, Contract) else "transfer__deal"
    qs = CreditShare.objects.filter(
        **{field: sale.pk},
        from_user=user_id,
        transfer__status__in=[Decision.PENDING, Decision.APPROVED],
    )
    if exclude_pk:
        qs = qs.exclude(transfer=exclude_pk)
    return qs.aggregate(s=Sum("amount"))["s"] or Decimal("0")


def sale_credit_by_person(sale) -> list[dict]:
    """[{user, name, amount}] of everybody holding credit on `sale`, largest first."""
    rows = (
        sale_credit_rows(sale)
        .values("user", "user__first_name", "user__last_name", "user__username")
        .annotate(amount=Sum("amount"))
        .order_by("-amount", "user")
    )
    result = []
    for row in rows:
        name = f"{row['user__last_name']}{row['user__first_name']}" or row["user__username"]
        result.append({"user": row["user"], "name": name or _("nobody"), "amount": row["amount"]})
    return result


def transfer_recipients(user) -> QuerySet[User]:
    """Who credit may move to: active staff who sell (hold customers), of the departments the
    proposing data administrator keeps."""
    staff = staff_visible_to(user).filter(status=Staff.Status.ACTIVE, user__is_active=True)
    ids = [s.user_id for s in staff if may_hold_customers(s)]
    return (
        User.objects.filter(pk__in=ids)
        .select_related("staff", "staff__department")
        .order_by("username")
    )


# --- credit transfers ----------------------------------------------------------------------------


def credit_transfers_visible_to(user) -> QuerySet[CreditTransfer]:
    """Transfers of the sales of the customers `user` sees unmasked (accountants, managers,
    the GM; `may_see_credit_transfers` keeps salespeople out of the pages)."""
    qs = CreditTransfer.objects.all()
    deal_scope = customer_condition(user, "deal__customer__")
    contract_scope = customer_condition(user, "contract__customer__")
    if deal_scope is None:
        return qs
    return qs.filter(
        (Q(deal__isnull=False) & deal_scope) | (Q(contract__isnull=False) & contract_scope)
    )


def credit_transfer_for(user, pk) -> CreditTransfer:
    return get_object_or_404(
        credit_transfers_visible_to(user).select_related(
            "deal",
            "deal__customer",
            "deal__customer__department",
            "deal__credited_to",
            "contract",
            "contract__customer",
            "contract__customer__department",
            "contract__credited_to",
            "proposed_by",
            "approved_by",
            "recorded_by",
        ),
        pk=pk,
    )


def transfer_sale(transfer: CreditTransfer):
    return transfer.deal if transfer.deal_id else transfer.contract


def transfer_customer(transfer: CreditTransfer) -> Customer:
    return transfer_sale(transfer).customer


def credit_transfer_link(transfer) -> str:
    return reverse("sales:credit_transfer_detail", args=[transfer.pk])


def credit_transfer_title(transfer) -> str:
    sale = transfer_sale(transfer)
    return _("%(customer)s: move credit of %(sale)s (%(amount)s yuan)") % {
        "customer": sale.customer.name,
        "sale": sale.number if isinstance(sale, Contract) else sale.product,
        "amount": sale_amount(sale),
    }


def credit_transfer_inbox_items(user, *, now: datetime) -> list[InboxItem]:
    """Proposed transfers of the departments `user` manages, unless `user` takes part in
    them (they go to the GM then) — two queries."""
    managed = departments_managed_by(user).values("pk")
    pending = list(
        CreditTransfer.objects.filter(status=Decision.PENDING)
        .filter(
            Q(deal__customer__department__in=managed)
            | Q(contract__customer__department__in=managed)
        )
        .exclude(shares__from_user=user.pk)
        .exclude(shares__to_user=user.pk)
        .select_related("deal", "deal__customer", "contract", "contract__customer")
        .order_by("proposed_at", "pk")[:200]
    )
    return [
        InboxItem(
            kind=_("Credit transfer"),
            title=credit_transfer_title(t),
            created_at=t.proposed_at,
            url=credit_transfer_link(t),
        )
        for t in pending
    ]


def inbox_items(user, *, now: datetime) -> list[InboxItem]:
    """Sales' approvals for allocation's inbox (registered in `sales.wiring.connect_credit`)."""
    if not user.is_authenticated:
        return []
    return cross_sale_inbox_items(user, now=now) + credit_transfer_inbox_items(user, now=now)


# --- the customer page's section -----------------------------------------------------------------


def customer_section(customer, *, user) -> dict | None:
    """The dormant mark and its buttons, and — for the data administrator — the customer's
    recent sales with a link to propose a credit transfer. None when there is nothing for
    this user (a fixed number of queries)."""
    mark = standing_mark(customer.pk)
    may_mark = may_mark_customer_dormant(user, customer)
    may_sell = mark is not None and may_request_cross_sale(user) and may_cross_sell(user, customer)
    sales = []
    if may_propose_transfer(user, customer):
        deals = list(
            Deal.objects.filter(customer=customer.pk, credited_to__isnull=False)
            .select_related("credited_to")
            .order_by("-occurred_at", "-pk")[:5]
        )
        contracts = list(
            Contract.objects.filter(
                customer=customer.pk,
                status=Contract.Status.SIGNED,
                credited_to__isnull=False,
            )
            .select_related("credited_to")
            .order_by("-signed_at", "-pk")[:5]
        )
        sales = [("deal", d, d.occurred_at, d.product, d.amount) for d in deals] + [
            ("contract", c, c.signed_at, c.number, c.total) for c in contracts
        ]
        sales.sort(key=lambda s: s[2], reverse=True)
    if mark is None and not may_mark and not sales:
        return None
    return {
        "mark": mark,
        "may_mark": may_mark and mark is None,
        "may_clear": may_mark and mark is not None,
        "may_sell": may_sell,
        # The data department's note is for those who keep or hold the customer.
        "show_reason": customer.holder_id == user.pk or not is_salesperson(user),
        "sales": [
            {
                "kind": k,
                "pk": s.pk,
                "at": at,
                "what": what,
                "amount": amount,
                "credited_to": s.credited_to,
            }
            for k, s, at, what, amount in sales[:5]
        ],
    }
