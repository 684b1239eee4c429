"""The duplicates report's stored keys on PostgreSQL (issue 19).

Grouping a million customers by a normalised phone, tax id or name on every request took
seconds. The registration keys (`CustomerKey`) cannot answer it: they are UNIQUE, so they hold
no duplicate by construction, and the report exists to find what slipped past them (contacts'
numbers, rows written around the keys, the looser name core). So the database keeps two small
tables of its own, by triggers, whoever writes (services, imports, COPY, queryset updates):

- `customers_report_key` (kind, value, customer_id, registered_at): each customer's
  normalised values, the very expressions of `rules` (`phone_digits` over the customer's
  phone and every contact's phone and mobile, `tax_id_clean`, `name_core`), only those the
  report accepts as keys (`PHONE_KEY`, `TAX_ID_KEY`, `NAME_KEY`), each once per customer;
- `customers_report_dup` (kind, value): the values held by two customers or more, whenever
  registered. A month's groups are among them (a month only drops later registrations), so the
  report groups these few rows instead of the archive.

Statement-level triggers with transition tables for inserts and contacts (a bulk insert
refreshes its rows in one pass); a row trigger on the key columns for customer updates, so an
update that names none of name, phone, tax id and registration time fires nothing. Whoever
changes keys takes the dup table's SHARE ROW EXCLUSIVE lock (itself conflicting) before
recounting, so two registrations of one number at the same moment cannot both miss each other.

Nothing here on SQLite: the report computes live there (`report._live_group_rows`).
"""

from django.db.models import F

from ..models import Customer
from . import rules

KEY_TABLE = "customers_report_key"
DUP_TABLE = "customers_report_dup"

# kind → (the normaliser, the customer column it reads on Customer, the pattern of a key)
NORMALISERS = {
    "phone": (rules.phone_digits, "phone", rules.PHONE_KEY),
    "tax_id": (rules.tax_id_clean, "tax_id", rules.TAX_ID_KEY),
    "name": (rules.name_core, "name", rules.NAME_KEY),
}


def _function_sql(connection, kind: str) -> str:
    """CREATE FUNCTION customers_report_<kind>(t text): the `rules` expression, compiled by
    the ORM over the customer column and then read as a function of its argument."""
    normaliser, column, _pattern = NORMALISERS[kind]
    query = Customer.objects.annotate(v=normaliser(F(column))).values("v").query
    sql, params = query.sql_with_params()
    sql = connection.ops.compose_sql(sql, params)
    table = Customer._meta.db_table
    prefix, suffix = "SELECT ", f' AS "v" FROM "{table}"'
    assert sql.startswith(prefix) and sql.endswith(suffix), sql
    body = sql[len(prefix) : -len(suffix)].replace(f'"{table}"."{column}"', "t")
    assert f'"{table}"' not in body, body
    return (
        f"CREATE OR REPLACE FUNCTION customers_report_{kind}(t text) RETURNS text "
        f"LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$ SELECT {body} $fn$"
    )


def _entries_sql(connection, where_customer: str, where_contact: str) -> str:
    """(kind, value, customer_id) of the customers and contacts chosen by the two conditions,
    only valid keys, each once."""
    patterns = {
        kind: connection.ops.compose_sql("%s", [p]) for kind, (*_x, p) in NORMALISERS.items()
    }
    return f"""
        SELECT DISTINCT e.kind, e.value, e.customer_id, e.registered_at FROM (
            SELECT 'phone' AS kind, customers_report_phone(c.phone) AS value,
                   c.id AS customer_id, c.registered_at
              FROM customers_customer c WHERE c.phone <> '' AND {where_customer}
            UNION ALL
            SELECT 'phone', customers_report_phone(k.phone), k.customer_id, c.registered_at
              FROM customers_contact k JOIN customers_customer c ON c.id = k.customer_id
             WHERE k.phone <> '' AND {where_contact}
            UNION ALL
            SELECT 'phone', customers_report_phone(k.mobile), k.customer_id, c.registered_at
              FROM customers_contact k JOIN customers_customer c ON c.id = k.customer_id
             WHERE k.mobile <> '' AND {where_contact}
            UNION ALL
            SELECT 'tax_id', customers_report_tax_id(c.tax_id), c.id, c.registered_at
              FROM customers_customer c WHERE c.tax_id <> '' AND {where_customer}
            UNION ALL
            SELECT 'name', customers_report_name(c.name), c.id, c.registered_at
              FROM customers_customer c WHERE c.name <> '' AND {where_customer}
        ) e
        WHERE (e.kind = 'phone' AND e.value ~ {patterns["phone"]})
           OR (e.kind = 'tax_id' AND e.value ~ {patterns["tax_id"]})
           OR (e.kind = 'name' AND e.value ~ {patterns["name"]})
    """


