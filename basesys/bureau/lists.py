"""The bureau's lists (courses, certificates), filtered and scoped (DOMAIN.md §1); the audit log is
bureau.audit_log."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_

from basesys.accounts.models import Base, Trainee
from basesys.accounts.scope import in_base_scope
from basesys.certificates.models import Certificate, CertificateStatus
from basesys.core.ids import normalize_code
from basesys.core.time import local_date, local_midnight
from basesys.courses.models import Course, CourseSession, Enrollment, FilingStatus
from basesys.extensions import db
from basesys.rosters.models import Roster
from basesys.rosters.queries import status_expression


@dataclass
class Filters:
    base_id: int | None = None
    start: date | None = None
    end: date | None = None
    status: str | None = None
    q: str = ""


# Counting every match of a province (millions of certificates) took seconds: a list counts up to
# COUNT_CAP and says "more than" beyond it; pages stop there (a search narrows a longer list).
COUNT_CAP = 10_000


@dataclass
class Page:
    items: list
    total: int
    page: int
    size: int
    capped: bool = False


def _paged(query, matches, page: int, size: int) -> Page:
    """`matches`: a SELECT of the matching ids (its WHERE is the list's), counted up to COUNT_CAP."""
    counted = db.session.scalar(db.select(func.count()).select_from(matches.limit(COUNT_CAP + 1).subquery())) or 0
    page = max(1, min(page, (COUNT_CAP + size - 1) // size))
    items = db.session.execute(query.limit(size).offset((page - 1) * size)).all()
    return Page(items, min(counted, COUNT_CAP), page, size, counted > COUNT_CAP)


def _bases(user, column):
    return in_base_scope(user, column)


def _day_start(day: date) -> datetime:
    return local_midnight(day)


def _day_after(day: date) -> datetime:
    return local_midnight(day + timedelta(days=1))


# Statuses the bureau lists: drafts are the base's own business until filed.
COURSE_STATUSES = (FilingStatus.SUBMITTED, FilingStatus.APPROVED, FilingStatus.RETURNED)


def courses(user, now: datetime, filters: Filters, page: int = 1, size: int = 50) -> Page:
    """Filed courses in scope with dates, headcount and roster status; dates filter on the course's
    first session (a local date from start to end)."""
    sessions = (
        db.select(
            CourseSession.course_id,
            func.min(CourseSession.starts_at).label("first_start"),
            func.max(CourseSession.ends_at).label("last_end"),
        )
        .group_by(CourseSession.course_id)
        .subquery()
    )
    enrolled = (
        db.select(Enrollment.course_id, func.count(Enrollment.id).label("enrolled"))
        .group_by(Enrollment.course_id)
        .subquery()
    )
    conditions = [_bases(user, Course.base_id), Course.filing_status.in_(COURSE_STATUSES)]
    if filters.base_id:
        conditions.append(Course.base_id == filters.base_id)
    if filters.status in COURSE_STATUSES:
        conditions.append(Course.filing_status == filters.status)
    if filters.start:
        conditions.append(sessions.c.first_start >= _day_start(filters.start))
    if filters.end:
        conditions.append(sessions.c.first_start < _day_after(filters.end))
    if filters.q:
        conditions.append(or_(Course.title.ilike(f"%{filters.q}%"), Course.filing_number.ilike(f"%{filters.q}%")))
    base = db.select(Course.id).outerjoin(sessions, sessions.c.course_id == Course.id).where(*conditions)
    query = (
        db.select(
            Course,
            Base.name,
            sessions.c.first_start,
            sessions.c.last_end,
            func.coalesce(enrolled.c.enrolled, 0),
            status_expression(local_date(now)).label("roster_status"),
        )
        .join(Base, Base.id == Course.base_id)
        .outerjoin(sessions, sessions.c.course_id == Course.id)
        .outerjoin(enrolled, enrolled.c.course_id == Course.id)
        .outerjoin(Roster, Roster.course_id == Course.id)
        .where(*conditions)
        .order_by(sessions.c.first_start.desc(), Course.id.desc())
    )
    return _paged(query, base, page, size)


CERTIFICATE_STATUSES = tuple(CertificateStatus)


def certificates(user, filters: Filters, page: int = 1, size: int = 50) -> Page:
    """Certificates of the bases in scope; `q` finds a number, a name, or a full ID number."""
    conditions = [_bases(user, Certificate.base_id)]
    if filters.base_id:
        conditions.append(Certificate.base_id == filters.base_id)
    if filters.status in CERTIFICATE_STATUSES:
        conditions.append(Certificate.status == filters.status)
    if filters.start:
        conditions.append(Certificate.issued_on >= filters.start)
    if filters.end:
        conditions.append(Certificate.issued_on <= filters.end)
    q = filters.q.strip()
    if q:
        conditions.append(
            or_(
                Certificate.number.ilike(f"{q}%"),
                Certificate.holder_name.ilike(f"%{q}%"),
                Trainee.id_number == normalize_code(q),
            )
        )
    query = (
        db.select(Certificate, Trainee, Course.title, Base.name)
        .join(Trainee, Trainee.id == Certificate.trainee_id)
        .join(Course, Course.id == Certificate.course_id)
        .join(Base, Base.id == Certificate.base_id)
        .where(*conditions)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    matches = db.select(Certificate.id).join(Trainee, Trainee.id == Certificate.trainee_id).where(*conditions)
    return _paged(query, matches, page, size)
