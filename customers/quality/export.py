"""The duplicate and fake records report as an Excel workbook: one sheet per tab of the page,
the same rows the viewer sees there, capped so a download stays quick at any archive size.
Each sheet is a `crm.xlsx.Table` (bold frozen header, filter, widths by content)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook

from crm import xlsx

from ..models import Customer
from .report import (
    DUPLICATE_KINDS,
    KIND_LABELS,
    Kind,
    ReportMonth,
    duplicate_groups,
    fake_records,
)

EXPORT_GROUPS = 2_000  # per duplicate sheet
EXPORT_MEMBERS = 50  # customers listed per group
EXPORT_RECORDS = 5_000  # customers on the fake-data sheet
FILE_NAME = pgettext_lazy("file name", "duplicates-%(month)s.xlsx")


def report_file_name(month: ReportMonth) -> xlsx.FileName:
    """重复与虚假资料-2026-01.xlsx (duplicates-2026-01.xlsx for clients that need ASCII)."""
    return xlsx.FileName.of(FILE_NAME, month=f"{month.first:%Y-%m}")


def _label(name: str) -> str:
    return str(Customer._meta.get_field(name).verbose_name)


def _holder(customer: Customer) -> str:
    return customer.holder.display_name if customer.holder_id else customer.get_pool_display()


def _customer_cells(customer: Customer) -> list:
    return [
        customer.code,
        customer.name,
        _holder(customer),
        customer.department.name if customer.department_id else "",
        timezone.localtime(customer.registered_at).date(),
    ]


def _yes(flag: bool) -> str:
    return _("Yes") if flag else ""


def duplicates_header(kind: str) -> list[str]:
    header = [
        _("Shared value"),
        _("Customers sharing it"),
        _("Of them outside your departments"),
        _("New this month"),
        _("Code"),
        _label("name"),
        _label("holder"),
        _label("department"),
        _label("registered_at"),
    ]
    if kind == Kind.PHONE:
        header.append(_("Where the number is"))
    return header


def fakes_header() -> list[str]:
    return [
        _("Code"),
        _label("name"),
        _label("holder"),
        _label("department"),
        _label("registered_at"),
        _("New this month"),
        _("Field"),
        _("Value"),
        _("Problem"),
    ]


def export_report(user, *, month: ReportMonth, fileobj) -> int:
    """Write the report for `user` and `month` to `fileobj` (.xlsx) and return the number of
    customer rows written (for the export log): a fixed number of queries per sheet (see
    `duplicate_groups`, `fake_records`)."""
    wb = Workbook(write_only=True)
    written = 0
    for kind in DUPLICATE_KINDS:
        table = xlsx.Table(wb.create_sheet(title=str(KIND_LABELS[kind])), duplicates_header(kind))
        page = duplicate_groups(
            user, kind=kind, month=month, per_page=EXPORT_GROUPS, members_shown=EXPORT_MEMBERS
        )
        for group in page.items:
            lead = [group.value, group.size, group.hidden, _yes(group.is_new)]
            for member in group.members:
                extra = ["、".join(member.where)] if kind == Kind.PHONE else []
                table.append([*lead, *_customer_cells(member.customer), *extra])
                written += 1
            if group.more:
                more = _("… and %(count)d more") % {"count": group.more}
                table.append([*lead, "", more], font=xlsx.NOTE_FONT, measure=False)
        if page.has_next:
            only = _("Only the first %(count)d groups are listed.") % {"count": EXPORT_GROUPS}
            table.append([only], font=xlsx.NOTE_FONT, measure=False)
        table.close()
    table = xlsx.Table(wb.create_sheet(title=str(KIND_LABELS[Kind.FAKE])), fakes_header())
    page = fake_records(user, month=month, per_page=EXPORT_RECORDS)
    for record in page.items:
        for finding in record.findings:
            table.append(
                [
                    *_customer_cells(record.customer),
                    _yes(record.is_new),
                    finding.field,
                    finding.value,
                    finding.reason,
                ],
            )
            written += 1
    if page.has_next:
        only = _("Only the first %(count)d customers are listed.") % {"count": EXPORT_RECORDS}
        table.append([only], font=xlsx.NOTE_FONT, measure=False)
    table.close()
    wb.save(fileobj)
    return written
