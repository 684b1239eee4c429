"""Input shapes of the yearly evaluation pages (SPEC §11); the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models.yearly import CreditGrade, Verdict

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class YearlyEvaluationForm(forms.Form):
    transaction_grade = forms.ChoiceField(
        label=_("Transaction evaluation"),
        choices=Verdict.choices,
        help_text=_("Quantity, amount, payments of the year."),
    )
    transaction_note = forms.CharField(
        label=_("Transaction remarks"), required=False, max_length=1000, widget=TEXTAREA
    )
    credit_grade = forms.ChoiceField(label=_("Credit evaluation"), choices=CreditGrade.choices)
    credit_note = forms.CharField(
        label=_("Credit remarks"), required=False, max_length=1000, widget=TEXTAREA
    )
    contact_grade = forms.ChoiceField(label=_("Contact evaluation"), choices=Verdict.choices)
    contact_note = forms.CharField(
        label=_("Contact remarks"), required=False, max_length=1000, widget=TEXTAREA
    )


class YearlyVerdictForm(forms.Form):
    note = forms.CharField(label=_("Evaluation"), max_length=1000, widget=TEXTAREA)
