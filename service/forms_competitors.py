"""Input shapes of the competitor pages (SPEC §11); the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Competitor


class CompetitorForm(forms.ModelForm):
    class Meta:
        model = Competitor
        fields = ["name", "products", "prices", "features", "strengths", "weaknesses", "strategy"]
        widgets = {
            field: forms.Textarea(attrs={"rows": 3})
            for field in ("products", "prices", "features", "strengths", "weaknesses", "strategy")
        }

    def validate_unique(self):
        """Name clashes are the service's to refuse (with the same message for every path)."""


class CompetitorLinkForm(forms.Form):
    competitor = forms.TypedChoiceField(label=_("Competitor"), coerce=int, choices=())
    opportunity = forms.TypedChoiceField(
        label=_("Bidding for"), coerce=int, required=False, empty_value=None, choices=()
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, competitors=(), opportunities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competitor"].choices = [("", "—")] + list(competitors)
        if opportunities is None:  # the opportunity page: the opportunity is fixed
            del self.fields["opportunity"]
        else:
            self.fields["opportunity"].choices = [("", _("the customer in general"))] + list(
                opportunities
            )
