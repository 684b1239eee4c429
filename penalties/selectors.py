"""Who sees which ledger entries (SPEC §1, §7): the GM everything; managers and accountants
their departments (and their own entries); a salesperson only their own."""

from django.db.models import BooleanField, Count, F, Func, Q, QuerySet, Subquery, Sum

from crm.selectors import departments_managed_by, departments_visible_to, manages_company

from .models import LedgerEntry, PenaltyRule


class _InSubquery(Func):
    """`column IN (subquery)`, spelt `column = ANY(ARRAY(subquery))` on PostgreSQL: OR-ed with
    another condition, an IN (subquery) is a filter run on every row of the table (444,000
    ledger entries: 125 ms for a manager's months), while ANY(ARRAY(…)) is computed once and
    read through the column's index (13 ms, issue 19)."""

    arity = 2
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        column, subquery = (compiler.compile(e) for e in self.get_source_expressions())
        return f"{column[0]} IN {subquery[0]}", [*column[1], *subquery[1]]

    def as_postgresql(self, compiler, connection, **extra):
        column, subquery = (compiler.compile(e) for e in self.get_source_expressions())
        return f"{column[0]} = ANY(ARRAY{subquery[0]})", [*column[1], *subquery[1]]


def entries_visible_to(user) -> QuerySet[LedgerEntry]:
    entries = LedgerEntry.objects.select_related("person", "rule", "department")
    if manages_company(user):
        return entries
    departments = Subquery(departments_visible_to(user).order_by().values("pk"))
    return entries.filter(Q(person=user) | Q(_InSubquery(F("department_id"), departments)))


def entries_to_decide(user) -> QuerySet[LedgerEntry]:
    """Proposals waiting on `user`: their managed departments' entries about somebody else
    (the GM: every entry not about themselves)."""
    proposed = LedgerEntry.objects.filter(status=LedgerEntry.Status.PROPOSED).exclude(person=user)
    if not manages_company(user):
        # Read through ledger_proposed_idx (department, created_at): as IN (subquery) the
        # planner fetched every proposed entry of the company and filtered them (18,000 at the
        # bench: 120 ms per dashboard).
        departments = Subquery(departments_managed_by(user).order_by().values("pk"))
        proposed = proposed.filter(_InSubquery(F("department_id"), departments))
    return proposed.select_related("person", "rule", "department")


def person_month_summary(person, month) -> dict:
    """A person's confirmed money and score for one month, and what still waits (one query)."""
    confirmed = Q(status=LedgerEntry.Status.CONFIRMED)
    totals = LedgerEntry.objects.filter(person=person, month=month).aggregate(
        amount=Sum("amount", filter=confirmed),
        points=Sum("points", filter=confirmed),
        confirmed=Count("pk", filter=confirmed),
        proposed=Count("pk", filter=Q(status=LedgerEntry.Status.PROPOSED)),
    )
    return {**totals, "amount": totals["amount"] or 0, "points": totals["points"] or 0}


def manual_rules() -> QuerySet[PenaltyRule]:
    """The rules a manager may record by hand: every rule in use that no scan applies,
    including those the GM added in the admin; a retired rule takes no new entry (SPEC §7)."""
    return PenaltyRule.objects.filter(origin=PenaltyRule.Origin.MANUAL, is_active=True).order_by(
        "is_reward", "code"
    )
