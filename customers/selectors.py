"""Reads that carry the archive's rules. Every list, detail, search, export and history page
starts from `customers_visible_to(user)` (SPEC §1)."""

from datetime import datetime, timedelta

from constance import config
from django.db.models import BooleanField, Q, QuerySet, Value

from crm.models import User
from crm.selectors import departments_managed_by, departments_visible_to, manages_company

from .masking import masked_flag
from .models import Customer, Deal, ExportLog, FollowUp, Pool, Referral
from .rights import (
    may_edit_archive,
    may_edit_classification,
    may_hold_customers,
    sees_only_own_customers,
)

# Static information (客户静态信息表): what accountants keep (SPEC §1, §8).
ARCHIVE_FIELDS = [
    "name",
    "short_name",
    "is_organisation",
    "product_category",
    "nature",
    "address",
    "postcode",
    "phone",
    "fax",
    "website",
    "email",
    "business_scope",
    "legal_representative",
    "tax_id",
    "settlement_method",
    "bank",
    "bank_account",
    "remarks",
]
CLASSIFICATION_FIELDS = ["customer_class", "intent_grade", "credit_rating", "region"]

# 无效客户 (004 客户追访流程 1.C): an invalid customer keeps its holder but leaves every quota,
# reminder and default list. Every such count and list filters with this one condition (the
# SQL twin of the follow-up quota, `penalties.services.scans.quota_shortfall`, spells it out).
VALID = Q(is_invalid=False)

# Records that count as a call-back or visit: what answers a first inquiry (004 回访计划) and
# what a manager logs before declaring a customer invalid.
VISIT_KINDS = [FollowUp.Kind.HOME_VISIT, FollowUp.Kind.STORE_VISIT, FollowUp.Kind.CALLBACK]


def visibility_condition(user) -> Q | None:
    """The rule of `customers_visible_to` as a condition on Customer; None means every row.

    For queries that must look past the user's scope and still know which rows are theirs (the
    duplicate report counts a phone across the company, lists only the user's side).
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or user.has_perm("crm.view_department_customers"):
        return None
    # Department ids are resolved first (one small query): a literal IN list lets the planner
    # use the department indexes, where a subquery becomes a filter over every row.
    department_ids = list(departments_visible_to(user).values_list("pk", flat=True))
    scope = Q(department__in=department_ids)
    if may_hold_customers(user):  # accountants never hold customers
        scope |= Q(holder=user.pk)
    department_id = user.staff.department_id if sees_only_own_customers(user) else None
    if department_id:
        scope |= Q(department=department_id, holder__isnull=True, pool=Pool.DEPARTMENT)
    return scope


def customers_visible_to(user) -> QuerySet[Customer]:
    """Customers `user` may see, annotated with `contacts_masked`.

    - general manager (global right): every customer, pools included;
    - manager / accountant: customers of the departments they hold the right on (subtree),
      including those departments' pools;
    - salesperson: the customers they hold, plus their own department's pool with contact
      fields masked (000 §3.1.c: nobody contacts a customer that is not theirs).

    Built on department rights and `holder_id`; no per-customer permission rows.
    """
    if not user.is_authenticated or not user.is_active:
        return Customer.objects.none()
    qs = Customer.objects.all()
    scope = visibility_condition(user)
    if scope is None:
        return qs.annotate(contacts_masked=Value(False, output_field=BooleanField()))
    # Who sees which rows masked, and what that hides, is `customers.masking`'s decision.
    return qs.filter(scope).annotate(contacts_masked=masked_flag(user))


def editable_fields(user, customer) -> list[str]:
    """Which static fields `user` may edit on `customer` (SPEC §1, §2): the holder and the
    managers edit the archive and the classification; accountants only the archive fields;
    nobody edits the holder here (that is a move, through the allocation workflows). The
    rights are `customers.rights.may_edit_classification` / `may_edit_archive`."""
    if may_edit_classification(user, customer):
        return ARCHIVE_FIELDS + CLASSIFICATION_FIELDS
    if may_edit_archive(user, customer):
        return list(ARCHIVE_FIELDS)
    return []


def own_revisit(user, customer, *, now: datetime) -> FollowUp | None:
    """The latest call-back or visit `user` logged themself on `customer` in the
    INVALID_REVISIT_DAYS before `now` (amendments excluded: they correct a record, they are
    not a revisit); None when there is none. 004: "必须由部门经理亲自回访确认方可认定为无效客户"."""
    since = now - timedelta(days=config.INVALID_REVISIT_DAYS)
    return (
        FollowUp.objects.filter(
            customer=customer.pk,
            author=user.pk,
            kind__in=VISIT_KINDS,
            amends__isnull=True,
            occurred_at__gte=since,
            occurred_at__lte=now,
        )
        .order_by("-occurred_at", "-pk")
        .first()
    )


def records_awaiting_manager(user, *, since, limit: int = 50) -> dict:
    """What the managers of a customer's department must look at (SPEC §3, §6), in the
    departments `user` manages (every department for the GM), occurred since `since`:

    - `uncredited`: deals made while the customer sat in a pool — credited to nobody;
    - `gifts`: gift or points records (no amount) that keep nothing until confirmed;
    - `referrals`: referrals that no registration proves yet, to verify.

    Two queries: the managed departments go in as a subquery.
    """
    if manages_company(user):
        scope = Q()
    else:
        scope = Q(customer__department__in=departments_managed_by(user).values("pk"))
    uncredited = Q(credited_to__isnull=True)
    gift = Q(amount=0, confirmed_at__isnull=True) & ~Q(gifts="", points=0)
    deals = list(
        Deal.objects.filter(scope, uncredited | gift, occurred_at__gte=since)
        .select_related("customer")
        .order_by("occurred_at", "pk")[: 2 * limit]
    )
    return {
        "uncredited": [d for d in reversed(deals) if d.credited_to_id is None][:limit],
        "gifts": [
            d for d in deals if d.amount == 0 and d.confirmed_at is None and (d.gifts or d.points)
        ][:limit],
        "referrals": list(
            Referral.objects.filter(
                scope, occurred_at__gte=since, referred__isnull=True, verified_at__isnull=True
            )
            .select_related("customer", "author")
            .order_by("occurred_at")[:limit]
        ),
    }


def export_log_entries(*, person_id: int | None = None) -> QuerySet[ExportLog]:
    """The export log (SPEC §9), newest first, optionally one person's; for the GM's page
    (`rights.may_read_export_log`). Actor, profile and department come in the same query."""
    entries = ExportLog.objects.select_related("actor", "actor__staff", "actor__staff__department")
    if person_id is not None:
        entries = entries.filter(actor_id=person_id)
    return entries.order_by("-at", "-id")


def export_log_people() -> QuerySet:
    """Everybody who appears in the export log, for the page's person filter."""
    return User.objects.filter(pk__in=ExportLog.objects.values("actor_id")).order_by("username")
