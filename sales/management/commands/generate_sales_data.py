"""python manage.py generate_sales_data --opportunities 500000 --contracts 2000000 \\
        --collections 5000000 --returns 20000 [--seed 42] [--today 2026-11-30] [--prefix gen]

Sales scale data on a database already filled by `generate_data` (departments, staff,
customers, purchase records): opportunities with their stage histories, contracts with lines
and a collection plan, collections against the instalments, returns of contract lines, and
the sales-credit rows (SPEC §10) — for the contracts, the returns, and every purchase record
that has none yet (`generate_data` writes deals by COPY, without credit rows).

Reproducible: the same seed, sizes, `--today` and starting database give the same rows.
Dates are realistic relative to `--today`: contracts signed over the two years before it,
instalments due from the signing day to about 200 days after, past-due instalments mostly
settled (78 %), some partly paid (12 %), the rest overdue; future ones sometimes paid early.
The collections total is hit closely (not exactly): each paid instalment is split into as many
collections as keeps the running count on the requested total.

Invariants (checked by tests/sales/test_generate_sales_data.py): a contract's lines and its
instalments each sum to its total; an instalment's `paid` is the sum of its collections and
never exceeds its amount; `settled_on` is set exactly when fully paid; every signed contract has
one credit row of its total, every return one negative credit row, every deal one credit row.

Credit goes to the customer's current holder (the data has no ownership history); the
credited department is the holder's, or the customer's for a pooled customer. Collections are
recorded by the customer's department manager. Not generated: amendments, attachments,
opportunity actions (they need follow-ups), credit transfers, dormant marks, history rows.

On PostgreSQL the rows are written to temporary files, then loaded with COPY inside one
transaction with the loaded tables' secondary indexes and foreign keys dropped and rebuilt (as
`generate_data` does); elsewhere (SQLite, for tests) they are bulk-inserted, small sizes only.
"""

import os
import random
import tempfile
import time
from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from crm.calendar import SHANGHAI
from crm.models import Department, Staff
from customers.models import Customer, Deal
from sales.models import (
    Collection,
    Contract,
    ContractLine,
    Instalment,
    Opportunity,
    ReturnRecord,
    SalesCredit,
    StageChange,
)

MINUTES_PER_DAY = 1440
PAST_DAYS = 800  # the calendar starts this long before --today
FUTURE_DAYS = 400  # and reaches this far after it (due dates)
SIGNED_SPAN = 730  # contracts signed over the last two years
OPPORTUNITY_SPAN = 540
SMALL_LIMIT = 100_000  # contracts without PostgreSQL

PRODUCTS = ["实木复合地板", "强化地板", "木门", "整体橱柜", "衣柜定制", "墙板护墙", "安装服务"]
SETTLEMENTS = ["cash"] * 5 + ["rolling"] * 3 + ["goods_first"] * 2
STAGE_TARGETS = (
    ["contact"] * 20
    + ["needs"] * 15
    + ["proposal"] * 12
    + ["negotiation"] * 10
    + ["won"] * 25
    + ["lost"] * 18
)
OPEN_PATH = ["contact", "needs", "proposal", "negotiation"]
LOST_REASONS = ["价格高于竞品", "客户预算取消", "交货期不满足", "选择了其他品牌"]
RETURN_REASONS = ["尺寸不符", "色差明显", "运输破损", "客户改变方案"]
METHODS = ["银行转账", "现金", "承兑汇票", "微信支付"]


class Calendar:
    """Days and minutes counted from local midnight of `origin` (Asia/Shanghai), turned into
    COPY text (or dates/datetimes for the ORM) from precomputed tables."""

    def __init__(self, today: date):
        self.origin = today - timedelta(days=PAST_DAYS)
        self.today = PAST_DAYS
        self.dates = [self.origin + timedelta(days=d) for d in range(PAST_DAYS + FUTURE_DAYS)]
        self.date_text = [d.isoformat() for d in self.dates]
        self.origin_dt = datetime.combine(self.origin, datetime.min.time(), SHANGHAI)

    def ts_text(self, minute: int) -> str:
        day, rest = divmod(minute, MINUTES_PER_DAY)
        return f"{self.date_text[day]} {rest // 60:02d}:{rest % 60:02d}:00+08"

    def dt(self, minute: int) -> datetime:
        return self.origin_dt + timedelta(minutes=minute)


