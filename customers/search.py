"""The name part of the customer search (`forms.CustomerFilter.search`), index-backed at any
length on PostgreSQL (issue 19).

Three characters or more: `icontains`, which the trigram indexes of migration 0003 serve. One
or two characters: pg_trgm makes no trigram of them, so PostgreSQL asks the grams index of
migration 0015 instead — every character and every pair of adjacent characters of UPPER(name)
and UPPER(short_name); a text of one or two characters is contained in a name exactly when it
is one of the name's grams, so the answer is the same as `icontains`'. SQLite keeps the plain
`icontains` (the embedded demo is small)."""

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value

# pg_trgm's trigrams serve a text of this many characters or more.
TRIGRAM_MIN = 3


class _NameTest(Func):
    """A test of a customer's name and short name against `text`."""

    output_field = BooleanField()

    def __init__(self, text: str):
        super().__init__(F("name"), F("short_name"), Value(text))


class HasGram(_NameTest):
    """`customers_search_grams(name, short_name) @> ARRAY[UPPER(text)]`: the name or the short
    name contains `text` (one or two characters), read from the grams index. The expression
    is spelled exactly as the index's (migration 0015), or the planner would not use it."""

    def as_sql(self, compiler, connection, **extra_context):
        name, short, text = (compiler.compile(e) for e in self.source_expressions)
        sql = (
            f"customers_search_grams(({name[0]})::text, ({short[0]})::text) "
            f"@> ARRAY[UPPER({text[0]})::text]"
        )
        return sql, [*name[1], *short[1], *text[1]]


class Contains(_NameTest):
    """STRPOS(UPPER(name), UPPER(text)) > 0 OR the same on the short name: `icontains` that no
    trigram index offers to serve. With the grams test it is the whole condition: when a text
    is common (有限) the planner reads the list in order and tests each row with this cheap
    expression first (PostgreSQL runs the cheaper of two AND-ed conditions first), so the
    grams are computed only for the rows that match; spelled as LIKE, the trigram indexes
    would be offered for a two-character pattern and scan in full."""

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
