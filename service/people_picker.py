"""A person picker that does not print the whole staff (issue 19: 10,000 names in one <select>
took a second to render and is no choice). The field keeps its full queryset, so validation
is unchanged (a posted or linked person anywhere in it is accepted); only the rendered list
is narrowed to one department's people, plus the person already chosen. The page offers the
department as a GET picker (`?people_of=<id>`), the same pattern as the sales reports'
department-first person filter."""

from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from crm.models import Department
from crm.validators import parse_id

PARAM = "people_of"


class _Shown(ModelChoiceIterator):
    """The field's choices drawn from `shown` instead of the field's queryset."""

    def __init__(self, field, shown):
        super().__init__(field)
        self.queryset = shown


def chosen_pk(form, name: str) -> int | None:
    """The person a bound form names (what a re-rendered form must keep selected)."""
    if not form.is_bound:
        return parse_id(form.initial.get(name))
    return parse_id(form.data.get(form.add_prefix(name)))


def narrow_people(form, name: str, department_id: int | None) -> None:
    """Render only `department_id`'s people in `form.fields[name]` (and the chosen one)."""
    field = form.fields[name]
    keep = chosen_pk(form, name)
    condition = Q(pk=keep) if keep else Q(pk__in=[])
    if department_id:
        condition |= Q(staff__department=department_id)
    else:
        field.help_text = _("Choose a department to pick a person.")
    field.widget.choices = _Shown(field, field.queryset.filter(condition))


def picker_department(request, default: int | None) -> int | None:
    """The department whose people the picker lists: `?people_of=`, else `default`."""
    return parse_id(request.GET.get(PARAM)) or default


def picker(request, department_id: int | None, label) -> dict:
    """The template's `picker` (service/_people_picker.html): every department (a few hundred
    rows), the one shown, the page's other GET parameters kept as hidden fields."""
    return {
        "param": PARAM,
        "label": label,
        "departments": Department.objects.order_by("path", "pk").only("pk", "name", "path"),
        "selected": department_id,
        "keep": [(k, v) for k, v in request.GET.items() if k != PARAM],
    }