# Emptying the archive (a restore, the test runner's flush) empties the keys: TRUNCATE fires no
# row or statement trigger of INSERT/UPDATE/DELETE, so it has its own.
TRUNCATE_STATEMENTS = [
    f"""CREATE OR REPLACE FUNCTION customers_report_truncated() RETURNS trigger
    LANGUAGE plpgsql AS $fn$
    BEGIN
        TRUNCATE {KEY_TABLE}, {DUP_TABLE};
        RETURN NULL;
    END $fn$""",
    "DROP TRIGGER IF EXISTS customers_report_customer_trunc ON customers_customer",
    """CREATE TRIGGER customers_report_customer_trunc AFTER TRUNCATE ON customers_customer
        FOR EACH STATEMENT EXECUTE FUNCTION customers_report_truncated()""",
]


def install_statements(connection) -> list[str]:
    """The tables, functions and triggers, and the backfill (migration 0015)."""
    refresh_entries = _entries_sql(connection, "c.id = ANY(ids)", "k.customer_id = ANY(ids)")
    backfill_entries = _entries_sql(connection, "TRUE", "TRUE")
    return [
        f"""CREATE TABLE IF NOT EXISTS {KEY_TABLE} (
            kind text NOT NULL, value text NOT NULL, customer_id bigint NOT NULL,
            registered_at timestamptz NOT NULL,
            PRIMARY KEY (kind, value, customer_id) INCLUDE (registered_at))""",
        # Covering: a manager's report reads its customers' keys from the index alone.
        f"CREATE INDEX IF NOT EXISTS customers_report_key_customer ON {KEY_TABLE} "
        "(customer_id, kind) INCLUDE (value)",
        f"""CREATE TABLE IF NOT EXISTS {DUP_TABLE} (
            kind text NOT NULL, value text NOT NULL, PRIMARY KEY (kind, value))""",
        *(_function_sql(connection, kind) for kind in NORMALISERS),
        f"""CREATE OR REPLACE FUNCTION customers_report_refresh(ids bigint[]) RETURNS void
        LANGUAGE plpgsql AS $fn$
        DECLARE
            kinds text[];
            keyvalues text[];
        BEGIN
            IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
            WITH gone AS (DELETE FROM {KEY_TABLE} WHERE customer_id = ANY(ids)
                          RETURNING kind, value),
                 added AS (INSERT INTO {KEY_TABLE} (kind, value, customer_id, registered_at)
                           {refresh_entries}
                           RETURNING kind, value),
                 touched AS (SELECT kind, value FROM gone UNION SELECT kind, value FROM added)
            SELECT ARRAY_AGG(kind), ARRAY_AGG(value) INTO kinds, keyvalues FROM touched;
            IF kinds IS NULL THEN RETURN; END IF;
            -- Recount after the lock: a statement started now sees what others committed.
            LOCK TABLE {DUP_TABLE} IN SHARE ROW EXCLUSIVE MODE;
            DELETE FROM {DUP_TABLE} d USING UNNEST(kinds, keyvalues) AS t(kind, value)
                WHERE d.kind = t.kind AND d.value = t.value;
            INSERT INTO {DUP_TABLE} (kind, value)
                SELECT k.kind, k.value FROM {KEY_TABLE} k
                WHERE (k.kind, k.value) IN (SELECT * FROM UNNEST(kinds, keyvalues))
                GROUP BY k.kind, k.value HAVING COUNT(*) >= 2
                ON CONFLICT DO NOTHING;
        END $fn$""",
        """CREATE OR REPLACE FUNCTION customers_report_customer_inserted() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            PERFORM customers_report_refresh(ARRAY(SELECT id FROM new_rows));
            RETURN NULL;
        END $fn$""",
        # A row trigger on the key columns only: the reclaim sweep and every other bulk
        # UPDATE of holders, pools and clocks never name them, so they fire nothing (as a
        # statement trigger with transition tables it stored every moved customer twice and
        # joined them: the sweep went from 1.4x to 1.6x its bare UPDATE). A save that rewrites
        # all columns costs the WHEN comparison.
        """CREATE OR REPLACE FUNCTION customers_report_customer_updated() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            PERFORM customers_report_refresh(ARRAY[NEW.id]);
            RETURN NULL;
        END $fn$""",
        """CREATE OR REPLACE FUNCTION customers_report_contact_changed() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                PERFORM customers_report_refresh(ARRAY(SELECT DISTINCT customer_id FROM new_rows));
            ELSIF TG_OP = 'DELETE' THEN
                PERFORM customers_report_refresh(ARRAY(SELECT DISTINCT customer_id FROM old_rows));
            ELSE
                PERFORM customers_report_refresh(ARRAY(
                    SELECT n.customer_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE (n.phone, n.mobile, n.customer_id)
                          IS DISTINCT FROM (o.phone, o.mobile, o.customer_id)
                    UNION
                    SELECT o.customer_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE n.customer_id IS DISTINCT FROM o.customer_id));
            END IF;
            RETURN NULL;
        END $fn$""",
        "DROP TRIGGER IF EXISTS customers_report_customer_ins ON customers_customer",
        """CREATE TRIGGER customers_report_customer_ins AFTER INSERT ON customers_customer
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
            EXECUTE FUNCTION customers_report_customer_inserted()""",
        "DROP TRIGGER IF EXISTS customers_report_customer_upd ON customers_customer",
        """CREATE TRIGGER customers_report_customer_upd
            AFTER UPDATE OF phone, tax_id, name, registered_at ON customers_customer
            FOR EACH ROW WHEN (
                (NEW.phone, NEW.tax_id, NEW.name, NEW.registered_at)
                IS DISTINCT FROM (OLD.phone, OLD.tax_id, OLD.name, OLD.registered_at))
            EXECUTE FUNCTION customers_report_customer_updated()""",
        *(
            f"DROP TRIGGER IF EXISTS customers_report_contact_{op[:3].lower()} ON customers_contact"
            for op in ("INSERT", "UPDATE", "DELETE")
        ),
        """CREATE TRIGGER customers_report_contact_ins AFTER INSERT ON customers_contact
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
            EXECUTE FUNCTION customers_report_contact_changed()""",
        """CREATE TRIGGER customers_report_contact_upd AFTER UPDATE ON customers_contact
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
            EXECUTE FUNCTION customers_report_contact_changed()""",
        """CREATE TRIGGER customers_report_contact_del AFTER DELETE ON customers_contact
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
            EXECUTE FUNCTION customers_report_contact_changed()""",
        *TRUNCATE_STATEMENTS,
        # The backfill: every customer and contact in one pass, then the shared values.
        f"TRUNCATE {KEY_TABLE}, {DUP_TABLE}",
        f"INSERT INTO {KEY_TABLE} (kind, value, customer_id, registered_at) {backfill_entries}",
        f"""INSERT INTO {DUP_TABLE} (kind, value)
            SELECT kind, value FROM {KEY_TABLE} GROUP BY kind, value HAVING COUNT(*) >= 2""",
        f"ANALYZE {KEY_TABLE}",
        f"ANALYZE {DUP_TABLE}",
    ]


def uninstall_statements() -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS customers_report_customer_trunc ON customers_customer",
        "DROP FUNCTION IF EXISTS customers_report_truncated()",
        "DROP TRIGGER IF EXISTS customers_report_customer_ins ON customers_customer",
        "DROP TRIGGER IF EXISTS customers_report_customer_upd ON customers_customer",
        "DROP TRIGGER IF EXISTS customers_report_contact_ins ON customers_contact",
        "DROP TRIGGER IF EXISTS customers_report_contact_upd ON customers_contact",
        "DROP TRIGGER IF EXISTS customers_report_contact_del ON customers_contact",
        "DROP FUNCTION IF EXISTS customers_report_customer_inserted()",
        "DROP FUNCTION IF EXISTS customers_report_customer_updated()",
        "DROP FUNCTION IF EXISTS customers_report_contact_changed()",
        "DROP FUNCTION IF EXISTS customers_report_refresh(bigint[])",
        *(f"DROP FUNCTION IF EXISTS customers_report_{kind}(text)" for kind in NORMALISERS),
        f"DROP TABLE IF EXISTS {DUP_TABLE}",
        f"DROP TABLE IF EXISTS {KEY_TABLE}",
    ]
