"""Every Excel workbook the product writes puts its cells through `append` (issue 12, defect 7;
docs/security.md "formula injection").

Text that begins with = + - @, a tab or a carriage return is what spreadsheet programs take for
a formula or a DDE command (OWASP "CSV injection"). Customer names, follow-up content and
ledger reasons are typed by people, so such text is written as a string cell flagged
`quotePrefix` — the flag Excel itself sets when someone types a leading apostrophe: the value
reads back unchanged, is shown as text, and stays text when someone edits the cell. Numbers,
dates and booleans stay what they are. Control characters (pasted from elsewhere) are
dropped, since openpyxl refuses a whole file that holds one.

This lives in `crm`, the lowest app, so every app's writer can use it.
"""

import tempfile

from django.http import FileResponse
from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet program read this text as a formula (or a DDE command)?"""
    return text.startswith(FORMULA_TRIGGERS)


def cell(ws, value, *, font=None):
    """`value` ready for `ws.append` on worksheet `ws` (write-only or not)."""
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    risky = False
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        risky = is_formula_like(value)
    if not risky and font is None:
        return value
    result = WriteOnlyCell(ws, value)
    if risky:
        result.data_type = "s"  # openpyxl would store a leading "=" as a live formula
        result.quotePrefix = True
    if font is not None:
        result.font = font
    return result


def append(ws, values, *, font=None) -> None:
    """Append one row to `ws`, every value through `cell`."""
    ws.append([cell(ws, value, font=font) for value in values])


def download(write, filename: str):
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
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    return response, result
