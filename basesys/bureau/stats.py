"""Figures of the bureau's home page, by aggregate queries (one per figure, never one per row)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func

from basesys.accounts.models import Base
from basesys.accounts.scope import visible_base_ids
from basesys.certificates.models import Certificate, CertificateStatus, LedgerEntry, LedgerStatus
from basesys.core.time import local_date, local_midnight
from basesys.courses.models import Course, CourseSession, Enrollment, FilingStatus
from basesys.extensions import db
from basesys.rosters.models import OPEN_STATUSES, Roster, RosterStatus


@dataclass
class BaseFigures:
    base_id: int
    name: str
    courses: int = 0
    trainees: int = 0
    certificates: int = 0
    hours_issued: float = 0.0
    hours_recognized: float = 0.0


@dataclass
class Waiting:
    filings: int
    rosters: int
    overdue: int


def _in_scope(column, bases: set[int] | None):
    return True if bases is None else column.in_(bases or {-1})


def waiting_counts(user, now: datetime) -> Waiting:
    """Course filings and rosters waiting for the bureau, and rosters the bases still owe past due."""
    bases = visible_base_ids(user)
    today = local_date(now)
    filings = db.session.scalar(
        db.select(func.count(Course.id)).where(
            Course.filing_status == FilingStatus.SUBMITTED, _in_scope(Course.base_id, bases)
        )
    )
    rosters, overdue = db.session.execute(
        db.select(
            func.coalesce(func.sum(case((Roster.status == RosterStatus.SUBMITTED, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Roster.status.in_(OPEN_STATUSES) & (Roster.due_on < today), 1), else_=0)), 0),
        ).where(_in_scope(Roster.base_id, bases))
    ).one()
    return Waiting(int(filings or 0), int(rosters), int(overdue))


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return local_midnight(date(year, 1, 1)), local_midnight(date(year + 1, 1, 1))


def figures_by_base(user, year: int) -> list[BaseFigures]:
    """Per base in scope, for a calendar year: filed courses with a session that year, their distinct
    trainees, valid certificates, hours issued (not void) and of those recognized (§8, §9)."""
    bases = visible_base_ids(user)
    query = db.select(Base.id, Base.name).order_by(Base.name)
    if bases is not None:
        query = query.where(Base.id.in_(bases or {-1}))
    figures = {base_id: BaseFigures(base_id, name) for base_id, name in db.session.execute(query)}
    if not figures:
        return []
    start, end = year_bounds(year)
    in_year = (
        db.select(CourseSession.course_id)
        .where(CourseSession.starts_at >= start, CourseSession.starts_at < end)
        .distinct()
        .scalar_subquery()
    )
    filed = (Course.filing_status == FilingStatus.APPROVED) & Course.id.in_(in_year) & Course.base_id.in_(figures)
    for base_id, courses in db.session.execute(
        db.select(Course.base_id, func.count(Course.id)).where(filed).group_by(Course.base_id)
    ):
        figures[base_id].courses = int(courses)
    for base_id, trainees in db.session.execute(
        db.select(Course.base_id, func.count(func.distinct(Enrollment.trainee_id)))
        .join(Enrollment, Enrollment.course_id == Course.id)
        .where(filed)
        .group_by(Course.base_id)
    ):
        figures[base_id].trainees = int(trainees)
    for base_id, count in db.session.execute(
        db.select(Certificate.base_id, func.count(Certificate.id))
        .where(
            Certificate.year == year, Certificate.status == CertificateStatus.VALID, Certificate.base_id.in_(figures)
        )
        .group_by(Certificate.base_id)
    ):
        figures[base_id].certificates = int(count)
    for base_id, issued, recognized in db.session.execute(
        db.select(
            Course.base_id,
            func.coalesce(func.sum(case((LedgerEntry.status != LedgerStatus.VOID, LedgerEntry.hours), else_=0)), 0),
            func.coalesce(
                func.sum(case((LedgerEntry.status == LedgerStatus.RECOGNIZED, LedgerEntry.hours), else_=0)), 0
            ),
        )
        .join(Course, Course.id == LedgerEntry.course_id)
        .where(LedgerEntry.year == year, Course.base_id.in_(figures))
        .group_by(Course.base_id)
    ):
        figures[base_id].hours_issued = float(issued or 0)
        figures[base_id].hours_recognized = float(recognized or 0)
    return list(figures.values())


def totals(rows: list[BaseFigures]) -> BaseFigures:
    total = BaseFigures(0, "")
    for row in rows:
        total.courses += row.courses
        total.trainees += row.trainees
        total.certificates += row.certificates
        total.hours_issued += row.hours_issued
        total.hours_recognized += row.hours_recognized
    return total
