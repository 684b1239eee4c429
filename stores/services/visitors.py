"""The visitor register, the consultants' pre-registrations and the weekly 对单 (SPEC §12;
004 第二章 界定客户有效性, 第三章 一–三).

- Every visitor is counted, named or not (004 三.2.A "无论房屋旳大小…都应当计算"); a line typed
  after the visit's day is marked late (004 "每日…在下班前输入"), one without source,
  occupation, focus points or (for a store visit) the 小区 is marked incomplete.
- A phone inquiry counts in 电话咨询人数 only the first time that number called the store.
- A visitor with a phone becomes a customer (SPEC §3, §5): linked when the phone is already
  registered (nothing about its holder is shown), else registered through
  `customers.services.registration.customer_register` (store-collected sources go to the
  store's pool there).
- 界定客户有效性: a visit told as 家装顾问引入 is confirmed when a waiting pre-registration of
  the store matches it (same phone, else same name and 小区) and the consultant is credited;
  otherwise — or when another source is told for a phone a consultant announced — the store
  manager decides.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.calendar import day_start
from crm.errors import RuleError
from crm.models import Staff, User
from crm.notifications import notify
from customers.errors import DuplicateCustomer, NotAllowed
from customers.models import CustomerKey, Grade, Source
from customers.normalize import KeyFormatError, normalize_phone
from customers.services.registration import customer_register

from ..models import Dispatch
from ..models.people import DesignStyle, Occupation
from ..models.visitors import FocusPoint, Gender, PreRegistration, Visit, WeeklyReconciliation
from ..rights import is_home_consultant, may_keep_register, may_lead_store, store_of

TEXT_FIELDS = {"visitor_name": 50, "community": 100, "note": 500}


class VisitError(RuleError):
    """The register line, pre-registration or sign-off cannot be written as asked."""


def _local_day(at: datetime) -> date:
    return timezone.localtime(at).date()


def phone_key(phone: str) -> str:
    """The normalised phone ('' when none), or VisitError for a malformed one."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    try:
        return normalize_phone(phone)
    except KeyFormatError as exc:
        raise VisitError(str(exc)) from None


def _check_text(data: dict) -> None:
    for name, limit in TEXT_FIELDS.items():
        value = data.get(name) or ""
        if len(value) > limit or "\x00" in value:
            raise VisitError(_("A text is too long or contains invalid characters."))


def _decimal(value, *, limit: Decimal) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise VisitError(_("Enter a valid number.")) from None
    if not number.is_finite() or number < 0 or number >= limit:
        raise VisitError(_("Enter a valid number."))
    return number


def _store_managers(store) -> list[User]:
    """Who decides a mismatch: the store's manager (else the managers above, else nobody)."""
    if store.manager_id:
        return [store.manager]
    return []


def _matching_preregistration(store, *, key: str, name: str, community: str):
    """The waiting pre-registration of the store the visitor answers to: the same phone, else
    the same name and 小区 (004 "客户来店后与所记录信息查对"). Locked: one visit takes it."""
    waiting = PreRegistration.objects.select_for_update().filter(
        store=store, status=PreRegistration.Status.WAITING
    )
    if key:
        found = waiting.filter(phone_key=key).order_by("created_at", "pk").first()
        if found is not None:
            return found
    if name and community:
        return waiting.filter(name=name, community=community).order_by("created_at", "pk").first()
    return None


def _registrant(actor, store):
    """Who registers the visitor as a customer: the actor when they work in the store (a
    store-collected source puts it in the store's pool), else — the GM or a manager above
    typing a line — the store's manager, so the customer belongs to the store."""
    mine = store_of(actor)
    if mine is not None and mine.pk == store.pk:
        return actor
    return store.manager or actor


def _customer_for(*, actor, store, visit: Visit, key: str, now: datetime):
    """The customer a visitor with a phone is: the one holding that phone key (a returning
    visitor; who holds it is not shown), else a new one registered under SPEC §3/§5."""
    existing = CustomerKey.objects.filter(kind=CustomerKey.Kind.PHONE, value=key).first()
    if existing is not None:
        return existing.customer_id
    name = visit.visitor_name or f"来店顾客{key[-4:]}"  # data, not a page text: always Chinese
    data = {
        "name": name,
        "is_organisation": False,
        "nature": "direct_user",
        "address": visit.community,
        "phone": key,
        "source": visit.source,
        "intent_grade": visit.intent_grade,
        "remarks": visit.note,
    }
    try:
        customer = customer_register(
            actor=_registrant(actor, store), data=data, contacts=[], now=now
        )
    except DuplicateCustomer as exc:  # registered a moment ago by someone else: link to it
        return exc.customer_id
    return customer.pk


