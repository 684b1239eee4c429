"""Excel export and import of the customer archive (no HTTP here; see views/excel.py).

Export streams whatever queryset the caller scoped (the list page's rules), masking the
contact fields of customers the viewer may see but not contact. Import turns each row into
the same form + registration service the register page uses, so a spreadsheet can never do
what the page would refuse: duplicates (also within the file) lose to the first registration.

Every sheet is laid out by `crm.xlsx.Table` (bold frozen header, filter, widths). The template's
example row is marked 【示例】 in its first column and never imported, whatever else it holds.
"""

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from crm import xlsx
from crm.errors import RuleError

from .errors import DuplicateCustomer
from .forms import REGISTER_FIELDS, ContactForm, CustomerForm
from .masking import shown
from .models import Contact, Customer
from .normalize import KeyFormatError, half_width
from .services import customer_register

XLSX_CONTENT_TYPE = xlsx.XLSX_CONTENT_TYPE
MAX_ROWS = 5_000
PROGRESS_EVERY = 50  # rows between progress reports of a background import
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# An .xlsx is a zip: a small upload can inflate enormously (zip bomb). The template filled
# with MAX_ROWS rows stays far below this.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
# The widest header an import reads: the template's columns with room for blank columns
# between them, far below Excel's 16,384 (see `_sheet_rows`).
MAX_COLUMNS = 60

# --- export ------------------------------------------------------------------------------

EXPORT_FILE_NAME = pgettext_lazy("file name", "customers-%(date)s.xlsx")
TEMPLATE_FILE_NAME = pgettext_lazy("file name", "customer-import-template.xlsx")


def export_file_name(day: date) -> xlsx.FileName:
    """客户档案导出-2026-11-30.xlsx (customers-2026-11-30.xlsx for clients needing ASCII)."""
    return xlsx.FileName.of(EXPORT_FILE_NAME, date=day.isoformat())


def template_file_name() -> xlsx.FileName:
    return xlsx.FileName.of(TEMPLATE_FILE_NAME)


EXPORT_FIELDS = [
    "name", "short_name", "nature", "address", "postcode", "phone", "fax", "email",
    "legal_representative", "tax_id", "bank", "bank_account", "customer_class",
    "intent_grade", "source", "region",
]  # fmt: skip


def _label(name: str) -> str:
    return str(Customer._meta.get_field(name).verbose_name)


def export_header() -> list[str]:
    """Column titles in the viewer's language (Chinese by default)."""
    return [
        _("Code"),
        *(_label(name) for name in EXPORT_FIELDS),
        _label("holder"),
        _label("department"),
        _label("holder_since"),
    ]


def _field_value(customer: Customer, name: str):
    # Masked fields (customers.masking) carry no choices: the mask, else the display value.
    if Customer._meta.get_field(name).choices and name != "intent_grade":
        return getattr(customer, f"get_{name}_display")()
    return shown(customer, name)


def export_row(customer: Customer) -> list:
    """One customer as the list page shows it: masked where the viewer may not contact it."""
    holder = customer.holder.display_name if customer.holder_id else customer.get_pool_display()
    return [
        customer.code,
        *(_field_value(customer, name) for name in EXPORT_FIELDS),
        holder,
        customer.department.name if customer.department_id else "",
        timezone.localtime(customer.holder_since).date(),
    ]


def export_customers(queryset, fileobj) -> int:
    """Write `queryset` (already scoped to what the viewer may see) to `fileobj` as .xlsx and
    return the number of customers written. Text that looks like a formula stays text
    (`crm.xlsx`).

    Write-only workbook and a chunked iterator: memory stays flat however many rows, and the
    query count does not grow with them (holder and department come in the same query)."""
    wb = Workbook(write_only=True)
    table = xlsx.Table(wb.create_sheet(title=_("Customers")), export_header())
    rows = queryset.select_related("holder", "department").order_by("-id")
    for customer in rows.iterator(chunk_size=2000):
        table.append(export_row(customer))
    table.close()
    wb.save(fileobj)
    return table.rows


# --- the import columns --------------------------------------------------------------------

IMPORT_FIELDS = [
    "name", "short_name", "is_organisation", "nature", "address", "postcode", "phone", "fax",
    "email", "legal_representative", "tax_id", "settlement_method", "bank", "bank_account",
    "customer_class", "intent_grade", "source", "region", "remarks",
]  # fmt: skip
# Column key → (ContactForm field, header label).
CONTACT_COLUMNS = {
    "contact_name": ("name", gettext_lazy("Contact name")),
    "contact_gender": ("gender", gettext_lazy("Contact gender")),
    "contact_mobile": ("mobile", gettext_lazy("Contact mobile")),
}
REQUIRED_COLUMNS = ["name", "source"]
CHOICE_FIELDS = ["nature", "settlement_method", "customer_class", "intent_grade", "source"]
# Excel turns long digit strings into numbers and drops leading zeros: keep these as text.
TEXT_COLUMNS = {"postcode", "phone", "fax", "tax_id", "bank_account", "contact_mobile"}


