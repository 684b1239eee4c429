"""Every Excel workbook the product writes puts its cells through `append` (issue 12, defect 7;
docs/security.md "formula injection").

Text that begins with = + - @, a tab or a carriage return is what spreadsheet programs take for
a formula or a DDE command (OWASP "CSV injection"). Customer names, follow-up content and
ledger reasons are typed by people, so such text is written as a string cell flagged
`quotePrefix` — the flag Excel itself sets when someone types a leading apostrophe: the value
reads back unchanged, is shown as text, and stays text when someone edits the cell. Numbers,
dates and booleans stay what they are. Control characters (pasted from elsewhere) are
dropped, since openpyxl refuses a whole file that holds one.

It is also the one place of the house style (issue 14, build 4): `Table` gives every sheet a
bold, shaded, frozen header row with an autofilter and columns sized by their content (CJK
characters count double, as they print), `dropdown` lists a coded column's labels, and
`download` / `attach` name the file in the viewer's language with an ASCII fallback
(RFC 6266).

This lives in `crm`, the lowest app, so every app's writer can use it.
"""

import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from django.http import FileResponse
from django.utils import translation
from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
HEADER_BORDER = Border(bottom=Side(style="thin", color="8C9BAB"))
NOTE_FONT = Font(italic=True, color="808080")  # sample rows, "only the first N" notes
MONEY_FORMAT = "#,##0.00"
MIN_WIDTH, MAX_WIDTH = 10, 50  # in characters of the default font
SAMPLE_ROWS = 500  # rows measured for the column widths of a streamed sheet


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet program read this text as a formula (or a DDE command)?"""
    return text.startswith(FORMULA_TRIGGERS)


def _clean(value):
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def cell(ws, value, *, font=None, fill=None, border=None, number_format=None):
    """`value` ready for `ws.append` on worksheet `ws` (write-only or not)."""
    value = _clean(value)
    risky = isinstance(value, str) and is_formula_like(value)
    style = {"font": font, "fill": fill, "border": border, "number_format": number_format}
    style = {name: given for name, given in style.items() if given is not None}
    if not risky and not style:
        return value
    result = WriteOnlyCell(ws, value)
    if risky:
        result.data_type = "s"  # openpyxl would store a leading "=" as a live formula
        result.quotePrefix = True
    for name, given in style.items():
        setattr(result, name, given)
    return result


def append(ws, values, *, font=None) -> None:
    """Append one row to `ws`, every value through `cell`."""
    ws.append([cell(ws, value, font=font) for value in values])


# --- the house style ---------------------------------------------------------------------


def text_width(value, number_format: str | None = None) -> int:
    """How many columns of the default font `value` takes as Excel shows it: East Asian wide
    and full-width characters count two; of a multi-line text, the longest line."""
    value = _clean(value)
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, datetime):
        return 19 if value.time() != datetime.min.time() else 10
    if isinstance(value, date):
        return 10
    if isinstance(value, (int, float, Decimal)):
        return len(f"{value:,.2f}" if number_format == MONEY_FORMAT else str(value))
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        for line in str(value).splitlines() or [""]
    )


def column_width(header_width: int, content_width: int) -> float:
    """Wide enough for the header (bold, with the filter button) and the content, capped so a
    long remark does not push the other columns off the screen (it stays readable in the cell
    and in the formula bar)."""
    return float(min(MAX_WIDTH, max(MIN_WIDTH, header_width + 4, content_width + 2)))


class Table:
    """One sheet laid out as a person would: the header row bold, shaded and frozen, an
    autofilter over the table, and every column as wide as its content.

    Works on write-only (streamed) sheets too, which must know their column widths before the
    first row: the first SAMPLE_ROWS rows are held back and measured, then written. Call
    `close()` once the rows are written (before the workbook is saved): it writes what is
    held back and sets the filter's range. `formats` maps a column (0-based) to its number
    format, e.g. MONEY_FORMAT."""

    def __init__(self, ws, header, *, formats=None, widths=None):
        self.ws = ws
        self.header = [_clean(value) for value in header]
        self.formats = dict(formats or {})
        self.widths = dict(widths or {})  # column (0-based) → fixed width
        self.rows = 0  # data rows, header excluded
        self._held: list | None = []
        self._width = len(self.header)

    def append(self, values, *, font=None, measure: bool = True) -> None:
        """One row; `measure=False` for a note ("only the first N are listed") that should
        not widen its column."""
        values = list(values)
        self._width = max(self._width, len(values))
        self.rows += 1
        if self._held is None:
            self._write(values, font)
            return
        self._held.append((values, font, measure))
        if len(self._held) >= SAMPLE_ROWS:
            self._flush()

    def _write(self, values, font) -> None:
        self.ws.append(
            [
                cell(self.ws, value, font=font, number_format=self.formats.get(index))
                for index, value in enumerate(values)
            ]
        )

    def _flush(self) -> None:
        held, self._held = self._held, None
        for index in range(self._width):
            letter = get_column_letter(index + 1)
            if index in self.widths:
                width = self.widths[index]
            else:
                head = text_width(self.header[index]) if index < len(self.header) else 0
                fmt = self.formats.get(index)
                body = [
                    text_width(row[index], fmt)
                    for row, _font, measure in held
                    if measure and index < len(row)
                ]
                width = column_width(head, max(body, default=0))
            self.ws.column_dimensions[letter].width = width
        self.ws.freeze_panes = "A2"
        self.ws.append(
            [
                cell(self.ws, value, font=HEADER_FONT, fill=HEADER_FILL, border=HEADER_BORDER)
                for value in self.header
            ]
        )
        for values, font, _measure in held:
            self._write(values, font)

    def close(self) -> None:
        if self._held is not None:
            self._flush()
        last = get_column_letter(max(self._width, 1))
        self.ws.auto_filter.ref = f"A1:{last}{self.rows + 1}"


def dropdown(ws, column: int, source: str, *, first_row: int, last_row: int, prompt: str = ""):
    """A list validation on rows first_row..last_row of `column` (1-based) offering the cells
    of `source` (a range such as `'可填写的值'!$B$2:$B$6`). A value outside the list warns
    rather than refuses: the importer also takes codes and the other language's labels."""
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showDropDown=False,  # openpyxl's name is inverted: False shows the in-cell arrow
        showErrorMessage=True,
        errorStyle="warning",
        showInputMessage=bool(prompt),
        prompt=prompt or None,
    )
    letter = get_column_letter(column)
    validation.add(f"{letter}{first_row}:{letter}{last_row}")
    ws.add_data_validation(validation)
    return validation


