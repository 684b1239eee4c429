"""Form fields carrying the product's input bounds (`crm/validators.py`). Every form with a date
uses one of these (or, for a model form, names it in `Meta.field_classes`), so a record dated
0001-01-01 or 9999-12-31 is refused with a clear message instead of breaking pages later.

Text needs nothing extra: Django's `forms.CharField` already refuses NUL characters, and a
request carrying one anywhere is refused before any view by `crm.middleware.RefuseNulMiddleware`.
Model forms' decimal fields already refuse NaN/Infinity and numbers beyond the column's
`max_digits`.
"""

from django import forms
from django.db import models

from .validators import EARLIEST, EARLIEST_BIRTHDAY, DateBounds, parse_id


class _Bounded:
    """Adds the DateBounds validator of `bounds` and the date picker's lower limit. The upper
    limit moves with the clock, so it is checked on submit, not written into the widget (the
    fields of a form class are built once, at import)."""

    bounds = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.append(DateBounds(self.bounds))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        first = EARLIEST_BIRTHDAY if self.bounds == "birthday" else EARLIEST
        input_type = getattr(widget, "input_type", "")
        if input_type == "date":
            attrs.setdefault("min", first.isoformat())
        elif input_type == "datetime-local":
            attrs.setdefault("min", f"{first.isoformat()}T00:00")
        return attrs


class HappenedDateTimeField(_Bounded, forms.DateTimeField):
    """When something happened: 2000-01-01 at the earliest, not in the future."""

    bounds = "happened"


class HappenedDateField(_Bounded, forms.DateField):
    bounds = "happened"


class PlannedDateField(_Bounded, forms.DateField):
    """A planned or effective date: 2000-01-01 to PLANNED_YEARS ahead."""

    bounds = "planned"


class PlannedDateTimeField(_Bounded, forms.DateTimeField):
    bounds = "planned"


class BirthdayField(_Bounded, forms.DateField):
    """1900-01-01 to today."""

    bounds = "birthday"


class BoundedDatesAdminMixin:
    """For admin classes and inlines: every date and date-time field takes the "planned"
    bounds (hire dates and calendar overrides may lie ahead; nothing lies before 2000)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(db_field, models.DateField):  # DateTimeField too
            field.validators.append(DateBounds("planned"))
        return field


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose values must be ids a database column can hold. Django
    guards `pk=<25 digits>` but not the `pk__in=[…]` this field queries, where such a value (or
    "²", which passes isdigit()) is a database error, a 500; here it is an invalid choice."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(pk) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
