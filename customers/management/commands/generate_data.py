"""python manage.py generate_data --customers 1000000 --staff 10000 --departments 200 \\
        --followups 20000000 [--seed 42] [--today 2026-11-16] [--prefix gen]

Scale data for benchmarks: a department tree (regional parents with sales departments under
them), staff in their roles, customers held and in the pools with a realistic acquisition mix,
one phone key each, follow-ups, and the deals behind `last_deal_at`.

Reproducible: the same seed, sizes, `--today` and starting database give the same rows.

The data is a steady state — what a system whose reclaim rules have been running looks like on
`--today`: every held customer's clocks are inside their windows (a holder follow-up within the
last 20 days; customers held longer than the no-deal window have a deal inside it), so a sweep
as of `--today` moves nothing and later dates bring customers due day by day. The clocks are
computed from the generated rows: `last_followup_at` is the latest follow-up written by a holder
(`by_holder`), `last_deal_at` / `first_deal_at` the latest / first deal.

On PostgreSQL the four big tables are loaded with COPY inside one transaction: their secondary
indexes and foreign keys are dropped for the load and recreated (the keys validated) before the
commit, sequences are moved past the new ids, and the tables are analysed. Elsewhere (SQLite, for
tests) the same rows are bulk-inserted, for small sizes only. Organisation rows are bulk-created;
managers, the general manager and accountants get their rights from `staff_sync_access`,
salespeople only their group. Not generated: contacts, ownership events, history rows, referrals.
"""

import random
import time
from datetime import date, datetime, timedelta

from constance import config
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from crm.calendar import SHANGHAI, is_workday, overrides_between
from crm.models import Department, Staff, User
from crm.services import staff_sync_access
from customers.models import Customer, CustomerKey, Deal, FollowUp

MINUTES_PER_DAY = 1440
HOLDING_DAYS = 426  # holder_since spreads over the past 14 months
EARLIER_DAYS = 720  # how long before the current holder a customer may have been registered
RECENT_FOLLOWUP_DAYS = 20  # every holder followed up within this (the monthly rule)
SELF_WINDOW_DAYS = 181  # the shortest 6 months
ISSUED_WINDOW_DAYS = 90
WINDOW_MARGIN_DAYS = 2
CHUNK = 2000  # customers generated per step
SMALL_LIMITS = {"customers": 200_000, "followups": 2_000_000}  # without PostgreSQL

