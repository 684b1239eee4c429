"""Filters of the sales reports (input shape only; the scope is the selectors')."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.validators import EARLIEST, latest_planned, parse_month
from customers.rights import sees_only_own_customers

from .selectors.reports import PERIOD_KINDS, report_departments, report_people

MONTH_MESSAGE = _("Give the month as YYYY-MM, for example 2026-11.")


class MonthField(forms.CharField):
    """'YYYY-MM' → the first day of that month, within the product's bounds."""

    def __init__(self, *, today: date, **kwargs):
        self.today = today
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.input_type = "month"
        self.widget.attrs.update({"min": f"{EARLIEST:%Y-%m}"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value, today=self.today)
        except ValueError:
            raise forms.ValidationError(MONTH_MESSAGE, code="month") from None


class _ScopeForm(forms.Form):
    """Department and person choices limited to what the viewer sees (none for a
    salesperson, whose reports are their own)."""

    department = forms.ModelChoiceField(
        label=_("Department"), queryset=None, required=False, empty_label=_("All departments")
    )
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=None, required=False, empty_label=_("Everybody")
    )

    def __init__(self, *args, user, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["department"].queryset = report_departments(user)
        self.fields["person"].queryset = report_people(user)
        self.fields["person"].label_from_instance = lambda u: u.display_name
        # A salesperson's reports are their own (and their department's ranking): no choices.
        if sees_only_own_customers(user):
            del self.fields["department"], self.fields["person"]

    def value(self, name, default=None):
        """The cleaned value, or `default` when the field was invalid or empty."""
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return default
        found = self.cleaned_data.get(name)
        return default if found in (None, "") else found


class FunnelForm(_ScopeForm):
    """Expected-close (and closing) months from … to …; both default to the current year."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"] = MonthField(today=self.today, label=_("From month"))
        self.fields["end"] = MonthField(today=self.today, label=_("To month"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last month cannot be before the first."))
            data.pop("end", None)
        return data


class SalesByMonthForm(_ScopeForm):
    year = forms.IntegerField(label=_("Year"), required=False)

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not EARLIEST.year <= year <= latest_planned(self.today).year:
            raise forms.ValidationError(
                _("Choose a year between %(first)d and %(last)d.")
                % {"first": EARLIEST.year, "last": latest_planned(self.today).year}
            )
        return year


class RankingForm(_ScopeForm):
    """A month, quarter or year (the one holding `month`); a department narrows it. No person
    filter: a ranking compares people."""

    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=list(zip(PERIOD_KINDS, [_("Month"), _("Quarter"), _("Year")], strict=True)),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("person", None)
        self.fields["month"] = MonthField(today=self.today, label=_("Month"))
