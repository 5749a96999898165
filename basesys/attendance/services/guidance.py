"""Guidance on the phone (DOMAIN.md §6): what a check-in means, what a check-out will earn and earned.

Every figure comes from the credit engine (attendance/engine.py) with the course's policy, so the
phone never tells a trainee a number the attendance grid and the certificate would not.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from basesys.accounts.models import Trainee
from basesys.attendance.engine import Presence, SessionSpec, checkin_window, checkout_window, credit_course
from basesys.attendance.services.credit import course_policy, course_spec, finalized_hours_by_date, presences_for
from basesys.core.policy import Policy
from basesys.core.time import local_date
from basesys.courses.models import CourseSession


@dataclass(frozen=True)
class CheckInGuidance:
    """After a check-in: the session's mode, its credit hours and, in `in_out`, the check-out window."""

    mode: str
    credit_hours: float
    checkin_closes: datetime
    checkout_opens: datetime | None
    checkout_closes: datetime | None


@dataclass(frozen=True)
class SessionHours:
    """The hours of one session for a trainee, and of that local date on the course, after the cap.

    `other_courses` are hours already finalized for that date on other courses (they count first).
    """

    session_hours: float
    session_capped: float
    session_full: float
    local_date: date
    day_hours: float
    other_courses: float
    daily_cap: float
    explanation: str

    @property
    def full(self) -> bool:
        return self.session_hours + self.session_capped >= self.session_full


def _spec(course_session: CourseSession) -> SessionSpec:
    return SessionSpec(
        course_session.id, course_session.starts_at, course_session.ends_at, float(course_session.credit_hours)
    )


def checkin_guidance(course_session: CourseSession, policy: Policy | None = None) -> CheckInGuidance:
    """What the result page of a check-in tells the trainee (§6 "Guidance on the phone")."""
    course = course_session.course
    policy = policy or course_policy(course)
    spec = _spec(course_session)
    _opens, closes = checkin_window(spec, course.attendance_mode, policy)
    if course.attendance_mode == "in_only":
        return CheckInGuidance(course.attendance_mode, spec.credit_hours, closes, None, None)
    out_opens, out_closes = checkout_window(spec, policy)
    return CheckInGuidance(course.attendance_mode, spec.credit_hours, closes, out_opens, out_closes)


def is_early_checkout(course_session: CourseSession, moment: datetime) -> bool:
    """A check-out before the session's end, in `in_out` mode: the page asks to confirm it first."""
    course = course_session.course
    return course.attendance_mode == "in_out" and course_session.starts_at <= moment < course_session.ends_at


def _hours(course_session: CourseSession, trainee: Trainee, presences: dict, policy: Policy) -> SessionHours:
    course = course_session.course
    day = local_date(course_session.starts_at)
    others = finalized_hours_by_date(trainee.id, {day}, exclude_course_id=course.id)
    credit = credit_course(course_spec(course, policy), presences, others, policy)
    session = credit.session(course_session.id)
    day_credit = next(d for d in credit.days if d.local_date == day)
    return SessionHours(
        session_hours=session.credited_hours,
        session_capped=session.capped_hours,
        session_full=float(course_session.credit_hours),
        local_date=day,
        day_hours=day_credit.credited_hours,
        other_courses=float(others.get(day, 0.0)),
        daily_cap=policy.daily_cap_hours,
        explanation=session.explanation,
    )


def checkout_preview(
    course_session: CourseSession, trainee: Trainee, at: datetime, policy: Policy | None = None
) -> SessionHours:
    """The hours the session would earn if the trainee checked out at `at` (nothing is written).

    The last check-out counts (§6): a stored later check-out stays, so the preview keeps it.
    """
    policy = policy or course_policy(course_session.course)
    presences = presences_for(course_session.course, trainee.id)
    stored = presences.get(course_session.id) or Presence(course_session.id, None, None)
    check_out = at if stored.check_out is None or stored.check_out <= at else stored.check_out
    presences[course_session.id] = replace(stored, check_out=check_out)
    return _hours(course_session, trainee, presences, policy)


def credited_hours(course_session: CourseSession, trainee: Trainee, policy: Policy | None = None) -> SessionHours:
    """The hours the trainee's stored attendance earns on the session and on that date (after the cap)."""
    policy = policy or course_policy(course_session.course)
    return _hours(course_session, trainee, presences_for(course_session.course, trainee.id), policy)


def full_credit_from(course_session: CourseSession, check_in: datetime | None, policy: Policy | None = None):
    """The earliest check-out that earns the session's full hours (§7 grace), or None when none can."""
    if check_in is None:
        return None
    policy = policy or course_policy(course_session.course)
    begin = max(check_in, course_session.starts_at)
    duration = course_session.ends_at - course_session.starts_at
    earliest = begin + duration - timedelta(minutes=policy.full_credit_grace_minutes)
    return earliest if earliest <= course_session.ends_at else None
