"""The roster exports the bureau imports (DOMAIN.md §9): XLSX with ID numbers as text cells, and
CSV in UTF-8 with a BOM (so Excel detects the encoding), both with exactly the columns of §9.
Both are written through core/spreadsheet.py, so no name or employer arrives as a live formula."""

from collections.abc import Iterable
from datetime import date

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from basesys.core.spreadsheet import append_row, csv_bytes, decimal, new_workbook, xlsx_bytes
from basesys.core.time import local_day_bounds
from basesys.extensions import db
from basesys.rosters.models import Roster, RosterStatus
from basesys.rosters.rows import HEADER, HOURS_COLUMN, ID_COLUMN, export_values

_WIDTHS = [6, 10, 6, 22, 28, 14, 14, 30, 10, 24, 10, 20, 10]


def renumber(rows: Iterable[dict]) -> list[dict]:
    """Rows of several rosters in one file are numbered 1..n through the file (序号)."""
    return [{**row, "seq": n} for n, row in enumerate(rows, 1)]


def to_xlsx(rows: list[dict], sheet_title: str = "学员名单") -> bytes:
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    append_row(sheet, HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        values = export_values(row)
        r = append_row(sheet, values)
        # An 18-digit number would lose its last digits in Excel: the ID number is a text cell.
        id_cell = sheet.cell(row=r, column=ID_COLUMN + 1)
        id_cell.value, id_cell.data_type, id_cell.number_format = str(values[ID_COLUMN]), "s", "@"
        sheet.cell(row=r, column=HOURS_COLUMN + 1).number_format = "0.0"
    for index, width in enumerate(_WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return xlsx_bytes(workbook)


def _csv_values(row: dict) -> list:
    values = export_values(row)
    values[HOURS_COLUMN] = decimal(values[HOURS_COLUMN])  # "8.0": one decimal, still a number
    return values


def to_csv(rows: list[dict]) -> bytes:
    return csv_bytes([HEADER, *(_csv_values(row) for row in rows)])


def accepted_rosters(base_ids: set[int] | None, start: date, end: date) -> list[Roster]:
    """Rosters accepted on a local date in [start, end], of the given bases (None: every base)."""
    since, _ = local_day_bounds(start)
    _, until = local_day_bounds(end)
    query = (
        db.select(Roster)
        .where(Roster.status == RosterStatus.ACCEPTED, Roster.decided_at >= since, Roster.decided_at < until)
        .order_by(Roster.decided_at, Roster.id)
    )
    if base_ids is not None:
        query = query.where(Roster.base_id.in_(base_ids or {-1}))
    return db.session.scalars(query).all()


def rows_of(rosters: Iterable[Roster]) -> list[dict]:
    return renumber(row for roster in rosters for row in (roster.rows or []))
