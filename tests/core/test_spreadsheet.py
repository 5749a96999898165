"""core/spreadsheet.py (issue 10): text Excel would run as a formula is written as inert text, in
every XLSX and CSV the app writes; numbers stay numbers."""

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from basesys.core.spreadsheet import append_row, csv_bytes, decimal, new_workbook, safe_cell, xlsx_bytes

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
