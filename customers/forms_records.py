"""Forms of the dynamic records: input shape only; the rules live in services/records.py."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.fields import HappenedDateTimeField, PlannedDateField

from .models import Deal, FollowUp, Referral

INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def occurred_at_field(label=None):
    """When it happened: 2000-01-01 at the earliest, never in the future (crm/validators.py)."""
    return HappenedDateTimeField(
        label=label or _("occurred at"), widget=LocalDateTimeInput(), input_formats=INPUT_FORMATS
    )


class OccurredNowByDefault:
    """A blank form proposes "now" (local time) as when it happened."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))


class FollowUpForm(OccurredNowByDefault, forms.ModelForm):
    occurred_at = occurred_at_field()

    class Meta:
        model = FollowUp
        fields = [
            "kind",
            "occurred_at",
            "contact",
            "content",
            "result",
            "satisfaction",
            "next_step",
            "next_date",
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "next_date": forms.DateInput(attrs={"type": "date"}),
        }
        field_classes = {"next_date": PlannedDateField}

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        contacts = self.fields["contact"].queryset
        self.fields["contact"].queryset = customer.contacts.all() if customer else contacts.none()


class AmendForm(forms.Form):
    content = forms.CharField(
        label=_("corrected content"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    result = forms.CharField(label=_("result"), required=False, max_length=500)
    next_step = forms.CharField(label=_("next step"), required=False, max_length=500)


class DealForm(OccurredNowByDefault, forms.ModelForm):
    occurred_at = occurred_at_field(_("deal date"))

    class Meta:
        model = Deal
        fields = [
            "occurred_at",
            "product",
            "quantity",
            "amount",
            "paid",
            "gifts",
            "points",
            "owed_reason",
        ]


class ReferralForm(OccurredNowByDefault, forms.ModelForm):
    occurred_at = occurred_at_field()
    referred_phone = forms.CharField(
        label=_("referred (phone)"),
        max_length=30,
        required=False,
        help_text=_(
            "The referral keeps your customer once this number is registered, or once your "
            "manager verifies it."
        ),
    )

    class Meta:
        model = Referral
        fields = ["occurred_at", "referred_name", "referred_phone", "what"]


class InquiryForm(OccurredNowByDefault, forms.Form):
    phone = forms.CharField(label=_("Caller's number"), max_length=30)
    caller_name = forms.CharField(label=_("caller"), max_length=50, required=False)
    occurred_at = occurred_at_field()
    content = forms.CharField(
        label=_("What the caller asked"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
