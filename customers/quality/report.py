"""The monthly duplicate and fake records report (002 §5.2.2; SPEC §8).

A report month covers every customer registered before the month's end, read as the archive
stands now (a month-end snapshot would need storing); "new" marks what was registered in the
month itself. Duplicates are counted across the whole company, but a viewer is shown only the
customers they may see, and how many others share the value (docs/decisions.md).

Each call runs a fixed number of queries, whatever the archive's size: the grouping and the
filtering happen in the database, one page at a time.
"""

import operator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce

from django.db import connection
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..masking import is_masked, shown_text
from ..models import Contact, Customer
from ..selectors import customers_visible_to, visibility_condition
from . import keys, rules
from .rules import NAME_KEY, PHONE_KEY, TAX_ID_KEY, Problem

GROUPS_PER_PAGE = 50
RECORDS_PER_PAGE = 100
MEMBERS_SHOWN = 20
# Deep offsets only make the database count further; nobody reads page 100,000.
MAX_PAGE = 10_000


class Kind:
    PHONE = "phone"
    TAX_ID = "tax_id"
    NAME = "name"
    FAKE = "fake"


KIND_LABELS = {
    Kind.PHONE: gettext_lazy("Same phone"),
    Kind.TAX_ID: gettext_lazy("Same tax id"),
    Kind.NAME: gettext_lazy("Similar name"),
    Kind.FAKE: gettext_lazy("Fake data"),
}
DUPLICATE_KINDS = [Kind.PHONE, Kind.TAX_ID, Kind.NAME]
# The customer field whose masking (customers.masking) a group's shared value follows.
KEY_FIELDS = {Kind.PHONE: "phone", Kind.TAX_ID: "tax_id", Kind.NAME: "name"}


# --- the month ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportMonth:
    """A calendar month in the company's time zone."""

    first: date

    @classmethod
    def of(cls, day: date) -> "ReportMonth":
        return cls(day.replace(day=1))

    @classmethod
    def parse(cls, text: str) -> "ReportMonth":
        """'2026-03' → March 2026. Raises ValueError for anything else (years before 2000 too:
        there is no customer to report on)."""
        text = (text or "").strip()
        year, sep, month = text.partition("-")
        if not (text.isascii() and sep and len(year) == 4 and year.isdigit() and month):
            raise ValueError(text)
        if len(month) > 2 or not month.isdigit() or not 1 <= int(month) <= 12 or int(year) < 2000:
            raise ValueError(text)
        return cls(date(int(year), int(month), 1))

    @property
    def next_first(self) -> date:
        if self.first.month == 12:
            return date(self.first.year + 1, 1, 1)
        return date(self.first.year, self.first.month + 1, 1)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, datetime.min.time()))

    @property
    def end(self) -> datetime:
        """The first moment after the month: the report covers registrations before it."""
        return timezone.make_aware(datetime.combine(self.next_first, datetime.min.time()))

    def __str__(self) -> str:
        return f"{self.first:%Y-%m}"


# --- results --------------------------------------------------------------------------------


@dataclass
class Member:
    customer: Customer
    where: list[str] = field(default_factory=list)  # phone groups: the fields carrying it


@dataclass
class Group:
    """Customers sharing one normalised value. `size` counts the whole company; `visible` the
    ones the viewer may see; `members` the first of those, oldest first."""

    kind: str
    value: str
    size: int
    visible: int
    is_new: bool
    members: list[Member]

    @property
    def hidden(self) -> int:
        return self.size - self.visible

    @property
    def more(self) -> int:
        return self.visible - len(self.members)


@dataclass
class Finding:
    name: str  # the field: "phone", or "contact_mobile" for a contact's
    code: str  # a `rules.Problem`
    field: str  # the field's label, in the viewer's language
    value: str
    reason: str


@dataclass
class Record:
    """A customer with obviously fake data, and what is wrong with it."""

    customer: Customer
    findings: list[Finding]
    is_new: bool


@dataclass
class Page:
    items: list
    number: int
    has_next: bool


def _bounds(page: int, per_page: int) -> tuple[int, int]:
    page = min(max(page, 1), MAX_PAGE)
    offset = (page - 1) * per_page
    return offset, offset + per_page + 1  # one more row says whether a next page exists


# --- duplicates -----------------------------------------------------------------------------


def _visible_flag(condition: Q | None, prefix: str = ""):
    if condition is None:
        return Value(1)
    if prefix:
        condition = _prefixed(condition, prefix)
    return Case(When(condition, then=Value(1)), default=Value(0))


