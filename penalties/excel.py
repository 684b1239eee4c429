"""The payroll workbook of one month (SPEC §7): confirmed sums by rule per department and per
person, and every line with its status. No HTTP here; the view scopes the entries. Each sheet
is a `crm.xlsx.Table` (bold frozen header, filter, widths), money with thousands separators.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from io import BytesIO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook

from crm import xlsx

from .models import LedgerEntry, PenaltyRule
from .services.ledger import month_label

FILE_NAME = pgettext_lazy("file name", "ledger-%(month)s.xlsx")


def month_file_name(month: date) -> xlsx.FileName:
    """奖惩台账-2026-11.xlsx (ledger-2026-11.xlsx for clients that need ASCII)."""
    return xlsx.FileName.of(FILE_NAME, month=month_label(month))


def _sheet(book, title: str, header: list[str], *, money: list[int]) -> xlsx.Table:
    """A sheet whose columns `money` (0-based) hold yuan amounts."""
    sheet = book.create_sheet(title=title[:31])
    return xlsx.Table(sheet, header, formats=dict.fromkeys(money, xlsx.MONEY_FORMAT))


def month_workbook(entries: QuerySet[LedgerEntry], *, month: date) -> tuple[bytes, int]:
    """The workbook and the number of ledger lines in it (for the export log). Every cell goes
    through `crm.xlsx`: a reason typed as "=HYPERLINK(…)" stays text."""
    rules = list(PenaltyRule.objects.order_by("is_reward", "code"))
    rows = list(
        entries.filter(month=month)
        .select_related("person", "department", "rule", "decided_by")
        .order_by("department__path", "person__username", "occurred_on", "pk")
    )
    confirmed = [e for e in rows if e.status == LedgerEntry.Status.CONFIRMED]
    used = [r for r in rules if any(e.rule_id == r.pk for e in confirmed)]
    rule_names = [f"{r.label} ({r.code})" for r in used]

    book = Workbook()
    book.remove(book.active)
    by_department = defaultdict(lambda: defaultdict(Decimal))
    by_person = defaultdict(lambda: defaultdict(Decimal))
    points = defaultdict(int)
    for e in confirmed:
        department = e.department.name if e.department_id else _("Whole company")
        by_department[department][e.rule_id] += e.amount
        key = (department, e.person.username, e.person.display_name)
        by_person[key][e.rule_id] += e.amount
        points[key] += e.points

    sheet = _sheet(
        book,
        _("By department"),
        [_("Department"), *rule_names, _("Total (yuan)")],
        money=list(range(1, len(used) + 2)),
    )
    for department, sums in by_department.items():
        sheet.append([department, *[sums.get(r.pk, 0) for r in used], sum(sums.values())])
    sheet.close()

    sheet = _sheet(
        book,
        _("By person"),
        [
            _("Department"),
            _("Username"),
            _("Name"),
            *rule_names,
            _("Total (yuan)"),
            _("Score points"),
        ],
        money=list(range(3, len(used) + 4)),
    )
    for key, sums in by_person.items():
        sheet.append([*key, *[sums.get(r.pk, 0) for r in used], sum(sums.values()), points[key]])
    sheet.close()

    sheet = _sheet(
        book,
        _("Entries"),
        [
            "#",
            _("Department"),
            _("Username"),
            _("Name"),
            _("Rule"),
            _("Amount (yuan)"),
            _("Score points"),
            _("Breach date"),
            _("Status"),
            _("Decided by"),
            _("Reason"),
            _("Reverses"),
        ],
        money=[5],
    )
    for e in rows:
        sheet.append(
            [
                e.pk,
                e.department.name if e.department_id else "",
                e.person.username,
                e.person.display_name,
                f"{e.rule.label} ({e.rule.code})",
                e.amount,
                e.points,
                e.occurred_on,
                e.get_status_display(),
                e.decided_by.display_name if e.decided_by_id else "",
                e.reason,
                e.reversal_of_id or "",
            ],
        )
    sheet.close()
    book.properties.title = _("Ledger %(month)s") % {"month": month_label(month)}
    out = BytesIO()
    book.save(out)
    return out.getvalue(), len(rows)
