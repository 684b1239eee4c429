"""Two years of history for the page benchmark (issue 19), loaded with set-based SQL on
PostgreSQL after `generate_data` and `generate_sales_data`: public notices from reclaim sweeps,
penalty ledger entries, claim requests, complaints and notifications.

The volumes are what a company of 10,000 staff accumulates (issue 19 measured the pages with
150,000 notices and 444,000 ledger entries); the rows are spread over the 24 months before
`today`, newest months fullest where that is how the product writes them (proposed ledger lines
only in the open month, running notices only in the last week). Deterministic: the generator's
random choices come from `setseed`.

    DATABASE_URL=… .venv/bin/python -m tests.bench.pages --load-history --today 2026-11-30
"""

from __future__ import annotations

import time
from datetime import date

from django.db import connection, transaction

VOLUMES = {
    "notices": 150_000,
    "ledger": 444_000,
    "claims": 20_000,
    "complaints": 20_000,
    "notifications": 600_000,
}


def history_present() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM allocation_publicnotice)")
        return cur.fetchone()[0]


def load_history(*, today: date, seed: float = 0.42, out=print) -> None:
    """Insert the history once (a no-op when notices exist already)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the history is loaded on PostgreSQL only")
    if history_present():
        out("history present; nothing loaded")
        return
    params = {"today": today, **VOLUMES}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [seed])
        # The salespeople with their department, numbered, and the customers' id range.
        cur.execute(
            """
            CREATE TEMP TABLE bench_sales AS
            SELECT row_number() OVER (ORDER BY s.user_id) AS n, s.user_id, s.department_id
            FROM crm_staff s WHERE s.role = 'salesperson' AND s.department_id IS NOT NULL
            """
        )
        cur.execute("SELECT count(*) FROM bench_sales")
        params["people"] = cur.fetchone()[0]
        cur.execute("SELECT min(id), max(id) FROM customers_customer")
        params["c_min"], params["c_max"] = cur.fetchone()
        cur.execute(
            "SELECT user_id FROM crm_staff WHERE role = 'general_manager' ORDER BY user_id LIMIT 1"
        )
        params["gm"] = cur.fetchone()[0]
        steps = [
            (
                "notices",
                # Reclaimed over two years; notices run 7 days; 1 % appealed, decided unless
                # still inside the window; the department is the customer's (its pool).
                """
                INSERT INTO allocation_publicnotice
                    (policy, pool, reclaimed_at, ends_at, appeal_reason, appealed_at, decision,
                     decided_at, decision_reason, customer_id, decided_by_id, department_id,
                     previous_holder_id)
                SELECT p.policy, 'department', p.at, p.at + interval '7 days',
                       CASE WHEN p.appeal THEN '跟进记录漏录, 申请恢复' ELSE '' END,
                       CASE WHEN p.appeal THEN p.at + interval '2 days' END,
                       CASE WHEN p.appeal AND p.at < %(today)s::timestamptz - interval '7 days'
                            THEN 'confirmed' ELSE '' END,
                       CASE WHEN p.appeal AND p.at < %(today)s::timestamptz - interval '7 days'
                            THEN p.at + interval '5 days' END,
                       '', c.id, NULL, c.department_id, s.user_id
                FROM (
                    SELECT g,
                           (ARRAY['no_followup','no_deal_self','no_deal_issued','unsatisfied'])
                               [1 + (random() * 3)::int] AS policy,
                           %(today)s::timestamptz - (random() ^ 0.7) * interval '730 days' AS at,
                           random() < 0.01 AS appeal,
                           %(c_min)s + (random() * (%(c_max)s - %(c_min)s))::bigint AS cid,
                           1 + (random() * (%(people)s - 1))::int AS sn
                    FROM generate_series(1, %(notices)s) g
                ) p
                JOIN customers_customer c ON c.id = p.cid
                JOIN bench_sales s ON s.n = p.sn
                """,
            ),
            (
                "ledger",
                # Confirmed in closed-out months, a few waived, proposed in the open month.
                """
                INSERT INTO penalties_ledgerentry
                    (amount, points, extra_customers, reason, month, occurred_on, status,
                     created_at, decided_at, decision_note, scan_key, created_by_id, customer_id,
                     deal_id, decided_by_id, department_id, followup_id, handover_id, person_id,
                     reversal_of_id, rule_id)
                SELECT CASE WHEN r.code LIKE 'REWARD%%' THEN 100 ELSE -50 END, 0, 0,
                       '历史记录 ' || g.g, date_trunc('month', g.day)::date, g.day,
                       CASE WHEN date_trunc('month', g.day) = date_trunc('month', %(today)s::date)
                            THEN 'proposed'
                            WHEN random() < 0.05 THEN 'waived' ELSE 'confirmed' END,
                       g.day + interval '20 hours',
                       CASE WHEN date_trunc('month', g.day) = date_trunc('month', %(today)s::date)
                            THEN NULL ELSE g.day + interval '3 days' END,
                       '经核实属实', NULL, NULL,
                       %(c_min)s + (random() * (%(c_max)s - %(c_min)s))::bigint,
                       NULL,
                       CASE WHEN date_trunc('month', g.day) = date_trunc('month', %(today)s::date)
                            THEN NULL ELSE %(gm)s END,
                       s.department_id, NULL, NULL, s.user_id, NULL, r.id
                FROM (
                    SELECT g, (%(today)s::date - (random() * 729)::int) AS day,
                           1 + (random() * (%(people)s - 1))::int AS sn,
                           (ARRAY['LATE_ENTRY','LATE_ENTRY','THIN_CONTENT','QUOTA_SCORE',
                                  'NEW_RESOURCE_QUOTA','INCOMPLETE_AFTER_DEAL','NO_LOGIN',
                                  'REWARD_MONEY'])[1 + (random() * 7)::int] AS code
                    FROM generate_series(1, %(ledger)s) g
                ) g
                JOIN bench_sales s ON s.n = g.sn
                JOIN penalties_penaltyrule r ON r.code = g.code
                """,
            ),
            (
                "claims",
                """
                WITH made AS (
                    INSERT INTO allocation_claimrequest
                        (reason, created_at, status, decided_at, decision_reason, decided_by_id,
                         department_id, requester_id)
                    SELECT '老客户介绍, 申请领取', q.at,
                           CASE WHEN q.at > %(today)s::timestamptz - interval '3 days'
                                THEN 'pending' WHEN random() < 0.8 THEN 'approved'
                                ELSE 'rejected' END,
                           CASE WHEN q.at > %(today)s::timestamptz - interval '3 days' THEN NULL
                                ELSE q.at + interval '1 day' END,
                           '', NULL, s.department_id, s.user_id
                    FROM (
                        SELECT g, %(today)s::timestamptz - random() * interval '730 days' AS at,
                               1 + (random() * (%(people)s - 1))::int AS sn
                        FROM generate_series(1, %(claims)s) g
                    ) q
                    JOIN bench_sales s ON s.n = q.sn
                    RETURNING id
                )
                INSERT INTO allocation_claimrequest_customers (claimrequest_id, customer_id)
                SELECT id, %(c_min)s + (random() * (%(c_max)s - %(c_min)s))::bigint FROM made
                """,
            ),
            (
                "complaints",
                """
                INSERT INTO service_complaint
                    (complainant, complainant_phone, content, step, taken_at, response_due,
                     reminded_at, escalated_at, investigated_at, findings, handled_at,
                     resolution, confirmed_at, archived_at, breach_on, verified_at,
                     archived_by_id, breach_person_id, confirmed_by_id, customer_id,
                     department_id, handled_by_id, investigated_by_id, ledger_entry_id,
                     responsible_id, taken_by_id, verified_by_id, category_id)
                SELECT '客户' || q.g, '1390000' || lpad((q.g %% 10000)::text, 4, '0'),
                       '送货延迟, 安装不到位', q.step, q.at, q.at + interval '1 day',
                       NULL, NULL,
                       CASE WHEN q.step <> 'received' THEN q.at + interval '1 day' END,
                       CASE WHEN q.step <> 'received' THEN '已核实' ELSE '' END,
                       CASE WHEN q.step IN ('handling','confirmed','archived')
                            THEN q.at + interval '2 days' END,
                       CASE WHEN q.step IN ('handling','confirmed','archived')
                            THEN '上门处理' ELSE '' END,
                       CASE WHEN q.step IN ('confirmed','archived')
                            THEN q.at + interval '3 days' END,
                       CASE WHEN q.step = 'archived' THEN q.at + interval '4 days' END,
                       NULL, NULL,
                       CASE WHEN q.step = 'archived' THEN %(gm)s END, NULL,
                       CASE WHEN q.step IN ('confirmed','archived') THEN %(gm)s END,
                       %(c_min)s + (random() * (%(c_max)s - %(c_min)s))::bigint,
                       s.department_id,
                       CASE WHEN q.step IN ('handling','confirmed','archived') THEN s.user_id END,
                       CASE WHEN q.step <> 'received' THEN s.user_id END,
                       NULL, s.user_id, s.user_id, NULL,
                       (SELECT min(id) FROM service_complaintcategory)
                FROM (
                    SELECT g, %(today)s::timestamptz - (random() ^ 0.8) * interval '730 days' AS at,
                           1 + (random() * (%(people)s - 1))::int AS sn,
                           CASE WHEN g %% 50 = 0 THEN 'received' WHEN g %% 50 = 1
                                THEN 'investigating' WHEN g %% 50 = 2 THEN 'handling'
                                WHEN g %% 10 = 3 THEN 'confirmed' ELSE 'archived' END AS step
                    FROM generate_series(1, %(complaints)s) g
                ) q
                JOIN bench_sales s ON s.n = q.sn
                """,
            ),
            (
                "notifications",
                # Everyone's messages over two years, all but the last days read.
                """
                INSERT INTO crm_notification (title, body, link, created_at, read_at, recipient_id)
                SELECT '客户公示提醒', '您的客户已被收回, 公示期内可申诉。', '/allocation/notices/',
                       q.at, CASE WHEN q.at < %(today)s::timestamptz - interval '3 days'
                                  THEN q.at + interval '1 hour' END, s.user_id
                FROM (
                    SELECT %(today)s::timestamptz - (random() ^ 0.7) * interval '730 days' AS at,
                           1 + (random() * (%(people)s - 1))::int AS sn
                    FROM generate_series(1, %(notifications)s) g
                ) q
                JOIN bench_sales s ON s.n = q.sn
                """,
            ),
        ]
        for name, sql in steps:
            started = time.perf_counter()
            cur.execute(sql, params)
            out(f"{name}: {cur.rowcount} rows ({time.perf_counter() - started:.1f}s)")
        cur.execute("DROP TABLE bench_sales")
        for table in (
            "allocation_publicnotice",
            "penalties_ledgerentry",
            "allocation_claimrequest",
            "allocation_claimrequest_customers",
            "service_complaint",
            "crm_notification",
        ):
            cur.execute(f"ANALYZE {table}")
