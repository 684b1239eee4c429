"""Input shape of the ledger pages (SPEC §7): which person and rule a manager may pick, the
amount as text (the service parses and checks it against the rule's range)."""

from django import forms
from django.utils.translation import gettext_lazy

from crm.fields import HappenedDateField
from crm.models import User
from crm.selectors import departments_managed_by, manages_company

from .models import PenaltyRule
from .selectors import manual_rules
from .services.ledger import REASON_MAX


class PersonField(forms.ModelChoiceField):
    """The person an entry falls on. A manager picks from their departments' people (a list);
    the general manager types a username (digits are read as the account's number), because a
    list of the whole company (10,000 people) took a second to build and is no use on a phone
    (issue 19)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if isinstance(self.widget, forms.TextInput) and not text.isdigit():
            found = self.queryset.filter(username=text).first()
            if found is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
            return found
        return super().to_python(text)

    def prepare_value(self, value):
        if isinstance(self.widget, forms.TextInput) and hasattr(value, "username"):
            return value.username
        return super().prepare_value(value)


class EntryForm(forms.Form):
    person = PersonField(
        label=gettext_lazy("Person"),
        queryset=User.objects.none(),
        error_messages={
            "invalid_choice": gettext_lazy("No active staff member with this username.")
        },
    )
    rule = forms.ModelChoiceField(
        label=gettext_lazy("Rule"),
        queryset=PenaltyRule.objects.none(),
        error_messages={
            "invalid_choice": gettext_lazy(
                "Choose a rule in use: this one is retired or applied by the system's scans."
            )
        },
    )
    amount = forms.CharField(
        label=gettext_lazy("Amount (yuan)"),
        help_text=gettext_lazy("Negative for a reward. Must lie in the rule's range."),
    )
    occurred_on = HappenedDateField(
        label=gettext_lazy("Breach date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    customer = forms.IntegerField(
        label=gettext_lazy("Customer number"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("The customer concerned; required for confiscation."),
    )
    extra_customers = forms.IntegerField(
        label=gettext_lazy("Extra pool customers"),
        required=False,
        min_value=0,
        max_value=200,
        help_text=gettext_lazy("Only for the extra-customers reward."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True, staff__isnull=False).exclude(pk=actor.pk)
        if manages_company(actor):
            self.fields["person"].widget = forms.TextInput(
                attrs={
                    "placeholder": gettext_lazy("Username, e.g. east.sales1"),
                    "autocomplete": "off",
                }
            )
            self.fields["person"].help_text = gettext_lazy(
                "The person's username, as on the department page."
            )
        else:
            people = people.filter(staff__department__in=departments_managed_by(actor))
        self.fields["person"].queryset = people.select_related("staff").order_by(
            "staff__department__path", "username"
        )
        self.fields["person"].label_from_instance = lambda u: f"{u.display_name} ({u.username})"
        self.fields["rule"].queryset = manual_rules()
        self.fields["rule"].label_from_instance = lambda r: r.label
