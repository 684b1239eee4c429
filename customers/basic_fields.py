"""十项基本信息: which fields make a customer record complete (admin-editable, SPEC §2)."""

from constance import config

from .selectors import ARCHIVE_FIELDS

# Fields an administrator may list as basic: the static table's text fields.
ALLOWED = tuple(name for name in ARCHIVE_FIELDS if name != "is_organisation")


def basic_field_names() -> list[str]:
    raw = config.BASIC_FIELDS or ""
    return [name.strip() for name in raw.split(",") if name.strip() in ALLOWED]


def field_labels(names: list[str]) -> list[str]:
    """The fields' Chinese (or current-language) names, for people rather than code."""
    from .models import Customer

    return [str(Customer._meta.get_field(name).verbose_name) for name in names]
