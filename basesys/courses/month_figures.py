"""The figures of the bureau's trends (issue 11), per (year, local month, base), kept in the same
transaction as the rows they count: the trends page reads this table (a few rows per base and
month), never the province's millions of filings, certificates and ledger entries.

Each writer of a counted row adds its change here, in its own transaction, with `add` / `add_many`:
one upsert `INSERT … ON CONFLICT (year, month, base_id) DO UPDATE SET x = x + excluded.x`, so
concurrent writers add up and never overwrite each other (PostgreSQL and SQLite alike). Figures:
- `submitted` / `approved` / `returned`: filing steps (`filing.history.record_step`), in the month
  of the step; a resubmission and a change filing (变更备案) count as submissions;
- `trainee_times` — 培训人次 (en "trainee-times"): valid certificates issued in the month. A trainee
  trained twice counts twice: that is what the bureau's reports count, and unlike distinct people
  it sums across bases and months. Finalisation (a chunk at a time) and the later issue of a
  certificate that could not be printed add; revocation subtracts, from the certificate's month;
- `hours_issued`: hours of ledger entries issued in the month and not void (finalisation adds,
  voiding subtracts from the entry's issue month);
- `hours_recognized`: hours of entries recognised in the month — the bureau accepted the roster
  (§9); voiding a recognised entry subtracts from its recognition month.

Months are Asia/Shanghai months (`core.time.local_date`). The same figures computed from the rows
themselves are `bureau.trend_rebuild` (`flask trends rebuild`): for data older than this table, and
the tests' check that every writer keeps it right. The table lives in `courses` because its writers
(filing, certificates, rosters through certificates) all stand on this layer; the reader is bureau.
"""

from collections.abc import Iterable
from datetime import datetime
from functools import cache

from sqlalchemy import ForeignKey, Numeric
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from basesys.core.time import local_date
from basesys.extensions import db

FIELDS = ("submitted", "approved", "returned", "trainee_times", "hours_issued", "hours_recognized")
KEY = ("year", "month", "base_id")

# Sums of 学时 (multiples of 0.5, core.hours): stored exactly, read back as float.
HoursTotal = Numeric(14, 1, asdecimal=False)


class MonthFigures(db.Model):
    """One base's figures in one local month (see the module's docstring for each)."""

    __tablename__ = "month_figures"

    year: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True)  # 1–12, Asia/Shanghai
    base_id: Mapped[int] = mapped_column(ForeignKey("base.id"), primary_key=True)
    submitted: Mapped[int] = mapped_column(nullable=False, default=0)
    approved: Mapped[int] = mapped_column(nullable=False, default=0)
    returned: Mapped[int] = mapped_column(nullable=False, default=0)
    trainee_times: Mapped[int] = mapped_column(nullable=False, default=0)  # 培训人次
    hours_issued: Mapped[float] = mapped_column(HoursTotal, nullable=False, default=0)
    hours_recognized: Mapped[float] = mapped_column(HoursTotal, nullable=False, default=0)


def add(base_id: int, at: datetime, **deltas: float) -> None:
    """Add `deltas` (figure name → change, negative to subtract) to the base's month of `at`."""
    add_many([(base_id, at, deltas)])


def add_many(changes: Iterable[tuple[int, datetime, dict]]) -> None:
    """Add several `(base_id, at, deltas)` changes: merged per (year, month, base) and written in
    one execute of the upsert, its rows in key order (concurrent writers lock them in the same
    order, so they cannot deadlock); nothing when they cancel out."""
    rows: dict[tuple, dict] = {}
    for base_id, at, deltas in changes:
        unknown = set(deltas) - set(FIELDS)
        if unknown:
            raise ValueError(f"no such figure: {sorted(unknown)}")
        day = local_date(at)
        row = rows.setdefault((day.year, day.month, base_id), dict.fromkeys(FIELDS, 0))
        for name, value in deltas.items():
            row[name] += value
    values = [dict(zip(KEY, key, strict=True), **row) for key, row in sorted(rows.items()) if any(row.values())]
    if values:
        db.session.execute(_upsert(db.session.get_bind().dialect.name), values)


@cache
def _upsert(dialect_name: str):
    """The upsert, built once per dialect (and compiled once: SQLAlchemy caches it); the rows are
    its parameters."""
    table = MonthFigures.__table__
    statement = (postgresql if dialect_name == "postgresql" else sqlite).insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(KEY), set_={name: table.c[name] + statement.excluded[name] for name in FIELDS}
    )
