"""The check-out reminder (DOMAIN.md §6 "Guidance on the phone"): near a session's end, every
trainee checked in but not out is told, once, that without a check-out the session earns no hours.

Run by a scheduled job (attendance/reminders.py) again and again: the notification's unique
(user, dedupe key) with one key per session makes "once per trainee and session" a database fact.
"""

from datetime import datetime, timedelta

from basesys.accounts.models import Trainee, User
from basesys.attendance.models import Attendance
from basesys.attendance.services.credit import course_policy
from basesys.core.time import hhmm
from basesys.courses.models import Course, CourseSession, FilingStatus
from basesys.extensions import db
from basesys.notifications.services import notify

KIND = "checkout_reminder"
# Which sessions to look at at all; each one's policy then decides (no policy keeps check-out
# open a day after the end or reminds a day before it).
LOOK_AROUND = timedelta(days=1)


def reminder_key(session_id: int) -> str:
    return f"{KIND}:{session_id}"


def _due_sessions(now: datetime) -> list[CourseSession]:
    """Approved, unfinalised `in_out` sessions whose reminder time has come and check-out is still open."""
    candidates = db.session.scalars(
        db.select(CourseSession)
        .join(Course, Course.id == CourseSession.course_id)
        .where(
            Course.attendance_mode == "in_out",
            Course.filing_status == FilingStatus.APPROVED,
            Course.finalized_at.is_(None),
            CourseSession.starts_at <= now,
            CourseSession.ends_at > now - LOOK_AROUND,
            CourseSession.ends_at < now + LOOK_AROUND,
        )
        .order_by(CourseSession.ends_at, CourseSession.id)
    ).all()
    due = []
    for course_session in candidates:
        policy = course_policy(course_session.course)
        remind_from = course_session.ends_at - timedelta(minutes=policy.checkout_reminder_minutes_before_end)
        closes = course_session.ends_at + timedelta(minutes=policy.checkout_closes_minutes_after_end)
        if max(remind_from, course_session.starts_at) <= now <= closes:
            due.append(course_session)
    return due


def _without_checkout(course_session: CourseSession) -> list[User]:
    return db.session.scalars(
        db.select(User)
        .join(Trainee, Trainee.user_id == User.id)
        .join(Attendance, Attendance.trainee_id == Trainee.id)
        .where(
            Attendance.session_id == course_session.id,
            Attendance.check_in_at.is_not(None),
            Attendance.check_out_at.is_(None),
            User.active.is_(True),
        )
        .order_by(User.id)
    ).all()


def remind_missing_checkouts(*, now: datetime) -> int:
    """Notify (in-app; e-mailed where the user gave an address) each trainee of a due session who
    checked in and has not checked out; returns how many were notified now. Refuses nothing; flushes."""
    sent = 0
    for course_session in _due_sessions(now):
        policy = course_policy(course_session.course)
        closes = course_session.ends_at + timedelta(minutes=policy.checkout_closes_minutes_after_end)
        data = {
            "title": course_session.course.title,
            "ends": hhmm(course_session.ends_at),
            "closes": hhmm(closes),
        }
        users = _without_checkout(course_session)
        sent += len(notify(users, KIND, key=reminder_key(course_session.id), now=now, data=data, about=course_session))
    db.session.flush()
    return sent
