"""Input shapes of the monthly review pages (004 四); the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReviewScoreForm(forms.Form):
    score = forms.IntegerField(
        label=_("Internal service satisfaction (0–20)"), min_value=0, max_value=20
    )


class ReviewAdjustForm(forms.Form):
    points = forms.IntegerField(
        label=_("Adjustment (points)"),
        min_value=-100,
        max_value=100,
        help_text=_("Replaces the previous adjustment; the total stays from 0 to 100."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the adjustment."))
        return reason
