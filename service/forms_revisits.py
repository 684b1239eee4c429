"""Input shapes of the revisit pages (SPEC §11); the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.fields import PlannedDateField
from customers.forms import FollowUpForm

from .models.revisits import ProjectStageEvent, RevisitPlan


class RevisitCallForm(FollowUpForm):
    """The follow-up that records a revisit (or a first-inquiry call), without the visit
    check-in and photos (those are logged on the customer's page)."""

    photos = None
    checkin_latitude = None
    checkin_longitude = None
    checkin_accuracy = None
    checkin_at = None

    class Meta(FollowUpForm.Meta):
        fields = ["kind", "occurred_at", "contact", "content", "result", "satisfaction"]


class RevisitDoForm(RevisitCallForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=RevisitPlan.Outcome.choices)

    def followup_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "outcome"}


class RevisitPlanForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (RevisitPlan.Kind.REGULAR, RevisitPlan.Kind.REGULAR.label),
            (RevisitPlan.Kind.REALTIME, RevisitPlan.Kind.REALTIME.label),
        ],
    )
    due_on = PlannedDateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class StageEventForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=ProjectStageEvent.Stage.choices)
    occurred_on = PlannedDateField(
        label=_("Reached on"), widget=forms.DateInput(attrs={"type": "date"})
    )
