"""The trends' month figures computed from the rows themselves (issue 11): the source of
`flask trends rebuild` (data that predates `courses.month_figures`, or a repair) and of the tests'
check that every writer keeps the table right. Same definitions as courses.month_figures:
- filings: the filing steps of the audit log (`filing.history.FIGURE_OF_STEP`), by the step's month;
- 培训人次: valid certificates by the month they were issued;
- hours issued: ledger entries not void, by their issue month; hours recognised: recognised
  entries, by their recognition month.
One INSERT … SELECT (a UNION ALL of four GROUP BYs on the local month, `core.sql_time.local_day`),
never a row through Python.
"""

from datetime import date, datetime

from sqlalchemy import Integer, case, cast, delete, except_, extract, func, insert, literal, or_, select, union_all

from basesys.certificates.models import Certificate, CertificateStatus, LedgerEntry, LedgerStatus
from basesys.core.audit import AuditRecord, audit
from basesys.core.sql_time import local_day
from basesys.core.time import local_midnight
from basesys.courses.models import Course
from basesys.courses.month_figures import FIELDS, KEY, HoursTotal, MonthFigures
from basesys.extensions import db
from basesys.filing.history import FIGURE_OF_STEP, PREFIX

ACTIONS = {PREFIX + step: figure for step, figure in FIGURE_OF_STEP.items()}


def _in_year(column, year: int | None):
    if year is None:
        return column.is_not(None)
    return (column >= local_midnight(date(year, 1, 1))) & (column < local_midnight(date(year + 1, 1, 1)))


def _branch(at, base_id, figures: dict, *where, join=None):
    """One source of figures grouped by (local year, local month, base): `figures` maps a figure
    name to its aggregate, every other figure is 0."""
    day = local_day(at)
    year, month = cast(extract("year", day), Integer), cast(extract("month", day), Integer)
    zero = {name: cast(literal(0), _type(name)) for name in FIELDS}
    columns = [year.label("year"), month.label("month"), base_id.label("base_id")]
    columns += [figures.get(name, zero[name]).label(name) for name in FIELDS]
    query = select(*columns)
    if join is not None:
        query = query.join(*join)
    return query.where(*where).group_by(year, month, base_id)


def figures_from_rows(year: int | None = None):
    """SELECT year, month, base_id and every figure, computed from the rows (of `year`, or all)."""
    is_step = (AuditRecord.object_type == "course", AuditRecord.action.in_(ACTIONS), AuditRecord.base_id.is_not(None))
    steps = {
        figure: func.sum(case((AuditRecord.action.in_([a for a, f in ACTIONS.items() if f == figure]), 1), else_=0))
        for figure in ("submitted", "approved", "returned")
    }
    hours = func.sum(LedgerEntry.hours)
    to_course = (Course, Course.id == LedgerEntry.course_id)
    sources = union_all(
        _branch(AuditRecord.at, AuditRecord.base_id, steps, *is_step, _in_year(AuditRecord.at, year)),
        _branch(
            Certificate.issued_at,
            Certificate.base_id,
            {"trainee_times": func.count()},
            Certificate.status == CertificateStatus.VALID,
            _in_year(Certificate.issued_at, year),
        ),
        _branch(
            LedgerEntry.issued_at,
            Course.base_id,
            {"hours_issued": hours},
            LedgerEntry.status != LedgerStatus.VOID,
            _in_year(LedgerEntry.issued_at, year),
            join=to_course,
        ),
        _branch(
            LedgerEntry.recognized_at,
            Course.base_id,
            {"hours_recognized": hours},
            LedgerEntry.status == LedgerStatus.RECOGNIZED,
            _in_year(LedgerEntry.recognized_at, year),
            join=to_course,
        ),
    ).subquery()
    keys = [sources.c[name] for name in KEY]
    sums = [cast(func.sum(sources.c[name]), _type(name)).label(name) for name in FIELDS]
    return select(*keys, *sums).group_by(*keys)


def _type(name: str):
    return HoursTotal if name.startswith("hours") else Integer


def _stored(year: int | None):
    """The table's rows (of `year`), those with a figure other than 0 (an all-zero row is no row)."""
    table = MonthFigures.__table__
    where = [or_(*(table.c[name] != 0 for name in FIELDS))]
    if year is not None:
        where.append(table.c.year == year)
    return select(*[table.c[name] for name in (*KEY, *FIELDS)]).where(*where)


def differences(year: int | None = None) -> int:
    """How many (year, month, base) rows of the table differ from the rows' figures (either way)."""
    fresh, stored = figures_from_rows(year), _stored(year)
    one_way = select(func.count()).select_from(except_(stored, fresh).subquery())
    other_way = select(func.count()).select_from(except_(fresh, stored).subquery())
    return db.session.scalar(one_way) + db.session.scalar(other_way)


def fill_statements(year: int | None = None) -> list:
    """DELETE the table's rows (of `year`) and INSERT … SELECT them from the rows: run on a
    connection by bench/province_data.py, in the session by `rebuild`."""
    table = MonthFigures.__table__
    wipe = delete(table) if year is None else delete(table).where(table.c.year == year)
    return [wipe, insert(table).from_select([*KEY, *FIELDS], figures_from_rows(year))]


def rebuild_month_figures(actor, *, year: int | None, now: datetime) -> int:
    """Recompute the trends' figures (of `year`, or every year) from the rows; returns how many rows
    were wrong. Writes and audits only when some were (flush only)."""
    wrong = differences(year)
    if not wrong:
        return 0
    for statement in fill_statements(year):
        db.session.execute(statement)
    period = f"{year}年" if year is not None else "全部年份"
    audit(actor, "trends.rebuild", None, now=now, after={"period": period, "corrected": wrong})
    db.session.flush()
    return wrong
