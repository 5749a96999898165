"""The evidence of a finding, read from the records each time it is shown (DOMAIN.md §14 "each
finding links to its evidence"): the scans with their times and phones, the two courses and the
times of the trainee in each, the 补签 entries, the filing dates, the roster's due date."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from basesys.accounts.models import Trainee
from basesys.attendance.models import Attendance
from basesys.core.policy import policy_for_base
from basesys.core.sql_time import local_day
from basesys.courses.models import Course, CourseSession
from basesys.extensions import db
from basesys.oversight.models import Anomaly, AnomalyKind
from basesys.rosters.models import Roster

MAX_ROWS = 500  # a page shows at most this many attendance rows as evidence


@dataclass
class Evidence:
    courses: list[Course] = field(default_factory=list)
    # (Attendance, Trainee, CourseSession, Course), in time order
    rows: list[tuple] = field(default_factory=list)
    device: str | None = None
    day: date | None = None
    totals: dict = field(default_factory=dict)
    roster: Roster | None = None


def _attendance(*conditions) -> list[tuple]:
    query = (
        select(Attendance, Trainee, CourseSession, Course)
        .join(Trainee, Trainee.id == Attendance.trainee_id)
        .join(CourseSession, CourseSession.id == Attendance.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(*conditions)
        .order_by(func.coalesce(Attendance.check_in_at, Attendance.check_out_at), Attendance.id)
        .limit(MAX_ROWS)
    )
    return [tuple(row) for row in db.session.execute(query).all()]


def _shared_device(anomaly: Anomaly) -> Evidence:
    _base, day, device = anomaly.key.split(":", 2)
    day = date.fromisoformat(day)
    used = or_(
        and_(Attendance.check_in_device == device, local_day(Attendance.check_in_at) == day),
        and_(Attendance.check_out_device == device, local_day(Attendance.check_out_at) == day),
    )
    return Evidence(rows=_attendance(used, Course.base_id == anomaly.base_id), device=device, day=day)


def _impossible_presence(anomaly: Anomaly) -> Evidence:
    courses = [c for c in (anomaly.course, anomaly.other_course) if c is not None]
    rows = _attendance(
        Attendance.trainee_id.in_(anomaly.trainee_ids[:1]),
        Course.id.in_([c.id for c in courses]),
        or_(Attendance.check_in_at.is_not(None), Attendance.check_out_at.is_not(None)),
    )
    return Evidence(courses=courses, rows=rows, day=anomaly.occurred_on)


def _manual_share(anomaly: Anomaly) -> Evidence:
    course = anomaly.course
    manual = or_(Attendance.check_in_manual, Attendance.check_out_manual)
    total, manual_rows = db.session.execute(
        select(func.count(Attendance.id), func.sum(case((manual, 1), else_=0)))
        .join(CourseSession, CourseSession.id == Attendance.session_id)
        .where(CourseSession.course_id == course.id)
    ).one()
    year = anomaly.occurred_on.year if anomaly.occurred_on else None
    limit = policy_for_base(anomaly.base, year).manual_share_max
    totals = {"total": total or 0, "manual": int(manual_rows or 0), "limit": limit}
    return Evidence(courses=[course], rows=_attendance(Course.id == course.id, manual), totals=totals)


def _late_filing(anomaly: Anomaly) -> Evidence:
    course = db.session.scalar(
        select(Course).options(joinedload(Course.sessions)).where(Course.id == anomaly.course_id)
    )
    return Evidence(courses=[course] if course else [])


def _roster_overdue(anomaly: Anomaly) -> Evidence:
    roster = db.session.get(Roster, int(anomaly.key))
    return Evidence(courses=[roster.course] if roster else [], roster=roster)


READERS = {
    AnomalyKind.SHARED_DEVICE: _shared_device,
    AnomalyKind.IMPOSSIBLE_PRESENCE: _impossible_presence,
    AnomalyKind.MANUAL_SHARE: _manual_share,
    AnomalyKind.LATE_FILING: _late_filing,
    AnomalyKind.ROSTER_OVERDUE: _roster_overdue,
}


def anomaly_evidence(anomaly: Anomaly) -> Evidence:
    """What the records say about the finding now."""
    return READERS[anomaly.kind](anomaly)
