"""Demo revisit plans (SPEC §11): a project stage and a hand-planned revisit for a few held
customers of the demo salespeople, so the dashboard panel and the list have rows. Deals and
signed contracts seeded earlier already made their 售后 revisits through the hooks."""

from datetime import date, datetime, time

from crm.calendar import SHANGHAI
from customers.models import Customer

from .models.revisits import ProjectStageEvent, RevisitPlan
from .services.revisits import revisit_plan_create, stage_event_record


def seed_revisits(*, today: date, users: dict, light: bool = False) -> list[str]:
    if ProjectStageEvent.objects.exists():
        return []
    now = datetime.combine(today, time(9), SHANGHAI)
    made = 0
    for username in ("east.sales1", "east.sales2"):
        seller = users.get(username)
        if seller is None:
            continue
        for customer in Customer.objects.filter(holder=seller, is_invalid=False).order_by("pk")[:2]:
            stage_event_record(
                actor=seller,
                customer=customer,
                stage=ProjectStageEvent.Stage.DEPOSIT,
                occurred_on=today,
                now=now,
            )
            revisit_plan_create(
                actor=seller,
                customer=customer,
                kind=RevisitPlan.Kind.REALTIME,
                due_on=today,
                note="",
                now=now,
            )
            made += 2
    return [f"revisit plans: {made}"] if made else []
