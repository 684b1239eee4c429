"""Reads of 派单 (004 五; SPEC §12): the ranking the customer manager proposes from, who sees
which dispatches, and whether the store manager is away (the GM authorises then).

The ranking follows 004 五 选派要求 in order: designers excluded first (≥ 3 deposit orders in
hand, a plan without signing except 期房, a refusal within a month, repeated absence), the
others ordered by — big orders only: senior or fee-charging first — the 主材 standard, the
department ranking, fewer deposit orders, on duty today, style/customer-type fit."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from constance import config
from dateutil.relativedelta import relativedelta
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.calendar import day_start
from crm.models import User
from crm.rights import is_general_manager
from crm.validators import parse_id

from ..models import Attendance, DesignerMonth, Dispatch, ManagerAway, Outing
from ..rights import is_designer
from .common import stores_visible_to
from .people import designers_of

LIVE = (Dispatch.Status.PROPOSED, Dispatch.Status.CONFIRMED)
ABSENCE_WINDOW_DAYS = 30
ABSENCE_STATUSES = (
    Attendance.Status.ABSENT,
    Attendance.Status.LATE,
    Attendance.Status.EARLY_LEAVE,
)
ON_DUTY_STATUSES = (Attendance.Status.PRESENT, Attendance.Status.LATE)

# Exclusion reason codes (kept in the snapshot; labels are rendered in the reader's language).
DEPOSIT_ORDERS = "deposit_orders"
PLAN_UNSIGNED = "plan_unsigned"
REFUSED = "refused"
ABSENCE = "absence"
REASON_CODES = (DEPOSIT_ORDERS, PLAN_UNSIGNED, REFUSED, ABSENCE)


def status_label(status: str) -> str:
    """A dispatch's status in the reader's words (the list, the detail, the start page)."""
    S = Dispatch.Status  # noqa: N806
    return {
        S.PROPOSED: _("Waiting for confirmation"),
        S.CONFIRMED: _("Confirmed"),
        S.REJECTED: _("Not confirmed"),
        S.REFUSED: _("Refused by the designer"),
        S.CLOSED: _("Order closed"),
    }.get(status, status)


def confirmed_as_label(value: str) -> str:
    return {
        Dispatch.ConfirmedAs.STORE_MANAGER: _("Confirmed by the store manager"),
        Dispatch.ConfirmedAs.GM_AUTHORISED: _(
            "Authorised by the general manager (store manager away)"
        ),
    }.get(value, "")


def reason_label(code: str, params: dict | None = None) -> str:
    """The reader's wording of an exclusion reason (its code and figures from the snapshot)."""
    params = params or {}
    if code == DEPOSIT_ORDERS:
        return _("%(n)s orders in hand with a deposit (limit %(limit)s)") % {
            "n": params.get("n", "?"),
            "limit": params.get("limit", "?"),
        }
    if code == PLAN_UNSIGNED:
        return _("plan presented over %(days)s days ago without signing") % {
            "days": params.get("days", "?")
        }
    if code == REFUSED:
        return _("refused a dispatch: stopped until %(until)s") % {
            "until": params.get("until", "?")
        }
    if code == ABSENCE:
        return _("%(n)s absences, late arrivals or early leaves in 30 days") % {
            "n": params.get("n", "?")
        }
    return _("not eligible")


@dataclass
class Reason:
    code: str
    params: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return reason_label(self.code, self.params)


@dataclass
class RankRow:
    designer: User
    name: str
    level: str
    level_rank: int
    senior_or_fee: bool
    main_material_sales: Decimal | None
    meets_main_material: bool
    department_rank: int
    signed_last_month: Decimal
    deposit_orders: int
    on_duty: bool
    fit: int
    reasons: list[Reason] = field(default_factory=list)
    place: int | None = None

    @property
    def is_eligible(self) -> bool:
        return not self.reasons

    def as_json(self) -> dict:
        return {
            "designer": self.designer.pk,
            "name": self.name,
            "level": self.level,
            "place": self.place,
            "keys": {
                "senior_or_fee": self.senior_or_fee,
                "meets_main_material": self.meets_main_material,
                "main_material_sales": (
                    None if self.main_material_sales is None else str(self.main_material_sales)
                ),
                "department_rank": self.department_rank,
                "signed_last_month": str(self.signed_last_month),
                "deposit_orders": self.deposit_orders,
                "on_duty": self.on_duty,
                "fit": self.fit,
                "level_rank": self.level_rank,
            },
            "excluded": [r.code for r in self.reasons],
            "reason_params": {r.code: r.params for r in self.reasons},
        }


def snapshot_rows(ranking: list) -> list[dict]:
    """A stored snapshot made readable: each row with its reasons' labels (reader's language)."""
    rows = []
    for item in ranking or []:
        if not isinstance(item, dict):
            continue
        params = item.get("reason_params") or {}
        rows.append(
            {
                **item,
                "designer_id": item.get("designer"),
                "keys": item.get("keys") or {},
                "reasons": [
                    reason_label(code, params.get(code)) for code in item.get("excluded") or []
                ],
            }
        )
    return rows


