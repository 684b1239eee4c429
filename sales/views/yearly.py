"""年客户交易记录表 (SPEC §2, §10): the customer page's section, the full page and its Excel
export. The figures are `sales.selectors.yearly`'s; the page and the export read the same
function, so they cannot disagree. Seen by whoever sees the customer's sales records
(`sales.selectors.common.visible`: the holder, the department's managers and accountants,
the GM); anybody else gets 404."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from crm import xlsx
from customers.models import Customer
from customers.views.exports import audited_export

from ..selectors.common import visible
from ..selectors.yearly import yearly_note, yearly_table

YEARLY_FILE = pgettext_lazy("file name", "yearly-transactions-%(code)s.xlsx")
NO_EVALUATION = "—"


def _customer(request, pk: int) -> Customer:
    return get_object_or_404(
        visible(Customer.objects.select_related("holder", "department"), request.user, prefix=""),
        pk=pk,
    )


def yearly_section(customer, *, user) -> dict | None:
    """The customer page's yearly table (sales/wiring.py): only for those who see the
    customer unmasked (its sales records, SPEC §1), and only when it has sales."""
    if customer.contacts_masked:
        return None
    rows = yearly_table(customer, as_of=timezone.localdate())
    if not rows:
        return None
    return {"customer": customer, "rows": rows}


@login_required
@require_GET
def customer_yearly(request, pk: int):
    customer = _customer(request, pk)
    return render(
        request,
        "sales/yearly.html",
        {
            "customer": customer,
            "rows": yearly_table(customer, as_of=timezone.localdate()),
            "note": yearly_note(),
        },
    )


def _header() -> list:
    return [
        _("Year"),
        _("Sales"),
        _("Quantity"),
        _("Amount"),
        _("Average price"),
        _("Share of company sales (%)"),
        _("Paid"),
        _("Owed"),
        _("Reason owed"),
        _("Returns and exchanges"),
        _("Amount returned"),
        _("Overall evaluation"),
        _("Contacts' evaluation"),
    ]


@login_required
@require_GET
def customer_yearly_export(request, pk: int):
    customer = _customer(request, pk)
    rows = yearly_table(customer, as_of=timezone.localdate())

    def write(handle) -> int:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        table = xlsx.Table(
            book.create_sheet(title=str(_("Yearly transactions"))[:31]),
            _header(),
            formats=dict.fromkeys([3, 4, 6, 7, 10], xlsx.MONEY_FORMAT),
        )
        for r in rows:
            table.append(
                [
                    r.year,
                    r.sales,
                    r.quantity,
                    r.amount,
                    r.average_price,
                    r.share,
                    r.paid,
                    r.owed,
                    r.owed_reason_text,
                    r.returns,
                    r.returns_amount,
                    r.evaluation or NO_EVALUATION,
                    r.contact_evaluation or NO_EVALUATION,
                ]
            )
        table.close()
        book.save(handle)
        return table.rows

    def build():
        code = customer.code or str(customer.pk)
        return xlsx.download(write, xlsx.FileName.of(YEARLY_FILE, code=code))

    return audited_export(
        request,
        list_name="customer_yearly",
        build=build,
        refused_url=reverse("sales:customer_yearly", args=[customer.pk]),
        count=lambda: len(rows),
    )
