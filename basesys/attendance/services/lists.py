"""What the attendance pages show: live counts, today's sessions of a base, the refusal log, which
sessions the projector is offered for, and where a course's completion stands."""

from datetime import datetime
from enum import StrEnum

from basesys.attendance.engine import CourseCredit
from basesys.attendance.models import Attendance, Purpose, ScanRefusal
from basesys.attendance.services.manual import session_window
from basesys.core.policy import Policy
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


def projector_purpose(course_session: CourseSession, policy: Policy, *, now: datetime) -> Purpose | None:
    """What the projector is offered for at `now`: the check-in while its window is open or still to
    open today, then the check-out while its window is (in_out); None for a session of another day or over."""
    if local_date(course_session.starts_at) != local_date(now):
        return None
    if now <= session_window(course_session, Purpose.IN, policy)[1]:
        return Purpose.IN
    if (
        course_session.course.attendance_mode == "in_out"
        and now <= session_window(course_session, Purpose.OUT, policy)[1]
    ):
        return Purpose.OUT
    return None


def has_opened(course_session: CourseSession, policy: Policy, *, now: datetime) -> bool:
    """Whether the session's check-in has opened: before that, "not checked in" is not yet a fact."""
    return now >= session_window(course_session, Purpose.IN, policy)[0]


class Completion(StrEnum):
    """Where a trainee's completion of a course stands on the attendance page (§8)."""

    RUNNING = "running"  # 进行中: scans can still come
    AWAITING = "awaiting"  # 待结业: every window closed, the base has not finalised yet
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"


def last_scan_close(course: Course, policy: Policy) -> datetime | None:
    """When the course's last scan window closes (its last session's check-out, or check-in in in_only)."""
    purpose = Purpose.OUT if course.attendance_mode == "in_out" else Purpose.IN
    return max((session_window(s, purpose, policy)[1] for s in course.sessions), default=None)


def completion_of(course: Course, credit: CourseCredit, *, closes: datetime | None, now: datetime) -> Completion:
    """A verdict (结业/未结业) only once the course is finalised; before that, running or awaiting it.

    `closes` is `last_scan_close(course, policy)`, read once for the whole grid.
    """
    if course.finalized:
        return Completion.COMPLETED if credit.completed else Completion.NOT_COMPLETED
    if closes is None or now <= closes:
        return Completion.RUNNING
    return Completion.AWAITING