# Each table: (model, [(column, type)]); types: i int/decimal/text as is, n nullable,
# d day offset → date, t minute offset → timestamp, D/T the same, nullable.
TABLES = {
    "opportunity": (
        Opportunity,
        [
            ("id", "i"),
            ("product", "i"),
            ("expected_amount", "i"),
            ("expected_close", "d"),
            ("stage", "i"),
            ("lost_reason", "i"),
            ("created_at", "t"),
            ("stage_changed_at", "t"),
            ("closed_at", "T"),
            ("created_by_id", "i"),
            ("customer_id", "i"),
        ],
    ),
    "stage": (
        StageChange,
        [
            ("id", "i"),
            ("from_stage", "i"),
            ("to_stage", "i"),
            ("reason", "i"),
            ("at", "t"),
            ("actor_id", "i"),
            ("opportunity_id", "i"),
        ],
    ),
    "contract": (
        Contract,
        [
            ("id", "i"),
            ("number", "i"),
            ("title", "i"),
            ("settlement_method", "i"),
            ("status", "i"),
            ("total", "i"),
            ("signed_at", "T"),
            ("created_at", "t"),
            ("entered_at", "T"),
            ("notes", "i"),
            ("created_by_id", "i"),
            ("credited_to_id", "n"),
            ("customer_id", "i"),
            ("signed_by_id", "n"),
        ],
    ),
    "line": (
        ContractLine,
        [
            ("id", "i"),
            ("product", "i"),
            ("quantity", "i"),
            ("unit_price", "i"),
            ("amount", "i"),
            ("contract_id", "i"),
        ],
    ),
    "instalment": (
        Instalment,
        [
            ("id", "i"),
            ("seq", "i"),
            ("due_on", "d"),
            ("amount", "i"),
            ("paid", "i"),
            ("settled_on", "D"),
            ("contract_id", "i"),
            ("customer_id", "i"),
            ("signed", "i"),
        ],
    ),
    "collection": (
        Collection,
        [
            ("id", "i"),
            ("amount", "i"),
            ("received_on", "d"),
            ("method", "i"),
            ("note", "i"),
            ("recorded_at", "t"),
            ("customer_id", "i"),
            ("recorded_by_id", "i"),
            ("contract_id", "i"),
            ("instalment_id", "i"),
        ],
    ),
    "return": (
        ReturnRecord,
        [
            ("id", "i"),
            ("kind", "i"),
            ("quantity", "i"),
            ("amount", "i"),
            ("reason", "i"),
            ("occurred_at", "t"),
            ("entered_at", "t"),
            ("contract_line_id", "i"),
            ("customer_id", "i"),
            ("recorded_by_id", "i"),
        ],
    ),
    "credit": (
        SalesCredit,
        [
            ("id", "i"),
            ("kind", "i"),
            ("on_date", "d"),
            ("amount", "i"),
            ("quantity", "i"),
            ("created_at", "t"),
            ("contract_id", "n"),
            ("customer_id", "i"),
            ("return_record_id", "n"),
            ("department_id", "n"),
            ("user_id", "n"),
        ],
    ),
}
# Load order (foreign keys are rebuilt after the load on PostgreSQL, so only for the ORM).
ORDER = ["opportunity", "stage", "contract", "line", "instalment", "collection", "return", "credit"]


