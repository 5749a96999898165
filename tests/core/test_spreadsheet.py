"""core/spreadsheet.py (issue 10): text Excel would run as a formula is written as inert text, in
every XLSX and CSV the app writes; numbers stay numbers."""

import ast
import csv
import io
import re
import tempfile
import tracemalloc
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from basesys.core.spreadsheet import (
    append_row,
    csv_bytes,
    decimal,
    new_workbook,
    safe_cell,
    saved_to_file,
    stream_row,
    stream_workbook,
    xlsx_bytes,
)

PACKAGE = Path(__file__).resolve().parents[2] / "basesys"
HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1-2",
    "-3",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["李四", "枣庄市立医院", "", "a=b", "1+1", "2025-05-10至2025-05-20", None])
def test_other_text_and_none_are_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [3, -3, 8.0, -1.5, Decimal("-2.5"), 0])
def test_numbers_stay_numbers(value):
    assert safe_cell(value) is value


def test_control_characters_are_dropped_so_the_file_can_be_written():
    assert safe_cell("张\x00三\x1f") == "张三"
    assert safe_cell("\x01=1+1") == "'=1+1"


def test_xlsx_cells_are_strings_never_formulas():
    book = new_workbook()
    sheet = book.active
    append_row(sheet, ["姓名", "学时"])
    for text in HOSTILE:
        append_row(sheet, [text, -1.5])
    sheet["C2"] = "=1+1"  # a cell set by hand, not through append_row, is caught when saving
    sheet["D2"] = "李四"
    read = load_workbook(io.BytesIO(xlsx_bytes(book))).active
    formulas = [c.coordinate for row in read.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    for row, text in enumerate(HOSTILE, 2):
        name, hours = read.cell(row=row, column=1), read.cell(row=row, column=2)
        assert name.value == text.replace("\r", "\n")  # the exact text (XML reads CR as LF), no apostrophe
        assert name.data_type == "s" and name.quotePrefix
        assert hours.value == -1.5 and hours.data_type == "n"
    assert read["C2"].value == "=1+1" and read["C2"].data_type == "s" and read["C2"].quotePrefix
    assert read["D2"].value == "李四" and not read["D2"].quotePrefix
    assert not read["A1"].quotePrefix


def test_xlsx_row_with_a_control_character_is_written():
    book = new_workbook()
    append_row(book.active, ["张\x0b三"])
    assert load_workbook(io.BytesIO(xlsx_bytes(book))).active["A1"].value == "张三"


# --- the streamed writer (XlsxWriter, issue 11) ------------------------------------------------

# In constant_memory mode XlsxWriter copies a text shaped like its own rich strings into the XML
# as it is: this one would add a formula cell Z2 to the sheet.
MARKUP = (
    '<r><t>x</t></r></is></c><c r="Z2"><f>HYPERLINK("http://evil.example","x")</f></c><c r="Y2"><is><r><t>y</t></r>'
)


def _streamed(rows, target=None, **columns):
    with stream_workbook("学员", [8, 24], freeze="A2", target=target, **columns) as sheet:
        stream_row(sheet, ["姓名", "身份证号", "学时"], bold=True)
        for values in rows:
            stream_row(sheet, values)
        return saved_to_file(sheet)


def test_streamed_cells_are_strings_never_formulas():
    rows = [[text, 370402198001011234, -1.5] for text in HOSTILE]
    rows += [[MARKUP, None, Decimal("8.0")], ["张\x0b三", "", 0], ["李四\r\n王五", "11010519491231002X", True]]
    data = _streamed(rows, text_columns=(1,), formats={2: "0.0"}).read()
    read = load_workbook(io.BytesIO(data)).active
    assert [c.coordinate for row in read.iter_rows() for c in row if c.data_type == "f"] == []
    for row, text in enumerate(HOSTILE, 2):
        name, number, hours = (read.cell(row=row, column=column) for column in (1, 2, 3))
        assert name.value == text.replace("\r", "\n") and name.data_type == "s" and name.quotePrefix
        assert number.value == "370402198001011234" and number.data_type == "s" and number.number_format == "@"
        assert hours.value == -1.5 and hours.data_type == "n" and hours.number_format == "0.0"
    markup, empty, hours = (read.cell(row=len(HOSTILE) + 2, column=column) for column in (1, 2, 3))
    assert markup.value == MARKUP and markup.data_type == "s" and not markup.quotePrefix
    assert empty.value is None and empty.number_format == "@" and hours.value == 8.0
    assert read.cell(row=len(HOSTILE) + 3, column=1).value == "张三"
    assert read.cell(row=len(HOSTILE) + 3, column=2).value is None
    assert read.cell(row=len(HOSTILE) + 4, column=1).value == "李四\n王五"  # CR LF as XML always read it
    assert read.cell(row=len(HOSTILE) + 4, column=3).value is True
    assert [c.value for c in read[1]] == ["姓名", "身份证号", "学时"] and all(c.font.b for c in read[1])
    assert not read["A2"].font.b and read.freeze_panes == "A2"
    assert read.column_dimensions["B"].width > read.column_dimensions["A"].width > 8


def _cell_formats(data: bytes) -> int:
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    return int(re.search(r'<cellXfs count="(\d+)"', styles).group(1))


def test_streamed_formats_are_made_once_per_workbook():
    row = ["=1+1", 370402198001011234, 8.0]
    one, many = (_streamed([row] * n, text_columns=(1,), formats={2: "0.0"}).read() for n in (1, 500))
    assert _cell_formats(one) == _cell_formats(many)


def test_streamed_export_keeps_constant_memory():
    def peak(n: int) -> int:
        with tempfile.TemporaryFile() as target:
            tracemalloc.start()
            try:
                _streamed(([f"学员{i}", f"3704021980010{i:05d}", 8.0] for i in range(n)), target, text_columns=(1,))
                return tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

    small, large = peak(1_000), peak(5_000)  # both past the 64 kB XlsxWriter copies its rows by
    assert large < small * 1.5, (small, large)


def test_streamed_temporary_files_go_whether_or_not_the_export_finishes():
    with stream_workbook("学员") as sheet:
        stream_row(sheet, ["张三"])
        saved_to_file(sheet)
    assert not Path(sheet.tmpdir.name).exists()
    with pytest.raises(TypeError), stream_workbook("学员") as sheet:
        stream_row(sheet, ["张三"])
        stream_row(sheet, [date(2025, 5, 10)])  # dates are written as text by the caller
    assert not Path(sheet.tmpdir.name).exists()


def test_csv_has_a_bom_crlf_and_inert_fields():
    data = csv_bytes([["姓名", "学时"], *([text, decimal(-1.5)] for text in HOSTILE), ["李四", -3]])
    assert data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert lines[0] == ["姓名", "学时"]
    assert [line[0] for line in lines[1:-1]] == ["'" + text for text in HOSTILE]
    assert {line[1] for line in lines[1:-1]} == {"-1.5"}  # a negative number is still a number
    assert lines[-1] == ["李四", "-3"]


def test_decimal_keeps_one_place():
    assert str(decimal(8)) == "8.0" and str(decimal(7.25)) == "7.2" and str(decimal(0.0)) == "0.0"


def _writers(path: Path) -> list[str]:
    """Calls that make a spreadsheet without core/spreadsheet.py: Workbook(), csv.writer(),
    csv.DictWriter() and saving a workbook."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        if name in {"Workbook", "DictWriter"} or (owner == "csv" and name == "writer"):
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {name}()")
        if name == "save" and "openpyxl" in path.read_text(encoding="utf-8"):
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} .save()")
    return found


def test_every_spreadsheet_is_written_through_core_spreadsheet():
    own = PACKAGE / "core" / "spreadsheet.py"
    sources = [p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts and p != own]
    assert [hit for path in sources for hit in _writers(path)] == []
