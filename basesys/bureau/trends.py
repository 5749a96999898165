"""Trends of an officer's scope over one calendar year (issue 11): per month and per unit — each
bureau directly below the one looked at (its whole subtree) and each base it supervises itself.

Figures, each by a local (Asia/Shanghai) month of the year:
- filings submitted / approved / returned: the filing steps of the audit log (filing.history), so a
  course returned and approved later counts once in each column, and a resubmission or a change
  filing counts as a submission;
- trainees trained: distinct trainees with a valid certificate issued that month (a trainee trained
  twice in a year counts once in the year's total, once per month and once per unit);
- hours issued: ledger entries issued that month and not void; hours recognised: entries
  recognised that month (the bureau accepted the roster, §9).

Set-based: one GROUP BY (month, unit) per figure, scoped in SQL (accounts.scope), never a set of
ids loaded into Python.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, false, func, or_, select

from basesys.accounts.models import Base, Bureau
from basesys.accounts.scope import in_bureau_scope
from basesys.certificates.models import Certificate, CertificateStatus, LedgerEntry, LedgerStatus
from basesys.core.audit import AuditRecord
from basesys.core.time import local_midnight
from basesys.courses.models import Course
from basesys.extensions import db
from basesys.filing.history import PREFIX, FilingAction

SUBMISSIONS = (FilingAction.SUBMITTED, FilingAction.RESUBMITTED, FilingAction.CHANGE_SUBMITTED)
FILING_COLUMNS = {
    **{PREFIX + action: "submitted" for action in SUBMISSIONS},
    PREFIX + FilingAction.APPROVED: "approved",
    PREFIX + FilingAction.RETURNED: "returned",
}


@dataclass
class TrendRow:
    key: tuple  # (month,) or ("bureau" | "base", id)
    name: str
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    trainees: int = 0
    hours_issued: float = 0.0
    hours_recognized: float = 0.0


@dataclass
class Trends:
    year: int
    root: Bureau | None  # the bureau looked at; None: every bureau (sysadmin)
    months: list[TrendRow]
    units: list[TrendRow]
    total: TrendRow = field(default_factory=lambda: TrendRow(("total",), ""))


def _month_of(column, year: int):
    """The local month (1–12) of an instant known to lie in the year, as a CASE over the month starts."""
    starts = [local_midnight(date(year, month, 1)) for month in range(2, 13)]
    return case(*[(column < start, month) for month, start in enumerate(starts, start=1)], else_=12)


def _in_year(column, year: int):
    return (column >= local_midnight(date(year, 1, 1))) & (column < local_midnight(date(year + 1, 1, 1)))


def _units(user, root: Bureau | None):
    """SELECT (base_id, unit_bureau, unit_base) of the bases under `root`: a base supervised by
    `root` itself is its own unit; any other belongs to the child bureau of `root` above it."""
    anchor = Bureau.parent_id == root.id if root is not None else Bureau.parent_id.is_(None)
    tree = select(Bureau.id.label("bureau_id"), Bureau.id.label("unit_id")).where(anchor).cte("units", recursive=True)
    tree = tree.union_all(select(Bureau.id, tree.c.unit_id).where(Bureau.parent_id == tree.c.bureau_id))
    own = Base.bureau_id == root.id if root is not None else false()
    return (
        select(
            Base.id.label("base_id"),
            case((own, None), else_=tree.c.unit_id).label("unit_bureau"),
            case((own, Base.id), else_=None).label("unit_base"),
        )
        .outerjoin(tree, tree.c.bureau_id == Base.bureau_id)
        .where(or_(own, tree.c.unit_id.is_not(None)), in_bureau_scope(user, Base.bureau_id))
        .subquery()
    )


def _grouped(query, units, base_column, *, year: int, at, by_month: bool = True, extra: tuple = ()):
    """The query's rows grouped by month (unless told not to), unit and the `extra` columns."""
    keys = [*extra, units.c.unit_bureau, units.c.unit_base]
    if by_month:
        keys.append(_month_of(at, year).label("month"))
    query = query.join(units, units.c.base_id == base_column).where(_in_year(at, year))
    return db.session.execute(query.add_columns(*keys).group_by(*keys)).all()


