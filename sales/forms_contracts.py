"""Input shape of the contract pages (SPEC §10): the contract's fields, its lines and its
collection plan as formsets with a fixed number of blank rows (no JavaScript needed), the
signing date, a collection, a reversal, a return and an attachment. Rules are the services'."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.fields import HappenedDateField, PlannedDateField
from customers.forms import occurred_at_field
from customers.models import Settlement

from .models import ReturnRecord

DECIMAL = {"inputmode": "decimal", "step": "0.01"}
LINE_ROWS = 6
INSTALMENT_ROWS = 6


class ContractForm(forms.Form):
    number = forms.CharField(
        label=_("contract number"),
        max_length=50,
        required=False,
        help_text=_("Leave blank to number it automatically (HT + month + sequence)."),
    )
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    settlement_method = forms.ChoiceField(label=_("settlement method"), choices=Settlement.choices)
    notes = forms.CharField(
        label=_("notes"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AmendmentForm(ContractForm):
    """An amendment keeps the original's settlement method unless it says otherwise."""


class LineForm(forms.Form):
    product = forms.CharField(label=_("product"), max_length=200)
    quantity = forms.DecimalField(
        label=_("quantity"), max_digits=12, decimal_places=2, widget=forms.NumberInput(DECIMAL)
    )
    unit_price = forms.DecimalField(
        label=_("unit price"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(DECIMAL),
    )


class InstalmentForm(forms.Form):
    due_on = PlannedDateField(label=_("due date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(
        label=_("amount"),
        max_digits=14,
        decimal_places=2,
        min_value=0.01,
        widget=forms.NumberInput(DECIMAL),
    )


class RowsFormSet(forms.BaseFormSet):
    """Any row may be left blank (it is skipped); a row typed into must be complete. A draft's
    rows come back as `initial` on GET only: the POST carries them as typed."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = True
        form.use_required_attribute = False
        return form


LineFormSet = forms.formset_factory(
    LineForm,
    formset=RowsFormSet,
    extra=LINE_ROWS,
    max_num=50,
    absolute_max=50,
    validate_max=True,
)
InstalmentFormSet = forms.formset_factory(
    InstalmentForm,
    formset=RowsFormSet,
    extra=INSTALMENT_ROWS,
    max_num=24,
    absolute_max=24,
    validate_max=True,
)


def filled(formset) -> list[dict]:
    """The rows the user filled in (blank rows are skipped); call after `is_valid()`."""
    return [f.cleaned_data for f in formset.forms if f.has_changed() and f.cleaned_data]


class SignForm(forms.Form):
    signed_at = occurred_at_field(_("signed at"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("signed_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))


class CollectionForm(forms.Form):
    amount = forms.DecimalField(
        label=_("amount received"),
        max_digits=14,
        decimal_places=2,
        min_value=0.01,
        widget=forms.NumberInput(DECIMAL),
    )
    received_on = HappenedDateField(
        label=_("received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.CharField(label=_("payment method"), max_length=50, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it reversed?"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    original = forms.ChoiceField(label=_("What came back"))
    kind = forms.ChoiceField(label=_("kind"), choices=ReturnRecord.Kind.choices)
    occurred_at = occurred_at_field()
    quantity = forms.DecimalField(
        label=_("quantity returned"),
        max_digits=12,
        decimal_places=2,
        min_value=0.01,
        widget=forms.NumberInput(DECIMAL),
    )
    amount = forms.DecimalField(
        label=_("amount reversed"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(DECIMAL),
    )
    reason = forms.CharField(label=_("reason"), max_length=300)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["original"].choices = [("", "—")] + list(choices)
        if not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("scanned contract (PDF or image)"),
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
    )