ACQUIRED = [
    ("self_registered", 50),
    ("distributed", 25),
    ("claimed", 10),
    ("swap", 5),
    ("handover", 7),
    ("dispute_ruling", 3),
]
SELF_SOURCES = [
    ("phone", 30),
    ("walk_in", 15),
    ("online", 15),
    ("friend", 10),
    ("exhibition", 8),
    ("media", 7),
    ("designer", 6),
    ("site", 5),
    ("community", 4),
]
FOLLOWUP_KINDS = [
    ("callback", 45),
    ("home_visit", 20),
    ("store_visit", 15),
    ("online", 12),
    ("inquiry", 3),
    ("other", 5),
]
SATISFACTION = [("", 60), ("satisfied", 25), ("neutral", 13), ("unsatisfied", 2)]
GRADES = [("A", 15), ("B", 30), ("C", 35), ("D", 20)]
CREDIT = [("", 60), ("A", 10), ("B", 15), ("C", 10), ("D", 5)]
NATURES = [
    ("direct_user", 40),
    ("distributor", 25),
    ("supplier", 15),
    ("special", 10),
    ("other", 10),
]
SETTLEMENTS = [("cash", 50), ("rolling", 30), ("goods_first", 20)]
CONTENTS = [
    "电话回访，客户对报价基本认可，约定下周上门详谈",
    "上门拜访，了解客户新店装修进度和采购计划",
    "客户来店看样，重点关注环保等级和交货周期",
    "微信沟通方案细节，客户要求补充安装说明资料",
    "回访上次送货情况，客户反馈安装顺利无问题",
    "客户咨询批量采购优惠政策，已发送价格表",
    "电话联系未接通，短信告知近期促销活动信息",
    "陪同客户参观工厂展厅，客户对工艺比较满意",
    "客户提出付款方式调整，需向经理申请审批",
    "节前问候并确认年后的订货计划和数量安排",
    "上门测量现场尺寸，约定三天内出具设计方案",
    "客户比较了两家报价，我方价格略高需再沟通",
]
PRODUCTS = ["实木复合地板", "强化地板", "木门", "整体橱柜", "衣柜定制", "墙板护墙"]
CATEGORIES = ["地板", "木门", "橱柜", "定制家具", "装饰材料"]
BANKS = ["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "招商银行", "交通银行"]
CITIES = ["上海", "杭州", "南京", "苏州", "宁波", "合肥", "广州", "深圳", "成都", "武汉"]
ROADS = ["人民", "建设", "中山", "解放", "长江", "和平", "新华", "迎宾"]
REGIONS = ["华东", "华南", "华北", "华中", "西南", "西北", "东北"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明"]


def table(weights):
    """A lookup list: `values[int(random() * len(values))]` draws with these weights."""
    values = []
    for value, weight in weights:
        values.extend([value] * weight)
    return values


class Calendar:
    """Times are whole minutes counted from local midnight of `origin` (Asia/Shanghai); the
    tables turn them into COPY text (or datetimes) without per-row date arithmetic."""

    def __init__(self, *, today: date, span_days: int, after_days: int = 60):
        self.origin = today - timedelta(days=span_days)
        self.today = span_days * MINUTES_PER_DAY
        days = span_days + after_days
        dates = [self.origin + timedelta(days=d) for d in range(days)]
        self.date_text = [d.isoformat() for d in dates]
        self.clock_text = [f" {m // 60:02d}:{m % 60:02d}:00+08" for m in range(MINUTES_PER_DAY)]
        # Entry deadline of each day: the configured hour on the next working day after it.
        ahead = days + 40
        overrides = overrides_between(self.origin, self.origin + timedelta(days=ahead))
        workday = [
            is_workday(self.origin + timedelta(days=d), overrides=overrides) for d in range(ahead)
        ]
        hour = config.ENTRY_DEADLINE_HOUR * 60
        self.deadline = [0] * days
        following = ahead
        for d in range(ahead - 1, -1, -1):
            if d < days:
                self.deadline[d] = following * MINUTES_PER_DAY + hour
            if workday[d]:
                following = d
        months = config.COMPLETION_MONTHS_AFTER_DEAL
        self.after_deal = [(d + relativedelta(months=months)).isoformat() for d in dates]
        self.origin_dt = datetime.combine(self.origin, datetime.min.time(), SHANGHAI)

    def text(self, minute: int) -> str:
        day, rest = divmod(minute, MINUTES_PER_DAY)
        return self.date_text[day] + self.clock_text[rest]

    def dt(self, minute: int | None) -> datetime | None:
        if minute is None:
            return None
        return (self.origin_dt + timedelta(minutes=minute)).astimezone(SHANGHAI)

    def day(self, text: str) -> date:
        return date.fromisoformat(text)


class Generator:
    """Draws every row from one seeded random stream, in a fixed order."""

    def __init__(self, *, rng, cal, people, customers, followups, ids):
        self.rng = rng
        self.cal = cal
        self.people = people
        self.total = customers
        self.q, self.r = divmod(followups, customers) if customers else (0, 0)
        self.customer_id = ids["customer"]
        self.key_id = ids["key"]
        self.followup_id = ids["followup"]
        self.deal_id = ids["deal"]
        self.acquired = table(ACQUIRED)
        self.self_sources = table(SELF_SOURCES)
        self.kinds = table(FOLLOWUP_KINDS)
        self.satisfaction = table(SATISFACTION)
        self.grades = table(GRADES)
        self.credit = table(CREDIT)
        self.natures = table(NATURES)
        self.settlements = table(SETTLEMENTS)
        self.deviation = 0
        self.made = 0

    def work_time(self, minute: int, lo: int, hi: int) -> int:
        """Squeeze a minute into office hours (08:30–20:30) of its day, within [lo, hi)."""
        day, rest = divmod(minute, MINUTES_PER_DAY)
        minute = day * MINUTES_PER_DAY + 510 + rest // 2
        return min(max(minute, lo), hi - 1)

    def count(self, i: int) -> int:
        """Follow-ups of the i-th customer: the requested total exactly, varied in pairs."""
        extra = 1 if i < self.r else 0
        if i % 2 == 0:
            half = self.q // 2
            self.deviation = self.rng.randint(-half, half) if i + 1 < self.total else 0
            return self.q + self.deviation + extra
        return self.q - self.deviation + extra

    def chunk(self, size: int):
        """The next `size` customers: (customers, keys, follow-ups, deals) as raw tuples."""
        rnd = self.rng.random
        cal = self.cal
        today = cal.today
        people = self.people
        sales = people["sales"]
        n_sales = len(sales)
        customers, keys, followups, deals = [], [], [], []
        for _ in range(size):
            i = self.made
            self.made += 1
            cid = self.customer_id
            self.customer_id += 1
            roll = rnd()
            via = self.acquired[int(rnd() * len(self.acquired))]
            if roll < 0.85:  # held
                pool = ""
                holder, department, hired = sales[int(rnd() * n_sales)]
                since = today - int(rnd() * HOLDING_DAYS * MINUTES_PER_DAY) - 60
                if since < hired:
                    since = hired + int(rnd() * (today - 60 - hired))
                since = self.work_time(since, since - MINUTES_PER_DAY, today - 60)
                if via == "self_registered":
                    registered, registrar = since, holder
                else:
                    registered = since - int((1 + rnd() * EARLIER_DAYS) * MINUTES_PER_DAY)
                    registrar = sales[int(rnd() * n_sales)][0]
                previous = registrar
            else:
                holder = None
                pool = "department" if roll < 0.95 else "company"
                department = people["departments"][int(rnd() * len(people["departments"]))]
                since = today - int(rnd() * HOLDING_DAYS * MINUTES_PER_DAY) - 60
                registered = since - int((1 + rnd() * EARLIER_DAYS) * MINUTES_PER_DAY)
                members = people["members"][department]
                previous = registrar = members[int(rnd() * len(members))]
                if pool == "company":
                    department = None
            if via == "distributed":
                source = "company"
            else:
                source = self.self_sources[int(rnd() * len(self.self_sources))]
            manager = people["managers"].get(department)

            # --- follow-ups: (time, author, by_holder)
            n = self.count(i)
            records = []
            if holder is not None:
                if n:
                    lo = max(since, today - RECENT_FOLLOWUP_DAYS * MINUTES_PER_DAY)
                    t = self.work_time(lo + int(rnd() * (today - lo)), since, today)
                    records.append((t, holder, True))
                for _ in range(n - 1):
                    t = registered + int(rnd() * (today - registered))
                    t = self.work_time(t, registered, today)
                    if t < since:
                        records.append((t, previous, True))
                    elif manager and rnd() < 0.05:
                        records.append((t, manager, False))
                    else:
                        records.append((t, holder, True))
            else:
                for _ in range(n):
                    t = registered + int(rnd() * (since - registered))
                    t = self.work_time(t, registered, since)
                    if manager and rnd() < 0.03:
                        records.append((t, manager, False))
                    else:
                        records.append((t, previous, True))

            # --- deals (at a holder's follow-up: the visit that closed it)
            picks = []
            if holder is not None:
                window = SELF_WINDOW_DAYS if via == "self_registered" else ISSUED_WINDOW_DAYS
                recent = today - (window - WINDOW_MARGIN_DAYS) * MINUTES_PER_DAY
                own = [j for j, r in enumerate(records) if r[1] == holder and r[2]]
                if since < recent:  # held longer than the window: a deal inside it
                    own = [j for j in own if records[j][0] >= recent]
                    if own:
                        picks.append(own[int(rnd() * len(own))])
                elif own and rnd() < 0.3:
                    picks.append(own[int(rnd() * len(own))])
                elif rnd() < 0.1:
                    earlier = [j for j, r in enumerate(records) if r[0] < since and r[2]]
                    if earlier:
                        picks.append(earlier[int(rnd() * len(earlier))])
            elif rnd() < 0.15:
                theirs = [j for j, r in enumerate(records) if r[2]]
                if theirs:
                    picks.append(theirs[int(rnd() * len(theirs))])
            if picks and rnd() < 0.4:
                last = records[picks[0]][0]
                before = [j for j, r in enumerate(records) if r[2] and r[0] < last]
                if before:
                    picks.append(before[int(rnd() * len(before))])

            last_followup = None
            rows = []
            for t, author, by_holder in records:
                deadline = cal.deadline[t // MINUTES_PER_DAY]
                if rnd() < 0.12:
                    entered = deadline + 1 + int(rnd() * 3 * MINUTES_PER_DAY)
                else:
                    entered = min(t + 5 + int(rnd() * 240), deadline)
                entered = min(entered, today + 480)
                late = entered > deadline
                rows.append((t, entered, deadline, late))
                if by_holder and (last_followup is None or t > last_followup):
                    last_followup = t
                followups.append(
                    (
                        self.followup_id,
                        t,
                        entered,
                        deadline,
                        late,
                        self.kinds[int(rnd() * len(self.kinds))],
                        CONTENTS[int(rnd() * len(CONTENTS))],
                        self.satisfaction[int(rnd() * len(self.satisfaction))],
                        by_holder,
                        author,
                        cid,
                    )
                )
                self.followup_id += 1
            deal_times = []
            for j in picks:
                t, entered, deadline, late = rows[j]
                author = records[j][1]
                amount = 1000 * (1 + int(rnd() * 200))
                paid = amount if rnd() < 0.8 else amount // 2
                deals.append(
                    (
                        self.deal_id,
                        t,
                        entered,
                        deadline,
                        late,
                        PRODUCTS[int(rnd() * len(PRODUCTS))],
                        1 + int(rnd() * 50),
                        amount,
                        paid,
                        amount - paid,
                        "" if paid == amount else "分期付款，尾款月底结清",
                        author,
                        author,
                        cid,
                    )
                )
                self.deal_id += 1
                deal_times.append(t)
            last_deal = max(deal_times) if deal_times else None
            first_deal = min(deal_times) if deal_times else None

            # --- the archive row
            incomplete = rnd() < 0.3
            city = CITIES[cid % len(CITIES)]
            if first_deal is not None:
                due = cal.after_deal[first_deal // MINUTES_PER_DAY]
            else:
                due = cal.date_text[registered // MINUTES_PER_DAY]
            has_deal = last_deal is not None
            if has_deal:
                klass = "important" if rnd() < 0.2 else "ordinary"
            else:
                klass = "lost" if rnd() < 0.08 else "potential"
            phone = f"13{cid:09d}"
            customers.append(
                {
                    "id": cid,
                    "name": f"客户{cid:07d}有限公司",
                    "short_name": f"客户{cid:07d}",
                    "product_category": CATEGORIES[cid % len(CATEGORIES)],
                    "nature": self.natures[int(rnd() * len(self.natures))],
                    "address": f"{city}市{ROADS[cid % len(ROADS)]}路{cid % 999 + 1}号",
                    "postcode": f"{200000 + cid % 800000:06d}",
                    "phone": phone,
                    "fax": "" if incomplete else f"0{21 + cid % 70}-{cid % 10**8:08d}",
                    "legal_representative": SURNAMES[cid % len(SURNAMES)] + GIVEN[cid % len(GIVEN)],
                    "tax_id": f"91{cid:016d}",
                    "settlement_method": self.settlements[int(rnd() * len(self.settlements))],
                    "bank": BANKS[cid % len(BANKS)],
                    "bank_account": "" if incomplete else f"6222{cid:015d}",
                    "customer_class": klass,
                    "intent_grade": self.grades[int(rnd() * len(self.grades))],
                    "credit_rating": self.credit[int(rnd() * len(self.credit))],
                    "source": source,
                    "region": people["regions"].get(department, ""),
                    "department_id": department,
                    "holder_id": holder,
                    "pool": pool,
                    "holder_since": since,
                    "acquired_via": via,
                    "registered_by_id": registrar,
                    "registered_at": registered,
                    "last_followup_at": last_followup,
                    "last_deal_at": last_deal,
                    "first_deal_at": first_deal,
                    "is_incomplete": incomplete,
                    "completion_due": due if incomplete else None,
                }
            )
            keys.append((self.key_id, phone, cid))
            self.key_id += 1
        return customers, keys, followups, deals


# --- PostgreSQL COPY text (no value contains a tab, newline or backslash)

CUSTOMER_COLUMNS = [
    "id",
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
    "customer_class",
    "intent_grade",
    "credit_rating",
    "source",
    "source_note",
    "region",
    "department_id",
    "holder_id",
    "pool",
    "holder_since",
    "acquired_via",
    "registered_by_id",
    "registered_at",
    "last_followup_at",
    "last_deal_at",
    "first_deal_at",
    "is_incomplete",
    "completion_due",
    "distribution_note",
    "is_invalid",
    "invalid_reason",
]
KEY_COLUMNS = ["id", "kind", "value", "customer_id"]
FOLLOWUP_COLUMNS = [
    "id",
    "occurred_at",
    "entered_at",
    "deadline",
    "is_late",
    "kind",
    "content",
    "result",
    "next_step",
    "next_date",
    "satisfaction",
    "by_holder",
    "amends_id",
    "author_id",
    "contact_id",
    "customer_id",
]
DEAL_COLUMNS = [
    "id",
    "occurred_at",
    "entered_at",
    "deadline",
    "is_late",
    "product",
    "quantity",
    "amount",
    "gifts",
    "points",
    "paid",
    "outstanding",
    "owed_reason",
    "author_id",
    "credited_to_id",
    "customer_id",
]
N = "\\N"


def _opt(value) -> str:
    return N if value is None else str(value)


def pg_customers(cal, rows) -> str:
    ts = cal.text
    out = []
    for c in rows:
        last_followup = c["last_followup_at"]
        last_deal = c["last_deal_at"]
        first_deal = c["first_deal_at"]
        out.append(
            f"{c['id']}\t{c['name']}\t{c['short_name']}\tt\t{c['product_category']}\t"
            f"{c['nature']}\t{c['address']}\t{c['postcode']}\t{c['phone']}\t{c['fax']}\t\t\t\t"
            f"{c['legal_representative']}\t{c['tax_id']}\t{c['settlement_method']}\t"
            f"{c['bank']}\t{c['bank_account']}\t\t{c['customer_class']}\t{c['intent_grade']}\t"
            f"{c['credit_rating']}\t{c['source']}\t\t{c['region']}\t{_opt(c['department_id'])}\t"
            f"{_opt(c['holder_id'])}\t{c['pool']}\t{ts(c['holder_since'])}\t{c['acquired_via']}\t"
            f"{c['registered_by_id']}\t{ts(c['registered_at'])}\t"
            f"{N if last_followup is None else ts(last_followup)}\t"
            f"{N if last_deal is None else ts(last_deal)}\t"
            f"{N if first_deal is None else ts(first_deal)}\t"
            f"{'t' if c['is_incomplete'] else 'f'}\t{_opt(c['completion_due'])}\t\tf\t\n"
        )
    return "".join(out)


def pg_keys(rows) -> str:
    return "".join(f"{k}\tphone\t{value}\t{cid}\n" for k, value, cid in rows)


def pg_followups(cal, rows) -> str:
    ts = cal.text
    return "".join(
        f"{f[0]}\t{ts(f[1])}\t{ts(f[2])}\t{ts(f[3])}\t{'t' if f[4] else 'f'}\t{f[5]}\t{f[6]}\t"
        f"\t\t\\N\t{f[7]}\t{'t' if f[8] else 'f'}\t\\N\t{f[9]}\t\\N\t{f[10]}\n"
        for f in rows
    )


def pg_deals(cal, rows) -> str:
    ts = cal.text
    return "".join(
        f"{d[0]}\t{ts(d[1])}\t{ts(d[2])}\t{ts(d[3])}\t{'t' if d[4] else 'f'}\t{d[5]}\t{d[6]}\t"
        f"{d[7]}\t\t0\t{d[8]}\t{d[9]}\t{d[10]}\t{d[11]}\t{d[12]}\t{d[13]}\n"
        for d in rows
    )


class Chunks:
    """A file-like object for `copy_expert`: each read() returns the next chunk."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)

    def read(self, size=-1):
        return next(self._chunks, b"")

    readline = read


# --- rows for the ORM (other databases)


def orm_customers(cal, rows):
    return [
        Customer(
            **{
                **c,
                "is_organisation": True,
                "holder_since": cal.dt(c["holder_since"]),
                "registered_at": cal.dt(c["registered_at"]),
                "last_followup_at": cal.dt(c["last_followup_at"]),
                "last_deal_at": cal.dt(c["last_deal_at"]),
                "first_deal_at": cal.dt(c["first_deal_at"]),
                "completion_due": c["completion_due"] and cal.day(c["completion_due"]),
            }
        )
        for c in rows
    ]


def orm_followups(cal, rows):
    return [
        FollowUp(
            id=f[0],
            occurred_at=cal.dt(f[1]),
            entered_at=cal.dt(f[2]),
            deadline=cal.dt(f[3]),
            is_late=f[4],
            kind=f[5],
            content=f[6],
            satisfaction=f[7],
            by_holder=f[8],
            author_id=f[9],
            customer_id=f[10],
        )
        for f in rows
    ]


def orm_deals(cal, rows):
    return [
        Deal(
            id=d[0],
            occurred_at=cal.dt(d[1]),
            entered_at=cal.dt(d[2]),
            deadline=cal.dt(d[3]),
            is_late=d[4],
            product=d[5],
            quantity=d[6],
            amount=d[7],
            paid=d[8],
            outstanding=d[9],
            owed_reason=d[10],
            author_id=d[11],
            credited_to_id=d[12],
            customer_id=d[13],
        )
        for d in rows
    ]


BIG = {
    Customer._meta.db_table: CUSTOMER_COLUMNS,
    CustomerKey._meta.db_table: KEY_COLUMNS,
    FollowUp._meta.db_table: FOLLOWUP_COLUMNS,
    Deal._meta.db_table: DEAL_COLUMNS,
}


class Command(BaseCommand):
    help = "Generate scale data (organisation, customers, keys, follow-ups, deals)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1_000_000)
        parser.add_argument("--staff", type=int, default=10_000)
        parser.add_argument("--departments", type=int, default=200)
        parser.add_argument("--followups", type=int, default=20_000_000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="The data's 'today' (YYYY-MM-DD); default: today in Asia/Shanghai.",
        )
        parser.add_argument(
            "--prefix", default="gen", help="Prefix of the generated usernames and departments."
        )

    def handle(self, *args, **opts):
        started = time.perf_counter()
        self.postgres = connection.vendor == "postgresql"
        customers, followups = opts["customers"], opts["followups"]
        departments, staff = opts["departments"], opts["staff"]
        prefix = opts["prefix"]
        if customers < 1 or departments < 1 or followups < 0:
            raise CommandError("--customers and --departments must be positive.")
        if not self.postgres and (
            customers > SMALL_LIMITS["customers"] or followups > SMALL_LIMITS["followups"]
        ):
            raise CommandError(
                f"Without PostgreSQL at most {SMALL_LIMITS['customers']} customers and "
                f"{SMALL_LIMITS['followups']} follow-ups; use PostgreSQL (DATABASE_URL) for "
                "scale data."
            )
        if User.objects.filter(username=f"{prefix}.gm").exists():
            self.stdout.write(f"Data with prefix {prefix!r} already present; nothing done.")
            return
        today = opts["today"] or timezone.localdate(timezone.now(), SHANGHAI)
        rng = random.Random(opts["seed"])
        with transaction.atomic():
            cal = Calendar(today=today, span_days=HOLDING_DAYS + EARLIER_DAYS + 30)
            people = self.organisation(rng, cal, prefix, departments, staff, today)
            organised = time.perf_counter()
            self.stdout.write(
                f"organisation: {len(people['departments'])} sales departments, "
                f"{len(people['sales'])} salespeople, {staff} staff "
                f"({organised - started:.1f}s)"
            )
            self.load(rng, cal, people, customers, followups)
        if self.postgres:
            self.analyze()
        self.stdout.write(
            f"{customers} customers, {followups} follow-ups in {time.perf_counter() - started:.1f}s"
        )

    # --- organisation

    def organisation(self, rng, cal, prefix, departments, staff, today):
        regions = max(1, round(departments / 10))
        accountants = max(1, departments // 20)
        managers = regions + departments
        salespeople = staff - 1 - accountants - managers
        if salespeople < departments:
            raise CommandError(
                f"--staff {staff} is too small: {1 + accountants + managers} managers, "
                f"accountants and the general manager, and at least one salesperson per "
                f"department."
            )
        parents = Department.objects.bulk_create(
            Department(
                name=f"{prefix}-{REGIONS[r % len(REGIONS)]}{r + 1:02d}大区",
                region=REGIONS[r % len(REGIONS)],
                path="/",
            )
            for r in range(regions)
        )
        leaves = Department.objects.bulk_create(
            Department(
                name=f"{prefix}-销售{d + 1:03d}部",
                parent=parents[d % regions],
                region=parents[d % regions].region,
                path="/",
            )
            for d in range(departments)
        )
        for department in parents:
            department.path = f"/{department.pk}/"
        for d, department in enumerate(leaves):
            department.path = f"{parents[d % regions].path}{department.pk}/"
        Department.objects.bulk_update(parents + leaves, ["path"])

        plan = [("gm", Staff.Role.GENERAL_MANAGER, None, 3650 + int(rng.random() * 1000))]
        plan += [
            (f"rm{r + 1:02d}", Staff.Role.MANAGER, parents[r], 1000 + int(rng.random() * 2000))
            for r in range(regions)
        ]
        plan += [
            (f"m{d + 1:03d}", Staff.Role.MANAGER, leaves[d], 700 + int(rng.random() * 2000))
            for d in range(departments)
        ]
        plan += [
            (f"a{a + 1:02d}", Staff.Role.ACCOUNTANT, leaves[a % departments], 700)
            for a in range(accountants)
        ]
        for s in range(salespeople):
            if rng.random() < 0.03:  # hired in the last two months
                days = int(rng.random() * 60)
            else:
                days = HOLDING_DAYS + 30 + int(rng.random() * 1800)
            plan.append((f"s{s + 1:05d}", Staff.Role.SALESPERSON, leaves[s % departments], days))
        users = User.objects.bulk_create(
            (
                User(
                    username=f"{prefix}.{code}",
                    password="!generated",
                    last_name=SURNAMES[n % len(SURNAMES)],
                    first_name=GIVEN[n % len(GIVEN)] + GIVEN[(n // len(GIVEN)) % len(GIVEN)],
                    date_joined=datetime.combine(
                        today - timedelta(days=days), datetime.min.time(), SHANGHAI
                    ),
                )
                for n, (code, _, _, days) in enumerate(plan)
            ),
            batch_size=2000,
        )
        Staff.objects.bulk_create(
            (
                Staff(
                    user=user,
                    role=role,
                    department=department,
                    hire_date=today - timedelta(days=days),
                )
                for user, (_, role, department, days) in zip(users, plan, strict=True)
            ),
            batch_size=2000,
        )
        by_department = {}
        for user, (_, role, department, _) in zip(users, plan, strict=True):
            if role == Staff.Role.MANAGER:
                department.manager = user
                by_department[department.pk] = user.pk
        Department.objects.bulk_update(parents + leaves, ["manager"])
        accountant_staff = Staff.objects.filter(
            user__in=[u for u, p in zip(users, plan, strict=True) if p[1] == "accountant"]
        ).order_by("user_id")
        through = Staff.assigned_departments.through
        through.objects.bulk_create(
            through(staff_id=s.pk, department_id=leaves[d].pk)
            for a, s in enumerate(accountant_staff)
            for d in range(a, departments, accountants)
        )
        salesperson_group = Group.objects.get(name=Staff.Role.SALESPERSON)
        groups = User.groups.through
        groups.objects.bulk_create(
            (
                groups(user_id=user.pk, group_id=salesperson_group.pk)
                for user, (_, role, _, _) in zip(users, plan, strict=True)
                if role == Staff.Role.SALESPERSON
            ),
            batch_size=5000,
        )
        for user, (_, role, _, _) in zip(users, plan, strict=True):
            if role != Staff.Role.SALESPERSON:
                staff_sync_access(user=user)

        sales, members = [], {d.pk: [] for d in leaves}
        for user, (_, role, department, days) in zip(users, plan, strict=True):
            if role == Staff.Role.SALESPERSON:
                hired = cal.today - days * MINUTES_PER_DAY
                sales.append((user.pk, department.pk, hired))
                members[department.pk].append(user.pk)
        return {
            "sales": sales,
            "members": members,
            "departments": [d.pk for d in leaves],
            "managers": by_department,
            "regions": {d.pk: d.region for d in leaves},
        }

    # --- the big tables

    def next_ids(self):
        ids = {}
        for name, model in (
            ("customer", Customer),
            ("key", CustomerKey),
            ("followup", FollowUp),
            ("deal", Deal),
        ):
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            ids[name] = last + 1
        return ids

    def load(self, rng, cal, people, customers, followups):
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE " + ", ".join(BIG) + " IN SHARE ROW EXCLUSIVE MODE")
        gen = Generator(
            rng=rng,
            cal=cal,
            people=people,
            customers=customers,
            followups=followups,
            ids=self.next_ids(),
        )
        steps = [min(CHUNK, customers - start) for start in range(0, customers, CHUNK)]
        if self.postgres:
            self.load_postgresql(gen, cal, steps)
        else:
            for size in steps:
                rows, keys, followup_rows, deal_rows = gen.chunk(size)
                Customer.objects.bulk_create(orm_customers(cal, rows), batch_size=500)
                CustomerKey.objects.bulk_create(
                    (CustomerKey(id=k, kind="phone", value=v, customer_id=c) for k, v, c in keys),
                    batch_size=500,
                )
                FollowUp.objects.bulk_create(orm_followups(cal, followup_rows), batch_size=500)
                Deal.objects.bulk_create(orm_deals(cal, deal_rows), batch_size=500)

    def load_postgresql(self, gen, cal, steps):
        from psycopg2 import sql

        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            indexes, foreign_keys = self.drop_for_load(cursor)
            held = {"customers": [], "keys": [], "deals": []}
            total = len(steps)

            def followup_chunks():
                for n, size in enumerate(steps, 1):
                    rows, keys, followup_rows, deal_rows = gen.chunk(size)
                    held["customers"].append(pg_customers(cal, rows).encode())
                    held["keys"].append(pg_keys(keys).encode())
                    held["deals"].append(pg_deals(cal, deal_rows).encode())
                    yield pg_followups(cal, followup_rows).encode()
                    if n % 25 == 0 or n == total:
                        self.stdout.write(
                            f"  {gen.made} customers, {gen.followup_id} follow-up ids "
                            f"({time.perf_counter() - started:.0f}s)"
                        )

            self.copy(cursor, FollowUp, Chunks(followup_chunks()))
            self.copy(cursor, Customer, Chunks(held.pop("customers")))
            self.copy(cursor, CustomerKey, Chunks(held.pop("keys")))
            self.copy(cursor, Deal, Chunks(held.pop("deals")))
            loaded = time.perf_counter()
            self.stdout.write(f"COPY done ({loaded - started:.1f}s)")
            for table_name in BIG:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), "
                    f"MAX(id) IS NOT NULL) FROM {table_name}",
                    [table_name],
                )
            for _name, definition in indexes:
                cursor.execute(definition)
            indexed = time.perf_counter()
            self.stdout.write(f"{len(indexes)} indexes rebuilt ({indexed - loaded:.1f}s)")
            for table_name, name, definition in foreign_keys:
                cursor.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ")
                    .format(sql.Identifier(table_name), sql.Identifier(name))
                    .as_string(cursor.connection)
                    + definition
                )
            self.stdout.write(
                f"{len(foreign_keys)} foreign keys validated ({time.perf_counter() - indexed:.1f}s)"
            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def copy(self, cursor, model, stream):
        table_name = model._meta.db_table
        columns = ", ".join(BIG[table_name])
        cursor.copy_expert(f"COPY {table_name} ({columns}) FROM STDIN", stream, 1 << 20)

    def drop_for_load(self, cursor):
        """Drop the big tables' secondary indexes and foreign keys (rebuilt after the load:
        one sort per index and one join per key instead of 20 million index insertions and
        trigger calls). Returns what to recreate."""
        from psycopg2 import sql

        names = list(BIG)
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
              FROM pg_index i
             WHERE i.indrelid = ANY(%s::regclass[])
               AND NOT EXISTS (
                   SELECT 1 FROM pg_constraint c
                    WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid
                      AND c.contype IN ('p', 'u', 'x'))
             ORDER BY 1
            """,
            [names],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
              FROM pg_constraint
             WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
             ORDER BY 1, 2
            """,
            [names],
        )
        foreign_keys = cursor.fetchall()
        for table_name, name, _ in foreign_keys:
            cursor.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}")
                .format(sql.Identifier(table_name), sql.Identifier(name))
                .as_string(cursor.connection)
            )
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        return indexes, foreign_keys

    def analyze(self):
        """Fresh bulk data has no planner statistics; outside a transaction the archive is also
        vacuumed (visibility map, hint bits) so the first sweep does not pay for that."""
        started = time.perf_counter()
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute("ANALYZE " + ", ".join(BIG))
            else:
                cursor.execute(
                    f"VACUUM (ANALYZE) {Customer._meta.db_table}, {CustomerKey._meta.db_table}"
                )
                cursor.execute(f"ANALYZE {FollowUp._meta.db_table}, {Deal._meta.db_table}")
            cursor.execute("ANALYZE crm_user, crm_staff, crm_department")
        self.stdout.write(f"analysed ({time.perf_counter() - started:.1f}s)")