def is_big_order(budget) -> bool:
    """大单: a budget of DISPATCH_BIG_ORDER_YUAN or more (004 五 选派 6)."""
    if budget in (None, ""):
        return False
    try:
        return Decimal(budget) >= Decimal(config.DISPATCH_BIG_ORDER_YUAN)
    except (ArithmeticError, ValueError, TypeError):
        return False


def previous_month(day: date) -> tuple[date, date]:
    """First day of the calendar month before `day`'s, and first day of `day`'s month."""
    this_first = day.replace(day=1)
    return this_first - relativedelta(months=1), this_first


def dispatch_ranking(
    *,
    store,
    as_of: datetime,
    is_big_order: bool,
    is_off_plan: bool = False,
    style: str = "",
    occupation: str = "",
) -> list[RankRow]:
    """The store's designers as the rules place them at `as_of`: eligible ones numbered 1..n
    in order, excluded ones after them without a place, each with every reason."""
    # The store's designers with a profile, by username: a stable input order for the ranking.
    designers = list(designers_of(store).order_by("username"))
    if not designers:
        return []
    ids = [d.pk for d in designers]
    today = timezone.localtime(as_of).date()
    prev_first, this_first = previous_month(today)

    confirmed = Dispatch.objects.filter(
        designer_id__in=ids,
        status=Dispatch.Status.CONFIRMED,
        signed_at__isnull=True,
        closed_at__isnull=True,
    )
    deposits = dict(
        confirmed.filter(deposit_at__lte=as_of)
        .values_list("designer_id")
        .annotate(n=Count("pk"))
        .values_list("designer_id", "n")
    )
    plan_days = config.DISPATCH_PLAN_UNSIGNED_DAYS
    unsigned_plans = set(
        confirmed.filter(plan_at__lte=as_of - timedelta(days=plan_days), is_off_plan=False)
        .values_list("designer_id", flat=True)
        .distinct()
    )
    stop_months = config.DISPATCH_REFUSAL_STOP_MONTHS
    refusals = dict(
        Dispatch.objects.filter(
            designer_id__in=ids,
            status=Dispatch.Status.REFUSED,
            refused_at__gt=as_of - relativedelta(months=stop_months),
            refused_at__lte=as_of,
        )
        .values_list("designer_id")
        .annotate(last=Max("refused_at"))
        .values_list("designer_id", "last")
    )
    absences = dict(
        Attendance.objects.filter(
            designer_id__in=ids,
            status__in=ABSENCE_STATUSES,
            day__gt=today - timedelta(days=ABSENCE_WINDOW_DAYS),
            day__lte=today,
        )
        .values_list("designer_id")
        .annotate(n=Count("pk"))
        .values_list("designer_id", "n")
    )
    material = dict(
        DesignerMonth.objects.filter(designer_id__in=ids, month=prev_first).values_list(
            "designer_id", "main_material_sales"
        )
    )
    standard = Decimal(config.STORE_MAIN_MATERIAL_STANDARD)
    signed = dict(
        Dispatch.objects.filter(
            designer_id__in=ids,
            store=store,
            signed_at__gte=day_start(prev_first),
            signed_at__lt=day_start(this_first),
            signed_amount__isnull=False,
        )
        .values_list("designer_id")
        .annotate(total=Sum("signed_amount"))
        .values_list("designer_id", "total")
    )
    present = set(
        Attendance.objects.filter(
            designer_id__in=ids, day=today, status__in=ON_DUTY_STATUSES
        ).values_list("designer_id", flat=True)
    )
    out = set(
        Outing.objects.filter(designer_id__in=ids, out_at__lte=as_of)
        .filter(Q(back_at__isnull=True) | Q(back_at__gt=as_of))
        .values_list("designer_id", flat=True)
    )
    deposit_limit = config.DISPATCH_DEPOSIT_ORDER_LIMIT
    absence_limit = config.DISPATCH_ABSENCE_LIMIT

    rows = []
    for designer in designers:
        profile = designer.designer_profile
        level = profile.level
        amount = signed.get(designer.pk) or Decimal(0)
        sales = material.get(designer.pk)
        reasons = []
        n_deposits = deposits.get(designer.pk, 0)
        if n_deposits >= deposit_limit:
            reasons.append(Reason(DEPOSIT_ORDERS, {"n": n_deposits, "limit": deposit_limit}))
        if designer.pk in unsigned_plans and not is_off_plan:
            reasons.append(Reason(PLAN_UNSIGNED, {"days": plan_days}))
        if designer.pk in refusals:
            until = timezone.localtime(refusals[designer.pk] + relativedelta(months=stop_months))
            reasons.append(Reason(REFUSED, {"until": until.strftime("%Y-%m-%d %H:%M")}))
        n_absent = absences.get(designer.pk, 0)
        if n_absent >= absence_limit:
            reasons.append(Reason(ABSENCE, {"n": n_absent}))
        styles = profile.styles if isinstance(profile.styles, list) else []
        suited = profile.suited_customers if isinstance(profile.suited_customers, list) else []
        rows.append(
            RankRow(
                designer=designer,
                name=designer.display_name,
                level=level.name,
                level_rank=level.rank,
                senior_or_fee=level.is_senior or level.charges_design_fee,
                main_material_sales=sales,
                meets_main_material=sales is not None and sales >= standard,
                department_rank=0,
                signed_last_month=amount,
                deposit_orders=n_deposits,
                on_duty=designer.pk in present and designer.pk not in out,
                fit=int(bool(style) and style in styles)
                + int(bool(occupation) and occupation in suited),
                reasons=reasons,
            )
        )
    # 部门排名: by last month's signed amount; ties share a rank, no signing is last.
    for row in rows:
        row.department_rank = 1 + sum(
            1 for other in rows if other.signed_last_month > row.signed_last_month
        )

    def key(row: RankRow):
        return (
            0 if (not is_big_order or row.senior_or_fee) else 1,
            0 if row.meets_main_material else 1,
            row.department_rank,
            row.deposit_orders,
            0 if row.on_duty else 1,
            -row.fit,
            -row.level_rank,
            row.designer.username,
        )

    eligible = sorted((r for r in rows if r.is_eligible), key=key)
    excluded = sorted((r for r in rows if not r.is_eligible), key=key)
    for place, row in enumerate(eligible, start=1):
        row.place = place
    return eligible + excluded