class Sink:
    """Where generated rows go: a COPY text file per table (PostgreSQL) or lists of model
    instances bulk-inserted per chunk (other databases)."""

    def __init__(self, cal: Calendar, postgres: bool, directory: str | None):
        self.cal = cal
        self.postgres = postgres
        self.rows = {name: [] for name in TABLES}
        self.counts = dict.fromkeys(TABLES, 0)
        self.files = {}
        if postgres:
            for name in TABLES:
                self.files[name] = open(  # noqa: SIM115  (closed in close())
                    os.path.join(directory, f"{name}.copy"), "w", encoding="utf-8"
                )
        cal_date, cal_ts = cal.date_text, cal.ts_text
        if postgres:
            self.convert = {
                "i": str,
                "n": lambda v: "\\N" if v is None else str(v),
                "d": lambda v: cal_date[v],
                "D": lambda v: "\\N" if v is None else cal_date[v],
                "t": cal_ts,
                "T": lambda v: "\\N" if v is None else cal_ts(v),
            }
        else:
            dates = cal.dates
            self.convert = {
                "i": lambda v: v,
                "n": lambda v: v,
                "d": lambda v: dates[v],
                "D": lambda v: None if v is None else dates[v],
                "t": cal.dt,
                "T": lambda v: None if v is None else cal.dt(v),
            }
        self.converters = {
            name: [self.convert[kind] for _column, kind in columns]
            for name, (_model, columns) in TABLES.items()
        }

    def add(self, name: str, row: tuple) -> None:
        self.rows[name].append(row)
        self.counts[name] += 1

    def flush(self) -> None:
        for name in ORDER:
            rows = self.rows[name]
            if not rows:
                continue
            converters = self.converters[name]
            if self.postgres:
                self.files[name].write(
                    "".join(
                        "\t".join([f(v) for f, v in zip(converters, row, strict=True)]) + "\n"
                        for row in rows
                    )
                )
            else:
                model, columns = TABLES[name]
                names = [c for c, _ in columns]
                model.objects.bulk_create(
                    (
                        model(**{c: f(v) for c, f, v in zip(names, converters, row, strict=True)})
                        for row in rows
                    ),
                    batch_size=500,
                )
            self.rows[name] = []

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


