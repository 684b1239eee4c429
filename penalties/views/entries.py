"""Recording an entry by hand (SPEC §7): a manager for the people of the departments they
manage, the GM for anyone; the entry waits for confirmation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import RuleError, refusal
from customers.selectors import customers_visible_to

from ..forms import EntryForm
from ..rights import may_record_entries, may_record_for
from ..selectors import manual_rules
from ..services import ManualEntry, ledger_record
from ..services.ledger import parse_amount
from .common import require_right


@login_required
def entry_new(request):
    require_right(may_record_entries, request.user)
    now = timezone.now()
    initial = {"occurred_on": timezone.localdate(now)}
    if request.GET.get("rule"):
        rule = manual_rules().filter(code=request.GET["rule"]).first()
        if rule:
            initial.update(rule=rule, amount=rule.default_amount)
    form = EntryForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = None
        with refusal(form) as outcome:
            if data["customer"]:
                customer = customers_visible_to(request.user).filter(pk=data["customer"]).first()
                if customer is None:
                    raise RuleError(_("No customer with this number is visible to you."))
            if not may_record_for(request.user, data["person"]):
                raise RuleError(
                    _("You may record entries only for people of departments you manage.")
                )
            entry = ledger_record(
                actor=request.user,
                entry=ManualEntry(
                    person=data["person"],
                    rule=data["rule"],
                    amount=parse_amount(data["amount"]),
                    reason=data["reason"],
                    occurred_on=data["occurred_on"],
                    customer=customer,
                    extra_customers=data["extra_customers"] or 0,
                ),
                now=now,
            )
        if outcome.ok:
            messages.success(request, _("Entry recorded; it waits for confirmation."))
            return redirect("penalties:detail", pk=entry.pk)
    return render(request, "penalties/new.html", {"form": form, "rules": manual_rules()})
