"""Input shape of the complaint pages (SPEC §11 投诉). Rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.fields import HappenedDateField

from .models import Complaint, ComplaintCategory
from .people_picker import narrow_people
from .selectors.complaints import active_categories, breach_person_choices, responsible_choices

TEXTAREA = {"rows": 4}


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        department = getattr(getattr(obj, "staff", None), "department", None)
        return f"{obj.display_name} · {department}" if department else obj.display_name


class ComplaintForm(forms.Form):
    complainant = forms.CharField(label=_("complainant"), max_length=100)
    complainant_phone = forms.CharField(
        label=_("complainant's phone"), max_length=30, required=False
    )
    category = forms.ModelChoiceField(label=_("category"), queryset=None, empty_label=None)
    content = forms.CharField(
        label=_("content of the complaint"),
        max_length=5000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    responsible = PersonChoiceField(
        label=_("responsible person"),
        queryset=None,
        help_text=_("The complaint goes to this person's department."),
    )

    def __init__(self, *args, people_of: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()
        self.fields["responsible"].queryset = responsible_choices().filter(
            staff__department__isnull=False
        )
        # Validated against every member of staff; listed: `people_of`'s people (issue 19).
        narrow_people(self, "responsible", people_of)


class InvestigateForm(forms.Form):
    note = forms.CharField(
        label=_("first response"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the customer was told and who looks into it."),
    )


class HandleForm(forms.Form):
    findings = forms.CharField(
        label=_("findings"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    resolution = forms.CharField(
        label=_("resolution"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("the customer is"),
        choices=[("yes", _("satisfied")), ("no", _("not satisfied"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("customer's answer"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ArchiveForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=5000, required=False)


class VerifyForm(forms.Form):
    person = PersonChoiceField(label=_("person who contacted the customer"), queryset=None)
    breach_on = HappenedDateField(
        label=_("breach date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("what was verified"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, people_of: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = breach_person_choices()
        narrow_people(self, "person", people_of)


class ListFilterForm(forms.Form):
    step = forms.ChoiceField(
        label=_("step"), choices=[("", _("all"))] + Complaint.Step.choices, required=False
    )
    category = forms.ModelChoiceField(
        label=_("category"), queryset=None, required=False, empty_label=_("all")
    )
    overdue = forms.BooleanField(label=_("first response overdue"), required=False)
    mine = forms.BooleanField(label=_("mine to handle"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ComplaintCategory.objects.order_by("position", "pk")


class AnalysisForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)
