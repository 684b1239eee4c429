"""Demo customers for `seed_demo`: a few hundred realistic Chinese customers over holders and
pools, registered through the real services (keys, events, history)."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from crm.calendar import SHANGHAI

from .models import Customer, Pool
from .services import customer_register, deal_record, followup_log, ownership_transfer

MARKER = "演示数据"
CITIES = ["上海", "杭州", "苏州", "南京", "宁波", "广州", "深圳", "佛山", "东莞", "厦门"]
WORDS = [
    "华信",
    "恒通",
    "宏达",
    "金鼎",
    "瑞丰",
    "新锐",
    "鼎盛",
    "天成",
    "博远",
    "中联",
    "永嘉",
    "嘉禾",
    "正泰",
    "海纳",
    "明珠",
    "东方",
    "汇通",
    "盛世",
    "光华",
    "腾达",
]
TRADES = ["建材", "装饰工程", "家居", "贸易", "科技", "实业", "地产", "酒店管理", "物业", "电器"]
SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许"
    "韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "海燕",
    "晓东",
    "丹",
    "鹏",
]
STREETS = ["中山路", "人民路", "解放路", "建设路", "和平路", "长江路", "滨江大道", "世纪大道"]
SOURCES = ["phone", "online", "friend", "media", "designer", "community", "site", "store"]
NATURES = ["direct_user", "distributor", "supplier", "special", "other"]


def _person(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _data(rng, n: int, department_region: str, used: set[str]) -> dict:
    city = rng.choice(CITIES)
    organisation = rng.random() < 0.7
    if organisation:
        name = f"{city}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司"
        if name in used:
            name = name.replace("有限公司", f"{rng.choice(CITIES)}分公司")
        if name in used:
            name = name.replace("分公司", f"第{n}分公司")
        used.add(name)
    else:
        name = _person(rng)
    complete = rng.random() < 0.55
    data = {
        "name": name,
        "is_organisation": organisation,
        "nature": rng.choice(NATURES) if organisation else "direct_user",
        "address": f"{city}市{rng.choice(STREETS)}{rng.randint(1, 999)}号",
        "postcode": f"{rng.randint(100000, 999999)}",
        "phone": f"1{rng.choice('3589')}{rng.randint(0, 9)}{n:08d}"[:11],
        "fax": f"0{rng.randint(20, 29)}{rng.randint(60000000, 69999999)}" if complete else "",
        "legal_representative": _person(rng) if organisation else name,
        "tax_id": f"91{rng.randint(310000, 449999)}MA{n:07d}X"[:18]
        if complete and organisation
        else "",
        "bank": rng.choice(["中国工商银行", "中国建设银行", "招商银行", "中国银行"])
        if complete
        else "",
        "bank_account": f"6222{rng.randint(10**11, 10**12 - 1)}" if complete else "",
        "customer_class": rng.choice(["important", "ordinary", "potential", "potential"]),
        "intent_grade": rng.choice("AABBBCCCCDD"),
        "source": rng.choice(SOURCES),
        "region": department_region,
    }
    return data


def seed_customers(*, today: date, users: dict, light: bool = False) -> list[str]:
    if Customer.objects.filter(source_note=MARKER).exists():
        return [f"演示客户已存在：{Customer.objects.filter(source_note=MARKER).count()} 位"]
    rng = random.Random(2026)
    # Store staff get their customers from the visitor register (stores demo), not from here.
    sales = [
        u
        for u in users.values()
        if u.staff.role == "salesperson" and u.staff.department and not u.staff.position
    ]
    n = 0
    pooled = company = 0
    used: set[str] = set()
    records = {"followups": 0, "late": 0, "deals": 0}
    latest = datetime.combine(today, time(0, 30), SHANGHAI)
    for person in sales:
        region = person.staff.department.region
        for _ in range(rng.randint(5, 8) if light else rng.randint(24, 40)):
            n += 1
            registered = datetime.combine(
                today - timedelta(days=rng.randint(3, 300)), time(rng.randint(9, 18)), SHANGHAI
            )
            data = _data(rng, n, region, used) | {"source_note": MARKER}
            contacts = []
            if data["is_organisation"]:
                contacts.append(
                    {
                        "name": _person(rng),
                        "gender": rng.choice("MF"),
                        "title": rng.choice(["采购经理", "总经理", "项目经理", "行政主管"]),
                        "mobile": f"17{n:09d}"[:11],
                    }
                )
            customer = customer_register(actor=person, data=data, contacts=contacts, now=registered)
            roll = rng.random()
            if customer.holder_id:
                for key, value in _records(
                    rng, customer, person, registered, latest, light=light
                ).items():
                    records[key] += value
            if customer.holder_id and roll < 0.14:
                ownership_transfer(
                    customer=customer,
                    to_pool=Pool.DEPARTMENT,
                    kind="reclaim",
                    actor=None,
                    now=min(registered + timedelta(days=95), latest),
                    reason="演示：90 天无成交",
                )
                pooled += 1
            elif customer.holder_id and roll < 0.2:
                ownership_transfer(
                    customer=customer,
                    to_pool=Pool.COMPANY,
                    kind="reclaim",
                    actor=None,
                    now=min(registered + timedelta(days=185), latest),
                    reason="演示：6 个月无成交",
                )
                company += 1
    return [
        f"演示客户：{n} 位（部门公共池 {pooled}，公司公共池 {company}）；"
        f"跟踪记录 {records['followups']} 条（迟录 {records['late']} 条），"
        f"购买记录 {records['deals']} 条"
    ]


VISITS = [
    (
        "home_visit",
        "上门量房，客户家里{room}需要重新装修，预算约{budget}万元，约定{days}天后出方案。",
    ),
    ("callback", "电话回访，客户对上次报价{opinion}，希望再优惠一些，已申请特价。"),
    ("store_visit", "客户到店看样品，重点看了{product}，对颜色比较满意，下周带家人再来。"),
    ("online", "微信沟通，发送了{product}的案例图片和报价单，客户表示会认真考虑。"),
    ("callback", "电话回访安装效果，客户反馈{opinion}，提出{room}踢脚线需要补装。"),
]
ROOMS = ["客厅", "卧室", "书房", "厨房", "阳台"]
PRODUCTS = ["实木复合地板", "强化地板", "木门", "整体橱柜", "衣柜"]
OPINIONS = ["基本满意", "比较满意", "有些犹豫", "觉得价格偏高"]


def _records(rng, customer, person, registered, latest, *, light):
    """Months of follow-ups and some deals, entered like people do: mostly the same or next
    morning, sometimes days late."""
    count = {"followups": 0, "late": 0, "deals": 0}
    span = max((latest - registered).days, 1)
    visits = rng.randint(0, 2) if light else rng.randint(0, 6)
    for _ in range(visits):
        occurred = registered + timedelta(days=rng.randint(0, span), hours=rng.randint(0, 6))
        occurred = min(occurred, latest - timedelta(hours=1))
        late = rng.random() < 0.12
        entered = occurred + (
            timedelta(days=rng.randint(2, 5)) if late else timedelta(minutes=rng.randint(10, 600))
        )
        entered = min(entered, latest)
        kind, text = rng.choice(VISITS)
        record = followup_log(
            actor=person,
            customer=customer,
            now=entered,
            data={
                "kind": kind,
                "occurred_at": occurred,
                "content": text.format(
                    room=rng.choice(ROOMS),
                    budget=rng.randint(3, 30),
                    days=rng.randint(2, 7),
                    product=rng.choice(PRODUCTS),
                    opinion=rng.choice(OPINIONS),
                ),
                "satisfaction": rng.choice(
                    ["satisfied", "satisfied", "neutral", "unsatisfied", ""]
                ),
            },
        )
        count["followups"] += 1
        count["late"] += record.is_late
    if rng.random() < (0.1 if light else 0.25):
        occurred = registered + timedelta(days=rng.randint(0, span))
        occurred = min(occurred, latest - timedelta(hours=1))
        quantity = rng.randint(5, 120)
        price = rng.choice([88, 128, 168, 238, 3200, 6800])
        amount = Decimal(quantity * price)
        deal_record(
            actor=person,
            customer=customer,
            now=min(occurred + timedelta(hours=rng.randint(1, 30)), latest),
            data={
                "occurred_at": occurred,
                "product": rng.choice(PRODUCTS),
                "quantity": Decimal(quantity),
                "amount": amount,
                "paid": amount if rng.random() < 0.7 else amount / 2,
            },
        )
        count["deals"] += 1
    return count


def seed_quality_examples(*, today: date, users: dict, light: bool = False) -> list[str]:
    """A few records as they arrive from old spreadsheets, written past the registration
    service (which would refuse them), so the duplicate and fake-data report has something
    to show: a contact carrying another customer's phone, a near-identical name, and a
    placeholder customer."""
    from .models import Contact

    east = list(
        Customer.objects.filter(holder__username__startswith="east.sales").order_by("pk")[:2]
    )
    if len(east) < 2 or Customer.objects.filter(name="测试客户").exists():
        return []
    first, second = east
    registered = datetime.combine(today - timedelta(days=3), time(9), SHANGHAI)
    Contact.objects.create(customer=second, name="采购刘经理", gender="m", mobile=first.phone)
    twin = Customer.objects.create(
        name=f"{first.name.replace('有限公司', '')} 有限责任公司",
        nature=first.nature,
        address=first.address,
        phone="",
        department=first.department,
        holder=second.holder,
        acquired_via="self_registered",
        registered_by=second.holder,
        registered_at=registered,
        holder_since=registered,
        source="phone",
    )
    fake = Customer.objects.create(
        name="测试客户",
        address="无",
        phone="13800000000",
        department=first.department,
        holder=first.holder,
        acquired_via="self_registered",
        registered_by=first.holder,
        registered_at=registered,
        holder_since=registered,
        source="phone",
    )
    from .models import OwnershipEvent
    from .services.completeness import apply_completeness

    for customer in (twin, fake):
        apply_completeness(customer)
        customer.save(update_fields=["is_incomplete", "completion_due"])
        # Past the registration service, but not past the ownership record: sales credit and
        # the reclaim clocks read who held it when from the events (SPEC §3).
        OwnershipEvent.objects.create(
            customer=customer,
            kind="self_registered",
            to_holder=customer.holder,
            department=customer.department,
            actor=customer.holder,
            at=registered,
            reason="旧表格导入",
        )
    return [f"资料质量示例：{twin.name}、测试客户（见 重复与虚假资料）"]