@transaction.atomic
def visit_register(*, actor, store, data: dict, now: datetime) -> Visit:
    """One line of the 日来店顾客登记表 (or a phone inquiry), by the store's customer managers,
    its manager or the GM. See the module docstring for the flags and the source check."""
    if not may_keep_register(actor, store):
        raise NotAllowed(_("Only the store's customer managers and its manager keep the register."))
    _check_text(data)
    kind = data.get("kind") or Visit.Kind.STORE
    if kind not in Visit.Kind.values:
        raise VisitError(_("Choose a store visit or a phone inquiry."))
    occurred_at = data.get("occurred_at")
    if not isinstance(occurred_at, datetime):
        raise VisitError(_("Enter when the visitor came."))
    if occurred_at > now:
        raise VisitError(_("A visit cannot be recorded in the future."))
    if occurred_at < day_start(date(2000, 1, 1)):
        raise VisitError(_("Enter when the visitor came."))
    source = data.get("source") or ""
    if source not in Source.values:
        raise VisitError(_("Choose where the visitor comes from."))
    occupation = data.get("occupation") or ""
    if occupation and occupation not in Occupation.values:
        raise VisitError(_("Choose an occupation from the list."))
    focus = list(dict.fromkeys(data.get("focus_points") or []))
    if any(f not in FocusPoint.values for f in focus):
        raise VisitError(_("Choose focus points from the list."))
    grade = data.get("intent_grade") or Grade.D
    if grade not in Grade.values:
        raise VisitError(_("Choose an intent grade from the list."))
    gender = data.get("gender") or ""
    style = data.get("preferred_style") or ""
    if gender not in Gender.values or (style and style not in DesignStyle.values):
        raise VisitError(_("Choose from the list."))
    key = phone_key(data.get("phone", ""))
    name = (data.get("visitor_name") or "").strip()
    community = (data.get("community") or "").strip()

    visit = Visit(
        store=store,
        kind=kind,
        occurred_at=occurred_at,
        visitor_name=name,
        gender=gender,
        phone=key,  # kept normalised: a returning caller is found by equality
        community=community,
        house_area=_decimal(data.get("house_area"), limit=Decimal("1000000")),
        is_off_plan=bool(data.get("is_off_plan")),
        budget=_decimal(data.get("budget"), limit=Decimal("1000000000000")),
        preferred_style=style,
        source=source,
        occupation=occupation,
        focus_points=focus,
        intent_grade=grade,
        note=(data.get("note") or "").strip(),
        recorded_by=actor,
        recorded_at=now,
        is_late_entry=_local_day(now) > _local_day(occurred_at),
        is_incomplete=not (
            source and occupation and focus and (community or kind == Visit.Kind.PHONE)
        ),
    )
    if kind == Visit.Kind.PHONE and key:
        visit.is_first_inquiry = not Visit.objects.filter(
            store=store, kind=Visit.Kind.PHONE, phone=key
        ).exists()

    # 界定客户有效性
    match = _matching_preregistration(store, key=key, name=name, community=community)
    if source == Source.DESIGNER and match is not None:
        visit.source_status = Visit.SourceStatus.CONFIRMED
        visit.pre_registration = match
        visit.consultant_id = match.consultant_id
        match.status = PreRegistration.Status.MATCHED
        match.save(update_fields=["status"])
    elif source == Source.DESIGNER or (match is not None and key and match.phone_key == key):
        visit.source_status = Visit.SourceStatus.TO_CHECK

    if key:
        visit.customer_id = _customer_for(actor=actor, store=store, visit=visit, key=key, now=now)
    visit.save()

    if visit.source_status == Visit.SourceStatus.TO_CHECK:
        from django.urls import reverse

        link = reverse("stores:visit_check", args=[visit.pk])
        for manager in _store_managers(store):
            notify(
                recipient=manager,
                title=_("A visitor's source needs your decision"),
                body=_(
                    "%(visitor)s, %(when)s: the source told does not match the consultants' "
                    "notices."
                )
                % {
                    "visitor": str(visit),
                    "when": timezone.localtime(occurred_at).strftime("%Y-%m-%d %H:%M"),
                },
                link=link,
                now=now,
            )
    return visit


def _home_consultant_of(user, store) -> bool:
    mine = store_of(user)
    return mine is not None and mine.pk == store.pk and is_home_consultant(user)


