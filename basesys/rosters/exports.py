"""The roster exports the bureau imports (DOMAIN.md §9): XLSX with ID numbers as text cells, and
CSV in UTF-8 with a BOM (so Excel detects the encoding), both with exactly the columns of §9."""

import csv
import io
from collections.abc import Iterable
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from basesys.core.time import local_day_bounds
from basesys.extensions import db
from basesys.rosters.models import Roster, RosterStatus
from basesys.rosters.rows import HEADER, HOURS_COLUMN, ID_COLUMN, export_values

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
_WIDTHS = [6, 10, 6, 22, 28, 14, 14, 30, 10, 24, 10, 20, 10]


def renumber(rows: Iterable[dict]) -> list[dict]:
    """Rows of several rosters in one file are numbered 1..n through the file (序号)."""
    return [{**row, "seq": n} for n, row in enumerate(rows, 1)]


def to_xlsx(rows: list[dict], sheet_title: str = "学员名单") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        values = export_values(row)
        sheet.append(values)
        r = sheet.max_row
        # An 18-digit number would lose its last digits in Excel: the ID number is a text cell.
        id_cell = sheet.cell(row=r, column=ID_COLUMN + 1)
        id_cell.value, id_cell.data_type, id_cell.number_format = str(values[ID_COLUMN]), "s", "@"
        sheet.cell(row=r, column=HOURS_COLUMN + 1).number_format = "0.0"
    for index, width in enumerate(_WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_csv(rows: list[dict]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        values = export_values(row)
        values[HOURS_COLUMN] = f"{float(values[HOURS_COLUMN]):.1f}"
        writer.writerow(values)
    return text.getvalue().encode("utf-8-sig")


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
