"""The name part of the customer search (`forms.CustomerFilter.search`), index-backed at any
length on PostgreSQL (issue 19).

Three characters or more: `icontains`, which the trigram indexes of migration 0003 serve. One
or two characters: pg_trgm makes no trigram of them, so PostgreSQL asks the grams index of
`customers_search_gram` instead — every character and every pair of adjacent characters of
UPPER(name) and UPPER(short_name) (the function of migration 0015); a text of one or two
characters is contained in a name exactly when it is one of the name's grams, so the answer is
the same as `icontains`'. SQLite keeps the plain `icontains` (the embedded demo is small).

The grams live in a side table (customer id, grams) with its own GIN index, kept by triggers
on the customer table whoever writes (services, `bulk_create`, COPY, queryset updates): rows
inserted, a name or short name changed, the table emptied. Migration 0015 had
them as an expression index on the customer table itself, which every non-HOT update of a
customer maintained — the reclaim sweep's moves of holder and pool paid for grams of names
that had not changed (issue 19, the sweep's ORM-loop ratio)."""

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value

# pg_trgm's trigrams serve a text of this many characters or more.
TRIGRAM_MIN = 3

GRAMS_TABLE = "customers_search_gram"


class HasGram(Func):
    """EXISTS a grams row of the customer holding UPPER(text): the name or the short name
    contains `text` (one or two characters), read from the side table's GIN index. For a
    rare text the planner reads the index and joins the few customers; for a common one (有限)
    it walks the list in order and probes each row's grams by customer id.

    `customers_search_gram_has` repeats the containment test as a function the planner costs
    high (COST 10000): the walk would run it on every row it passes, the index read only on
    the rows it finds, so the planner walks only when the text is common. Without it, a text
    it has no statistics for (estimated at 0.5 % of names) made it walk the whole list for a
    text no name holds (王伟: 0.75 s instead of 12 ms at a million customers). At run time
    PostgreSQL tests the cheap operator first, so the function runs only on matching rows."""

    output_field = BooleanField()

    def __init__(self, text: str):
        super().__init__(F("pk"), Value(text))

    def as_sql(self, compiler, connection, **extra_context):
        pk, text = (compiler.compile(e) for e in self.source_expressions)
        sql = (
            f"EXISTS (SELECT 1 FROM {GRAMS_TABLE} g WHERE g.customer_id = {pk[0]} "
            f"AND g.grams @> ARRAY[UPPER({text[0]})::text] "
            f"AND customers_search_gram_has(g.grams, UPPER({text[0]})))"
        )
        return sql, [*pk[1], *text[1], *text[1]]


class Contains(Func):
    """STRPOS(UPPER(name), UPPER(text)) > 0 OR the same on the short name: `icontains` that no
    trigram index offers to serve. With the grams test it is the whole condition: when a text
    is common (有限) the planner reads the list in order and tests each row with this cheap
    expression first (PostgreSQL runs the cheaper of two AND-ed conditions first), so the
    grams are probed only for the rows that match; spelled as LIKE, the trigram indexes
    would be offered for a two-character pattern and scan in full."""

    output_field = BooleanField()

    def __init__(self, text: str):
        super().__init__(F("name"), F("short_name"), Value(text))

    def as_sql(self, compiler, connection, **extra_context):
        name, short, text = (compiler.compile(e) for e in self.source_expressions)
        sql = (
            f"(STRPOS(UPPER(({name[0]})::text), UPPER({text[0]})) > 0 "
            f"OR STRPOS(UPPER(({short[0]})::text), UPPER({text[0]})) > 0)"
        )
        return sql, [*name[1], *text[1], *short[1], *text[1]]


def name_matches(value: str) -> Q:
    """Customers whose name or short name contains `value`, ignoring case (as `icontains`)."""
    if connection.vendor == "postgresql" and len(value) < TRIGRAM_MIN:
        return Q(HasGram(value)) & Q(Contains(value))
    return Q(name__icontains=value) | Q(short_name__icontains=value)