def column_label(key: str) -> str:
    if key in CONTACT_COLUMNS:
        return str(CONTACT_COLUMNS[key][1])
    return _label(key)


def import_keys() -> list[str]:
    return IMPORT_FIELDS + list(CONTACT_COLUMNS)


def _fold(text) -> str:
    """How header labels and choice words compare: width, case and spaces do not matter."""
    return "".join(half_width(str(text)).split()).casefold()


def _in_every_language(build) -> dict:
    """Aliases from each configured language, so a file made under the English interface
    imports under the Chinese one (and the other way round)."""
    aliases = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            aliases.update(build())
    return aliases


def _header_aliases() -> dict[str, str]:
    aliases = _in_every_language(lambda: {_fold(column_label(k)): k for k in import_keys()})
    aliases.update({_fold(key): key for key in import_keys()})
    return aliases


def _choices_of(key: str):
    if key == "contact_gender":
        return Contact.Gender.choices
    return Customer._meta.get_field(key).choices


def _choice_aliases() -> dict[str, dict[str, str]]:
    """Per choice column: label (any language) or stored value → stored value."""
    result = {}
    for key in [*CHOICE_FIELDS, "contact_gender"]:
        choices = _choices_of(key)
        aliases = _in_every_language(lambda c=choices: {_fold(lbl): v for v, lbl in c})
        aliases.update({_fold(value): value for value, _lbl in choices})
        result[key] = aliases
    return result


def _boolean_aliases() -> dict[str, bool]:
    """是/否 (or Yes/No in English), and what spreadsheets write for a checkbox."""
    words = {"1": True, "true": True, "y": True, "yes": True}
    words |= {"0": False, "false": False, "n": False, "no": False}
    return words | _in_every_language(lambda: {_fold(_("Yes")): True, _fold(_("No")): False})


# --- template ------------------------------------------------------------------------------

# Sample data (not interface text): a plausible Chinese customer, valid in every column.
EXAMPLE = {
    "name": "上海示例贸易有限公司",
    "short_name": "示例贸易",
    "address": "上海市浦东新区示例路1号",
    "postcode": "200120",
    "phone": "021-6234 5678",
    "email": "info@example.com",
    "legal_representative": "张三",
    "tax_id": "91310000MA1EXAMP1X",
    "bank": "中国工商银行上海分行",
    "bank_account": "1001 2345 6789 0000",
    "intent_grade": "B",
    "region": "上海",
    "contact_name": "李四",
    "contact_mobile": "138 0000 0000",
}
EXAMPLE_CHOICES = {
    "nature": "direct_user",
    "settlement_method": "cash",
    "customer_class": "potential",
    "source": "phone",
    "contact_gender": "M",
}
# The coded columns: each gets a dropdown of its labels in the template.
CODED_COLUMNS = ["is_organisation", *CHOICE_FIELDS, "contact_gender"]
EXAMPLE_BRACKETS = ["【】", "[]", "()", "〔〕", "<>"]  # （） and ［］ fold to () and []


# The example row's first cell begins with this. Like the rest of the sample data it is
# Chinese in every interface language; the importer also knows the word in other languages.
EXAMPLE_WORD = "示例"


def example_marker() -> str:
    return f"【{EXAMPLE_WORD}】"


def _example_value(key: str) -> str:
    if key == "name":
        return f"{example_marker()}{EXAMPLE['name']}"
    if key == "remarks":
        return _(
            "This example row is never imported: keep it or delete it, and fill in your "
            "customers from row 3."
        )
    if key == "is_organisation":
        return _("Yes")
    if key in EXAMPLE_CHOICES:
        return str(dict(_choices_of(key))[EXAMPLE_CHOICES[key]])
    return EXAMPLE.get(key, "")


def _choice_labels(key: str) -> list[str]:
    """The words a coded column's dropdown offers: its labels in the viewer's language."""
    if key == "is_organisation":
        return [_("Yes"), _("No")]
    return [str(label) for _value, label in _choices_of(key)]


