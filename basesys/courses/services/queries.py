"""Read-only queries behind the base admin's course list, schedule and home panel."""

from datetime import date, datetime, timedelta

from sqlalchemy import case, func
from sqlalchemy.orm import selectinload

from basesys.core.time import local_midnight
from basesys.courses.models import Course, CourseSession
from basesys.extensions import db

# The base admin's course list: a page at a time (a base runs hundreds of courses a year).
PAGE_SIZE = 50


def _list_order(now: datetime) -> tuple:
    """Upcoming and running first (soonest first), then past ones (latest first), then those
    without sessions yet (newest first): on the stored span, in SQL."""
    group = case((Course.first_starts_at.is_(None), 2), (Course.last_ends_at >= now, 0), else_=1)
    return (
        group,
        case((group == 0, Course.first_starts_at)).asc(),
        case((group == 1, Course.last_ends_at)).desc(),
        case((group == 2, Course.id)).desc(),
        Course.id,
    )


def _search(base_id: int, status: str | None, title: str | None, start: date | None, end: date | None) -> list:
    """The list's conditions: the base (indexed), its filing state, a title fragment (within the
    base's courses), and a span that meets the local dates start … end (the stored span columns)."""
    where = [Course.base_id == base_id]
    if status:
        where.append(Course.filing_status == status)
    if title:
        where.append(Course.title.contains(title, autoescape=True))
    if start is not None:
        where.append(Course.last_ends_at >= local_midnight(start))
    if end is not None:
        where.append(Course.first_starts_at < local_midnight(end + timedelta(days=1)))
    return where


def list_base_courses(
    base_id: int,
    *,
    status: str | None = None,
    title: str | None = None,
    start: date | None = None,
    end: date | None = None,
    now: datetime,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> tuple[list[Course], int, int]:
    """One page of the base's courses (sessions loaded with it), how many there are, and the page
    number shown (within the pages there are); filtered by filing state, a title fragment and a
    date range (courses with a session in it; a course without sessions has no dates to match)."""
    where = _search(base_id, status, title, start, end)
    total = db.session.scalar(db.select(func.count()).select_from(Course).where(*where)) or 0
    page = max(1, min(page, (total + size - 1) // size or 1))
    query = (
        db.select(Course)
        .where(*where)
        .options(selectinload(Course.sessions))
        .order_by(*_list_order(now))
        .limit(size)
        .offset((page - 1) * size)
    )
    return list(db.session.scalars(query)), total, page


def status_counts(base_id: int) -> dict[str, int]:
    rows = db.session.execute(
        db.select(Course.filing_status, db.func.count()).where(Course.base_id == base_id).group_by(Course.filing_status)
    )
    return dict(rows.all())


def sessions_between(base_id: int, first_day: date, days: int) -> list[CourseSession]:
    """Sessions of the base's courses on `days` local dates from `first_day`, in time order."""
    start, end = local_midnight(first_day), local_midnight(first_day + timedelta(days=days))
    query = (
        db.select(CourseSession)
        .join(Course, CourseSession.course_id == Course.id)
        .where(Course.base_id == base_id, CourseSession.starts_at >= start, CourseSession.starts_at < end)
        .order_by(CourseSession.starts_at, CourseSession.id)
        .options(selectinload(CourseSession.course))
    )
    return list(db.session.scalars(query))