# The side table and its triggers (migration 0019). A statement trigger with a transition table
# for inserts (a bulk insert writes its grams in one pass); a row trigger on the
# two name columns for updates, so an UPDATE that names neither (the reclaim sweep, every move
# of holder, pool or clock) fires nothing and writes nothing here. No DELETE trigger: the
# database refuses to delete a customer (migration 0009); TRUNCATE empties the grams too.
_GRAMS = "customers_search_grams(name::text, short_name::text)"


def install_statements() -> list[str]:
    """The table, its index, the triggers and the backfill (PostgreSQL)."""
    return [
        f"""CREATE TABLE IF NOT EXISTS {GRAMS_TABLE} (
            customer_id bigint PRIMARY KEY, grams text[] NOT NULL)""",
        """CREATE OR REPLACE FUNCTION customers_search_gram_has(grams text[], q text)
        RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 10000 AS $fn$
        BEGIN RETURN grams @> ARRAY[q]; END $fn$""",
        f"""CREATE OR REPLACE FUNCTION customers_search_gram_changed() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO {GRAMS_TABLE} (customer_id, grams)
                    SELECT id, {_GRAMS} FROM new_rows
                    ON CONFLICT (customer_id) DO UPDATE SET grams = EXCLUDED.grams;
            ELSIF TG_OP = 'UPDATE' THEN
                INSERT INTO {GRAMS_TABLE} (customer_id, grams)
                    VALUES (NEW.id, customers_search_grams(NEW.name::text, NEW.short_name::text))
                    ON CONFLICT (customer_id) DO UPDATE SET grams = EXCLUDED.grams;
                IF NEW.id <> OLD.id THEN
                    DELETE FROM {GRAMS_TABLE} WHERE customer_id = OLD.id;
                END IF;
            ELSE
                TRUNCATE {GRAMS_TABLE};
            END IF;
            RETURN NULL;
        END $fn$""",
        "DROP TRIGGER IF EXISTS customers_search_gram_ins ON customers_customer",
        """CREATE TRIGGER customers_search_gram_ins AFTER INSERT ON customers_customer
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
            EXECUTE FUNCTION customers_search_gram_changed()""",
        "DROP TRIGGER IF EXISTS customers_search_gram_upd ON customers_customer",
        """CREATE TRIGGER customers_search_gram_upd
            AFTER UPDATE OF id, name, short_name ON customers_customer
            FOR EACH ROW WHEN ((NEW.id, NEW.name, NEW.short_name)
                               IS DISTINCT FROM (OLD.id, OLD.name, OLD.short_name))
            EXECUTE FUNCTION customers_search_gram_changed()""",
        "DROP TRIGGER IF EXISTS customers_search_gram_trunc ON customers_customer",
        """CREATE TRIGGER customers_search_gram_trunc AFTER TRUNCATE ON customers_customer
            FOR EACH STATEMENT EXECUTE FUNCTION customers_search_gram_changed()""",
        # The backfill, then the index (one build is faster than a million insertions).
        f"TRUNCATE {GRAMS_TABLE}",
        f"INSERT INTO {GRAMS_TABLE} (customer_id, grams) SELECT id, {_GRAMS} "
        "FROM customers_customer",
        f"CREATE INDEX IF NOT EXISTS customers_search_gram_grams ON {GRAMS_TABLE} "
        "USING gin (grams)",
        # The planner needs the grams' most common elements to tell a search matching almost
        # everything (有限: walk the list in order) from a rare one (read the index).
        f"ANALYZE {GRAMS_TABLE}",
    ]


def uninstall_statements() -> list[str]:
    return [
        *(
            f"DROP TRIGGER IF EXISTS customers_search_gram_{op} ON customers_customer"
            for op in ("ins", "upd", "trunc")
        ),
        "DROP FUNCTION IF EXISTS customers_search_gram_changed()",
        "DROP FUNCTION IF EXISTS customers_search_gram_has(text[], text)",
        f"DROP TABLE IF EXISTS {GRAMS_TABLE}",
    ]
