"""Forms of the satisfaction surveys (input shape only; the rules are the services')."""

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from crm.selectors import departments_managed_by
from crm.validators import EARLIEST, latest_planned
from customers.forms import INPUT_FORMATS, LocalDateTimeInput
from sales.selectors.reports import report_departments

from .models import SurveyResponse

QUESTION_ROWS = 6


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    scale = forms.TypedChoiceField(
        label=_("Scale"),
        coerce=int,
        choices=[(5, _("1–5 points")), (10, _("1–10 points"))],
        initial=5,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, QUESTION_ROWS + 1):
            self.fields[f"q{i}"] = forms.CharField(
                label=_("Question %(n)d") % {"n": i}, max_length=200, required=(i == 1)
            )
            self.fields[f"w{i}"] = forms.IntegerField(
                label=_("Weight of question %(n)d") % {"n": i},
                min_value=1,
                max_value=100,
                required=False,
            )

    def clean(self):
        data = super().clean()
        for i in range(1, QUESTION_ROWS + 1):
            if data.get(f"q{i}") and not data.get(f"w{i}"):
                self.add_error(f"w{i}", _("Give the question a weight."))
        return data

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "scale": d["scale"],
            "questions": [
                (d[f"q{i}"], d[f"w{i}"])
                for i in range(1, QUESTION_ROWS + 1)
                if d.get(f"q{i}") and d.get(f"w{i}")
            ],
        }


class CampaignForm(forms.Form):
    """Whom to call: the customers of a department the creator manages, narrowed to one
    holder or to held customers."""

    name = forms.CharField(label=_("Campaign name"), max_length=100)
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    holder = forms.ModelChoiceField(
        label=_("Only the customers of"),
        queryset=None,
        required=False,
        empty_label=_("Everybody"),
    )
    held_only = forms.BooleanField(label=_("Only customers with a holder"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        managed = departments_managed_by(user).order_by("path")
        self.fields["department"].queryset = managed
        self.fields["holder"].queryset = (
            get_user_model()
            .objects.filter(staff__department__in=managed)
            .select_related("staff")
            .order_by("username")
        )
        self.fields["holder"].label_from_instance = lambda u: u.display_name


class ResponseForm(forms.Form):
    called_at = forms.DateTimeField(
        label=_("Called at"), widget=LocalDateTimeInput(), input_formats=INPUT_FORMATS
    )
    is_reachable = forms.TypedChoiceField(
        label=_("Reached the customer"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Yes")), ("no", _("No, call again"))],
        widget=forms.RadioSelect,
        initial="yes",
    )
    overall = forms.ChoiceField(
        label=_("Overall"),
        choices=[("", "—"), *SurveyResponse.Overall.choices],
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(survey.questions.all())
        choices = [("", "—")] + [(str(n), str(n)) for n in range(1, survey.scale + 1)]
        # Named by position (score_1, score_2 …), not by id: the same survey reads the same form.
        for i, q in enumerate(self.questions, start=1):
            self.fields[f"score_{i}"] = forms.TypedChoiceField(
                label=f"{q.text} (×{q.weight})",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {
            "called_at": d["called_at"],
            "is_reachable": d["is_reachable"],
            "overall": d.get("overall") or "",
            "comment": d.get("comment") or "",
            "scores": {q.pk: d.get(f"score_{i}") for i, q in enumerate(self.questions, start=1)},
        }


class IndicatorsForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=None, required=False, empty_label=_("All departments")
    )

    def __init__(self, *args, user, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["department"].queryset = report_departments(user)

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not EARLIEST.year <= year <= latest_planned(self.today).year:
            raise forms.ValidationError(
                _("Choose a year between %(first)d and %(last)d.")
                % {"first": EARLIEST.year, "last": latest_planned(self.today).year}
            )
        return year

    def value(self, name, default=None):
        if not hasattr(self, "cleaned_data"):
            return default
        found = self.cleaned_data.get(name)
        return default if found in (None, "") else found
