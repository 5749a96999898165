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
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.utils import get_column_letter
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
    numbers. Returns the row's number. (Built as cells, then appended: reading `sheet.max_row`
    after each row scanned every cell so far, a quadratic export.)"""
    cells = [Cell(sheet, value=_text(v) if isinstance(v, str) else v) for v in values] or [Cell(sheet)]
    for cell in cells:
        make_inert(cell)
    sheet.append(cells)
    return cells[0].row


def stream_workbook(title: str, widths: Iterable[float] = (), freeze: str | None = None):
    """A write-only workbook of one sheet: rows go to a temporary file as they are appended, so an
    export of millions of rows keeps constant memory. Append with `stream_row`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        sheet.freeze_panes = freeze
    return workbook, sheet


def stream_row(sheet, values: Iterable, *, text_columns: Iterable[int] = (), formats: dict | None = None, font=None):
    """One row of a `stream_workbook` sheet, inert as `append_row` makes it. `text_columns` are
    kept as text cells whatever they hold (ID numbers); `formats` maps a column to a number format."""
    texts, formats = set(text_columns), formats or {}
    cells = []
    for index, value in enumerate(values):
        value = str(value) if index in texts and value is not None else value
        cell = WriteOnlyCell(sheet, value=_text(value) if isinstance(value, str) else value)
        make_inert(cell)
        if index in texts:
            cell.number_format = "@"
        elif index in formats:
            cell.number_format = formats[index]
        if font is not None:
            cell.font = font
        cells.append(cell)
    sheet.append(cells)


def saved_to_file(workbook: Workbook):
    """The workbook saved to a temporary file (on disk past a few MB), rewound for sending."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 -- the caller sends it
    workbook.save(out)
    out.seek(0)
    return out


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
    return b"".join(csv_chunks(rows))


def csv_chunks(rows: Iterable[Iterable], chunk_rows: int = 500) -> Iterator[bytes]:
    """`csv_bytes` as a stream of chunks (the BOM first), for a response of any length in constant memory."""
    yield "\ufeff".encode()
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for n, values in enumerate(rows, 1):
        writer.writerow([safe_cell(v) for v in values])
        if n % chunk_rows == 0:
            yield text.getvalue().encode()
            text.seek(0)
            text.truncate()
    yield text.getvalue().encode()


def decimal(value, places: int = 1) -> Decimal:
    """A number written with a fixed number of decimals (CSV), still a number to `safe_cell`."""
    return round(Decimal(str(value)), places)


def write_xlsx_stream(target, rows: Iterable[Iterable], *, title: str = "Sheet") -> None:
    """Write rows into an XLSX file object as they come: a `stream_workbook` sheet filled with
    `stream_row`, so memory stays constant however long the export and every cell is inert."""
    workbook, sheet = stream_workbook(title)
    for values in rows:
        stream_row(sheet, values)
    workbook.save(target)
