"""What the attendance pages show: live counts, today's sessions of a base, the refusal log."""

from datetime import datetime

from basesys.attendance.models import Attendance, ScanRefusal
from basesys.core.time import local_date, local_day_bounds
from basesys.courses.models import Course, CourseSession, Enrollment, FilingStatus
from basesys.extensions import db


def session_counts(course_session: CourseSession) -> dict[str, int]:
    """Checked-in, checked-out and enrolled trainees of a session (the projector's live count)."""
    checked_in, checked_out = db.session.execute(
        db.select(
            db.func.count(Attendance.check_in_at),
            db.func.count(Attendance.check_out_at),
        ).where(Attendance.session_id == course_session.id)
    ).one()
    enrolled = db.session.scalar(
        db.select(db.func.count()).select_from(Enrollment).where(Enrollment.course_id == course_session.course_id)
    )
    return {"checked_in": checked_in or 0, "checked_out": checked_out or 0, "enrolled": enrolled or 0}


def sessions_of_day(base_id: int, *, now: datetime) -> list[CourseSession]:
    """The base's sessions on the local date of `now`, in time order (the admin's home panel)."""
    start, end = local_day_bounds(local_date(now))
    return list(
        db.session.scalars(
            db.select(CourseSession)
            .join(Course)
            .where(Course.base_id == base_id, CourseSession.starts_at >= start, CourseSession.starts_at < end)
            .order_by(CourseSession.starts_at)
        )
    )


def refusals_for(course: Course, limit: int = 200) -> list[ScanRefusal]:
    """The newest refused scans of the course's sessions, for its base admin (§6)."""
    return list(
        db.session.scalars(
            db.select(ScanRefusal)
            .join(CourseSession, ScanRefusal.session_id == CourseSession.id)
            .where(CourseSession.course_id == course.id)
            .order_by(ScanRefusal.at.desc(), ScanRefusal.id.desc())
            .limit(limit)
        )
    )


def trainee_sessions_of_day(trainee_id: int, *, now: datetime) -> list[tuple[CourseSession, Attendance | None]]:
    """The trainee's sessions on the local date of `now` (approved courses), with their attendance row."""
    start, end = local_day_bounds(local_date(now))
    rows = db.session.execute(
        db.select(CourseSession, Attendance)
        .join(Course, Course.id == CourseSession.course_id)
        .join(Enrollment, (Enrollment.course_id == Course.id) & (Enrollment.trainee_id == trainee_id))
        .outerjoin(Attendance, (Attendance.session_id == CourseSession.id) & (Attendance.trainee_id == trainee_id))
        .where(
            Course.filing_status == FilingStatus.APPROVED,
            CourseSession.starts_at >= start,
            CourseSession.starts_at < end,
        )
        .order_by(CourseSession.starts_at)
    ).all()
    return [(course_session, row) for course_session, row in rows]
