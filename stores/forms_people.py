"""Input shapes of the store's people pages (SPEC §12); the rules are in
stores/services/people.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.fields import HappenedDateTimeField

from .models import Attendance, DesignerLevel, DesignerProfile, DesignStyle, Occupation


class DesignerProfileForm(forms.ModelForm):
    styles = forms.MultipleChoiceField(
        label=_("Styles"),
        choices=DesignStyle.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    suited_customers = forms.MultipleChoiceField(
        label=_("Suited customer types"),
        choices=Occupation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = DesignerProfile
        fields = [
            "level",
            "school",
            "work_history",
            "styles",
            "awards",
            "published_works",
            "suited_customers",
        ]
        widgets = {
            "work_history": forms.Textarea(attrs={"rows": 4}),
            "awards": forms.Textarea(attrs={"rows": 3}),
            "published_works": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = DesignerLevel.objects.order_by("-rank", "name")
        self.fields["level"].empty_label = None


class AttendanceRowForm(forms.Form):
    """One designer's line of the day's sheet; the designer is named by the page."""

    designer = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(label=_("Status"), choices=Attendance.Status.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


AttendanceFormSet = forms.formset_factory(
    AttendanceRowForm, extra=0, max_num=200, absolute_max=200, validate_max=True
)


class OutingForm(forms.Form):
    designer = forms.TypedChoiceField(label=_("Designer"), coerce=int)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    out_at = HappenedDateTimeField(
        label=_("Time out"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, designers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["designer"].choices = [(d.pk, d.display_name) for d in designers]


class OutingBackForm(forms.Form):
    back_at = HappenedDateTimeField(
        label=_("Time back"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: now."),
    )


class DesignerMonthRowForm(forms.Form):
    designer = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    main_material_sales = forms.DecimalField(
        label=_("Main-material sales (yuan)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )


DesignerMonthFormSet = forms.formset_factory(
    DesignerMonthRowForm, extra=0, max_num=200, absolute_max=200, validate_max=True
)