class Generator:
    """Draws every row from one seeded random stream, in a fixed order."""

    def __init__(self, *, rng, cal, world, ids, sink, prefix):
        self.rng = rng
        self.cal = cal
        self.world = world
        self.ids = ids
        self.sink = sink
        self.prefix = prefix

    def next_id(self, name: str) -> int:
        value = self.ids[name]
        self.ids[name] += 1
        return value

    def customer(self, held_share: float):
        """(customer id, holder id or None, customer's department id)."""
        world, rnd = self.world, self.rng.random
        if world["held"] and rnd() < held_share:
            return world["held"][int(rnd() * len(world["held"]))]
        return world["all"][int(rnd() * len(world["all"]))]

    def person_for(self, holder, department):
        """Who acts for the customer: the holder, else the department's manager."""
        if holder is not None:
            return holder
        return self.world["managers"].get(department) or self.world["fallback"]

    def recorder(self, department):
        return self.world["managers"].get(department) or self.world["fallback"]

    # --- opportunities

    def opportunities(self, count: int) -> None:
        rnd, cal, sink = self.rng.random, self.cal, self.sink
        today_min = cal.today * MINUTES_PER_DAY
        for _ in range(count):
            cid, holder, department = self.customer(0.9)
            actor = self.person_for(holder, department)
            oid = self.next_id("opportunity")
            day = cal.today - 1 - int(rnd() * OPPORTUNITY_SPAN)
            at = day * MINUTES_PER_DAY + 540 + int(rnd() * 540)
            target = STAGE_TARGETS[int(rnd() * len(STAGE_TARGETS))]
            if target in OPEN_PATH:
                path = OPEN_PATH[: OPEN_PATH.index(target) + 1]
            else:
                path = OPEN_PATH[: 1 + int(rnd() * 4)] + [target]
            created = at
            previous = ""
            last = at
            for stage in path:
                sink.add("stage", (self.next_id("stage"), previous, stage, "", at, actor, oid))
                previous, last = stage, at
                at = max(at, min(at + int((1 + rnd() * 30) * MINUTES_PER_DAY), today_min - 1))
            closed = target in ("won", "lost")
            sink.add(
                "opportunity",
                (
                    oid,
                    PRODUCTS[int(rnd() * len(PRODUCTS))],
                    1000 * (1 + int(rnd() * 500)),
                    min(day + 30 + int(rnd() * 150), len(cal.dates) - 1),
                    target,
                    LOST_REASONS[int(rnd() * len(LOST_REASONS))] if target == "lost" else "",
                    created,
                    last,
                    last if closed else None,
                    actor,
                    cid,
                ),
            )

    # --- contracts, lines, instalments, collections, returns, credit

    def contracts(self, count: int, collections: int, returns: int, chunk: int) -> dict:
        rnd, cal, sink, world = self.rng.random, self.cal, self.sink, self.world
        today = cal.today
        made_collections = 0
        made_returns = 0
        paid_instalments = 0
        for i in range(count):
            cid, holder, department = self.customer(0.9)
            credited_department = world["staff"].get(holder, department) if holder else department
            actor = self.person_for(holder, department)
            recorder = self.recorder(department)
            kid = self.next_id("contract")
            signed = rnd() < 0.97
            if signed:
                day = today - int(rnd() * SIGNED_SPAN)
                signed_at = day * MINUTES_PER_DAY + 540 + int(rnd() * 540)
                created_at = signed_at - int((1 + rnd() * 10) * MINUTES_PER_DAY)
                entered_at = signed_at + 5 + int(rnd() * 120)
            else:
                day = today - int(rnd() * 30)
                created_at = day * MINUTES_PER_DAY + 540 + int(rnd() * 540)
                signed_at = entered_at = None
            lines = []
            total = quantity = 0
            for _ in range(1 + int(rnd() * 3)):
                q = 1 + int(rnd() * 20)
                price = 100 * (1 + int(rnd() * 100))
                lid = self.next_id("line")
                lines.append((lid, q, price))
                sink.add(
                    "line", (lid, PRODUCTS[int(rnd() * len(PRODUCTS))], q, price, q * price, kid)
                )
                total += q * price
                quantity += q
            sink.add(
                "contract",
                (
                    kid,
                    f"{self.prefix}-HT{kid:08d}",
                    "",
                    SETTLEMENTS[int(rnd() * len(SETTLEMENTS))],
                    "signed" if signed else "draft",
                    total,
                    signed_at,
                    created_at,
                    entered_at,
                    "",
                    actor,
                    holder if signed else None,
                    cid,
                    actor if signed else None,
                ),
            )
            # The collection plan: equal parts, the last takes the remainder.
            parts = 1 + int(rnd() * 3)
            base = total // parts
            plan = [base] * (parts - 1) + [total - base * (parts - 1)]
            # How many collections per paid instalment keeps the running count on target.
            expected_paid = paid_instalments / i * (count - i) if i else 1.4 * (count - i)
            per_paid = (collections - made_collections) / max(expected_paid, 1)
            for seq, amount in enumerate(plan, 1):
                due = min(day + (seq - 1) * (30 + int(rnd() * 60)), len(cal.dates) - 1)
                iid = self.next_id("instalment")
                paid = 0
                settled = None
                roll = rnd()
                if signed:
                    if due <= today:
                        share = 1.0 if roll < 0.78 else (0.3 + rnd() * 0.5 if roll < 0.9 else 0)
                    else:
                        share = 1.0 if roll < 0.15 else (0.3 + rnd() * 0.5 if roll < 0.25 else 0)
                    paid = amount if share == 1.0 else int(amount * share)
                if paid:
                    paid_instalments += 1
                    pieces = max(1, min(6, int(per_paid + rnd()), paid))
                    hi = min(today, due + 30)
                    received = sorted(day + int(rnd() * (hi - day + 1)) for _ in range(pieces))
                    piece = paid // pieces
                    for n, on in enumerate(received):
                        amount_n = piece if n < pieces - 1 else paid - piece * (pieces - 1)
                        sink.add(
                            "collection",
                            (
                                self.next_id("collection"),
                                amount_n,
                                on,
                                METHODS[int(rnd() * len(METHODS))],
                                "",
                                on * MINUTES_PER_DAY + 1020,
                                cid,
                                recorder,
                                kid,
                                iid,
                            ),
                        )
                    made_collections += pieces
                    if paid == amount:
                        settled = received[-1]
                sink.add("instalment", (iid, seq, due, amount, paid, settled, kid, cid, signed))
            if not signed:
                continue
            sink.add(
                "credit",
                (
                    self.next_id("credit"),
                    "contract",
                    day,
                    total,
                    quantity,
                    entered_at,
                    kid,
                    cid,
                    None,
                    credited_department,
                    holder,
                ),
            )
            if made_returns < returns and rnd() < (returns - made_returns) / max(count - i, 1):
                lid, q, price = lines[0]
                back = 1 + int(rnd() * q)
                on = day + int(rnd() * (today - day + 1))
                at = on * MINUTES_PER_DAY + 600 + int(rnd() * 420)
                rid = self.next_id("return")
                sink.add(
                    "return",
                    (
                        rid,
                        "return" if rnd() < 0.8 else "exchange",
                        back,
                        back * price,
                        RETURN_REASONS[int(rnd() * len(RETURN_REASONS))],
                        at,
                        at + 30,
                        lid,
                        cid,
                        recorder,
                    ),
                )
                sink.add(
                    "credit",
                    (
                        self.next_id("credit"),
                        "return",
                        on,
                        -back * price,
                        -back,
                        at + 30,
                        kid,
                        cid,
                        rid,
                        credited_department,
                        holder,
                    ),
                )
                made_returns += 1
            if (i + 1) % chunk == 0:
                sink.flush()
        sink.flush()
        return {"collections": made_collections, "returns": made_returns}