def _prefixed(condition: Q, prefix: str) -> Q:
    """The same condition seen from a related model (`department` → `customer__department`)."""
    children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (f"{prefix}__{child[0]}", child[1])
        for child in condition.children
    ]
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def _entries(kind: str, condition: Q | None, month: ReportMonth):
    """(customer id, normalised value, visible?, new?, registered at) for every customer
    registered before the month's end. Phones come from the customer's own number and every
    contact's phone and mobile: a contact's mobile equal to another customer's phone is the
    commonest duplicate the keys miss (contacts imported or added before the keys existed)."""

    def pairs(queryset, column, key, via=""):
        at = f"{via}registered_at"
        return (
            queryset.filter(**{f"{at}__lt": month.end})
            .exclude(**{column: ""})
            .annotate(
                cid=F(f"{via}id"),
                v=key(column),
                vis=_visible_flag(condition, via.rstrip("_")),
                fresh=Case(When(**{f"{at}__gte": month.start}, then=Value(1)), default=Value(0)),
                reg=F(at),
            )
            .order_by()
            .values_list("cid", "v", "vis", "fresh", "reg")
        )

    if kind == Kind.PHONE:
        own = pairs(Customer.objects, "phone", rules.phone_digits)
        contacts = [
            pairs(Contact.objects, column, rules.phone_digits, via="customer__")
            for column in ("phone", "mobile")
        ]
        return own.union(*contacts, all=True), PHONE_KEY
    if kind == Kind.TAX_ID:
        return pairs(Customer.objects, "tax_id", rules.tax_id_clean), TAX_ID_KEY
    return pairs(Customer.objects, "name", rules.name_core), NAME_KEY


def _group_rows(kind: str, condition: Q | None, month: ReportMonth, bounds) -> list[tuple]:
    """(value, new?, signed ids) of a page of groups: from the stored keys on PostgreSQL
    (`keys`), computed from the archive elsewhere. Both answer the same (the tests hold them
    to it)."""
    if connection.vendor == "postgresql":
        return _stored_group_rows(kind, condition, month, bounds)
    return _live_group_rows(kind, condition, month, bounds)


def _stored_group_rows(kind: str, condition: Q | None, month: ReportMonth, bounds) -> list[tuple]:
    """The live GROUP BY's answer over the values two customers or more hold
    (`customers_report_dup`, a few rows per thousand customers) instead of the archive: a
    month's group is one of them, cut to the customers registered before the month's end."""
    if condition is None:  # every customer visible: the key rows carry all it takes
        sql = (
            "SELECT k.value, MAX(CASE WHEN k.registered_at >= %s THEN 1 ELSE 0 END), "
            "STRING_AGG(CAST(k.customer_id AS text), ',') "
            f"FROM {keys.DUP_TABLE} d "
            f"JOIN {keys.KEY_TABLE} k ON k.kind = d.kind AND k.value = d.value "
            "WHERE d.kind = %s AND k.registered_at < %s GROUP BY k.value HAVING COUNT(*) >= 2 "
            "ORDER BY MAX(k.registered_at) DESC, k.value LIMIT %s OFFSET %s"
        )
        params = [month.start, kind, month.end, bounds[1] - bounds[0], bounds[0]]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    customers = (
        Customer.objects.filter(registered_at__lt=month.end)
        .annotate(
            cid=F("id"),
            vis=_visible_flag(condition),
            fresh=Case(When(registered_at__gte=month.start, then=Value(1)), default=Value(0)),
            reg=F("registered_at"),
        )
        .order_by()
        .values_list("cid", "vis", "fresh", "reg")
    )
    customers_sql, params = customers.query.sql_with_params()
    # The viewer's own customers first (a department's few thousand, by its index), then only
    # the shared values one of them holds: the archive's other members are read for those alone.
    visible = Customer.objects.filter(condition, registered_at__lt=month.end).values("id")
    visible_sql, visible_params = visible.query.sql_with_params()
    sql = (
        "SELECT k.value, MAX(e.fresh), "
        "STRING_AGG(CAST(CASE WHEN e.vis = 1 THEN e.cid ELSE -e.cid END AS text), ',') "
        f"FROM {keys.KEY_TABLE} k JOIN ({customers_sql}) e ON e.cid = k.customer_id "
        "WHERE k.kind = %s AND k.value IN ("
        f"  SELECT v.value FROM {keys.KEY_TABLE} v "
        f"  JOIN {keys.DUP_TABLE} d ON d.kind = v.kind AND d.value = v.value "
        f"  WHERE v.kind = %s AND v.customer_id IN ({visible_sql})) "
        "GROUP BY k.value HAVING COUNT(*) >= 2 AND MAX(e.vis) = 1 "
        "ORDER BY MAX(e.reg) DESC, k.value LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*params, kind, kind, *visible_params, bounds[1] - bounds[0], bounds[0]]
        )
        return cursor.fetchall()


