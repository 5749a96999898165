"""Trends of an officer's scope over one calendar year (issue 11): per month and per unit — each
bureau directly below the one looked at (its whole subtree) and each base it supervises itself.

Read from `courses.month_figures` only — the figures per (year, local month, base) that their
writers keep in the same transaction as the rows they count: one GROUP BY (month, unit) over a few
rows per base and month, scoped in SQL (accounts.scope), never the filings, certificates and
ledger entries themselves, and never a set of ids loaded into Python. Statements per page: the
units' names and that one query, whatever the scope. Figures (definitions in month_figures):
filings submitted / approved / returned; 培训人次 (trainee-times: valid certificates issued, a
trainee trained twice counts twice, so months and units add up to the year's total); hours issued
and recognised.
"""

from dataclasses import dataclass, field

from sqlalchemy import case, false, func, or_, select

from basesys.accounts.models import Base, Bureau
from basesys.accounts.scope import in_bureau_scope
from basesys.courses.month_figures import FIELDS, MonthFigures
from basesys.extensions import db


@dataclass
class TrendRow:
    key: tuple  # (month,) or ("bureau" | "base", id)
    name: str
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    trainee_times: int = 0  # 培训人次
    hours_issued: float = 0.0
    hours_recognized: float = 0.0


@dataclass
class Trends:
    year: int
    root: Bureau | None  # the bureau looked at; None: every bureau (sysadmin)
    months: list[TrendRow]
    units: list[TrendRow]
    total: TrendRow = field(default_factory=lambda: TrendRow(("total",), ""))


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


def trends(user, root: Bureau | None, year: int) -> Trends:
    """The year's figures under `root` (a bureau in the user's scope, checked by the caller)."""
    months = [TrendRow((month,), str(month)) for month in range(1, 13)]
    units = _unit_rows(user, root)
    result = Trends(year, root, months, list(units.values()))
    unit_map = _units(user, root)
    keys = (unit_map.c.unit_bureau, unit_map.c.unit_base, MonthFigures.month)
    sums = [func.sum(getattr(MonthFigures, name)) for name in FIELDS]
    query = (
        select(*keys, *sums)
        .join(unit_map, unit_map.c.base_id == MonthFigures.base_id)
        .where(MonthFigures.year == year)
        .group_by(*keys)
    )
    for row in db.session.execute(query):
        targets = [months[row.month - 1], result.total]
        if _unit_key(row) in units:
            targets.append(units[_unit_key(row)])
        for name, value in zip(FIELDS, row[len(keys) :], strict=True):
            value = float(value or 0) if name.startswith("hours") else int(value or 0)
            for target in targets:
                setattr(target, name, getattr(target, name) + value)
    return result
