"""Input shape only: which fields, their widgets and per-field format checks. The archive's
forms first, then the dynamic records' (their rules live in services/records.py)."""

from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from crm.fields import BirthdayField, HappenedDateTimeField, PlannedDateField
from crm.validators import MAX_ID, parse_id

from .models import Contact, Customer, CustomerClass, Deal, FollowUp, Grade, Pool, Referral, Source
from .normalize import KeyFormatError, normalize_phone, normalize_tax_id
from .selectors import ARCHIVE_FIELDS, CLASSIFICATION_FIELDS, VALID

REGISTER_FIELDS = ARCHIVE_FIELDS + CLASSIFICATION_FIELDS + ["source", "source_note"]


def _check_phone(value):
    if value:
        try:
            normalize_phone(value)
        except KeyFormatError as exc:
            raise forms.ValidationError(str(exc)) from None
    return value


class PhoneInput(forms.TextInput):
    """A number field: a phone shows its dial pad (type=tel), the browser offers saved numbers."""

    input_type = "tel"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "tel", "autocomplete": "off", **(attrs or {})})


class CustomerForm(forms.ModelForm):
    """Register or edit; `fields` narrows to what the user may edit."""

    class Meta:
        model = Customer
        fields = REGISTER_FIELDS
        widgets = {
            "business_scope": forms.Textarea(attrs={"rows": 2}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
            "phone": PhoneInput(),
            "fax": PhoneInput(),
            "postcode": forms.TextInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fields is not None:
            for name in list(self.fields):
                if name not in fields:
                    del self.fields[name]
        for name in ("nature", "address", "postcode", "phone", "legal_representative"):
            if name in self.fields and not self.instance.pk:
                self.fields[name].required = False

    def clean_phone(self):
        return _check_phone(self.cleaned_data.get("phone", ""))

    def clean_fax(self):
        return _check_phone(self.cleaned_data.get("fax", ""))

    def clean_tax_id(self):
        value = self.cleaned_data.get("tax_id", "")
        if value:
            try:
                normalize_tax_id(value)
            except KeyFormatError as exc:
                raise forms.ValidationError(str(exc)) from None
        return value

    def clean_name(self):
        value = (self.cleaned_data.get("name") or "").strip()
        if not value:
            raise forms.ValidationError(_("Please enter the customer's name."))
        return value


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "name",
            "gender",
            "birthday",
            "title",
            "phone",
            "mobile",
            "fax",
            "email",
            "hobbies",
            "remarks",
        ]
        widgets = {
            "birthday": forms.DateInput(attrs={"type": "date"}),
            "phone": PhoneInput(),
            "mobile": PhoneInput(),
            "fax": PhoneInput(),
        }
        field_classes = {"birthday": BirthdayField}

    def clean_phone(self):
        return _check_phone(self.cleaned_data.get("phone", ""))

    def clean_mobile(self):
        return _check_phone(self.cleaned_data.get("mobile", ""))

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("mobile") and not self.errors:
            raise forms.ValidationError(_("A contact needs a phone or a mobile number."))
        return data


class ValidityForm(forms.Form):
    """Why a manager declares a customer invalid (无效客户) or restores it."""

    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), strip=True
    )

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].max_length = max_length
        self.fields["reason"].validators.append(MaxLengthValidator(max_length))
        self.fields["reason"].widget.attrs["maxlength"] = str(max_length)


ContactFormSet = forms.formset_factory(ContactForm, extra=1, max_num=10, validate_max=True)