class Command(BaseCommand):
    help = "Generate sales scale data (opportunities, contracts, collections, returns, credit)."

    def add_arguments(self, parser):
        parser.add_argument("--opportunities", type=int, default=500_000)
        parser.add_argument("--contracts", type=int, default=2_000_000)
        parser.add_argument("--collections", type=int, default=5_000_000)
        parser.add_argument("--returns", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--today",
            "--as-of",
            dest="today",
            type=date.fromisoformat,
            default=None,
            help="The data's 'today' (YYYY-MM-DD); default: today in Asia/Shanghai.",
        )
        parser.add_argument("--prefix", default="gen", help="Prefix of the contract numbers.")

    def handle(self, *args, **opts):
        started = time.perf_counter()
        self.postgres = connection.vendor == "postgresql"
        contracts = opts["contracts"]
        if min(opts["opportunities"], contracts, opts["collections"], opts["returns"]) < 0:
            raise CommandError("Sizes must not be negative.")
        if not self.postgres and contracts > SMALL_LIMIT:
            raise CommandError(
                f"Without PostgreSQL at most {SMALL_LIMIT} contracts; use PostgreSQL "
                "(DATABASE_URL) for scale data."
            )
        prefix = opts["prefix"]
        if Contract.objects.filter(number__startswith=f"{prefix}-HT").exists():
            self.stdout.write(f"Sales data with prefix {prefix!r} already present; nothing done.")
            return
        world = self.world()
        if not world["all"]:
            raise CommandError("No customers: run generate_data first.")
        today = opts["today"] or timezone.localdate(timezone.now(), SHANGHAI)
        cal = Calendar(today)
        rng = random.Random(opts["seed"])
        with tempfile.TemporaryDirectory(prefix="sales-data-") as directory:
            sink = Sink(cal, self.postgres, directory)
            gen = Generator(
                rng=rng, cal=cal, world=world, ids=self.next_ids(), sink=sink, prefix=prefix
            )
            with transaction.atomic():
                gen.opportunities(opts["opportunities"])
                sink.flush()
                made = gen.contracts(contracts, opts["collections"], opts["returns"], chunk=20_000)
                sink.close()
                generated = time.perf_counter()
                self.stdout.write(
                    f"generated {sink.counts} ({generated - started:.1f}s); "
                    f"collections {made['collections']}, returns {made['returns']}"
                )
                if self.postgres:
                    self.load_postgresql(directory)
                deals = self.credit_existing_deals()
                self.stdout.write(f"credit rows for {deals} purchase records")
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE " + ", ".join(model._meta.db_table for model, _ in TABLES.values())
                )
        self.stdout.write(f"done in {time.perf_counter() - started:.1f}s")

    def world(self) -> dict:
        """The customers (id, holder, department), each person's department and each
        department's manager, read once."""
        everyone = list(
            Customer.objects.order_by("pk").values_list("pk", "holder_id", "department_id")
        )
        managers = dict(
            Department.objects.filter(manager__isnull=False).values_list("pk", "manager_id")
        )
        staff = dict(Staff.objects.values_list("user_id", "department_id"))
        fallback = next(iter(managers.values()), None) or next(iter(staff), None)
        if fallback is None:
            raise CommandError("No staff: run generate_data first.")
        return {
            "all": everyone,
            "held": [c for c in everyone if c[1] is not None],
            "managers": managers,
            "staff": staff,
            "fallback": fallback,
        }

    def next_ids(self) -> dict:
        ids = {}
        for name, (model, _columns) in TABLES.items():
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            ids[name] = last + 1
        return ids

    def load_postgresql(self, directory: str) -> None:
        from psycopg2 import sql

        started = time.perf_counter()
        tables = [TABLES[name][0]._meta.db_table for name in ORDER]
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("LOCK TABLE " + ", ".join(tables) + " IN SHARE ROW EXCLUSIVE MODE")
            indexes, foreign_keys = drop_for_load(cursor, tables)
            for name in ORDER:
                model, columns = TABLES[name]
                with open(os.path.join(directory, f"{name}.copy"), encoding="utf-8") as stream:
                    cursor.copy_expert(
                        f"COPY {model._meta.db_table} ({', '.join(c for c, _ in columns)}) "
                        "FROM STDIN",
                        stream,
                        1 << 20,
                    )
                self.stdout.write(f"  COPY {name} ({time.perf_counter() - started:.0f}s)")
            for table_name in tables:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), "
                    f"MAX(id) IS NOT NULL) FROM {table_name}",
                    [table_name],
                )
            loaded = time.perf_counter()
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

    def credit_existing_deals(self) -> int:
        """One credit row per purchase record that has none (set-based INSERT … SELECT): the
        credited person's department, or the customer's for an uncredited sale, as
        `sales.credit_hooks.credit_for_deal` writes them."""
        credit = SalesCredit._meta.db_table
        deal = Deal._meta.db_table
        customer = Customer._meta.db_table
        staff = Staff._meta.db_table
        if self.postgres:
            on_date = "(d.occurred_at AT TIME ZONE 'Asia/Shanghai')::date"
            created = "d.entered_at"
        else:
            on_date = "date(d.occurred_at, '+8 hours')"
            created = "d.entered_at"
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {credit}
                    (kind, user_id, department_id, customer_id, on_date, amount, quantity,
                     deal_id, created_at)
                SELECT 'deal', d.credited_to_id,
                       CASE WHEN d.credited_to_id IS NULL THEN c.department_id
                            ELSE s.department_id END,
                       d.customer_id, {on_date}, d.amount, d.quantity, d.id, {created}
                  FROM {deal} d
                  JOIN {customer} c ON c.id = d.customer_id
                  LEFT JOIN {staff} s ON s.user_id = d.credited_to_id
                 WHERE NOT EXISTS (SELECT 1 FROM {credit} x WHERE x.deal_id = d.id)
                """
            )
            return cursor.rowcount


def drop_for_load(cursor, tables: list[str]):
    """Drop the tables' secondary indexes and foreign keys (rebuilt after the load: one sort
    per index and one join per key instead of millions of index insertions and trigger
    calls). Returns what to recreate."""
    from psycopg2 import sql

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
        [tables],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
          FROM pg_constraint
         WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
         ORDER BY 1, 2
        """,
        [tables],
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
