"""Input shapes of the dispatch pages (派单, SPEC §12); the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models.people import DesignStyle, Occupation

STEP_CHOICES = [
    ("plan", _("Plan presented")),
    ("deposit", _("Deposit received")),
    ("signed", _("Signed")),
    ("closed", _("Order closed")),
]
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class FactsForm(forms.Form):
    """The customer's facts the ranking reads (defaults from the visit)."""

    style = forms.ChoiceField(
        label=_("Preferred style"),
        required=False,
        choices=[("", "—"), *DesignStyle.choices],
    )
    occupation = forms.ChoiceField(
        label=_("Customer type"),
        required=False,
        choices=[("", "—"), *Occupation.choices],
    )
    budget = forms.DecimalField(
        label=_("Budget (yuan)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    is_off_plan = forms.BooleanField(label=_("Off-plan house"), required=False)


class ProposeForm(FactsForm):
    designer = forms.TypedChoiceField(label=_("Designer"), coerce=int, choices=())
    reason = forms.CharField(
        label=_("Reason (when not the first in the ranking)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, designers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["designer"].choices = [(d.pk, d.display_name) for d in designers]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class RequiredNoteForm(forms.Form):
    note = forms.CharField(label=_("Why not"), max_length=500)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Why the designer refuses"), max_length=500)


class ProgressForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=STEP_CHOICES)
    at = forms.DateTimeField(label=_("When"), widget=DATETIME)
    amount = forms.DecimalField(
        label=_("Signed amount (yuan)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )


class ManagerAwayForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    reason = forms.CharField(label=_("Reason"), max_length=200)