def sheet_range(ws, column: int, first_row: int, last_row: int) -> str:
    """An absolute reference to cells of `ws`, for a formula on another sheet."""
    letter = get_column_letter(column)
    return f"{quote_sheetname(ws.title)}!${letter}${first_row}:${letter}${last_row}"


# --- file names ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileName:
    """A download's name in the viewer's language and an ASCII stand-in for old clients."""

    name: str
    fallback: str

    @classmethod
    def of(cls, message, **params) -> "FileName":
        """`message` (a lazy translation such as pgettext_lazy("file name", "ledger-%(month)s
        .xlsx")) filled with `params`, and the same in English for the fallback."""
        name = str(message) % params if params else str(message)
        with translation.override("en"):
            english = str(message) % params if params else str(message)
        return cls(name=name, fallback=english)

    def header(self, disposition: str = "attachment") -> str:
        """Content-Disposition per RFC 6266 §4.3 / RFC 8187: `filename` (quoted ASCII) first
        for clients that know no better, `filename*` (UTF-8, percent-encoded) for the rest."""
        return (
            f'{disposition}; filename="{ascii_name(self.fallback)}"; '
            f"filename*=UTF-8''{quote(_safe_name(self.name), safe='')}"
        )


def _safe_name(name: str) -> str:
    """No path separators, quotes or control characters in a file name."""
    return re.sub(r'[\\/"\x00-\x1f\x7f]+', "_", name).strip() or "download.xlsx"


def ascii_name(name: str) -> str:
    """`name` reduced to printable ASCII safe inside a quoted header parameter."""
    folded = unicodedata.normalize("NFKD", _safe_name(name)).encode("ascii", "ignore").decode()
    folded = re.sub(r"[^A-Za-z0-9._() -]+", "_", folded).strip(" _")
    stem, dot, extension = folded.rpartition(".")
    if not re.search(r"[A-Za-z0-9]", stem if dot else folded):
        return f"download.{extension}" if dot and extension else "download.xlsx"
    return folded


def _file_name(filename) -> FileName:
    if isinstance(filename, FileName):
        return filename
    return FileName(name=str(filename), fallback=str(filename))


def attach(response, filename):
    """Mark `response` as a download named `filename` (a FileName or a plain name)."""
    response["Content-Disposition"] = _file_name(filename).header()
    return response


def download(write, filename):
    """(attachment response, what `write(fileobj)` returned — the row count of an export).

    The workbook goes to a temporary file rather than memory (an archive export can be
    large); FileResponse closes the file once sent, and a failed write closes it here."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    try:
        result = write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, content_type=XLSX_CONTENT_TYPE)
    return attach(response, filename), result
