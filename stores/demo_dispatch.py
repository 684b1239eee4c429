"""Demo dispatches (派单, SPEC §12) in 朝阳家居体验店 over the last 30 days: confirmed ones with
plan, deposit and signing; one waiting for the store manager; one the GM authorised while the
store manager was away, waiting for 补签; one refused by store.d5 (stopped for a month).

Runs after the people (60) and visitors (61) seeders but needs neither: designers without a
profile get one, and with too few store customers it registers some as store.cm1."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from crm.calendar import SHANGHAI
from crm.models import Department
from customers.models import Customer
from customers.selectors import customers_visible_to
from customers.services.registration import customer_register

from .models import DesignerLevel, DesignerProfile, Dispatch
from .selectors.dispatch import LIVE, dispatch_ranking
from .services.dispatch import (
    dispatch_confirm,
    dispatch_progress,
    dispatch_propose,
    dispatch_refuse,
    manager_away_record,
)

STORE_NAME = "朝阳家居体验店"
LEVELS = [
    ("助理设计师", 1, False, False),
    ("设计师", 2, False, False),
    ("主任设计师", 3, True, False),
    ("首席设计师", 4, True, True),
]
DEFAULT_LEVEL = {
    "store.d1": "首席设计师",
    "store.d2": "主任设计师",
    "store.d3": "设计师",
    "store.d4": "设计师",
    "store.d5": "助理设计师",
}
NEW_CUSTOMERS = [
    ("周女士", "friend", "A"),
    ("钱先生", "community", "B"),
    ("孙女士", "friend", "B"),
    ("李先生", "community", "C"),
    ("吴女士", "friend", "A"),
    ("郑先生", "community", "B"),
]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


def _ensure_profiles(users: dict) -> None:
    levels = {
        name: DesignerLevel.objects.get_or_create(
            name=name, defaults={"rank": rank, "is_senior": senior, "charges_design_fee": fee}
        )[0]
        for name, rank, senior, fee in LEVELS
    }
    for username, level in DEFAULT_LEVEL.items():
        user = users.get(username)
        if user is not None and not DesignerProfile.objects.filter(user=user).exists():
            DesignerProfile.objects.create(user=user, level=levels[level])


def _customers(store, cm1, manager, today: date, needed: int) -> list[Customer]:
    """Store customers without a live dispatch that cm1 (else the manager) sees; registered
    as cm1 when too few."""
    live = Dispatch.objects.filter(status__in=LIVE).values("customer_id")
    visible = customers_visible_to(manager).filter(department=store, is_invalid=False)
    found = list(visible.exclude(pk__in=live).order_by("pk")[:needed])
    registered_at = _at(today - timedelta(days=35), 10)
    for n, (name, source, grade) in enumerate(NEW_CUSTOMERS):
        if len(found) >= needed:
            break
        phone = f"1391062{n:04d}"
        if Customer.objects.filter(phone=phone).exists():
            continue
        found.append(
            customer_register(
                actor=cm1,
                data={
                    "name": name,
                    "is_organisation": False,
                    "phone": phone,
                    "address": "北京市朝阳区",
                    "source": source,
                    "intent_grade": grade,
                },
                contacts=[],
                now=registered_at,
            )
        )
    return found


def _proposer(customer, cm1, manager):
    return cm1 if customers_visible_to(cm1).filter(pk=customer.pk).exists() else manager


def _propose(*, store, customer, cm1, manager, prefer, now, budget=None):
    """Propose `prefer` when eligible at `now` (with a reason when not first), else the first
    eligible designer; None when nobody is eligible."""
    from .selectors.dispatch import is_big_order

    ranking = dispatch_ranking(store=store, as_of=now, is_big_order=is_big_order(budget))
    eligible = [r for r in ranking if r.place is not None]
    if not eligible:
        return None
    row = next((r for r in eligible if prefer is not None and r.designer.pk == prefer.pk), None)
    row = row or eligible[0]
    return dispatch_propose(
        actor=_proposer(customer, cm1, manager),
        store=store,
        customer=customer,
        designer=row.designer,
        reason="" if row.place == 1 else "顾客看过该设计师的作品，指定由其设计",
        now=now,
        budget=budget,
    )


def seed_dispatch(*, today: date, users: dict, light: bool = False) -> list[str]:
    manager, cm1, cm2, gm = (
        users.get(n) for n in ("store.manager", "store.cm1", "store.cm2", "gm")
    )
    store = Department.objects.filter(name=STORE_NAME, kind=Department.Kind.STORE).first()
    if store is None or manager is None or cm1 is None or gm is None:
        return []
    if Dispatch.objects.filter(store=store).exists():
        return []
    _ensure_profiles(users)
    customers = _customers(store, cm1, manager, today, 6)
    if len(customers) < 6:
        return []
    d = {n: users.get(f"store.d{n}") for n in range(1, 6)}
    T = today  # noqa: N806
    made = []

    def confirmed(customer, prefer, day, steps, budget=None):
        dispatch = _propose(
            store=store,
            customer=customer,
            cm1=cm1,
            manager=manager,
            prefer=prefer,
            now=_at(day, 10),
            budget=budget,
        )
        if dispatch is None:
            return None
        dispatch_confirm(actor=manager, dispatch=dispatch, note="同意", now=_at(day, 11))
        for step, offset, amount in steps:
            dispatch_progress(
                actor=dispatch.designer,
                dispatch=dispatch,
                step=step,
                at=_at(day + timedelta(days=offset), 15),
                amount=amount,
                now=_at(day + timedelta(days=offset), 16),
            )
        made.append(dispatch)
        return dispatch

    # Confirmed by the store manager, with the order's steps.
    confirmed(
        customers[0],
        d[1],
        T - timedelta(days=28),
        [("plan", 3, None), ("deposit", 8, None), ("signed", 16, Decimal("186000"))],
        budget=Decimal("350000"),
    )
    confirmed(customers[1], d[2], T - timedelta(days=24), [("plan", 3, None), ("deposit", 9, None)])
    confirmed(customers[2], d[3], T - timedelta(days=20), [("plan", 2, None)])
    # The store manager away at a meeting: the GM authorised, waiting for 补签.
    away_from = _at(T - timedelta(days=11), 9)
    manager_away_record(
        actor=manager,
        store=store,
        starts_at=away_from,
        ends_at=_at(T - timedelta(days=8), 18),
        reason="集团外出开会",
        now=away_from - timedelta(hours=1),
    )
    gm_dispatch = _propose(
        store=store,
        customer=customers[3],
        cm1=cm2 or cm1,
        manager=manager,
        prefer=d[4],
        now=_at(T - timedelta(days=10), 10),
    )
    if gm_dispatch is not None:
        dispatch_confirm(
            actor=gm,
            dispatch=gm_dispatch,
            note="店经理外出，总经理授权",
            now=_at(T - timedelta(days=10), 14),
        )
        made.append(gm_dispatch)
    # Refused by store.d5: stopped for a month.
    refused = _propose(
        store=store,
        customer=customers[4],
        cm1=cm1,
        manager=manager,
        prefer=d[5],
        now=_at(T - timedelta(days=6), 10),
    )
    if refused is not None:
        dispatch_confirm(
            actor=manager, dispatch=refused, note="", now=_at(T - timedelta(days=6), 11)
        )
        dispatch_refuse(
            actor=refused.designer,
            dispatch=refused,
            reason="手上方案太多，无法按时出图",
            now=_at(T - timedelta(days=5), 9),
        )
        made.append(refused)
    # Waiting for the store manager.
    waiting = _propose(
        store=store,
        customer=customers[5],
        cm1=cm1,
        manager=manager,
        prefer=None,
        now=_at(T - timedelta(days=1), 10),
    )
    if waiting is not None:
        made.append(waiting)
    return [f"dispatches: {len(made)}"] if made else []
