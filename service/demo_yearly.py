"""Demo yearly evaluations for `seed_demo`: two of east.sales2's customers with deals this year
are evaluated, one with the east manager's part too; east.sales1's wait for the holder (the
browser journey fills them)."""

from datetime import date, datetime, time

from crm.calendar import SHANGHAI

from .models import YearlyEvaluation
from .selectors.yearly import due_customers
from .services.yearly import yearly_evaluation_add_manager, yearly_evaluation_submit

EVALUATIONS = [
    {
        "transaction_grade": "good",
        "transaction_note": "全年两次下单，回款及时。",
        "credit_grade": "A",
        "credit_note": "按期付款，无拖欠。",
        "contact_grade": "good",
        "contact_note": "采购负责人沟通顺畅，决策快。",
    },
    {
        "transaction_grade": "fair",
        "transaction_note": "订单量一般，有一笔尾款延后。",
        "credit_grade": "B",
        "credit_note": "偶有延期，但都结清。",
        "contact_grade": "fair",
        "contact_note": "对接人更换过一次。",
    },
]


def seed_yearly(*, today: date, users: dict, light: bool = False) -> list[str]:
    seller, manager = users.get("east.sales2"), users.get("east.manager")
    if seller is None or YearlyEvaluation.objects.exists():
        return []
    year = today.year
    customers = list(due_customers(year).filter(holder=seller).order_by("pk")[: len(EVALUATIONS)])
    at = datetime.combine(today, time(16), SHANGHAI)
    made = []
    for customer, data in zip(customers, EVALUATIONS, strict=False):
        made.append(
            yearly_evaluation_submit(actor=seller, customer=customer, year=year, data=data, now=at)
        )
    if made and manager is not None:
        yearly_evaluation_add_manager(
            actor=manager, evaluation=made[0], note="重点客户，明年继续维护。", now=at
        )
    return [f"yearly evaluations: {len(made)} submitted for {year}"]
