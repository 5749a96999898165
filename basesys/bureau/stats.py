"""Figures of the bureau's home page (issue 11): read from the stored, indexed rows that summarise
them — `courses.month_figures` for trainee-times and hours, the course's stored first session for
its year — a page of bases at a time, so the province's home costs what a county's does."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func

from basesys.accounts.models import Base
from basesys.accounts.scope import in_base_scope, in_bureau_scope
from basesys.certificates.models import LedgerEntry, LedgerSource, LedgerStatus
from basesys.core.time import local_date, local_midnight
from basesys.courses.models import Course, FilingStatus
from basesys.courses.month_figures import MonthFigures
from basesys.declarations.models import Declaration
from basesys.extensions import db
from basesys.rosters.models import OPEN_STATUSES, Roster, RosterStatus

PAGE_SIZE = 50


@dataclass
class BaseFigures:
    """One base's year: approved courses whose sessions fall in the year (one calendar year per
    course, DOMAIN §3), 培训人次 — valid certificates issued in the year —, hours issued in the year
    and not void, hours recognised in the year (§8, §9). The last three are the trends' figures
    (`courses.month_figures`) summed over the year's months."""

    base_id: int
    name: str
    courses: int = 0
    trainee_times: int = 0
    hours_issued: float = 0.0
    hours_recognized: float = 0.0


@dataclass
class FiguresPage:
    rows: list[BaseFigures]
    total: BaseFigures  # the whole scope's year, not only this page's
    bases: int  # bases in scope
    page: int
    size: int = PAGE_SIZE


@dataclass
class Waiting:
    filings: int
    rosters: int
    overdue: int


def waiting_counts(user, now: datetime) -> Waiting:
    """Course filings and rosters waiting for the bureau, and rosters the bases still owe past due."""
    today = local_date(now)
    filings = db.session.scalar(
        db.select(func.count(Course.id)).where(
            Course.filing_status == FilingStatus.SUBMITTED, in_base_scope(user, Course.base_id)
        )
    )
    rosters, overdue = db.session.execute(
        db.select(
            func.coalesce(func.sum(case((Roster.status == RosterStatus.SUBMITTED, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Roster.status.in_(OPEN_STATUSES) & (Roster.due_on < today), 1), else_=0)), 0),
        ).where(in_base_scope(user, Roster.base_id))
    ).one()
    return Waiting(int(filings or 0), int(rosters), int(overdue))


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return local_midnight(date(year, 1, 1)), local_midnight(date(year + 1, 1, 1))


def _courses_of_year(year: int, base_filter):
    start, end = year_bounds(year)
    return (
        (Course.filing_status == FilingStatus.APPROVED)
        & (Course.first_starts_at >= start)
        & (Course.first_starts_at < end)
        & base_filter
    )


def _month_sums():
    return (
        func.coalesce(func.sum(MonthFigures.trainee_times), 0),
        func.coalesce(func.sum(MonthFigures.hours_issued), 0),
        func.coalesce(func.sum(MonthFigures.hours_recognized), 0),
    )


def _fill(figures: BaseFigures, courses, trainee_times, issued, recognized) -> BaseFigures:
    figures.courses = int(courses or 0)
    figures.trainee_times = int(trainee_times or 0)
    figures.hours_issued = float(issued or 0)
    figures.hours_recognized = float(recognized or 0)
    return figures


def scope_total(user, year: int) -> BaseFigures:
    """The year over every base in scope: two aggregates, on the month table and the course span."""
    courses = db.session.scalar(
        db.select(func.count(Course.id)).where(_courses_of_year(year, in_base_scope(user, Course.base_id)))
    )
    sums = db.session.execute(
        db.select(*_month_sums()).where(MonthFigures.year == year, in_base_scope(user, MonthFigures.base_id))
    ).one()
    return _fill(BaseFigures(0, ""), courses, *sums)


def figures_page(user, year: int, page: int = 1, size: int = PAGE_SIZE) -> FiguresPage:
    """A page of the bases in scope, by name, with their year's figures (statements: a fixed few,
    whatever the page size or the scope), and the whole scope's total."""
    bases = db.session.scalar(db.select(func.count(Base.id)).where(in_base_scope(user, Base.id))) or 0
    page = max(1, min(page, (bases + size - 1) // size or 1))
    listed = db.session.execute(
        db.select(Base.id, Base.name)
        .where(in_base_scope(user, Base.id))
        .order_by(Base.name, Base.id)
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    rows = {base_id: BaseFigures(base_id, name) for base_id, name in listed}
    if rows:
        ids = list(rows)
        courses = dict(
            db.session.execute(
                db.select(Course.base_id, func.count(Course.id))
                .where(_courses_of_year(year, Course.base_id.in_(ids)))
                .group_by(Course.base_id)
            ).all()
        )
        sums = {
            base_id: values
            for base_id, *values in db.session.execute(
                db.select(MonthFigures.base_id, *_month_sums())
                .where(MonthFigures.year == year, MonthFigures.base_id.in_(ids))
                .group_by(MonthFigures.base_id)
            )
        }
        for base_id, figures in rows.items():
            _fill(figures, courses.get(base_id), *sums.get(base_id, (0, 0, 0)))
    return FiguresPage(list(rows.values()), scope_total(user, year), bases, page, size)


@dataclass
class DeclaredFigures:
    """Hours of recognised hour declarations (§11) recognised in the year, in the scope: they belong
    to no base, so they are counted by the bureau that recognised them (`declaration.bureau_id`,
    the employer's bureau or the trainee's), beside the bases' figures, not inside them."""

    declarations: int = 0
    trainees: int = 0
    hours: float = 0.0


def declared_figures(user, year: int) -> DeclaredFigures:
    """One aggregate over the year's recognised declaration entries (index on source, recognized_at)."""
    start, end = year_bounds(year)
    declarations, trainees, hours = db.session.execute(
        db.select(
            func.count(func.distinct(LedgerEntry.declaration_id)),
            func.count(func.distinct(LedgerEntry.trainee_id)),
            func.coalesce(func.sum(LedgerEntry.hours), 0),
        )
        .join(Declaration, Declaration.id == LedgerEntry.declaration_id)
        .where(
            LedgerEntry.source == LedgerSource.DECLARATION,
            LedgerEntry.status == LedgerStatus.RECOGNIZED,
            LedgerEntry.recognized_at >= start,
            LedgerEntry.recognized_at < end,
            in_bureau_scope(user, Declaration.bureau_id),
        )
    ).one()
    return DeclaredFigures(int(declarations or 0), int(trainees or 0), float(hours or 0))


def figure_years(now: datetime) -> list[int]:
    """The years the bureau's figures can be shown for: this year and every year with month
    figures, latest first (the month table has a few rows per base and month)."""
    years = set(db.session.scalars(db.select(MonthFigures.year).distinct()))
    return sorted(years | {local_date(now).year}, reverse=True)