def _unit_rows(user, root: Bureau | None) -> dict[tuple, TrendRow]:
    """Every unit of the view, named and ordered (bureaus first, then the root's own bases)."""
    below = Bureau.parent_id == root.id if root is not None else Bureau.parent_id.is_(None)
    rows = {
        ("bureau", bid): TrendRow(("bureau", bid), name)
        for bid, name in db.session.execute(
            select(Bureau.id, Bureau.name).where(below, in_bureau_scope(user, Bureau.id)).order_by(Bureau.name)
        )
    }
    if root is not None:
        rows |= {
            ("base", bid): TrendRow(("base", bid), name)
            for bid, name in db.session.execute(
                select(Base.id, Base.name).where(Base.bureau_id == root.id).order_by(Base.name)
            )
        }
    return rows


def _unit_key(row) -> tuple:
    return ("bureau", row.unit_bureau) if row.unit_bureau is not None else ("base", row.unit_base)


def _add(rows: list[TrendRow], name: str, value) -> None:
    for row in rows:
        setattr(row, name, getattr(row, name) + value)


def trends(user, root: Bureau | None, year: int) -> Trends:
    """The year's figures under `root` (a bureau in the user's scope, checked by the caller)."""
    months = [TrendRow((month,), str(month)) for month in range(1, 13)]
    units = _unit_rows(user, root)
    result = Trends(year, root, months, list(units.values()))

    def spread(found, name, value_of):
        for row in found:
            value = value_of(row)
            targets = [months[row.month - 1], result.total]
            if _unit_key(row) in units:
                targets.append(units[_unit_key(row)])
            _add(targets, name, value)

    unit_map = _units(user, root)
    filings = select(func.count(AuditRecord.id)).where(
        AuditRecord.object_type == "course", AuditRecord.action.in_(FILING_COLUMNS)
    )
    for row in _grouped(
        filings, unit_map, AuditRecord.base_id, year=year, at=AuditRecord.at, extra=(AuditRecord.action,)
    ):
        spread([row], FILING_COLUMNS[row.action], lambda r: int(r[0]))
    hours = select(func.coalesce(func.sum(LedgerEntry.hours), 0)).join(Course, Course.id == LedgerEntry.course_id)
    issued = hours.where(LedgerEntry.status != LedgerStatus.VOID)
    spread(_grouped(issued, unit_map, Course.base_id, year=year, at=LedgerEntry.issued_at), "hours_issued", _hours)
    recognized = hours.where(LedgerEntry.status == LedgerStatus.RECOGNIZED)
    at = LedgerEntry.recognized_at
    spread(_grouped(recognized, unit_map, Course.base_id, year=year, at=at), "hours_recognized", _hours)
    _trainees(result, units, unit_map, year)
    return result


def _hours(row) -> float:
    return float(row[0] or 0)


def _trainees(result: Trends, units: dict, unit_map, year: int) -> None:
    """Distinct trainees with a valid certificate: per month, per unit and in the year (not sums)."""
    distinct = select(func.count(func.distinct(Certificate.trainee_id))).where(
        Certificate.status == CertificateStatus.VALID
    )
    where = (Certificate.status == CertificateStatus.VALID, _in_year(Certificate.issued_at, year))
    base = select(func.count(func.distinct(Certificate.trainee_id))).join(
        unit_map, unit_map.c.base_id == Certificate.base_id
    )
    month = _month_of(Certificate.issued_at, year).label("month")
    for count, month_number in db.session.execute(base.add_columns(month).where(*where).group_by(month)):
        result.months[month_number - 1].trainees = int(count)
    at = Certificate.issued_at
    for row in _grouped(distinct, unit_map, Certificate.base_id, year=year, at=at, by_month=False):
        if _unit_key(row) in units:
            units[_unit_key(row)].trainees = int(row[0])
    result.total.trainees = int(db.session.scalar(base.where(*where)) or 0)
