"""The roster exports the bureau imports (DOMAIN.md §9): XLSX with ID numbers as text cells, and
CSV in UTF-8 with a BOM (so Excel detects the encoding), both with exactly the columns of §9.
Both are written through core/spreadsheet.py, so no name or employer arrives as a live formula."""

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import chain

from basesys.accounts.scope import in_base_scope
from basesys.core.spreadsheet import csv_chunks, decimal, saved_to_file, stream_row, stream_workbook
from basesys.core.time import local_day_bounds
from basesys.extensions import db
from basesys.rosters.models import Roster, RosterStatus
from basesys.rosters.rows import HEADER, HOURS_COLUMN, ID_COLUMN, export_values

_WIDTHS = [6, 10, 6, 22, 28, 14, 14, 30, 10, 24, 10, 20, 10]
ROSTERS_PER_READ = 20  # a roster holds its rows (JSON): a month of a province is millions of them


def renumber(rows: Iterable[dict]) -> Iterator[dict]:
    """Rows of several rosters in one file are numbered 1..n through the file (序号)."""
    return ({**row, "seq": n} for n, row in enumerate(rows, 1))


def xlsx_file(rows: Iterable[dict], sheet_title: str = "学员名单"):
    """The XLSX as a temporary file (rewound), for sending without holding it in memory: written row
    by row to a streamed sheet, linear and in constant memory however many rows. An 18-digit number
    would lose its last digits in Excel: the ID number is a text column."""
    columns = {"text_columns": (ID_COLUMN,), "formats": {HOURS_COLUMN: "0.0"}}
    with stream_workbook(sheet_title, _WIDTHS, freeze="A2", **columns) as sheet:
        stream_row(sheet, HEADER, bold=True)
        for row in rows:
            stream_row(sheet, export_values(row))
        return saved_to_file(sheet)


def to_xlsx(rows: Iterable[dict], sheet_title: str = "学员名单") -> bytes:
    return xlsx_file(rows, sheet_title).read()


def _csv_values(row: dict) -> list:
    values = export_values(row)
    values[HOURS_COLUMN] = decimal(values[HOURS_COLUMN])  # "8.0": one decimal, still a number
    return values


def csv_stream(rows: Iterable[dict]) -> Iterator[bytes]:
    return csv_chunks(chain([HEADER], (_csv_values(row) for row in rows)))


def to_csv(rows: Iterable[dict]) -> bytes:
    return b"".join(csv_stream(rows))


def accepted_rosters(actor, start: date, end: date):
    """SELECT of the rosters in the actor's scope accepted on a local date in [start, end]."""
    since, _ = local_day_bounds(start)
    _, until = local_day_bounds(end)
    return (
        db.select(Roster)
        .where(
            in_base_scope(actor, Roster.base_id),
            Roster.status == RosterStatus.ACCEPTED,
            Roster.decided_at >= since,
            Roster.decided_at < until,
        )
        .order_by(Roster.decided_at, Roster.id)
    )


def rows_of(query) -> Iterator[dict]:
    """The rows of the rosters `query` selects, numbered through, read a few rosters at a time."""

    def rows() -> Iterator[dict]:  # run when first read: while streaming, after the view's commit
        for roster in db.session.scalars(query.execution_options(yield_per=ROSTERS_PER_READ)):
            yield from roster.rows or []

    return renumber(rows())
