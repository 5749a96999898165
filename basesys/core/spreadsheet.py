"""Every spreadsheet the app writes (XLSX and CSV) is made here, so no export can forget formula
injection: officers open these files in Excel or WPS, and a self-registered name such as
`=HYPERLINK("http://…","点我")` or `=cmd|' /C calc'!A0` must arrive as the text it is.

The rule (OWASP "CSV injection"): a text cell that starts with = + - @, a tab or a line break (or
the full-width ＝ ＋ － ＠ that Excel and WPS read the same way in a Chinese locale) is a formula to a
spreadsheet.
- CSV has no cell types, so such text gets a leading apostrophe (`safe_cell`), which Excel reads as
  "this is text".
- XLSX has them: text is written as a string cell (never a formula cell) with Excel's quote-prefix
  flag, the stored form of a typed leading apostrophe. The value stays exactly the name (the bureau
  imports these files), Excel shows it as text and keeps it text when the cell is edited.
Numbers (int, float, Decimal) stay numbers in both, so a negative number is still a number.
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def _text(value: str) -> str:
    # Control characters cannot be stored in XLSX (openpyxl raises) and mean nothing in a name.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value):
    """The value as a CSV field a spreadsheet cannot run: formula-like text gets a leading
    apostrophe; numbers, dates and None are returned as they are."""
    if not isinstance(value, str):
        return value
    text = _text(value)
    return "'" + text if is_formula_like(text) else text


def new_workbook() -> Workbook:
    return Workbook()


def append_row(sheet: Worksheet, values: Iterable) -> int:
    """Append one row: text as string cells (formula-like text quote-prefixed), numbers as
    numbers. Returns the row's number."""
    sheet.append([_text(v) if isinstance(v, str) else v for v in values])
    row = sheet.max_row
    for cell in sheet[row]:
        make_inert(cell)
    return row


def make_inert(cell) -> None:
    """A text (or formula) cell becomes a string cell; formula-like text is quote-prefixed."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if is_formula_like(cell.value):
            cell.quotePrefix = True


def xlsx_bytes(workbook: Workbook) -> bytes:
    """The saved file. Every cell is checked once more, so a cell set by hand (not through
    `append_row`) cannot carry a formula either: the app writes values, never formulas."""
    for sheet in workbook.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                make_inert(cell)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel detects the encoding) and CRLF line ends, every field
    through `safe_cell`."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for values in rows:
        writer.writerow([safe_cell(v) for v in values])
    return text.getvalue().encode("utf-8-sig")


def decimal(value, places: int = 1) -> Decimal:
    """A number written with a fixed number of decimals (CSV), still a number to `safe_cell`."""
    return round(Decimal(str(value)), places)


def write_xlsx_stream(target, rows: Iterable[Iterable], *, title: str = "Sheet") -> None:
    """Write rows into an XLSX file object as they come (openpyxl's write-only mode: each row goes
    to disk at once, so memory stays constant however long the export), with the same rule as
    `append_row`: text as string cells, formula-like text quote-prefixed, numbers as numbers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for values in rows:
        sheet.append([_inert_cell(sheet, value) for value in values])
    workbook.save(target)


def _inert_cell(sheet, value):
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=_text(value))
    make_inert(cell)
    return cell
