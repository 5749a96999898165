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

The exports that can be long (rosters, a month of accepted rosters, the audit log) stream through
XlsxWriter (`stream_workbook`, `stream_row`, `saved_to_file`): rows go to disk as they come and every
format is made once per workbook. The small sheets built in memory (a course's attendance sheet,
the enrolment template: `new_workbook`, `append_row`, `xlsx_bytes`) stay on openpyxl.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

import xlsxwriter
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
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


# Text is only ever written with write_string; the two options make sure that no other call could
# turn a text into a formula or a link either.
_STREAM_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
XLSX_MAX_ROWS = 1_048_576  # Excel's limit: a longer export fails, it never loses rows silently


class StreamSheet:
    """The one sheet of a streamed XLSX (XlsxWriter in `constant_memory` mode: each row goes to a
    file in a private temporary directory as soon as the next begins, so memory stays constant
    however many rows). Its formats are made here, once per workbook: per column a plain one and a
    quote-prefixed one, and the same pair in bold for the header. Use as a context manager: the
    temporary directory goes when the block ends, whether the export was finished or not."""

    def __init__(self, target, title: str, widths, freeze, text_columns, formats: dict) -> None:
        self.target, self.next_row = target, 0
        self.tmpdir = tempfile.TemporaryDirectory(prefix="basesys-xlsx-")
        self.book = xlsxwriter.Workbook(target, {**_STREAM_OPTIONS, "tmpdir": self.tmpdir.name})
        self.sheet = self.book.add_worksheet(title[:31])
        for index, width in enumerate(widths):
            self.sheet.set_column(index, index, width)
        if freeze:
            self.sheet.freeze_panes(freeze)
        self.texts = frozenset(text_columns)
        self.default = (None, self._format(quote_prefix=True))
        self.header = (self._format(bold=True), self._format(bold=True, quote_prefix=True))
        self.run = self._format()  # the font of a text's second run (`_write_markup_like`)
        number_formats = {**formats, **dict.fromkeys(self.texts, "@")}
        self.columns = {
            column: (self._format(num_format=code), self._format(num_format=code, quote_prefix=True))
            for column, code in number_formats.items()
        }

    def _format(self, **properties):
        return self.book.add_format(properties)

    def __enter__(self) -> "StreamSheet":
        return self

    def __exit__(self, *exc) -> None:
        self.tmpdir.cleanup()


def stream_workbook(
    title: str,
    widths: Iterable[float] = (),
    freeze: str | None = None,
    *,
    text_columns: Iterable[int] = (),
    formats: dict | None = None,
    target=None,
) -> StreamSheet:
    """A streamed workbook of one sheet, written into `target` (a file object; by default a
    temporary file, on disk past a few MB). `text_columns` are written as text cells ("@") whatever
    they hold (ID numbers); `formats` maps a column to a number format. Append with `stream_row`,
    finish with `saved_to_file`, inside `with`."""
    if target is None:
        target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 -- the caller sends it
    return StreamSheet(target, title, widths, freeze, text_columns, formats or {})


def stream_row(sheet: StreamSheet, values: Iterable, *, bold: bool = False) -> None:
    """One row, inert as `append_row` makes it: text as string cells (formula-like text
    quote-prefixed, control characters dropped), numbers as numbers, None and "" as an empty cell.
    `bold`: a header row (bold, without the columns' number formats). The innermost loop of every
    long export: a few cheap tests per cell, XlsxWriter's own work being most of the time."""
    row = sheet.next_row
    if row >= XLSX_MAX_ROWS:
        raise OverflowError(f"an XLSX sheet holds at most {XLSX_MAX_ROWS} rows")
    sheet.next_row = row + 1
    write_string, columns, default = sheet.sheet.write_string, sheet.columns, sheet.default
    texts = () if bold else sheet.texts
    for column, value in enumerate(values):
        plain, quoted = sheet.header if bold else columns.get(column, default)
        if isinstance(value, str) or (column in texts and value is not None):
            value = _sheet_text(value)
            if value.startswith(FORMULA_STARTS):
                write_string(row, column, value, quoted)
                continue
            if value.startswith("<r>") and value.endswith("</r>"):
                _write_markup_like(sheet, row, column, value, plain)
                continue
            if value:
                write_string(row, column, value, plain)
                continue
        if value is None or value == "":
            if plain is not None:
                sheet.sheet.write_blank(row, column, None, plain)  # an empty ID cell still reads as text
        elif isinstance(value, bool):
            sheet.sheet.write_boolean(row, column, value, plain)
        elif isinstance(value, int | float | Decimal):
            sheet.sheet.write_number(row, column, float(value) if isinstance(value, Decimal) else value, plain)
        else:
            raise TypeError(f"a streamed sheet holds text and numbers, not {type(value).__name__}")


def _sheet_text(value) -> str:
    """The text of a streamed cell: control characters dropped, and a carriage return made the line
    feed that reading the XML always made of it (XlsxWriter would keep it as an `_x000D_` escape,
    which only Excel reads back as a carriage return). Most texts are printable: no test to make."""
    text = value if value.__class__ is str else str(value)
    if text.isprintable():
        return text
    text = _text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _write_markup_like(sheet: StreamSheet, row: int, column: int, text: str, cell_format) -> None:
    """In constant_memory mode XlsxWriter copies a string that starts with "<r>" and ends with
    "</r>" into the sheet's XML unescaped (it takes it for a rich string it made itself): such a
    text, which could carry a formula cell inside, is written as two runs of a real rich string
    instead, which XlsxWriter escapes. The cell's value is the same text."""
    runs = [text[:1], cell_format or sheet.run, text[1:]]
    sheet.sheet.write_rich_string(row, column, *runs, *([cell_format] if cell_format else []))


def saved_to_file(sheet: StreamSheet):
    """The workbook finished (its last row and the zip written into the target), rewound for
    sending."""
    sheet.book.close()
    sheet.target.seek(0)
    return sheet.target


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
    with stream_workbook(title, target=target) as sheet:
        for values in rows:
            stream_row(sheet, values)
        saved_to_file(sheet)