@transaction.atomic
def prereg_create(*, actor, store, consultant, data: dict, now: datetime) -> PreRegistration:
    """家装顾问告知顾客来店: the consultant (or a customer manager or the manager on their
    behalf, naming them) announces a customer before they come."""
    if consultant is None or not _home_consultant_of(consultant, store):
        raise VisitError(_("Name a home-decoration consultant of this store."))
    if actor.pk != consultant.pk and not may_keep_register(actor, store):
        raise NotAllowed(_("Consultants announce their own customers."))
    name = (data.get("name") or "").strip()
    community = (data.get("community") or "").strip()
    if not name or not community:
        raise VisitError(_("Enter the customer's name and residential community."))
    if len(name) > 50 or len(community) > 100 or "\x00" in name + community:
        raise VisitError(_("A text is too long or contains invalid characters."))
    key = phone_key(data.get("phone", ""))
    if not key:
        raise VisitError(_("Enter the customer's phone."))
    gender = data.get("gender") or ""
    if gender not in Gender.values:
        raise VisitError(_("Choose from the list."))
    expected_on = data.get("expected_on")
    if expected_on is not None and expected_on < _local_day(now):
        raise VisitError(_("The expected visit cannot lie in the past."))
    if PreRegistration.objects.filter(
        store=store, status=PreRegistration.Status.WAITING, phone_key=key
    ).exists():
        raise VisitError(_("A customer with this phone has already been announced to the store."))
    return PreRegistration.objects.create(
        store=store,
        consultant=consultant,
        name=name,
        gender=gender,
        phone=(data.get("phone") or "").strip(),
        phone_key=key,
        community=community,
        expected_on=expected_on,
        created_by=actor,
        created_at=now,
    )


@transaction.atomic
def visit_source_decide(
    *, actor, visit: Visit, source: str, consultant, note: str, now: datetime
) -> Visit:
    """The store manager (or the GM) settles a mismatch: the final source and the consultant
    credited, or none (004 "有误 → 店经理"). Crediting a consultant takes their waiting
    pre-registration of the visitor, when there is one."""
    visit = Visit.objects.select_for_update().select_related("store").get(pk=visit.pk)
    if not may_lead_store(actor, visit.store):
        raise NotAllowed(_("The store manager decides a visitor's source."))
    if visit.source_status != Visit.SourceStatus.TO_CHECK:
        raise VisitError(_("This visitor's source has already been settled."))
    if source not in Source.values:
        raise VisitError(_("Choose where the visitor comes from."))
    note = (note or "").strip()
    if not note or len(note) > 200 or "\x00" in note:
        raise VisitError(_("Say briefly why (at most 200 characters)."))
    if consultant is not None:
        if not _home_consultant_of(consultant, visit.store):
            raise VisitError(_("Name a home-decoration consultant of this store."))
        if source != Source.DESIGNER:
            raise VisitError(
                _("A consultant is credited only for a visitor brought by a consultant.")
            )
        waiting = PreRegistration.objects.select_for_update().filter(
            store=visit.store, consultant=consultant, status=PreRegistration.Status.WAITING
        )
        match = Q(pk__in=[])
        if visit.phone:
            match |= Q(phone_key=visit.phone)
        if visit.visitor_name:
            match |= Q(name=visit.visitor_name)
        prereg = waiting.filter(match).order_by("created_at", "pk").first()
        if prereg is not None and visit.pre_registration_id is None:
            prereg.status = PreRegistration.Status.MATCHED
            prereg.save(update_fields=["status"])
            visit.pre_registration = prereg
    visit.source = source
    visit.consultant = consultant
    visit.source_status = Visit.SourceStatus.DECIDED
    visit.source_decided_by = actor
    visit.source_decided_at = now
    visit.source_decision_note = note
    visit.save()
    return visit


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    return day_start(week_start), day_start(week_start + timedelta(days=7))


@transaction.atomic
def reconciliation_sign(
    *, actor, store, week_start: date, market_manager, note: str, now: datetime
) -> WeeklyReconciliation:
    """每周与市场部经理对单: a customer manager (or the manager, the GM) signs the week off,
    naming the market manager; the counts agreed are kept. Once per store and week, and only
    once the week is over."""
    if not may_keep_register(actor, store):
        raise NotAllowed(_("Only the store's customer managers and its manager sign the 对单."))
    if not isinstance(week_start, date) or week_start.weekday() != 0:
        raise VisitError(_("A week starts on a Monday."))
    start, end = week_bounds(week_start)
    if end > now:
        raise VisitError(_("The week is not over yet."))
    if (
        market_manager is None
        or not market_manager.is_active
        or not Staff.objects.filter(user=market_manager).exclude(status=Staff.Status.LEFT).exists()
    ):
        raise VisitError(_("Name the market manager."))
    note = (note or "").strip()
    if len(note) > 500 or "\x00" in note:
        raise VisitError(_("A text is too long or contains invalid characters."))
    if WeeklyReconciliation.objects.filter(store=store, week_start=week_start).exists():
        raise VisitError(_("This week has already been signed off."))
    visits = Visit.objects.filter(store=store, occurred_at__gte=start, occurred_at__lt=end).count()
    dispatches = Dispatch.objects.filter(
        store=store, proposed_at__gte=start, proposed_at__lt=end
    ).count()
    try:
        with transaction.atomic():  # two sign-offs at once: the unique constraint decides
            return WeeklyReconciliation.objects.create(
                store=store,
                week_start=week_start,
                market_manager=market_manager,
                visits=visits,
                dispatches=dispatches,
                note=note,
                signed_by=actor,
                signed_at=now,
            )
    except IntegrityError:
        raise VisitError(_("This week has already been signed off.")) from None
