"""Page benchmark over HTTP (issue 19): every page of every role, measured through gunicorn with
the production settings against the million-customer database, as a ratio to the calendar page
measured in the same run; then sixteen users at once, against sixteen users on the calendar only.

    # the data (once; see docs/performance.md for the times)
    createdb -h 127.0.0.1 -U postgres crm_bench19
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench19
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate_data --customers 1000000 --staff 10000 \\
        --departments 200 --followups 20000000 --seed 42 --today 2026-11-30
    .venv/bin/python manage.py generate_sales_data --opportunities 300000 --contracts 1000000 \\
        --collections 2500000 --returns 10000 --seed 42 --today 2026-11-30
    # the benchmark (loads the history on first use, builds the summaries, starts gunicorn)
    .venv/bin/python -m tests.bench.pages --out /tmp/pages.md

Options: --requests N (per page, default 20), --users 16, --seconds 60, --only SUBSTRING,
--skip-load, --workers 3 --threads 4, --today 2026-11-30 (the data's today, also the
benchmark's clock for the summaries).

Everything runs against the real stack: gunicorn (sync workers with threads), the production
settings module (DEBUG off, whitenoise manifest static files, Redis cache when CACHE_URL is set),
sessions and CSRF through a real login. The client is httpx on this same machine (2 cores: the
client's CPU is part of every figure, the same for the calendar baseline).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench-pages-19"
# docs/operations.md, "PostgreSQL at a million customers".
DATABASE_SETTINGS = ("jit = off", "work_mem = '32MB'", "random_page_cost = 1.1")
PORT = 8765
CACHE_URL = "redis://127.0.0.1:6379/9"


# --- the pages ------------------------------------------------------------------------------

# Every GET page of the product (admin excluded). `{c}` a customer the viewer may see, `{k}` a
# contract, `{o}` an opportunity, `{n}` a notice, `{e}` a ledger entry, `{q}` a complaint,
# `{d}` a department, `{s}` a staff row. A role's pages are those answering 200 for it.
PAGES = [
    ("calendar", "/calendar/"),
    ("dashboard", "/"),
    ("notifications", "/notifications/"),
    ("departments", "/departments/"),
    ("department", "/departments/{d}/"),
    ("jobs", "/jobs/"),
    ("backups", "/backups/"),
    ("channels", "/channels/"),
    ("channel prefs", "/channels/mine/"),
    ("login log", "/accounts/logins/"),
    ("account changes", "/accounts/changes/"),
    ("customers", "/customers/"),
    ("customers search 2 chars none", "/customers/?q=%E7%8E%8B%E4%BC%9F"),
    ("customers search 2 chars many", "/customers/?q=%E5%AE%A2%E6%88%B7"),
    ("customers search name", "/customers/?q=%E5%AE%A2%E6%88%B70123456"),
    ("customers search phone", "/customers/?q=1600012345"),
    ("customer", "/customers/{c}/"),
    ("customer timeline", "/customers/{c}/timeline/"),
    ("customer edit", "/customers/{c}/edit/"),
    ("follow-up form", "/customers/{c}/followups/new/"),
    ("deal form", "/customers/{c}/deals/new/"),
    ("credit evaluation", "/customers/{c}/credit/"),
    ("register form", "/customers/new/"),
    ("inquiry form", "/customers/inquiries/new/"),
    ("worklist", "/customers/worklist/"),
    ("duplicates", "/customers/reports/duplicates/"),
    ("duplicates names", "/customers/reports/duplicates/?tab=name"),
    ("duplicates fake", "/customers/reports/duplicates/?tab=fake"),
    ("export log", "/customers/exports/"),
    ("import", "/customers/import/"),
    ("pool", "/allocation/pools/"),
    ("distribute", "/allocation/distribute/"),
    ("claim form", "/allocation/requests/new/"),
    ("protection", "/allocation/protection/"),
    ("inbox", "/allocation/inbox/"),
    ("swaps", "/allocation/swaps/"),
    ("handovers", "/allocation/handovers/"),
    ("disputes", "/allocation/disputes/"),
    ("notices", "/allocation/notices/"),
    ("notices ended", "/allocation/notices/?view=ended"),
    ("notice", "/allocation/notices/{n}/"),
    ("opportunities", "/sales/opportunities/"),
    ("opportunity", "/sales/opportunities/{o}/"),
    ("opportunity form", "/sales/opportunities/new/{c}/"),
    ("contracts", "/sales/contracts/"),
    ("contract", "/sales/contracts/{k}/"),
    ("contract form", "/sales/contracts/new/{c}/"),
    ("receivables", "/sales/receivables/"),
    ("receivables by salesperson", "/sales/receivables/?group=salesperson"),
    ("receivables by department", "/sales/receivables/?group=department"),
    ("reminder letter", "/sales/receivables/letter/{c}/"),
    ("dormant", "/sales/dormant/"),
    ("cross sales", "/sales/cross-sales/"),
    ("credit transfers", "/sales/credit-transfers/"),
    ("funnel", "/sales/reports/funnel/"),
    ("sales by month", "/sales/reports/by-month/"),
    ("ranking", "/sales/reports/ranking/"),
    ("ranking year", "/sales/reports/ranking/?period=year"),
    ("customer yearly", "/sales/customers/{c}/yearly/"),
    ("ledger", "/penalties/"),
    ("ledger to decide", "/penalties/decide/"),
    ("ledger form", "/penalties/new/"),
    ("ledger months", "/penalties/months/"),
    ("company overview", "/penalties/dashboard/"),
    ("ledger entry", "/penalties/{e}/"),
    ("complaints", "/service/complaints/"),
    ("complaint form", "/service/complaints/new/"),
    ("complaint analysis", "/service/complaints/analysis/"),
    ("complaint", "/service/complaints/{q}/"),
    ("yearly evaluations", "/service/yearly/"),
    ("yearly overdue", "/service/yearly/overdue/"),
    ("surveys", "/service/surveys/"),
    ("survey indicators", "/service/surveys/indicators/"),
    ("revisits", "/service/revisits/"),
    ("competitors", "/service/competitors/"),
    ("competitor compare", "/service/competitors/compare/"),
    ("store home", "/stores/"),
    ("designers", "/stores/people/designers/"),
    ("attendance", "/stores/people/attendance/"),
    ("outings", "/stores/people/outings/"),
    ("designer months", "/stores/people/months/"),
    ("visitors", "/stores/visitors/"),
    ("visitor form", "/stores/visitors/new/"),
    ("visitor checks", "/stores/visitors/checks/"),
    ("pre-registrations", "/stores/visitors/preregistrations/"),
    ("reconcile", "/stores/visitors/reconcile/"),
    ("store figures", "/stores/visitors/figures/"),
    ("dispatches", "/stores/dispatch/"),
    ("dispatch form", "/stores/dispatch/new/"),
    ("manager away", "/stores/dispatch/manager-away/"),
    ("store reviews", "/stores/reviews/"),
]


@dataclass
class Viewer:
    role: str
    username: str
    ids: dict = field(default_factory=dict)
    pages: list = field(default_factory=list)  # [(name, path)]


# --- the database side (Django, run in this process before gunicorn starts) ------------------


def prepare(today: date, load: bool) -> list[Viewer]:
    """History, summaries, one store, passwords and each viewer's ids. Idempotent."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")
    os.environ.setdefault("CACHE_URL", CACHE_URL)  # the server's cache: background figures
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from tests.bench.history import history_present, load_history

    fresh = load and not history_present()
    if load:
        load_history(today=today)
    # What the night's jobs leave behind on the data's day (the server runs on that clock):
    # the activity summary, the sales summaries, the company view's background figures.
    started = time.perf_counter()
    call_command("summaries_build")
    call_command("sales_summaries", "--as-of", today.isoformat())
    from penalties.rates import refresh_company_rates
    from penalties.services.ledger import month_of
    from penalties.stats import refresh_company_counts

    refresh_company_rates(month=month_of(today))
    refresh_company_counts()
    print(f"summaries and background figures: {time.perf_counter() - started:.1f}s")
    sql = connection.cursor()
    # The settings docs/operations.md recommends for this size, per database so the server's
    # other databases keep theirs (new connections pick them up: gunicorn starts after this).
    for setting in DATABASE_SETTINGS:
        sql.execute(f"ALTER DATABASE {connection.settings_dict['NAME']} SET {setting}")
    if fresh:
        sql.execute("VACUUM ANALYZE")  # what autovacuum does in production (operations.md)

    def one(query, params=()):
        sql.execute(query, params)
        row = sql.fetchone()
        return row[0] if row else None

    # The viewers: a signed contract's customer, its holder (a salesperson who is also a store's
    # customer manager), that department's manager (the store's manager), the GM, an
    # accountant of that department.
    contract = one(
        """SELECT k.id FROM sales_contract k JOIN customers_customer c ON c.id = k.customer_id
           JOIN crm_staff s ON s.user_id = c.holder_id
           WHERE k.status = 'signed' AND s.role = 'salesperson' ORDER BY k.id LIMIT 1"""
    )
    customer = one("SELECT customer_id FROM sales_contract WHERE id = %s", [contract])
    holder = one("SELECT holder_id FROM customers_customer WHERE id = %s", [customer])
    department = one("SELECT department_id FROM crm_staff WHERE user_id = %s", [holder])
    manager = one("SELECT manager_id FROM crm_department WHERE id = %s", [department])
    gm = one("SELECT user_id FROM crm_staff WHERE role = 'general_manager' ORDER BY id LIMIT 1")
    accountant = one("SELECT user_id FROM crm_staff WHERE role = 'accountant' ORDER BY id LIMIT 1")
    sql.execute("UPDATE crm_department SET kind = 'store' WHERE id = %s", [department])
    sql.execute("UPDATE crm_staff SET position = 'customer_manager' WHERE user_id = %s", [holder])
    # Sixteen users for the load: the four above and twelve more salespeople and managers.
    sql.execute(
        """SELECT user_id FROM crm_staff WHERE role = 'salesperson' AND user_id <> %s
           ORDER BY user_id LIMIT 9""",
        [holder],
    )
    others = [r[0] for r in sql.fetchall()]
    sql.execute(
        """SELECT manager_id FROM crm_department WHERE manager_id IS NOT NULL
           AND manager_id <> %s AND parent_id IS NOT NULL ORDER BY id LIMIT 3""",
        [manager],
    )
    other_managers = [r[0] for r in sql.fetchall()]
    users = [gm, manager, holder, accountant, *others, *other_managers]
    sql.execute(
        "UPDATE crm_user SET password = %s, is_active = true WHERE id = ANY(%s)",
        [make_password(PASSWORD), users],
    )
    sql.execute("DELETE FROM axes_accessattempt")
    names = {}
    sql.execute("SELECT id, username FROM crm_user WHERE id = ANY(%s)", [users])
    names = dict(sql.fetchall())

    def ids_for(user_id: int, role: str) -> dict:
        if user_id == holder or role in ("general_manager", "manager", "accountant"):
            cust = customer
        else:
            cust = one(
                "SELECT id FROM customers_customer WHERE holder_id = %s ORDER BY id LIMIT 1",
                [user_id],
            )
        dept = one("SELECT department_id FROM crm_staff WHERE user_id = %s", [user_id])
        dept = dept or department
        if role in ("general_manager", "accountant") or user_id in (manager, holder):
            dept = department
        return {
            "c": cust,
            "k": one("SELECT id FROM sales_contract WHERE customer_id = %s LIMIT 1", [cust])
            or contract,
            "o": one("SELECT id FROM sales_opportunity WHERE customer_id = %s LIMIT 1", [cust])
            or one(
                "SELECT o.id FROM sales_opportunity o JOIN customers_customer c "
                "ON c.id = o.customer_id WHERE c.department_id = %s LIMIT 1",
                [dept],
            ),
            "n": one(
                "SELECT id FROM allocation_publicnotice WHERE department_id = %s "
                "ORDER BY id DESC LIMIT 1",
                [dept],
            ),
            "e": one(
                "SELECT id FROM penalties_ledgerentry WHERE person_id = %s "
                "ORDER BY id DESC LIMIT 1",
                [user_id],
            )
            or one(
                "SELECT id FROM penalties_ledgerentry WHERE department_id = %s "
                "ORDER BY id DESC LIMIT 1",
                [dept],
            ),
            "q": one(
                "SELECT id FROM service_complaint WHERE department_id = %s "
                "ORDER BY id DESC LIMIT 1",
                [dept],
            ),
            "d": dept,
            "s": one("SELECT id FROM crm_staff WHERE user_id = %s", [user_id]),
        }

    roles = dict(
        [
            (gm, "general_manager"),
            (manager, "manager"),
            (holder, "salesperson"),
            (accountant, "accountant"),
        ]
        + [(u, "salesperson") for u in others]
        + [(u, "manager") for u in other_managers]
    )
    viewers = [Viewer(roles[u], names[u], ids_for(u, roles[u])) for u in users]
    connection.close()
    return viewers