def manager_away_at(store, at: datetime) -> ManagerAway | None:
    """The store manager's recorded absence covering `at`, if any."""
    return (
        ManagerAway.objects.filter(store=store, starts_at__lte=at, ends_at__gt=at)
        .order_by("-starts_at")
        .first()
    )


def gm_may_authorise(store, at: datetime) -> bool:
    """The GM confirms in the store manager's place: away at `at`, or no manager at all."""
    return store.manager_id is None or manager_away_at(store, at) is not None


def dispatches_visible_to(user) -> QuerySet[Dispatch]:
    """Designers see their own dispatches; the store's other people its dispatches; managers
    above and the GM those of every store they oversee."""
    qs = Dispatch.objects.select_related(
        "store", "customer", "designer", "proposed_by", "decided_by", "manager_signed_by", "visit"
    )
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if getattr(user, "is_superuser", False) or is_general_manager(user):
        return qs
    if is_designer(user):
        return qs.filter(designer=user)
    return qs.filter(store__in=stores_visible_to(user).values("pk"))


def dispatch_for(user, pk) -> Dispatch:
    """The dispatch `pk` if `user` sees it, else 404."""
    pk = parse_id(pk)
    dispatch = dispatches_visible_to(user).filter(pk=pk).first() if pk else None
    if dispatch is None:
        raise Http404
    return dispatch


def waiting_confirmation(store) -> QuerySet[Dispatch]:
    return Dispatch.objects.filter(store=store, status=Dispatch.Status.PROPOSED)


def waiting_countersign(store) -> QuerySet[Dispatch]:
    """GM-authorised dispatches the store manager has not signed yet (待补签)."""
    return Dispatch.objects.filter(
        store=store,
        confirmed_as=Dispatch.ConfirmedAs.GM_AUTHORISED,
        manager_signed_at__isnull=True,
    ).exclude(status__in=[Dispatch.Status.PROPOSED, Dispatch.Status.REJECTED])


def form_state(dispatch: Dispatch) -> str:
    """The 顾客咨询登记表's state: "signed", "countersigned" (补签), "to_countersign" (待补签),
    or "" (not confirmed)."""
    if dispatch.manager_signed_at is not None:
        return "countersigned" if dispatch.is_countersigned_later else "signed"
    if dispatch.confirmed_as == Dispatch.ConfirmedAs.GM_AUTHORISED:
        return "to_countersign"
    return ""


def dispatch_home(user, store) -> dict | None:
    """The dispatch block of the store's start page: proposals waiting for confirmation,
    GM-authorised dispatches waiting for 补签, and a designer's own live dispatches."""
    if store is None:
        return None
    visible = dispatches_visible_to(user).filter(store=store)
    if is_designer(user):
        return {
            "own_only": True,
            "mine": list(visible.filter(status__in=LIVE).order_by("-proposed_at")[:5]),
        }
    return {
        "own_only": False,
        "waiting": visible.filter(status=Dispatch.Status.PROPOSED).count(),
        "to_countersign": waiting_countersign(store).filter(pk__in=visible.values("pk")).count(),
        "live": visible.filter(status=Dispatch.Status.CONFIRMED).count(),
    }
