"""Read-only queries behind the base admin's course list, schedule and home panel."""

from datetime import date, datetime, timedelta

from sqlalchemy.orm import selectinload

from basesys.core.time import local_midnight
from basesys.courses.models import Course, CourseSession
from basesys.extensions import db


def list_base_courses(base_id: int, *, status: str | None = None, now: datetime) -> list[Course]:
    """The base's courses, upcoming and running first (soonest first), then past ones (latest
    first), then those without sessions yet."""
    query = db.select(Course).where(Course.base_id == base_id).options(selectinload(Course.sessions))
    if status:
        query = query.where(Course.filing_status == status)
    courses = list(db.session.scalars(query))

    def order(course: Course):
        if not course.sessions:
            return (2, 0.0, -course.id)
        if course.ends_at >= now:
            return (0, course.starts_at.timestamp(), course.id)
        return (1, -course.ends_at.timestamp(), course.id)

    return sorted(courses, key=order)


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