# --- the server -------------------------------------------------------------------------------


FAKETIME_LIB = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1")


def start_gunicorn(workers: int, threads: int, database_url: str, today: date) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings.production",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "CACHE_URL": os.environ.get("CACHE_URL", CACHE_URL),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/8"),
    }
    # The server's clock is the data's day at 15:00 in Shanghai (the data ends that day, so
    # "this month" holds a month of history); libfaketime (Debian `faketime`) shifts it.
    if FAKETIME_LIB.exists():
        target = datetime(today.year, today.month, today.day, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
        env["FAKETIME"] = f"{int(target.timestamp() - time.time()):+d}"
        env["LD_PRELOAD"] = str(FAKETIME_LIB)
    else:
        print("faketime not installed (apt-get install faketime): the server runs on today's clock")
    py = ROOT / ".venv/bin/python"
    subprocess.run(
        [str(py), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={k: v for k, v in env.items() if k not in ("LD_PRELOAD", "FAKETIME")},
        check=True,
    )
    cmd = [
        str(ROOT / ".venv/bin/gunicorn"),
        "crm.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{PORT}",
        "--log-level",
        "warning",
        "--timeout",
        "120",
    ]
    if threads > 1:
        cmd += ["--threads", str(threads)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
            return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def login(username: str) -> httpx.Client:
    client = httpx.Client(base_url=f"http://127.0.0.1:{PORT}", timeout=60, follow_redirects=False)
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies.get("csrftoken"),
        },
        headers={"Referer": f"http://127.0.0.1:{PORT}/accounts/login/"},
    )
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {response.status_code}")
    return client


# --- measuring --------------------------------------------------------------------------------


def timed_get(client: httpx.Client, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.get(path)
    return response.status_code, (time.perf_counter() - started) * 1000


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def discover(client: httpx.Client, viewer: Viewer, only: str | None) -> None:
    for name, template in PAGES:
        if only and only not in name and name != "calendar":
            continue
        path = template.format(**viewer.ids)
        if "None" in path:
            continue
        status, _ = timed_get(client, path)
        if status == 200:
            viewer.pages.append((name, path))


def single_user(viewers: list[Viewer], requests: int, out) -> list[dict]:
    """Each role's pages in turn, `requests` times each after one warm-up; the calendar is
    measured before and after every page and its median is the page's baseline."""
    rows = []
    for viewer in viewers:
        client = login(viewer.username)
        for name, path in viewer.pages:
            timed_get(client, path)
            times, base, errors = [], [], 0
            for _ in range(requests):
                status, ms = timed_get(client, path)
                errors += status != 200
                times.append(ms)
                base.append(timed_get(client, "/calendar/")[1])
            row = {
                "role": viewer.role,
                "page": name,
                "path": path,
                "p50": statistics.median(times),
                "p95": pct(times, 95),
                "calendar": statistics.median(base),
                "errors": errors,
            }
            row["ratio"] = row["p50"] / row["calendar"]
            rows.append(row)
            out(
                f"{viewer.role:16} {name:32} p50 {row['p50']:7.1f} p95 {row['p95']:7.1f} "
                f"cal {row['calendar']:5.1f} × {row['ratio']:5.1f}"
                + (f" ERRORS {errors}" if errors else "")
            )
        client.close()
    return rows


def load(viewers: list[Viewer], seconds: float, calendar_only: bool) -> dict:
    """One thread per viewer, each logged in, requesting its role's pages in random order
    without pause for `seconds`."""
    results: list[tuple[float, int]] = []
    lock = threading.Lock()
    deadline = [0.0]
    clients = [login(v.username) for v in viewers]
    barrier = threading.Barrier(len(viewers) + 1)

    def run(viewer: Viewer, client: httpx.Client, seed: int) -> None:
        rng = random.Random(seed)
        pages = [("calendar", "/calendar/")] if calendar_only else viewer.pages
        mine = []
        barrier.wait()
        while time.perf_counter() < deadline[0]:
            _, path = rng.choice(pages)
            try:
                status, ms = timed_get(client, path)
            except httpx.HTTPError:
                status, ms = 599, 0.0
            mine.append((ms, status))
        with lock:
            results.extend(mine)

    threads = [
        threading.Thread(target=run, args=(v, c, i))
        for i, (v, c) in enumerate(zip(viewers, clients, strict=True))
    ]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    for c in clients:
        c.close()
    times = [ms for ms, _ in results]
    return {
        "requests": len(results),
        "rps": len(results) / elapsed,
        "p50": statistics.median(times),
        "p95": pct(times, 95),
        "errors": sum(1 for _, status in results if status != 200),
    }


def report(rows: list[dict], mixed: dict | None, calendar: dict | None, args) -> str:
    lines = [
        f"Page benchmark, {time.strftime('%Y-%m-%d %H:%M')}: gunicorn --workers {args.workers} "
        f"--threads {args.threads}, {args.requests} requests per page, ms.",
        "",
        "| role | page | p50 | p95 | calendar p50 | × calendar |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        flag = " **over**" if r["ratio"] > 5 or r["p50"] > 250 else ""
        lines.append(
            f"| {r['role']} | {r['page']} | {r['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['calendar']:.1f} | {r['ratio']:.1f}{flag} |"
        )
    worst = max(rows, key=lambda r: r["ratio"]) if rows else None
    if worst:
        lines += [
            "",
            f"Pages: {len(rows)}; highest ratio {worst['ratio']:.1f} ({worst['role']}, "
            f"{worst['page']}); slowest p50 {max(r['p50'] for r in rows):.1f} ms; over budget: "
            f"{sum(1 for r in rows if r['ratio'] > 5 or r['p50'] > 250)}; errors: "
            f"{sum(r['errors'] for r in rows)}.",
        ]
    if mixed and calendar:
        lines += [
            "",
            f"| {args.users} users, {args.seconds:.0f} s | requests | req/s | p50 | p95 | errors |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for label, m in (("calendar only", calendar), ("every page, mixed", mixed)):
            lines.append(
                f"| {label} | {m['requests']} | {m['rps']:.1f} | {m['p50']:.1f} | "
                f"{m['p95']:.1f} | {m['errors']} |"
            )
        lines.append(f"\nMixed / calendar-only throughput: {mixed['rps'] / calendar['rps']:.2f}.")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 30))
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--only", help="only pages whose name contains this")
    parser.add_argument("--skip-load", action="store_true", help="no 16-user runs")
    parser.add_argument("--skip-single", action="store_true", help="no per-page runs")
    parser.add_argument("--no-history", action="store_true", help="do not load history")
    parser.add_argument("--out", help="write the markdown report here")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL benchmark database (see the docstring).")
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    viewers = prepare(args.today, load=not args.no_history)
    server = start_gunicorn(args.workers, args.threads, database_url, args.today)
    try:
        for viewer in viewers[:4]:
            client = login(viewer.username)
            discover(client, viewer, args.only)
            client.close()
        # The twelve extra users browse their role's pages with their own ids.
        for viewer in viewers[4:]:
            template = next(v for v in viewers[:4] if v.role == viewer.role)
            client = login(viewer.username)
            for name, _path in template.pages:
                own = dict(PAGES)[name].format(**viewer.ids)
                if "None" not in own and timed_get(client, own)[0] == 200:
                    viewer.pages.append((name, own))
            client.close()
        rows = [] if args.skip_single else single_user(viewers[:4], args.requests, print)
        mixed = calendar = None
        if not args.skip_load:
            users = viewers[: args.users]
            calendar = load(users, args.seconds, calendar_only=True)
            print(f"calendar only: {calendar}")
            mixed = load(users, args.seconds, calendar_only=False)
            print(f"mixed: {mixed}")
        text = report(rows, mixed, calendar, args)
        print(text)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
