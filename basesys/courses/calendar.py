"""The month and week calendars of a base and of a course: which local dates a view covers and
the sessions on them (DOMAIN.md §3; issue 13).

Each view costs one statement, whatever the base's history: the sessions in the range joined to
their courses, on indexed columns only — the course's (base_id, first_starts_at) index bounded to
the range's local year and before its end, then the session's (course_id, starts_at) index.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import contains_eager

from basesys.core.time import local_date, local_midnight
from basesys.courses.models import FILING_STATUSES, Course, CourseSession, Enrollment, FilingStatus
from basesys.extensions import db

WEEK = 7
# The colour class of each filing state on the calendars, in the legend's order (DOMAIN §4).
LEGEND = tuple((status, FILING_STATUSES[status]) for status in FilingStatus)


@dataclass(frozen=True)
class Span:
    """Local dates [first, end) a calendar page shows, the day it is about and its neighbours."""

    view: str  # "month" / "week"
    first: date
    end: date
    anchor: date  # the month's first day, or the week's Monday
    previous: date
    next: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.end - self.first).days)]

    @property
    def weeks(self) -> list[list[date]]:
        days = self.days
        return [days[i : i + WEEK] for i in range(0, len(days), WEEK)]


def week_span(day: date) -> Span:
    """The Monday-to-Sunday week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return Span(
        "week",
        monday,
        monday + timedelta(days=WEEK),
        monday,
        monday - timedelta(days=WEEK),
        monday + timedelta(days=WEEK),
    )


def month_span(day: date) -> Span:
    """The month holding `day`, as whole weeks (Monday before its 1st to the Sunday after its last)."""
    first_of_month = day.replace(day=1)
    next_month = (first_of_month + timedelta(days=32)).replace(day=1)
    previous_month = (first_of_month - timedelta(days=1)).replace(day=1)
    start = first_of_month - timedelta(days=first_of_month.weekday())
    last = next_month - timedelta(days=1)
    end = last + timedelta(days=WEEK - last.weekday())
    return Span("month", start, end, first_of_month, previous_month, next_month)


def span_of(view: str, day: date) -> Span:
    return month_span(day) if view == "month" else week_span(day)


def _sessions_query(first: date, end: date):
    start, stop = local_midnight(first), local_midnight(end)
    return (
        db.select(CourseSession)
        .join(Course, CourseSession.course_id == Course.id)
        .where(CourseSession.starts_at >= start, CourseSession.starts_at < stop)
        .options(contains_eager(CourseSession.course))
        .order_by(CourseSession.starts_at, CourseSession.id)
    )


def base_sessions(base_id: int, first: date, end: date) -> list[CourseSession]:
    """The sessions of the base's courses (every filing state) starting on local dates [first, end).

    All sessions of a course lie in one local year (DOMAIN §3), so a course with a session in the
    range starts no earlier than 1 January of the range's first year: that bounds the scan of the
    base's courses on (base_id, first_starts_at) at both ends.
    """
    query = _sessions_query(first, end).where(
        Course.base_id == base_id,
        Course.first_starts_at >= local_midnight(date(first.year, 1, 1)),
        Course.first_starts_at < local_midnight(end),
    )
    return list(db.session.scalars(query))


def course_sessions(course_id: int, first: date, end: date) -> list[CourseSession]:
    """The course's sessions starting on local dates [first, end) (its (course_id, starts_at) index)."""
    return list(db.session.scalars(_sessions_query(first, end).where(CourseSession.course_id == course_id)))


def by_local_day(sessions: list[CourseSession], span: Span) -> dict[date, list[CourseSession]]:
    """Each date of the span with the sessions starting on it in Shanghai, in time order."""
    out: dict[date, list[CourseSession]] = {day: [] for day in span.days}
    for course_session in sessions:
        out.setdefault(local_date(course_session.starts_at), []).append(course_session)
    return out


def first_session_day(course: Course, today: date) -> date:
    """Where a course's calendar opens: its first session's local date, else today."""
    first: datetime | None = course.first_starts_at
    return local_date(first) if first is not None else today


def enrolled_sessions(trainee_id: int) -> list[CourseSession]:
    """Every session of the courses the trainee is enrolled in (their feed), in time order; one
    statement, from the enrolment's trainee index to the session's (course_id, starts_at) index."""
    query = (
        db.select(CourseSession)
        .join(Course, CourseSession.course_id == Course.id)
        .join(Enrollment, Enrollment.course_id == Course.id)
        .where(Enrollment.trainee_id == trainee_id)
        .options(contains_eager(CourseSession.course))
        .order_by(CourseSession.starts_at, CourseSession.id)
    )
    return list(db.session.scalars(query))