def _values_sheet(wb) -> dict[str, str]:
    """The sheet listing, one column per coded column, the labels it takes; returns the
    range of each column's labels for the dropdowns."""
    ws = wb.create_sheet(_("Allowed values"))
    lists = {key: _choice_labels(key) for key in CODED_COLUMNS}
    table = xlsx.Table(ws, [column_label(key) for key in CODED_COLUMNS])
    for index in range(max(len(labels) for labels in lists.values())):
        table.append([labels[index] if index < len(labels) else None for labels in lists.values()])
    table.close()
    return {
        key: xlsx.sheet_range(ws, column, 2, len(labels) + 1)
        for column, (key, labels) in enumerate(lists.items(), start=1)
    }


def build_template() -> bytes:
    """The import template: the header row, one example row (marked, grey italic, never
    imported), dropdowns of the labels on every coded column, and a sheet listing the labels
    each coded column takes."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Customers")
    keys = import_keys()
    formats = {index: "@" for index, key in enumerate(keys) if key in TEXT_COLUMNS}
    table = xlsx.Table(ws, [column_label(key) for key in keys], formats=formats)
    table.append([_example_value(key) for key in keys], font=xlsx.NOTE_FONT)
    table.close()
    last_row = MAX_ROWS + 2  # the example row and MAX_ROWS customers below it
    ws.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{last_row}"
    for index, key in enumerate(keys, start=1):
        if key in TEXT_COLUMNS:
            ws.column_dimensions[get_column_letter(index)].number_format = "@"
    ranges = _values_sheet(wb)
    prompt = _("Choose from the list.")
    for index, key in enumerate(keys, start=1):
        if key in ranges:
            xlsx.dropdown(ws, index, ranges[key], first_row=2, last_row=last_row, prompt=prompt)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _example_markers() -> tuple[str, ...]:
    """Folded 【示例】 markers: the word in every language, in any of the usual brackets."""
    words = {_fold(EXAMPLE_WORD): None} | _in_every_language(lambda: {_fold(_("Example")): None})
    return tuple(_fold(left + word + right) for word in words for left, right in EXAMPLE_BRACKETS)


def is_example_row(record: dict[str, str], markers: tuple[str, ...] | None = None) -> bool:
    """The template's example row, whatever its other cells hold: its name begins with the
    【示例】 marker (any language, any bracket), or is the example's bare name (templates
    downloaded before the marker existed)."""
    name = _fold(record.get("name", ""))
    if not name:
        return False
    return name == _fold(EXAMPLE["name"]) or name.startswith(markers or _example_markers())


# --- import: reading the file ----------------------------------------------------------------


class WorkbookError(ValueError):
    """The file as a whole cannot be imported; the message is for the user."""


@dataclass(frozen=True)
class RowError:
    """A row that was not imported: a problem with it, or (`skipped`) the template's example
    row, which is never imported."""

    row: int  # as Excel numbers it (the header is row 1)
    column: str  # the column's header label; "" for the row as a whole
    message: str
    skipped: bool = False


@dataclass
class ImportResult:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)  # problems and skipped rows
    failed: bool = False  # True: some row failed and nothing was written

    @property
    def problems(self) -> list[RowError]:
        return [error for error in self.errors if not error.skipped]

    @property
    def skipped(self) -> list[RowError]:
        return [error for error in self.errors if error.skipped]


class Records(list):
    """The data rows of a file, (Excel row number, column key → text); `examples` holds the
    row numbers of the template's example rows, left out."""

    examples: list[int]

    def __init__(self, rows=(), examples=()):
        super().__init__(rows)
        self.examples = list(examples)


def example_skipped(number: int) -> RowError:
    message = _("The template's example row (marked %(marker)s): never imported.")
    return RowError(number, "", message % {"marker": example_marker()}, skipped=True)


def _unreadable() -> WorkbookError:
    return WorkbookError(
        _("The file is not a readable Excel workbook (.xlsx). Save it as .xlsx and try again.")
    )


def _check_upload(file) -> None:
    """Cheap refusals before openpyxl parses anything."""
    if file is None:
        raise WorkbookError(_("Please choose an Excel file (.xlsx) to upload."))
    if not (file.name or "").lower().endswith(".xlsx"):
        raise _unreadable()
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise WorkbookError(_("The file is too large."))
    try:
        with zipfile.ZipFile(file) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _unreadable() from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise WorkbookError(_("The file is too large."))
    file.seek(0)


def _header_width(header: tuple) -> int:
    """The column of the header's last filled cell (0: none)."""
    for index in range(len(header), 0, -1):
        if _text(header[index - 1]):
            return index
    return 0


