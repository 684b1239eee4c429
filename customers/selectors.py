"""Reads that carry the archive's rules. Every list, detail, search, export and history page
starts from `customers_visible_to(user)` (SPEC §1)."""

from datetime import datetime, timedelta

from constance import config
from django.db.models import BooleanField, Count, Q, QuerySet, Value

from crm.models import User
from crm.rights import field_staff_of
from crm.selectors import (
    departments_managed_by,
    manages_company,
    visible_department_ids,
)

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
# `credit_rating` is not typed by anyone: only a credit evaluation sets it (SPEC §11,
# customers.services.credit.credit_evaluate).
CLASSIFICATION_FIELDS = ["customer_class", "intent_grade", "region"]

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
    # (`visible_department_ids`: read once per page inside `crm.selectors.grants_read_once`.)
    department_ids = visible_department_ids(user)
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


def records_awaiting_manager(user, *, since, limit: int = 50, managed_ids=None) -> dict:
    """What the managers of a customer's department must look at (SPEC §3, §6), in the
    departments `user` manages (every department for the GM), occurred since `since`:

    - `uncredited`: deals made while the customer sat in a pool — credited to nobody;
    - `gifts`: gift or points records (no amount) that keep nothing until confirmed;
    - `referrals`: referrals that no registration proves yet, to verify.

    Two queries: the managed departments go in as a subquery, or as `managed_ids` (their ids,
    resolved by the caller): PostgreSQL estimated the subquery at one department and walked
    every customer of a regional manager's eleven (0.48 s), where the literal list lets it start
    from the few uncredited deals (0.2 ms, issue 19).
    """
    if manages_company(user):
        scope = Q()
    elif managed_ids is not None:
        scope = Q(customer__department__in=managed_ids)
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


# 资料补录 (会计补录, 000 §3.1.f; SPEC §8). Only a first deal starts the deadline (first deal +
# COMPLETION_MONTHS_AFTER_DEAL); before it `completion_due` holds the registration date and only
# orders the records that have no deadline yet.
WORKLIST_DEALT, WORKLIST_NO_DEAL = "d", "n"


def incomplete_records(user) -> QuerySet[Customer]:
    """Customers in `user`'s scope still missing basic fields."""
    return customers_visible_to(user).filter(is_incomplete=True)


def incomplete_records_page(user, *, after: tuple | None = None, size: int = 100):
    """One page of the worklist, most urgent first: customers with a deal by their real
    deadline (overdue first), then customers without a deal — no deadline yet — oldest
    registration first. `after` is the previous page's last (segment, date, id); returns
    (rows, next cursor or None). At most two queries, each on the worklist's index."""
    base = incomplete_records(user).select_related("holder", "department")
    segments = [
        (WORKLIST_DEALT, base.filter(first_deal_at__isnull=False)),
        (WORKLIST_NO_DEAL, base.filter(first_deal_at__isnull=True)),
    ]
    rows: list[Customer] = []
    for segment, qs in segments:
        if after is not None:
            after_segment, due, pk = after
            if segment < after_segment:  # "d" < "n": the dealt segment is already behind
                continue
            if segment == after_segment:
                qs = qs.filter(Q(completion_due__gt=due) | Q(completion_due=due, pk__gt=pk))
        rows += list(qs.order_by("completion_due", "pk")[: size + 1 - len(rows)])
        if len(rows) > size:
            break
    has_next = len(rows) > size
    rows = rows[:size]
    if not has_next or not rows:
        return rows, None
    last = rows[-1]
    return rows, (
        WORKLIST_DEALT if last.first_deal_at else WORKLIST_NO_DEAL,
        last.completion_due,
        last.pk,
    )


def incomplete_summary(user, *, today) -> dict:
    """The accountant's worklist in figures: overdue and due within a week (customers with a
    deal; the others have no deadline yet), without a deal, and the same per department."""
    week = today + timedelta(days=7)
    dealt = Q(first_deal_at__isnull=False)
    rows = (
        incomplete_records(user)
        .values("department_id", "department__name")
        .annotate(
            overdue=Count("pk", filter=dealt & Q(completion_due__lt=today)),
            due_this_week=Count(
                "pk", filter=dealt & Q(completion_due__gte=today, completion_due__lt=week)
            ),
            no_deal=Count("pk", filter=Q(first_deal_at__isnull=True)),
            total=Count("pk"),
        )
        .order_by("department__name")
    )
    by_department = list(rows)
    totals = {
        key: sum(r[key] for r in by_department)
        for key in ("overdue", "due_this_week", "no_deal", "total")
    }
    return {**totals, "by_department": by_department}


def checked_in_share_by_person(department, *, since: datetime, until: datetime) -> list[dict]:
    """外勤签到 per person of `department` (its salespeople and managers still employed, plus
    anyone else whose staff record sits there and logged a home visit): home visits they logged
    with `since <= occurred_at < until` (corrections excluded), how many carried a position
    fix, and the share in percent (None without visits). Ordered by name; two queries (a
    third only for visitors who are not salespeople or managers there)."""
    members = {s.user_id: s.user for s in field_staff_of(department).select_related("user")}
    counts = {
        row["author_id"]: row
        for row in FollowUp.objects.filter(
            author__staff__department=department,
            kind=FollowUp.Kind.HOME_VISIT,
            amends__isnull=True,
            occurred_at__gte=since,
            occurred_at__lt=until,
        )
        .values("author_id")
        .annotate(visits=Count("pk"), checked_in=Count("pk", filter=Q(checkin_at__isnull=False)))
        .order_by()
    }
    missing = set(counts) - set(members)
    if missing:
        members.update({u.pk: u for u in User.objects.filter(pk__in=missing)})
    rows = []
    for user_id, user in members.items():
        row = counts.get(user_id, {"visits": 0, "checked_in": 0})
        visits, checked_in = row["visits"], row["checked_in"]
        rows.append(
            {
                "person": user,
                "visits": visits,
                "checked_in": checked_in,
                "share": round(100 * checked_in / visits) if visits else None,
            }
        )
    return sorted(rows, key=lambda r: (r["person"].display_name, r["person"].pk))
