"""Input shapes of the opportunity pages (SPEC §10); the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.fields import PlannedDateField
from customers.forms import FollowUpForm

from .models import Opportunity, Stage


class OpportunityForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = ["product", "expected_amount", "expected_close"]
        widgets = {
            "expected_amount": forms.NumberInput(
                attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}
            ),
            "expected_close": forms.DateInput(attrs={"type": "date"}),
        }
        field_classes = {"expected_close": PlannedDateField}


class StageMoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("New stage"), choices=Stage.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Required when the opportunity is lost."),
    )

    def __init__(self, *args, current: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if current:
            self.fields["stage"].choices = [
                (v, label) for v, label in Stage.choices if v != current
            ]


class OpportunityActionForm(FollowUpForm):
    """一般行动: a follow-up of the customer, without the visit check-in and photos (those are
    logged on the customer's page)."""

    photos = None
    checkin_latitude = None
    checkin_longitude = None
    checkin_accuracy = None
    checkin_at = None

    class Meta(FollowUpForm.Meta):
        fields = ["kind", "occurred_at", "contact", "content", "result", "next_step", "next_date"]
