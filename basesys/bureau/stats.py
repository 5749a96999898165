"""Figures of the bureau's home page, by aggregate queries (one per figure, never one per row)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func

from basesys.accounts.models import Base
from basesys.accounts.scope import in_base_scope
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


def figures_by_base(user, year: int) -> list[BaseFigures]:
    """Per base in scope, for a calendar year: filed courses with a session that year, their distinct
    trainees, valid certificates, hours issued (not void) and of those recognized (§8, §9)."""
    query = db.select(Base.id, Base.name).where(in_base_scope(user, Base.id)).order_by(Base.name)
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
    filed = (
        (Course.filing_status == FilingStatus.APPROVED) & Course.id.in_(in_year) & in_base_scope(user, Course.base_id)
    )
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
            Certificate.year == year,
            Certificate.status == CertificateStatus.VALID,
            in_base_scope(user, Certificate.base_id),
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
        .where(LedgerEntry.year == year, in_base_scope(user, Course.base_id))
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