def _live_group_rows(kind: str, condition: Q | None, month: ReportMonth, bounds) -> list[tuple]:
    """One GROUP BY over the entries: values held by at least two customers (MIN(id) <
    MAX(id), so a customer whose phone is also its contact's mobile is no pair), at least
    one of them visible, newest registration first. The ids come back signed (negative:
    not visible to the viewer), so one aggregate carries both lists.

    Every test is on the group (HAVING), none on the row: in WHERE the database would
    normalise each row's value a second time. Django cannot aggregate over a union, so the
    outer statement is written here; its pieces are compiled by the ORM and every value
    travels as a parameter.
    """
    entries, valid = _entries(kind, condition, month)
    entries_sql, params = entries.query.sql_with_params()
    if connection.vendor == "postgresql":
        matches = "MAX(e.v) ~ %s"
        ids = "STRING_AGG(CAST(CASE WHEN e.vis = 1 THEN e.cid ELSE -e.cid END AS text), ',')"
    else:
        matches = "MAX(e.v) REGEXP %s"
        ids = "GROUP_CONCAT(CASE WHEN e.vis = 1 THEN e.cid ELSE -e.cid END)"
    sql = (
        f"SELECT e.v, MAX(e.fresh), {ids} FROM ({entries_sql}) e GROUP BY e.v "
        f"HAVING MIN(e.cid) < MAX(e.cid) AND MAX(e.vis) = 1 AND {matches} "
        "ORDER BY MAX(e.reg) DESC, e.v LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, valid, bounds[1] - bounds[0], bounds[0]])
        return cursor.fetchall()


def _signed_ids(text: str | None) -> tuple[list[int], int]:
    """(visible ids, oldest first; how many customers in all) from the signed id list."""
    ids = {int(part) for part in (text or "").split(",") if part}
    visible = sorted(i for i in ids if i > 0)
    return visible, len({abs(i) for i in ids})


def _where_phone(customer: Customer, value: str) -> list[str]:
    """Which of the customer's fields carry the number (the database grouped by the same
    normalisation, `rules.phone_digits`)."""
    where = []
    if rules.phone_digits_py(customer.phone) == value:
        where.append(str(Customer._meta.get_field("phone").verbose_name))
    for contact in customer.contacts.all():
        for column in ("phone", "mobile"):
            if (
                getattr(contact, column)
                and rules.phone_digits_py(getattr(contact, column)) == value
            ):
                where.append(_contact_field(contact, column))
    return where


def _contact_field(contact: Contact, column: str) -> str:
    return _("Contact %(name)s: %(field)s") % {
        "name": contact.name,
        "field": Contact._meta.get_field(column).verbose_name,
    }


def duplicate_groups(
    user,
    *,
    kind: str,
    month: ReportMonth,
    page: int = 1,
    per_page: int = GROUPS_PER_PAGE,
    members_shown: int = MEMBERS_SHOWN,
) -> Page:
    """Groups of customers registered before the end of `month` that share a normalised phone
    (own or a contact's), tax id or name core, newest registration first (002 §5.2.2).

    A group shows when at least one of its customers is visible to `user`; only those are
    listed, the others only counted. A fixed number of queries, whatever the size.
    """
    rows = _group_rows(kind, visibility_condition(user), month, _bounds(page, per_page))
    has_next = len(rows) > per_page
    rows = [(value, fresh, *_signed_ids(ids)) for value, fresh, ids in rows[:per_page]]
    wanted = {pk for _value, _fresh, visible, _size in rows for pk in visible[:members_shown]}
    customers = (
        customers_visible_to(user).filter(pk__in=wanted).select_related("holder", "department")
    )
    if kind == Kind.PHONE:
        customers = customers.prefetch_related(Prefetch("contacts"))
    by_id = {c.pk: c for c in customers}
    groups = []
    for value, fresh, visible, size in rows:
        members = [by_id[pk] for pk in visible[:members_shown] if pk in by_id]
        members.sort(key=lambda c: (c.registered_at, c.pk))
        # The shared value is each member's own: readable when one of them is seen in full.
        masked = bool(members) and all(c.contacts_masked for c in members)
        groups.append(
            Group(
                kind=kind,
                value=shown_text(Customer, KEY_FIELDS[kind], value, masked=masked),
                size=size,
                visible=len(visible),
                is_new=bool(fresh),
                members=[
                    Member(c, _where_phone(c, value) if kind == Kind.PHONE else []) for c in members
                ],
            )
        )
    return Page(groups, number=min(max(page, 1), MAX_PAGE), has_next=has_next)


# --- fake data ------------------------------------------------------------------------------

# field → (the database's "anything wrong?", the Python twin saying what, wording group)
CUSTOMER_CHECKS = {
    "name": (rules.name_suspect, rules.name_problem, "name"),
    "phone": (rules.phone_suspect, rules.phone_problem, "phone"),
    "fax": (rules.phone_suspect, rules.phone_problem, "phone"),
    "address": (rules.address_suspect, rules.address_problem, "address"),
    "postcode": (rules.postcode_suspect, rules.postcode_problem, "postcode"),
    "tax_id": (rules.tax_id_suspect, rules.tax_id_problem, "tax_id"),
}
CONTACT_CHECKS = {"phone": CUSTOMER_CHECKS["phone"], "mobile": CUSTOMER_CHECKS["phone"]}


def _reasons() -> dict[tuple[str, str], str]:
    phone = {
        Problem.INVALID: _("Not a valid Chinese mobile or landline number."),
        Problem.REPEATED: _("A placeholder number: seven or more identical digits in a row."),
        Problem.SEQUENCE: _("A placeholder number: seven or more consecutive digits."),
    }
    return {
        **{("phone", code): text for code, text in phone.items()},
        ("name", Problem.SHORT): _(
            "Too short to be a real name once spaces, punctuation and company words are removed."
        ),
        ("name", Problem.PLACEHOLDER): _("A placeholder name (test, unknown, none, customer 1…)."),
        ("address", Problem.PLACEHOLDER): _("A placeholder address (none, unknown, as above…)."),
        ("address", Problem.SHORT): _(
            "Too short to be a real address (fewer than %(count)d characters)."
        )
        % {"count": rules.ADDRESS_MIN},
        ("postcode", Problem.INVALID): _("A postcode has exactly six digits."),
        ("postcode", Problem.REPEATED): _("A placeholder postcode: one digit repeated."),
        ("tax_id", Problem.CHARS): _("A tax id has only letters and digits."),
        ("tax_id", Problem.LENGTH): _("A tax id has 15, 18 or 20 characters."),
        ("tax_id", Problem.REPEATED): _("A placeholder tax id: one character repeated."),
        ("tax_id", Problem.FORMAT): _(
            "Not a unified social credit code: a character is not allowed in its position."
        ),
        ("tax_id", Problem.CHECKSUM): _(
            "The check character (the 18th) of the unified social credit code is wrong."
        ),
    }


def _suspect(checks: dict) -> Q:
    """Rows where any of the fields looks wrong (the database's half of the rules)."""
    return reduce(operator.or_, (Q(suspect(name)) for name, (suspect, *_rest) in checks.items()))


def _findings(customer: Customer, contacts: list[Contact], reasons) -> list[Finding]:
    masked = is_masked(customer)
    found = []
    for name, (_suspect_in_db, problem, wording) in CUSTOMER_CHECKS.items():
        value = getattr(customer, name)
        if code := problem(value):
            label = str(Customer._meta.get_field(name).verbose_name)
            shown = shown_text(Customer, name, value, masked=masked)
            found.append(Finding(name, code, label, shown, reasons[wording, code]))
    for contact in contacts:
        for name, (_suspect_in_db, problem, wording) in CONTACT_CHECKS.items():
            value = getattr(contact, name)
            if code := problem(value):
                label = _contact_field(contact, name)
                shown = shown_text(Contact, name, value, masked=masked)
                found.append(Finding(f"contact_{name}", code, label, shown, reasons[wording, code]))
    return found


def fake_records(
    user, *, month: ReportMonth, page: int = 1, per_page: int = RECORDS_PER_PAGE
) -> Page:
    """Customers registered before the end of `month` with obviously fake data in a name,
    phone, fax, address, postcode, tax id or a contact's number, newest first (002 §5.2.2).
    Each finding names the field and why. A fixed number of queries, whatever the size.

    The database picks the customers (one condition per field, see `rules`); the Python
    twins of the rules say what is wrong, for the page's rows only.
    """
    offset, stop = _bounds(page, per_page)
    customers = list(
        customers_visible_to(user)
        .filter(registered_at__lt=month.end)
        # EXISTS, not IN (subquery): inside an OR, PostgreSQL cannot hash an IN list it
        # expects to be large and would scan it again for every customer; EXISTS probes the
        # contacts' customer index instead, so the cost stays linear.
        .filter(
            _suspect(CUSTOMER_CHECKS)
            | Exists(Contact.objects.filter(_suspect(CONTACT_CHECKS), customer_id=OuterRef("pk")))
        )
        .select_related("holder", "department")
        .order_by("-pk")[offset:stop]
    )
    has_next = len(customers) > per_page
    customers = customers[:per_page]
    contacts: dict[int, list[Contact]] = {}
    for contact in Contact.objects.filter(customer__in=[c.pk for c in customers]):
        contacts.setdefault(contact.customer_id, []).append(contact)
    reasons = _reasons()
    records = [
        Record(
            customer,
            _findings(customer, contacts.get(customer.pk, []), reasons),
            is_new=customer.registered_at >= month.start,
        )
        for customer in customers
    ]
    return Page(records, number=min(max(page, 1), MAX_PAGE), has_next=has_next)
