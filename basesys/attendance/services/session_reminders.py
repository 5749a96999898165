"""The reminder of a session the day before it (issue 13 "Scheduling"): every enrolled trainee with
an account is told, once, when and where their next session is.

Run by a scheduled job (attendance/reminders.py) again and again: one dedupe key per session and
the notification's unique (user, key) make "once per trainee and session" a database fact, and the
recipients are inserted in one statement per session (a course may enrol thousands).
"""

from datetime import datetime, timedelta

from sqlalchemy import String, literal

from basesys.accounts.models import Trainee, User
from basesys.attendance.services.credit import course_policy
from basesys.core.time import hhmm, local_date
from basesys.courses.models import Course, CourseSession, Enrollment, FilingStatus
from basesys.extensions import db
from basesys.notifications.services import notify_selected

KIND = "session_reminder"
# Which sessions to look at at all; each one's policy (session_reminder_hours_before) then decides.
LOOK_AHEAD = timedelta(days=3)


def session_reminder_key(session_id: int) -> str:
    return f"{KIND}:{session_id}"


def _due_sessions(now: datetime) -> list[CourseSession]:
    """Sessions of approved, unfinalised courses that start within their policy's reminder time."""
    candidates = db.session.scalars(
        db.select(CourseSession)
        .join(Course, Course.id == CourseSession.course_id)
        .where(
            Course.filing_status == FilingStatus.APPROVED,
            Course.finalized_at.is_(None),
            CourseSession.starts_at > now,
            CourseSession.starts_at <= now + LOOK_AHEAD,
        )
        .order_by(CourseSession.starts_at, CourseSession.id)
    ).all()
    return [
        item
        for item in candidates
        if item.starts_at - timedelta(hours=course_policy(item.course).session_reminder_hours_before) <= now
    ]


def _recipients(course_session: CourseSession):
    """The enrolled trainees' active accounts, as `notify_selected` reads them."""
    return (
        db.select(
            User.id.label("user_id"),
            literal(session_reminder_key(course_session.id), String).label("dedupe_key"),
            literal(course_session.course_id).label("object_id"),
        )
        .select_from(Enrollment)
        .join(Trainee, Trainee.id == Enrollment.trainee_id)
        .join(User, User.id == Trainee.user_id)
        .where(Enrollment.course_id == course_session.course_id, User.active.is_(True))
    )


def remind_upcoming_sessions(*, now: datetime) -> int:
    """Notify (in-app; e-mailed where the user gave an address) each enrolled trainee of a session
    starting within the reminder time; returns how many were notified now. Refuses nothing; flushes."""
    sent = 0
    for course_session in _due_sessions(now):
        course = course_session.course
        data = {
            "title": course.title,
            "date": local_date(course_session.starts_at).isoformat(),
            "starts": hhmm(course_session.starts_at),
            "ends": hhmm(course_session.ends_at),
            "location": course.location or "",
        }
        sent += notify_selected(_recipients(course_session), KIND, now=now, data=data, object_type="course")
    db.session.flush()
    return sent