def _sheet_rows(file) -> tuple[tuple, list[tuple[int, tuple]]]:
    """The first sheet's header and its non-empty rows with their Excel row numbers (formulas
    as their last computed value); refuses more than MAX_ROWS rows.

    Memory is bounded by the header, not by the file: a single cell far to the right (column
    XFD) would otherwise widen every row to 16,384 values (a 98 KB file cost 702 MB). Rows are
    read only as wide as the header's last filled column, at most MAX_COLUMNS; a column
    without a header was never imported anyway. Rows stream (read-only mode) and only the
    non-empty ones, at most MAX_ROWS, are kept, so a stray cell at row 1,048,576 costs a
    fraction of a second and no memory."""
    _check_upload(file)
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types on a damaged file; all mean the same
        raise _unreadable() from None
    try:
        sheet = wb.worksheets[0]
        # The <dimension> a file declares is not trusted: other tools write wrong ones, and
        # one claiming A1:XFD1048576 would widen every row. Read what is there.
        sheet.reset_dimensions()
        # One row, however wide, is cheap (at most 16,384 values).
        header = next(sheet.iter_rows(max_row=1, values_only=True), ())
        width = _header_width(header)
        if width > MAX_COLUMNS:
            raise WorkbookError(
                _(
                    "The first row reaches column %(column)s, but the template has %(count)d "
                    "columns. Delete the cells to the right of the template's columns."
                )
                % {"column": get_column_letter(width), "count": len(import_keys())}
            )
        header, rows = tuple(header[:width]), []
        if not width:
            return header, rows
        data = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
        for number, values in enumerate(data, 2):
            if values.count(None) == width or not any(_text(v) for v in values):
                continue  # blank rows (a long gap costs no memory: openpyxl repeats one tuple)
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise WorkbookError(
                    _("Too many rows: at most %(max)d customers per file. Split the file.")
                    % {"max": MAX_ROWS}
                )
        return header, rows
    except WorkbookError:
        raise
    except Exception:
        raise _unreadable() from None
    finally:
        wb.close()


