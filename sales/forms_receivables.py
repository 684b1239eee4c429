"""The receivables page's filter: which grouping, on which day (input shape only)."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors.receivables import GROUPS

# Far enough for any contract, near enough that a typed year 9999 does not overflow
# `as_of − 90 days` or print nonsense on a letter.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


class ReceivablesFilter(forms.Form):
    group = forms.ChoiceField(
        label=_("Group by"),
        choices=[(k, label) for k, (_c, label) in GROUPS.items()],
        required=False,
    )
    as_of = forms.DateField(label=_("As of"), required=False)

    def clean_as_of(self):
        value = self.cleaned_data.get("as_of")
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(_("Pick a date between 2000 and 2099."))
        return value


def read_filter(query, *, today: date) -> tuple[str, date]:
    """(group, as_of) from the query string; anything invalid falls back to the defaults
    (by customer, today)."""
    form = ReceivablesFilter(query)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    group = data.get("group") or "customer"
    as_of = data.get("as_of") or today
    return group, as_of
