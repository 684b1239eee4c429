"""Demo sales for `seed_demo`: opportunities in every stage with their actions, signed contracts
with collection plans (one partly paid, one overdue), a return, a dormant customer with a
cross-sale waiting for the manager and a credit transfer waiting for approval — so every sales
page has something to show on the first start."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from crm.calendar import SHANGHAI
from customers.models import Customer

from .models import Contract, Opportunity, Stage
from .rights import may_record_collection
from .services.contracts import collection_record, contract_create, contract_sign
from .services.credit import credit_transfer_propose
from .services.dormant import cross_sale_request, dormant_mark
from .services.opportunities import opportunity_action_log, opportunity_create, opportunity_move

PRODUCTS = [
    ("实木地板 全屋铺装", Decimal("186")),
    ("定制衣柜 主卧+次卧", Decimal("4200")),
    ("整体橱柜 U 型", Decimal("9800")),
    ("瓷砖 客餐厅 800×800", Decimal("128")),
]
ACTION = "电话沟通方案细节，客户确认了面积和预算，约定本周内到店看样。"


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


def _held(user, count: int) -> list[Customer]:
    return list(Customer.objects.filter(holder=user).order_by("pk")[:count])


def _pipeline(seller, customers, *, today: date) -> tuple[int, list[Contract]]:
    """One opportunity per customer, walked to a different stage each; the won ones get a
    signed contract with a two- or three-instalment plan."""
    opened = today - timedelta(days=75)
    stages = [Stage.CONTACT, Stage.NEEDS, Stage.PROPOSAL, Stage.NEGOTIATION, Stage.WON, Stage.WON]
    path = [Stage.NEEDS, Stage.PROPOSAL, Stage.NEGOTIATION, Stage.WON]
    contracts, made = [], 0
    for i, customer in enumerate(customers):
        target = stages[i % len(stages)]
        product, price = PRODUCTS[i % len(PRODUCTS)]
        quantity = Decimal(40 + 10 * i) if price < 1000 else Decimal(1 + i % 2)
        opportunity = opportunity_create(
            actor=seller,
            customer=customer,
            data={
                "product": product,
                "expected_amount": price * quantity,
                "expected_close": today + timedelta(days=20 + 5 * i),
            },
            now=_at(opened + timedelta(days=i)),
        )
        made += 1
        step_day = opened + timedelta(days=i + 3)
        opportunity_action_log(
            actor=seller,
            opportunity=opportunity,
            data={"kind": "callback", "occurred_at": _at(step_day, 15), "content": ACTION},
            now=_at(step_day, 17),
        )
        for stage in path[: path.index(target) + 1] if target != Stage.CONTACT else []:
            step_day += timedelta(days=6)
            opportunity_move(
                actor=seller, opportunity=opportunity, stage=stage, now=_at(step_day, 11)
            )
        if target == Stage.WON:
            signed = step_day + timedelta(days=2)
            total = price * quantity
            first = (total * Decimal("0.3")).quantize(Decimal("1"))
            contract = contract_create(
                actor=seller,
                customer=customer,
                opportunity=opportunity,
                data={"title": product, "settlement_method": "goods_first"},
                lines=[{"product": product, "quantity": quantity, "unit_price": price}],
                instalments=[
                    {"due_on": signed + timedelta(days=7), "amount": first},
                    {"due_on": signed + timedelta(days=37), "amount": total - first},
                ],
                now=_at(signed, 9),
            )
            contracts.append(
                contract_sign(
                    actor=seller, contract=contract, signed_at=_at(signed, 14), now=_at(signed, 16)
                )
            )
    return made, contracts


def seed_sales(*, today: date, users: dict, light: bool = False) -> list[str]:
    if Opportunity.objects.exists():
        return []
    lines = []
    sellers = ["east.sales1", "east.sales2"] + ([] if light else ["sh.sales1", "south.sales1"])
    accountants = [users[name] for name in ("acct.east", "acct.south") if name in users]
    opened, contracts = 0, []
    for username in sellers:
        seller = users.get(username)
        if seller is None:
            continue
        made, signed = _pipeline(seller, _held(seller, 6), today=today)
        opened += made
        contracts += signed
    # Finance records the first instalment of each contract (one only in part), so the
    # receivables show paid, partly paid and overdue instalments side by side.
    for i, contract in enumerate(contracts):
        accountant = next(
            (a for a in accountants if may_record_collection(a, contract.customer)), None
        )
        if accountant is None:
            continue
        first = contract.instalments.order_by("seq").first()
        if first.due_on > today:
            continue
        amount = first.amount if i % 2 == 0 else (first.amount / 2).quantize(Decimal("1"))
        collection_record(
            actor=accountant,
            instalment=first,
            amount=amount,
            received_on=first.due_on,
            method="银行转账",
            now=_at(first.due_on, 16),
        )
    lines.append(f"销售演示：{opened} 个销售机会，{len(contracts)} 份已签合同（含回款与逾期分期）")
    acct, seller, holder = (
        users.get("acct.east"),
        users.get("east.sales2"),
        users.get("east.sales1"),
    )
    now = _at(today, 9)
    if acct and seller and holder:
        # Past the six the pipeline used: a customer with nothing going on.
        quiet = Customer.objects.filter(holder=holder).order_by("pk")[8:9].first()
        if quiet is not None:
            mark = dormant_mark(
                actor=acct,
                customer=quiet,
                reason="两年无购买，电话多次未接通",
                now=now - timedelta(days=3),
            )
            cross_sale_request(
                actor=seller,
                customer=quiet,
                data={
                    "product": "瓷砖 厨卫 300×600",
                    "quantity": Decimal("60"),
                    "amount": Decimal("5400"),
                    "occurred_at": now - timedelta(hours=20),
                    "note": "客户到店直接购买，由我接待成交",
                },
                now=now,
            )
            lines.append(
                f"沉默客户：{quiet.name}（{mark.reason}），{seller.display_name} 的交叉销售待审批"
            )
        sold = next((c for c in contracts if c.credited_to_id == holder.pk), None)
        if sold is not None:
            credit_transfer_propose(
                actor=acct,
                sale=sold,
                shares=[{"to_user": seller, "percent": Decimal("30")}],
                reason="王芳协助完成方案设计与报价，按制度划分 30% 业绩",
                now=now,
            )
            lines.append(
                f"业绩划转：合同 {sold.number} 的 30% 划给 {seller.display_name}，待经理审批"
            )
    return lines
