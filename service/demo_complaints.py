"""Demo complaints for `seed_demo`: four complaints about east.sales1's customers, one at each
of 受理 (overdue), 调查, 处理 and 归档, taken by the east accountant at the counter."""

from datetime import date, datetime, time, timedelta

from crm.calendar import SHANGHAI
from customers.models import Customer

from .models import Complaint, ComplaintCategory
from .services.complaints import (
    ComplaintData,
    complaint_archive,
    complaint_confirm,
    complaint_handle,
    complaint_investigate,
    complaint_take,
    ensure_categories,
)

COMPLAINTS = [
    ("Construction progress", "客厅吊顶延期一周未完工，工地无人。", 4),
    ("Design problem", "厨房设计图与现场尺寸不符，柜门打不开。", 3),
    ("Material quality", "地砖有色差，要求更换。", 2),
    ("Staff service attitude", "电话咨询时客服态度冷淡。", 0),
]


def seed_complaints(*, today: date, users: dict, light: bool = False) -> list[str]:
    clerk = users.get("acct.east") or users.get("east.sales2")
    seller, manager = users.get("east.sales1"), users.get("east.manager")
    if clerk is None or seller is None or manager is None or Complaint.objects.exists():
        return []
    ensure_categories()
    customers = list(Customer.objects.filter(holder=seller).order_by("pk")[: len(COMPLAINTS)])
    department = seller.staff.department
    made = 0
    for index, (customer, (category, content, steps)) in enumerate(
        zip(customers, COMPLAINTS, strict=False)
    ):
        at = datetime.combine(today - timedelta(days=10 - index * 2), time(10), SHANGHAI)
        complaint = complaint_take(
            actor=clerk,
            data=ComplaintData(
                complainant=customer.name,
                category=ComplaintCategory.objects.get(name=category),
                content=content,
                department=department,
                responsible=seller,
                customer=customer,
            ),
            now=at,
        )
        made += 1
        later = at + timedelta(hours=3)
        if steps >= 1:
            complaint_investigate(
                actor=manager, complaint=complaint, note="已致电客户致歉，当天安排核查。", now=later
            )
        if steps >= 2:
            complaint_handle(
                actor=manager,
                complaint=complaint,
                findings="现场核实属实。",
                resolution="安排返工并赠送保养一次。",
                now=later + timedelta(days=1),
            )
        if steps >= 3:
            complaint_confirm(
                actor=manager,
                complaint=complaint,
                satisfied=True,
                note="客户表示满意。",
                now=later + timedelta(days=2),
            )
        if steps >= 4:
            complaint_archive(actor=manager, complaint=complaint, now=later + timedelta(days=2))
    return [f"complaints: {made} taken"]
