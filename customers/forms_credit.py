"""The credit evaluation form (客户信用评价表, 003 三): five 5C scores and notes."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .credit_rules import FACTORS
from .models import CreditFactor


def _score_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100}),
    )


class CreditEvaluationForm(forms.Form):
    character = _score_field(CreditFactor.CHARACTER.label)
    capacity = _score_field(CreditFactor.CAPACITY.label)
    capital = _score_field(CreditFactor.CAPITAL.label)
    collateral = _score_field(CreditFactor.COLLATERAL.label)
    conditions = _score_field(CreditFactor.CONDITIONS.label)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        validators=[MaxLengthValidator(2000)],
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )

    def scores(self) -> dict[str, int]:
        return {f: self.cleaned_data[f] for f in FACTORS}
