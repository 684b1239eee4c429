"""Input shape of the dormant-customer, cross-sale and credit-transfer forms (rules: the
services in sales/services/dormant.py and sales/services/credit.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.forms import OccurredNowByDefault, occurred_at_field

from .selectors.credit import transfer_recipients

MONEY = {"inputmode": "decimal", "step": "0.01"}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class CrossSaleForm(OccurredNowByDefault, forms.Form):
    occurred_at = occurred_at_field(_("sold at"))
    product = forms.CharField(label=_("product"), max_length=200)
    quantity = forms.DecimalField(
        label=_("quantity"), max_digits=12, decimal_places=2, min_value=0.01
    )
    amount = forms.DecimalField(
        label=_("amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0.01,
        widget=forms.NumberInput(attrs=MONEY),
    )
    note = forms.CharField(
        label=_("note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)


SHARE_ROWS = 3


class CreditTransferForm(forms.Form):
    """Up to SHARE_ROWS receivers, each with a percentage or an amount (`mode`)."""

    mode = forms.ChoiceField(
        label=_("shares given as"),
        choices=[("percent", _("percent of the sale's credit")), ("amount", _("amount (yuan)"))],
        initial="percent",
    )
    reason = forms.CharField(
        label=_("reason (the allocation plan)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        people = transfer_recipients(user)
        for n in range(1, SHARE_ROWS + 1):
            self.fields[f"to_{n}"] = forms.ModelChoiceField(
                label=_("receiver %(n)d") % {"n": n},
                queryset=people,
                required=False,
            )
            self.fields[f"to_{n}"].label_from_instance = _person_label
            self.fields[f"value_{n}"] = forms.DecimalField(
                label=_("share %(n)d") % {"n": n},
                max_digits=14,
                decimal_places=2,
                required=False,
                widget=forms.NumberInput(attrs=MONEY),
            )
        # reason last
        self.order_fields(
            ["mode"] + [f for n in range(1, SHARE_ROWS + 1) for f in (f"to_{n}", f"value_{n}")]
        )

    def clean(self):
        data = super().clean()
        shares = []
        for n in range(1, SHARE_ROWS + 1):
            to_user, value = data.get(f"to_{n}"), data.get(f"value_{n}")
            if to_user is None and value is None:
                continue
            if to_user is None or value is None:
                raise forms.ValidationError(
                    _("Give each receiver a share, and each share a receiver.")
                )
            shares.append({"to_user": to_user, data.get("mode") or "percent": value})
        if not shares and not self.errors:
            raise forms.ValidationError(_("Name at least one person to receive credit."))
        data["shares"] = shares
        return data


def _person_label(user) -> str:
    staff = getattr(user, "staff", None)
    department = staff.department.name if staff and staff.department_id else ""
    return f"{user.display_name} · {department}" if department else user.display_name