class CustomerFilter(django_filters.FilterSet):
    """Filters of the customer lists (SPEC §8, issue: class, grade, source, region, holder,
    pool, missing fields, search)."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    customer_class = django_filters.ChoiceFilter(
        label=_("customer class"), choices=CustomerClass.choices
    )
    intent_grade = django_filters.ChoiceFilter(label=_("intent grade"), choices=Grade.choices)
    source = django_filters.ChoiceFilter(label=_("source"), choices=Source.choices)
    region = django_filters.CharFilter(label=_("region"), lookup_expr="exact")
    # Bounded: an id beyond bigint is "not understood", not a database error (crm/validators.py).
    holder = django_filters.NumberFilter(
        label=_("holder"), field_name="holder_id", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    pool = django_filters.ChoiceFilter(
        label=_("pool"),
        choices=[c for c in Pool.choices if c[0]],
    )
    incomplete = django_filters.BooleanFilter(
        label=_("Missing basic fields"), field_name="is_incomplete"
    )
    # 无效客户 (004) leave the default lists; this filter brings them back (see filter_queryset).
    validity = django_filters.ChoiceFilter(
        label=_("Validity"),
        choices=[("invalid", _("Invalid customers")), ("all", _("Valid and invalid"))],
        empty_label=_("Valid customers"),
        method="filter_validity",
    )

    class Meta:
        model = Customer
        fields = []

    def filter_queryset(self, queryset):
        """Without a `validity` choice the list shows valid customers only."""
        if not self.form.cleaned_data.get("validity"):
            queryset = queryset.filter(VALID)
        return super().filter_queryset(queryset)

    def filter_validity(self, queryset, name, value):
        return queryset.filter(is_invalid=True) if value == "invalid" else queryset

    def search(self, queryset, name, value):
        """A run of digits searches the phone keys (any of the customer's numbers,
        normalised); something shaped like a tax id also matches the tax key; anything else
        searches name and short name. Each branch is one indexed lookup (trigram indexes on
        PostgreSQL), not an OR across tables that would force a scan of the archive.

        Numbers and tax ids match only the rows the viewer sees in full (`SEEN_IN_FULL`; the
        queryset comes from `customers_visible_to`): a fragment search on a masked pool row
        would read its number back a few digits at a time (issue 12, defect 1)."""
        from .masking import SEEN_IN_FULL
        from .models import CustomerKey
        from .normalize import half_width
        from .search import name_matches

        value = half_width(value).strip()
        if not value:
            return queryset
        compact = "".join(ch for ch in value if ch.isalnum())
        # 编号 KH00000021 (or kh21): the customer's id; the name is still searched.
        code = compact.upper().removeprefix("KH")
        if compact.upper().startswith("KH") and code.isascii() and code.isdigit():
            pk = parse_id(code)
            by_code = Q(pk=pk) if pk else Q(pk__in=[])
            return queryset.filter(by_code | Q(name__icontains=value))
        if compact.isdigit() and len(compact) >= 4:
            keys = CustomerKey.objects.filter(kind="phone", value__contains=compact)
            return queryset.filter(SEEN_IN_FULL, pk__in=keys.values("customer_id"))
        by_name = name_matches(value)  # one or two characters: the grams index (issue 19)
        if compact.isascii() and compact.isalnum() and len(compact) >= 15:
            tax = CustomerKey.objects.filter(kind="tax_id", value=compact.upper())
            return queryset.filter(by_name | (SEEN_IN_FULL & Q(pk__in=tax.values("customer_id"))))
        return queryset.filter(by_name)


# Dynamic records

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


class PhotoInput(forms.ClearableFileInput):
    """Several photos at once; on a phone `capture` opens the rear camera."""

    allow_multiple_selected = True
    template_name = "django/forms/widgets/file.html"  # no "clear" box: nothing to clear

    def __init__(self, attrs=None):
        super().__init__(
            {"accept": "image/jpeg,image/png,image/webp", "capture": "environment", **(attrs or {})}
        )


class PhotosField(forms.FileField):
    """A list of uploaded files (possibly empty); type and size are the service's rule."""

    widget = PhotoInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files if f]


class FollowUpForm(OccurredNowByDefault, forms.ModelForm):
    occurred_at = occurred_at_field()
    # 外勤签到: filled by static/js/app.js only after the person presses 签到 (consent).
    checkin_latitude = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)
    checkin_longitude = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)
    checkin_accuracy = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)
    checkin_at = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        # The numbers are VisitPhoto.MAX_COUNT / MAX_BYTES (tests/customers/test_checkin.py).
        help_text=_("Home visits only: up to 6 photos, JPEG, PNG or WebP, 8 MB each."),
    )

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

    def clean(self):
        """The four check-in values come together or not at all; a fix that cannot be read
        is refused (it is only ever written by the page's script)."""
        data = super().clean()
        keys = ["checkin_latitude", "checkin_longitude", "checkin_accuracy", "checkin_at"]
        given = [(data.get(k) or "").strip() for k in keys]
        data["checkin"] = None
        if not any(given):
            return data
        latitude, longitude, accuracy, at = given
        try:
            fix = {
                "latitude": Decimal(latitude).quantize(Decimal("0.000001")),
                "longitude": Decimal(longitude).quantize(Decimal("0.000001")),
                "accuracy": round(float(accuracy)),
                "at": parse_datetime(at),
            }
            readable = (
                fix["at"] is not None
                and fix["at"].tzinfo is not None
                and fix["latitude"].is_finite()
                and fix["longitude"].is_finite()
                and -90 <= fix["latitude"] <= 90
                and -180 <= fix["longitude"] <= 180
                and 0 <= fix["accuracy"] <= 100_000
            )
        except (InvalidOperation, ValueError, TypeError, OverflowError):
            readable = False
        if not readable:
            raise forms.ValidationError(
                _("The check-in position could not be read. Press “Check in” again.")
            )
        data["checkin"] = fix
        return data


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
        widgets = {
            "amount": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
            "paid": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        }


class ReferralForm(OccurredNowByDefault, forms.ModelForm):
    occurred_at = occurred_at_field()
    referred_phone = forms.CharField(
        label=_("referred (phone)"),
        max_length=30,
        required=False,
        widget=PhoneInput(),
        help_text=_(
            "The referral keeps your customer once this number is registered, or once your "
            "manager verifies it."
        ),
    )

    class Meta:
        model = Referral
        fields = ["occurred_at", "referred_name", "referred_phone", "what"]


class InquiryForm(OccurredNowByDefault, forms.Form):
    phone = forms.CharField(label=_("Caller's number"), max_length=30, widget=PhoneInput())
    caller_name = forms.CharField(label=_("caller"), max_length=50, required=False)
    occurred_at = occurred_at_field()
    content = forms.CharField(
        label=_("What the caller asked"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
