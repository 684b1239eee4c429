"""Demo ledger for `seed_demo`: the scans run once, a manager has recorded a fine and a reward,
and one entry is already confirmed, so every ledger page has something to show."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from crm.calendar import SHANGHAI
from customers.models import Deal, InquiryCall

from .models import LedgerEntry, PenaltyRule
from .services import ManualEntry, ledger_confirm, ledger_record, penalties_scan


def _seed_inquiries(today: date) -> int:
    """Inquiry calls before the demo deals (2–5 per deal), so the success rates (004: the
    约见 and 整年 rates count callers) have something to show on the dashboards."""
    rng = random.Random(7)
    calls = []
    deals = Deal.objects.select_related("customer").filter(occurred_at__date__lte=today)
    for deal in deals:
        for _ in range(rng.randint(2, 5)):
            at = deal.occurred_at - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 5))
            calls.append(
                InquiryCall(
                    phone=deal.customer.phone or "",
                    caller_name="",
                    content="来电咨询价格和工期。",
                    customer=deal.customer,
                    author_id=deal.author_id,
                    occurred_at=at,
                    entered_at=at + timedelta(minutes=10),
                )
            )
    InquiryCall.objects.bulk_create(calls, batch_size=500)
    return len(calls)


def seed_penalties(*, today: date, users: dict, light: bool = False) -> list[str]:
    if LedgerEntry.objects.exists():
        return []
    if not InquiryCall.objects.exists():
        _seed_inquiries(today)
    now = datetime.combine(today, time(1), SHANGHAI)
    result = penalties_scan(as_of=today, now=now)
    manager, sales = users.get("east.manager"), users.get("east.sales1")
    if manager is None or sales is None:
        return [f"奖惩台账：扫描提议 {result.total} 条"]
    thin = ledger_record(
        actor=manager,
        entry=ManualEntry(
            person=sales,
            rule=PenaltyRule.objects.get(code="THIN_CONTENT"),
            amount=Decimal(20),
            reason="跟踪记录只写了“已联系”，没有内容。",
            occurred_on=today - timedelta(days=1),
        ),
        now=now,
    )
    ledger_confirm(actor=manager, entry=thin, now=now + timedelta(minutes=5))
    ledger_record(
        actor=manager,
        entry=ManualEntry(
            person=users.get("east.sales2", sales),
            rule=PenaltyRule.objects.get(code="REWARD_MONEY"),
            amount=Decimal(-200),
            reason="本月签单第一名。",
            occurred_on=today - timedelta(days=1),
        ),
        now=now,
    )
    return [f"奖惩台账：扫描提议 {result.total} 条；经理录入 2 条（1 条已确认）"]
