"""Allocation forms: input shape only (no rules; the services decide)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.fields import IdsChoiceField, PlannedDateTimeField
from crm.models import Staff, User
from crm.validators import parse_id
from customers.models import Customer

from .selectors.disputes import claimant_choices, claimant_shortlist
from .selectors.swaps import counterpart_choices


class HandoverOpenForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Leaving or transferring"),
        choices=[
            (Staff.Status.LEFT, gettext_lazy("Leaving the company")),
            (Staff.Status.TRANSFERRING, gettext_lazy("Transferring to another post")),
        ],
    )
    effective_at = PlannedDateTimeField(
        label=gettext_lazy("Takes effect at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("A departure ends the person's login at this moment."),
    )


class DisputeForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    name = forms.CharField(label=gettext_lazy("Customer name"), max_length=200, required=False)
    claimant_1 = forms.ModelChoiceField(label=gettext_lazy("First claimant"), queryset=None)
    claimant_2 = forms.ModelChoiceField(label=gettext_lazy("Second claimant"), queryset=None)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        people = claimant_choices(user)
        # Validated against everybody in scope; listed: the shortlist (a search narrows it).
        keep = [parse_id(self.data.get(name)) for name in ("claimant_1", "claimant_2")]
        shown, self.narrowed = claimant_shortlist(
            people, search, keep=[pk for pk in keep if pk is not None]
        )
        listed = [("", "---------")] + [(u.pk, _person_label(u)) for u in shown]
        for name in ("claimant_1", "claimant_2"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = _person_label
            self.fields[name].widget.choices = listed

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or "").strip() and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Give the customer's phone number or name."))
        return data


def _person_label(user) -> str:
    staff = getattr(user, "staff", None)
    department = staff.department.name if staff and staff.department_id else ""
    return f"{user.display_name}（{department}）" if department else user.display_name


class RulingForm(forms.Form):
    winner = forms.TypedChoiceField(label=gettext_lazy("Rule for"), coerce=int, choices=())

    def __init__(self, *args, claimants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["winner"].choices = [(u.pk, _person_label(u)) for u in claimants]


class _CustomerChoice(IdsChoiceField):
    # Name and code only: the counterpart's customers are chosen without their contact details.
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        department = obj.staff.department
        return f"{obj.display_name} · {department}" if department else obj.display_name


class SwapProposeForm(forms.Form):
    counterpart = _PersonChoice(
        queryset=User.objects.none(), label=gettext_lazy("Swap with"), widget=forms.HiddenInput
    )
    give = _CustomerChoice(
        queryset=Customer.objects.none(),
        label=gettext_lazy("Your customers to give"),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=gettext_lazy("Written application: why this swap"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, user, counterpart=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].queryset = counterpart_choices(user)
        self.fields["give"].queryset = Customer.objects.filter(holder=user.pk).only("pk", "name")


class SwapAgreeForm(forms.Form):
    """The counterpart's side: their own customers, chosen when they agree."""

    give_back = _CustomerChoice(
        queryset=Customer.objects.none(),
        label=gettext_lazy("Your customers to give in return"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["give_back"].queryset = Customer.objects.filter(
            holder=user.pk, is_invalid=False
        ).only("pk", "name")