def _text(value) -> str:
    """A cell as the text a form would receive: numbers typed into Excel lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _header_keys(header: tuple) -> list[str | None]:
    """Column index → column key; refuses unknown, repeated and missing required columns,
    since a silently ignored column would import the wrong data without anyone noticing."""
    aliases = _header_aliases()
    keys = [aliases.get(_fold(_text(cell))) if _text(cell) else None for cell in header]
    unknown = [_text(c) for c, k in zip(header, keys, strict=True) if _text(c) and k is None]
    if unknown:
        raise WorkbookError(
            _("The first row must hold the template's column headers. Unknown columns: %(cols)s.")
            % {"cols": "、".join(unknown[:10])}
        )
    repeated = sorted({k for k in keys if k and keys.count(k) > 1}, key=import_keys().index)
    if repeated:
        raise WorkbookError(
            _("These columns appear more than once: %(cols)s.")
            % {"cols": "、".join(column_label(k) for k in repeated)}
        )
    missing = [k for k in REQUIRED_COLUMNS if k not in keys]
    if missing:
        raise WorkbookError(
            _("The header lacks the required columns: %(cols)s. Start from the template.")
            % {"cols": "、".join(column_label(k) for k in missing)}
        )
    return keys


def read_workbook(file) -> Records:
    """(Excel row number, column key → text) for every non-empty data row but the template's
    example row (see `is_example_row`)."""
    header, rows = _sheet_rows(file)
    if not any(_text(v) for v in header):
        raise WorkbookError(_("The first sheet is empty. Start from the template."))
    keys = _header_keys(header)
    records, markers = Records(), _example_markers()
    for number, values in rows:
        record = {k: _text(v) for k, v in zip(keys, values, strict=False) if k}
        if is_example_row(record, markers):
            records.examples.append(number)
        elif any(record.values()):
            records.append((number, record))
    if not records and records.examples:
        raise WorkbookError(
            _(
                "The file holds only the template's example row, which is never imported. "
                "Add your customers below it (from row 3) and upload the file again."
            )
        )
    if not records:
        raise WorkbookError(_("The first sheet has no customer rows below the header."))
    return records


# --- import: one row -------------------------------------------------------------------------

Problem = tuple[str, str]  # (column label, or "" for the row as a whole; message)


@dataclass
class _Lookups:
    """Per-import alias tables, built once rather than per row."""

    choices: dict[str, dict[str, str]]
    booleans: dict[str, bool]

    @classmethod
    def build(cls) -> "_Lookups":
        return cls(choices=_choice_aliases(), booleans=_boolean_aliases())

    def choice(self, key: str, text: str) -> str:
        # Unknown words pass through so the form names them in its error.
        return self.choices[key].get(_fold(text), text) if text else text


def _customer_form(record: dict, lookups: _Lookups) -> tuple[CustomerForm, list[Problem]]:
    """Blank choice columns take the model's default (潜在客户, grade C); a blank 是否单位
    means an organisation, as on the register page."""
    data, problems = {}, []
    for key in IMPORT_FIELDS:
        text = record.get(key, "")
        if key in CHOICE_FIELDS:
            text = lookups.choice(key, text)
            model_field = Customer._meta.get_field(key)
            if not text and model_field.has_default():
                text = model_field.get_default()
        data[key] = text
    organisation = record.get("is_organisation", "")
    data["is_organisation"] = lookups.booleans.get(_fold(organisation), True)
    if organisation and _fold(organisation) not in lookups.booleans:
        message = _("Write “%(yes)s” or “%(no)s”.") % {"yes": _("Yes"), "no": _("No")}
        problems.append((column_label("is_organisation"), message))
    return CustomerForm(data, fields=REGISTER_FIELDS), problems


def _contact_form(record: dict, lookups: _Lookups) -> ContactForm | None:
    """Only when a contact column is filled: a customer without contacts is fine."""
    if not any(record.get(key) for key in CONTACT_COLUMNS):
        return None
    data = {name: record.get(key, "") for key, (name, _lbl) in CONTACT_COLUMNS.items()}
    data["gender"] = lookups.choice("contact_gender", data["gender"])
    return ContactForm(data)


def _form_problems(form, label) -> list[Problem]:
    return [(label(name), str(msg)) for name, msgs in form.errors.items() for msg in msgs]


def _customer_label(name: str) -> str:
    return "" if name == "__all__" else column_label(name)


def _contact_label(name: str) -> str:
    by_field = {field_name: key for key, (field_name, _lbl) in CONTACT_COLUMNS.items()}
    # A contact without any number fails as a whole; the missing column is the mobile.
    return column_label(by_field.get(name, "contact_mobile"))


def _validate(record: dict, lookups: _Lookups) -> tuple[dict, list[dict], list[Problem]]:
    """The row as the registration service takes it, or the problems the forms found."""
    form, problems = _customer_form(record, lookups)
    contact = _contact_form(record, lookups)
    if not form.is_valid():
        problems += _form_problems(form, _customer_label)
    if contact is not None and not contact.is_valid():
        problems += _form_problems(contact, _contact_label)
    if problems:
        return {}, [], problems
    return form.cleaned_data, [contact.cleaned_data] if contact else [], []


def _refusal(exc: Exception, row_of_customer: dict[int, int]) -> str:
    """The service's message, except that a clash with an earlier row of this very file says
    which row (the service would only name the uploader as the holder)."""
    if isinstance(exc, DuplicateCustomer) and exc.customer_id in row_of_customer:
        return _(
            "Duplicates row %(row)d of this file (same phone, tax id or organisation name)."
        ) % {"row": row_of_customer[exc.customer_id]}
    return str(exc)


# --- import: the whole file -----------------------------------------------------------------


def import_workbook(
    *, actor, file=None, only_valid: bool, now, records=None, progress=None
) -> ImportResult:
    """Register every row of the uploaded workbook to `actor`.

    All rows run in one transaction, each in its own savepoint, so every row's error is
    collected and rows of the same file collide with each other through the UNIQUE keys.
    By default one failed row rolls everything back; with `only_valid` the good rows stay.
    Raises WorkbookError when the file as a whole cannot be read. The template's example
    row is never imported; the result says it was skipped.
    """
    if records is None:
        records = read_workbook(file)
    lookups = _Lookups.build()
    result = ImportResult()
    result.errors += [example_skipped(number) for number in getattr(records, "examples", ())]
    row_of_customer: dict[int, int] = {}
    with transaction.atomic():
        for done, (number, record) in enumerate(records, start=1):
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, len(records))
            data, contacts, problems = _validate(record, lookups)
            if not problems:
                try:
                    with transaction.atomic():
                        customer = customer_register(
                            actor=actor, data=data, contacts=contacts, now=now
                        )
                except (RuleError, KeyFormatError) as exc:
                    problems = [("", _refusal(exc, row_of_customer))]
                else:
                    row_of_customer[customer.pk] = number
                    result.imported += 1
            result.errors += [RowError(number, column, message) for column, message in problems]
        if result.problems and not only_valid:
            transaction.set_rollback(True)
            result.failed, result.imported = True, 0
    return result
