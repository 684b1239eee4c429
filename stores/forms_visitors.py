"""Input shapes of the visitor register pages (SPEC §12); the rules are the services'. The
register form is filled on a phone at the front desk: few required fields, big inputs, focus
points as checkboxes."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.fields import PlannedDateField
from crm.models import Staff, User
from customers.forms import occurred_at_field
from customers.models import Grade, Source
from service.people_picker import narrow_people

from .models.people import DesignStyle, Occupation
from .models.visitors import FocusPoint, Gender, Visit

BLANK = [("", "—")]


class VisitForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Visit.Kind.choices, widget=forms.RadioSelect, initial="store"
    )
    occurred_at = occurred_at_field(_("Time"))
    source = forms.ChoiceField(label=_("Source"), choices=BLANK + list(Source.choices))
    visitor_name = forms.CharField(label=_("Visitor"), required=False, max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    community = forms.CharField(label=_("Residential community"), required=False, max_length=100)
    house_area = forms.DecimalField(
        label=_("House area (m²)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
    )
    is_off_plan = forms.BooleanField(label=_("Off-plan house"), required=False)
    budget = forms.DecimalField(
        label=_("Budget (yuan)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
    )
    preferred_style = forms.ChoiceField(
        label=_("Preferred style"), choices=BLANK + list(DesignStyle.choices), required=False
    )
    occupation = forms.ChoiceField(
        label=_("Occupation"), choices=BLANK + list(Occupation.choices), required=False
    )
    focus_points = forms.MultipleChoiceField(
        label=_("Focus points"),
        choices=FocusPoint.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    intent_grade = forms.ChoiceField(label=_("Intent grade"), choices=Grade.choices, initial="D")
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault(
                "occurred_at", timezone.localtime().replace(second=0, microsecond=0)
            )


class PreRegistrationForm(forms.Form):
    consultant = forms.ModelChoiceField(
        label=_("Home-decoration consultant"), queryset=User.objects.none()
    )
    name = forms.CharField(label=_("Customer name"), max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    community = forms.CharField(label=_("Residential community"), max_length=100)
    expected_on = PlannedDateField(
        label=_("Expected visit"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, consultants, own=None, **kwargs):
        super().__init__(*args, **kwargs)
        if own is not None:  # a consultant announces their own customers
            del self.fields["consultant"]
        else:
            self.fields["consultant"].queryset = consultants


class SourceDecisionForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    consultant = forms.ModelChoiceField(
        label=_("Consultant credited"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(nobody)"),
    )
    note = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = consultants


class ReconciliationForm(forms.Form):
    market_manager = forms.ModelChoiceField(label=_("Market manager"), queryset=User.objects.none())
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, people_of: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market_manager"].queryset = (
            User.objects.filter(is_active=True, staff__isnull=False)
            .exclude(staff__status=Staff.Status.LEFT)
            .order_by("last_name", "first_name", "username")
        )
        # Validated against every member of staff; listed: `people_of`'s people (issue 19:
        # the whole staff in one <select> took half a second to render).
        narrow_people(self, "market_manager", people_of)
